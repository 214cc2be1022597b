"""Fixtures of the distributed-crawl tests: a real Redis (``redis-server`` on 127.0.0.1, a free port, a
temporary directory, AOF on so a restart keeps the frontier), started once per session and emptied before
each test, and the sample portal served under several loopback host names (127.0.0.2, 127.0.0.3, ...),
each server logging the monotonic time of every request.

Without redis-server on PATH the tests skip with a message (install it: ``bash scripts/install-redis.sh``);
under CI (CI=true), where .ci/run installs it, they fail instead, so they cannot silently not run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crawler.sample_portal.server import SITE_ROOT, PortalHandler, PortalServer, Reply, Route


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server subprocess this test session owns."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
             "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on 127.0.0.1:{self.port}; "
                           f"see {self.directory}/redis.log")

    def ping(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """SHUTDOWN (the AOF is flushed), then wait for the process."""
        import redis

        if self.process is None:
            return
        with contextlib.suppress(redis.RedisError):  # shutdown closes the connection under our feet
            self.client().shutdown()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self):  # type: ignore[no-untyped-def]
        """A client that does not retry (redis-py's default retries would wait seconds on a dead server)."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return redis.Redis(port=self.port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))


@pytest.fixture(scope="session")
def redis_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        message = ("redis-server is not installed: run `bash scripts/install-redis.sh` "
                   "(apt-get install redis-server)")
        if os.environ.get("CI"):
            pytest.fail(message + " — .ci/run installs it, so under CI this is a broken setup")
        pytest.skip(message)
    pytest.importorskip("scrapy_redis", reason="scrapy-redis is not installed: pip install '.[distributed]'")
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(redis_session: RedisServer) -> RedisServer:
    """The session's Redis, emptied (and started again if a test stopped it)."""
    if not redis_session.ping():
        redis_session.start()
    redis_session.client().flushall()
    return redis_session


# -- the sample portal under several host names ---------------------------------------------------
class TimedServer(PortalServer):
    """A sample-portal server that also keeps (monotonic time, path) of every request, and can slow
    every reply down (``reply_delay``) so that requests stay in flight long enough to kill a worker."""

    def __init__(self, address: tuple[str, int], routes: Mapping[str, Route], reply_delay: float) -> None:
        super().__init__(address, SITE_ROOT, routes)
        self.RequestHandlerClass = SlowHandler
        self.reply_delay = reply_delay
        self.times: list[tuple[float, str]] = []

    def count(self, method: str, target: str, path: str, user_agent: str) -> int:
        with self._lock:
            self.times.append((time.monotonic(), path))
        return super().count(method, target, path, user_agent)


class SlowHandler(PortalHandler):
    server: TimedServer

    def reply_for(self, request):  # type: ignore[no-untyped-def]
        reply = super().reply_for(request)
        if request.path == "/robots.txt" or not self.server.reply_delay:
            return reply
        return Reply(reply.status, reply.headers, reply.body, reply.delay + self.server.reply_delay)


@dataclass
class Portals:
    servers: list[TimedServer] = field(default_factory=list)

    @property
    def hosts(self) -> list[str]:
        return [s.server_address[0] for s in self.servers]  # type: ignore[misc]

    def base(self, server: TimedServer) -> str:
        return server.base_url

    def site_config(self, folder: Path, name: str = "multi") -> Path:
        """A site config crawling the sample portal on every host (one crawl, several portals)."""
        folder.mkdir(parents=True, exist_ok=True)
        starts = ["/xwzx/zwyw/index.html", "/xwzx/gzdt/index.html", "/szb/html/2020-02/18/node_7.htm",
                  "/big5/index.html"]
        pages = [f'"{s.base_url}{path}"' for s in self.servers for path in starts]
        domains = ", ".join(f'"{h}"' for h in self.hosts)
        text = (f'name = "{name}"\nbase_url = "{self.servers[0].base_url}/"\n'
                f"start_pages = [{', '.join(pages)}]\nallowed_domains = [{domains}]\n"
                "\n[links]\nmax_pages = 10\n")
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
        return folder


def serve_portals(count: int, crawl_delay: float | None, reply_delay: float = 0.0) -> Portals:
    delay = f"Crawl-delay: {crawl_delay}\n" if crawl_delay else ""
    robots = f"User-agent: *\n{delay}Disallow: /search/\n"
    routes: dict[str, Route] = {"/robots.txt": Reply(200, {"Content-Type": "text/plain"}, robots.encode())}
    portals = Portals()
    for i in range(count):
        host = f"127.0.0.{i + 2}"
        server = TimedServer((host, 0), routes, reply_delay)
        threading.Thread(target=server.serve_forever, daemon=True, name=f"portal-{host}").start()
        server.base_url = f"http://{host}:{server.server_port}"
        portals.servers.append(server)
    return portals


@pytest.fixture
def portals_factory() -> Iterator[list[Portals]]:
    made: list[Portals] = []
    yield made
    for portals in made:
        for server in portals.servers:
            server.shutdown()
