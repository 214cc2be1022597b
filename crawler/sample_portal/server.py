"""A tiny HTTP server for the bundled sample portal and the crawler's bad cases (127.0.0.1 only).

Static files are served as raw bytes exactly as stored. Per-path status and headers come from the
``_headers.json`` manifest in the served root (written by ``build.py``)::

    {"/xwzx/gzdt/202002/t20200212_2002.html": {"status": 200,
                                               "headers": {"Content-Type": "text/html; charset=gb2312"}}}

A path missing from the manifest gets a Content-Type guessed from its extension, *without* a charset.
Every file gets a strong ETag made from its bytes, and the manifest's Last-Modified when it has one; a
request with If-None-Match (an ETag of the file, or ``*``) or with If-Modified-Since not before the
Last-Modified is answered 304 Not Modified — unless the entry says ``"conditional": false`` (a server
that ignores conditional requests). An entry with a 3xx status and no file answers with its headers
(a redirect of a page that is gone).
Files whose name starts with ``_`` (the manifest itself) are never served. ``routes`` maps a path
(query string excluded) to a :class:`Reply` or to a callable ``Request -> Reply``; routes win over
static files, so dynamic bad cases (500 then 200, slow replies, redirect loops...) live beside them.

Use in tests and scripts::

    server, base_url = serve()          # bundled site, random free port
    ...
    server.shutdown()

CLI: ``python -m crawler.sample_portal.server [--port N] [--root DIR] [--edition 2] [--badcases]`` prints
the base URL (first line of stdout, flushed) and serves until interrupted (SIGINT/SIGTERM). ``--edition
2`` serves the portal as it stood later (crawler/sample_portal/editions.py), built into a temporary
folder at start; :meth:`PortalServer.switch` moves a running server to another site folder (tests
revisit the same URLs).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import mimetypes
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import parse_qs, unquote, urlsplit

SITE_ROOT = Path(__file__).resolve().parent / "site"
BADCASE_ROOT = Path(__file__).resolve().parent / "badcase_site"
MANIFEST_NAME = "_headers.json"


@dataclass(frozen=True)
class Request:
    """What a route sees: the path (no query), parsed query, request headers and the hit number."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    hit: int  # 1 for the first request of this path on this server, 2 for the second...


@dataclass(frozen=True)
class Reply:
    """A response: status, headers (sent as given), body bytes, and a delay before anything is sent."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


Route = Reply | Callable[[Request], Reply]


class PortalServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers its root, routes, manifest and every request it answered."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], root: Path, routes: Mapping[str, Route]) -> None:
        super().__init__(address, PortalHandler)
        self.root = root.resolve()
        self.routes = dict(routes)
        self.manifest = load_manifest(self.root)
        self.hits: collections.Counter[str] = collections.Counter()
        self.log: list[tuple[str, str, str]] = []  # (method, path with query, User-Agent)
        self.stopping = threading.Event()
        self.base_url = ""  # set by serve()
        self._lock = threading.Lock()

    def switch(self, root: Path) -> None:
        """Serve another site folder from now on (same address, so the same URLs)."""
        self.root = Path(root).resolve()
        self.manifest = load_manifest(self.root)

    def count(self, method: str, target: str, path: str, user_agent: str) -> int:
        with self._lock:
            self.hits[path] += 1
            self.log.append((method, target, user_agent))
            return self.hits[path]

    def shutdown(self) -> None:
        """Stop serving: wake up sleeping (slow) replies, stop the loop, close the socket."""
        self.stopping.set()
        super().shutdown()
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that give up (timeouts, max-size aborts) are expected; do not print tracebacks."""


def load_manifest(root: Path) -> dict[str, dict[str, object]]:
    path = root / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: unreadable header manifest ({exc}); rebuild it with "
                         "`python -m crawler.sample_portal.build`") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the header manifest must be a JSON object of path -> entry")
    return data


class PortalHandler(BaseHTTPRequestHandler):
    server: PortalServer
    protocol_version = "HTTP/1.1"
    server_version = "SamplePortal/1.0"

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are recorded in ``server.log`` instead of stderr."""

    def respond(self, send_body: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        hit = self.server.count(self.command, self.path, path, self.headers.get("User-Agent", ""))
        request = Request(self.command, path, parse_qs(parts.query), dict(self.headers.items()), hit)
        reply = self.reply_for(request)
        if reply.delay and self.server.stopping.wait(reply.delay):
            return
        self.send(reply, send_body)

    def reply_for(self, request: Request) -> Reply:
        route = self.server.routes.get(request.path)
        if route is not None:
            return route(request) if callable(route) else route
        return static_reply(self.server.root, self.server.manifest, request.path, request.headers)

    def send(self, reply: Reply, send_body: bool) -> None:
        self.send_response(reply.status)
        names = {name.lower() for name in reply.headers}
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if send_body and reply.body:
            self.wfile.write(reply.body)


def static_reply(root: Path, manifest: Mapping[str, Mapping[str, object]], path: str,
                 request_headers: Mapping[str, str] | None = None) -> Reply:
    """The stored file for ``path`` with its manifest status/headers (or 304 to a conditional request
    it satisfies), a manifest redirect, or a plain 404."""
    file = resolve_file(root, path)
    if file is None:
        return manifest_only(manifest.get(path), path)
    key = "/" + file.relative_to(root).as_posix()
    entry = manifest.get(key, {})
    headers = dict(entry.get("headers", {}) or {})  # type: ignore[call-overload]
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    body = file.read_bytes()
    headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    status = int(entry.get("status", 200))  # type: ignore[call-overload]
    if status == 200 and entry.get("conditional", True) and not_modified(headers, request_headers or {}):
        kept = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
        return Reply(status=304, headers=kept)
    return Reply(status=status, headers=headers, body=body)


def manifest_only(entry: Mapping[str, object] | None, path: str) -> Reply:
    """A manifest entry without a file: its status and headers (a redirect), else 404."""
    if not entry or not 300 <= int(entry.get("status", 0)) < 400:  # type: ignore[call-overload]
        return not_found(path)
    headers = dict(entry.get("headers", {}) or {})  # type: ignore[call-overload]
    return Reply(status=int(entry["status"]), headers=headers)  # type: ignore[call-overload]


def not_modified(headers: Mapping[str, str], request: Mapping[str, str]) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since.

    >>> h = {"ETag": '"ab"', "Last-Modified": "Wed, 19 Feb 2020 16:00:00 GMT"}
    >>> not_modified(h, {"If-None-Match": '"x", "ab"'}), not_modified(h, {"If-None-Match": '"x"'})
    (True, False)
    >>> not_modified(h, {"If-Modified-Since": "Thu, 20 Feb 2020 00:00:00 GMT"}), not_modified(h, {})
    (True, False)
    """
    lowered = {k.lower(): v for k, v in request.items()}
    if "if-none-match" in lowered:
        tags = [t.strip().removeprefix("W/") for t in lowered["if-none-match"].split(",")]
        return "*" in tags or headers.get("ETag", "") in tags
    since, modified = lowered.get("if-modified-since"), headers.get("Last-Modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(modified)
    except (TypeError, ValueError):
        return False


def resolve_file(root: Path, path: str) -> Path | None:
    """Map a URL path to a file under ``root`` (``/`` and directories -> index.html); None if absent,
    hidden (``_`` prefix) or outside the root."""
    relative = path.lstrip("/")
    candidate = (root / relative).resolve()
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    if any(part.startswith("_") for part in candidate.relative_to(root).parts):
        return None
    return candidate


def not_found(path: str) -> Reply:
    body = f"<html><body><h1>404 Not Found</h1><p>{path}</p></body></html>".encode()
    return Reply(status=404, headers={"Content-Type": "text/html; charset=utf-8"}, body=body)


def edition_root(edition: int) -> Path:
    """A temporary folder holding the portal of ``edition`` (edition 1 is the committed site/)."""
    if edition == 1:
        return SITE_ROOT
    from crawler.sample_portal.build import build

    folder = Path(tempfile.mkdtemp(prefix=f"sample-portal-edition{edition}-"))
    build(folder / "site", edition=edition)
    return folder / "site"


def serve(root: Path | None = None, host: str = "127.0.0.1", port: int = 0,
          routes: Mapping[str, Route] | None = None) -> tuple[PortalServer, str]:
    """Start a threaded server for ``root`` (default: the bundled sample site) in a daemon thread.

    Returns ``(server, base_url)``; ``base_url`` has no trailing slash, e.g. ``http://127.0.0.1:41234``.
    Stop it with ``server.shutdown()``.
    """
    site = SITE_ROOT if root is None else Path(root)
    if not site.is_dir():
        raise FileNotFoundError(f"{site}: no such site directory; build the sample portal with "
                                "`python -m crawler.sample_portal.build` or pass --root DIR")
    server = PortalServer((host, port), site, routes or {})
    thread = threading.Thread(target=server.serve_forever, name=f"portal-{server.server_port}", daemon=True)
    thread.start()
    server.base_url = f"http://{host}:{server.server_port}"
    return server, server.base_url


def serve_badcases(host: str = "127.0.0.1", port: int = 0) -> tuple[PortalServer, str]:
    """Start the bad-case server: ``badcase_site/`` (robots.txt) plus the routes of ``badcases.py``."""
    from crawler.sample_portal.badcases import badcase_routes

    return serve(BADCASE_ROOT, host=host, port=port, routes=badcase_routes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.sample_portal.server",
                                     description="Serve the bundled sample portal on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a random free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--root", type=Path, default=None, help="site directory (default: the bundled site)")
    parser.add_argument("--badcases", action="store_true", help="serve the crawler's bad cases instead")
    parser.add_argument("--edition", type=int, choices=(1, 2), default=1,
                        help="2: the portal as it stood later: edits, deletions, a move, new articles")
    args = parser.parse_args(argv)
    built = edition_root(args.edition) if args.edition != 1 and args.root is None else None
    try:
        if args.badcases:
            server, base_url = serve_badcases(host=args.host, port=args.port)
        else:
            server, base_url = serve(built or args.root, host=args.host, port=args.port)
    except (FileNotFoundError, ValueError, OSError) as exc:
        print(f"sample portal: {exc}", file=sys.stderr)
        return 2
    print(base_url, flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stop.wait()
    server.shutdown()
    if built is not None:
        shutil.rmtree(built.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
