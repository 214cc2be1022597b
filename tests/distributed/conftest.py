"""Fixtures of the distributed-crawl tests: a real Redis (``redis-server`` on 127.0.0.1, a free port, a
temporary directory, AOF on so a restart keeps the frontier), started once per session and emptied before
each test; the sample portal as several portals on 127.0.0.2, 127.0.0.3, ... is crawler.distributed.portals

Without redis-server on PATH the tests skip with a message (install it: ``bash scripts/install-redis.sh``);
under CI (CI=true), where .ci/run installs it, they fail instead, so they cannot silently not run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.distributed.portals import Portals, serve_portals


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


__all__ = ["Portals", "RedisServer", "free_port", "serve_portals"]
