"""The sample portal served as several portals, one per loopback host name (127.0.0.2, 127.0.0.3, ...),
each server keeping the monotonic time of every request it answered: for the distributed crawl's tests
and benchmark (bench/distributed.py), where the spacing of requests per portal is measured at the portal.

    portals = serve_portals(3, crawl_delay=0.25)     # robots.txt asks for 0.25 s between requests
    sites = portals.site_config(Path("sites"))       # a site config "multi" with every portal's start pages
    ...
    portals.shutdown()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crawler.sample_portal.server import SITE_ROOT, PortalHandler, PortalServer, Reply, Request, Route

START_PAGES = ("/xwzx/zwyw/index.html", "/xwzx/gzdt/index.html", "/szb/html/2020-02/18/node_7.htm",
               "/big5/index.html")


class TimedServer(PortalServer):
    """A sample-portal server that also keeps (monotonic time, path) of every request, and can slow
    every reply down (``reply_delay``) so that requests stay in flight long enough to kill a worker."""

    def __init__(self, address: tuple[str, int], root: Path, routes: Mapping[str, Route],
                 reply_delay: float) -> None:
        super().__init__(address, root, routes)
        self.RequestHandlerClass = SlowHandler
        self.reply_delay = reply_delay
        self.times: list[tuple[float, str]] = []

    def count(self, method: str, target: str, path: str, user_agent: str) -> int:
        with self._lock:
            self.times.append((time.monotonic(), path))
        return super().count(method, target, path, user_agent)

    def page_times(self) -> list[float]:
        """When each page request (robots.txt left out) arrived, in order."""
        return sorted(t for t, path in self.times if path != "/robots.txt")


class SlowHandler(PortalHandler):
    server: TimedServer

    def reply_for(self, request: Request) -> Reply:
        reply = super().reply_for(request)
        if request.path == "/robots.txt" or not self.server.reply_delay:
            return reply
        return Reply(reply.status, reply.headers, reply.body, reply.delay + self.server.reply_delay)


@dataclass
class Portals:
    servers: list[TimedServer] = field(default_factory=list)

    @property
    def hosts(self) -> list[str]:
        return [str(s.server_address[0]) for s in self.servers]

    def site_config(self, folder: Path, name: str = "multi", start_pages: tuple[str, ...] = START_PAGES,
                    max_pages: int = 10) -> Path:
        """Write ``folder/<name>.toml``: one site crawling every portal (for NEWSARCHIVE_EXTRA_SITES)."""
        folder.mkdir(parents=True, exist_ok=True)
        pages = ", ".join(f'"{s.base_url}{path}"' for s in self.servers for path in start_pages)
        domains = ", ".join(f'"{h}"' for h in self.hosts)
        text = (f'name = "{name}"\nbase_url = "{self.servers[0].base_url}/"\n'
                f"start_pages = [{pages}]\nallowed_domains = [{domains}]\n"
                f"\n[links]\nmax_pages = {max_pages}\n")
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
        return folder

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()


def serve_portals(count: int, crawl_delay: float | None, reply_delay: float = 0.0,
                  root: Path = SITE_ROOT) -> Portals:
    """``count`` servers of ``root`` on 127.0.0.2, 127.0.0.3, ..., all on one free port (a site config's
    ``allowed_domains`` hosts share the scheme and port of its ``base_url``), robots.txt asking for
    ``crawl_delay`` (None: no Crawl-delay line)."""
    delay = f"Crawl-delay: {crawl_delay}\n" if crawl_delay else ""
    robots = f"User-agent: *\n{delay}Disallow: /search/\n"
    routes: dict[str, Route] = {"/robots.txt": Reply(200, {"Content-Type": "text/plain"}, robots.encode())}
    for _ in range(20):  # a port free on 127.0.0.2 may be taken on another address: try another
        portals = Portals()
        try:
            port = 0
            for i in range(count):
                server = TimedServer((f"127.0.0.{i + 2}", port), root, routes, reply_delay)
                portals.servers.append(server)
                port = server.server_port
        except OSError:
            for server in portals.servers:
                server.server_close()
            continue
        for server in portals.servers:
            host = str(server.server_address[0])
            threading.Thread(target=server.serve_forever, daemon=True, name=f"portal-{host}").start()
            server.base_url = f"http://{host}:{server.server_port}"
        return portals
    raise OSError(f"no port free on all of 127.0.0.2-{count + 1}")
