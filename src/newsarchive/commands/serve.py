"""`newsarchive serve [ARCHIVE_DIR] [--host 127.0.0.1] [--port 8000]`: browse and search the archive in a
browser (:mod:`newsarchive.serve`). Read-only: it opens the index read-only, so build or update it first
with `newsarchive index ARCHIVE_DIR`. Binds 127.0.0.1 unless told otherwise; prints the address, then
serves until Ctrl-C. Exit status 2 when the archive or its index is missing (the message says the fix)."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from newsarchive.commands import add_archive_argument

HELP = "browse and search the archive in a browser (local, read-only)"
DEFAULT_PORT = 8000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder, indexed with `newsarchive index`")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to bind (default: {DEFAULT_PORT}; 0 = any free port)")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from newsarchive.index import IndexUnavailable
    from newsarchive.search import SearchIndexMissing
    from newsarchive.serve import create_app

    try:
        app = create_app(args.archive)
    except (FileNotFoundError, IndexUnavailable, SearchIndexMissing) as exc:
        print(f"newsarchive serve: {exc}", file=sys.stderr)
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"newsarchive serve: cannot listen on {args.host}:{args.port} ({exc}); "
              "pick another --port", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    if not _is_loopback(args.host):
        print(f"newsarchive serve: warning: listening on {args.host}: other machines can read the archive",
              file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    print(f"newsarchive serve: {args.archive} at http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections wait from now on, even before the server loop runs
    return sock


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only.

    >>> _is_loopback("127.0.0.1"), _is_loopback("localhost"), _is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
