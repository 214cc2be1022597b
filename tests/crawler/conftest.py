"""Session fixtures for the crawler tests: ONE sample-portal server and ONE bad-case server per test
session, both on 127.0.0.1 with a random free port (see crawler/sample_portal/server.py).

- ``portal_url``: base URL (no trailing slash) of the bundled sample portal (crawler/sample_portal/site).
- ``badcase_url``: base URL of the bad cases (crawler/sample_portal/badcases.py; ``/index.html`` lists them).
- ``portal_server`` / ``badcase_server``: the server objects, for ``.hits`` (Counter of paths) and ``.log``
  ((method, path?query, User-Agent) of every request) — e.g. to assert robots.txt was read or a disallowed
  path was never requested.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.sample_portal.server import PortalServer, serve, serve_badcases


@pytest.fixture(scope="session")
def portal_server() -> Iterator[PortalServer]:
    server, _ = serve()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def portal_url(portal_server: PortalServer) -> str:
    return portal_server.base_url


@pytest.fixture(scope="session")
def badcase_server() -> Iterator[PortalServer]:
    server, _ = serve_badcases()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def badcase_url(badcase_server: PortalServer) -> str:
    return badcase_server.base_url
