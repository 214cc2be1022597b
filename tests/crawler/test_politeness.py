"""robots.txt per RFC 9309, in one crawl over six origins (six local servers, one site config listing
their origins), each answering robots.txt differently:

    rules        200, ``Disallow: /private/``      -> the rules apply
    missing      404                               -> everything may be fetched
    error        500 every time                    -> nothing is fetched; asked again, then given up
    slow         answers after DOWNLOAD_TIMEOUT    -> nothing is fetched (unreachable)
    loop         redirects in a circle             -> nothing is fetched (unreachable)
    flaky        503 once, then the rules          -> nothing until it answers, then the rules apply

Plus: the User-Agent warning when no contact is set (once), and none with a real contact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from crawler_helpers import by_path, drops, records_of, run_crawl, warc_files, warcs_read_whole

from crawler.sample_portal.badcases import article_html
from crawler.sample_portal.server import PortalServer, Reply, Request, serve

pytestmark = pytest.mark.slow
HTML = "text/html; charset=utf-8"
RULES = b"User-agent: *\nDisallow: /private/\n"
RETRIES = 2


def index(name: str) -> Reply:
    items = "".join(f'<li><a href="{path}">{name}稿件{i}</a><span>2020-02-2{i}</span></li>'
                    for i, path in enumerate(("/content/post_1.html", "/content/post_2.html",
                                              "/private/t20200220_3.html")))
    body = f'<html><head><meta charset="utf-8"></head><body><ul class="list">{items}</ul></body></html>'
    return Reply(headers={"Content-Type": HTML}, body=body.encode())


def article(name: str) -> Reply:
    paragraphs = (f"{name}：2月20日，县政府召开专题会议，研究部署春耕备耕和复工复产工作。",
                  "会议要求各有关部门主动服务企业，帮助解决用工、物流、原料等方面的实际困难。")
    return Reply(headers={"Content-Type": HTML}, body=article_html(f"{name}召开专题会议", paragraphs,
                                                                  "utf-8").encode())


def flaky_robots(request: Request) -> Reply:
    if request.hit == 1:
        return Reply(status=503, headers={"Content-Type": "text/plain"}, body=b"busy")
    return Reply(headers={"Content-Type": "text/plain"}, body=RULES)


ROBOTS: dict[str, Any] = {
    "rules": Reply(headers={"Content-Type": "text/plain"}, body=RULES),
    "missing": Reply(status=404, headers={"Content-Type": "text/plain"}, body=b"not found"),
    "error": Reply(status=500, headers={"Content-Type": "text/plain"}, body=b"oops"),
    "slow": Reply(headers={"Content-Type": "text/plain"}, body=RULES, delay=3.0),
    "loop": Reply(status=302, headers={"Location": "/robots-b.txt"}),
    "flaky": flaky_robots,
}


def server_for(name: str, root: Path) -> PortalServer:
    routes: dict[str, Any] = {"/robots.txt": ROBOTS[name], "/index.html": index(name),
                              "/robots-b.txt": Reply(status=302, headers={"Location": "/robots.txt"})}
    for path in ("/content/post_1.html", "/content/post_2.html", "/private/t20200220_3.html"):
        routes[path] = article(name)
    server, _ = serve(root, routes=routes)
    return server


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PortalServer]]:
    root = tmp_path_factory.mktemp("empty-root")
    started = {name: server_for(name, root) for name in ROBOTS}
    yield started
    for server in started.values():
        server.shutdown()


def site_config(servers: dict[str, PortalServer]) -> str:
    origins = [server.base_url for server in servers.values()]
    entries = ", ".join(f'"{url}"' for url in origins)
    pages = ", ".join(f'"{url}/index.html"' for url in origins)
    return f'name = "robotsvariants"\nbase_url = "{origins[0]}/"\nallowed_domains = [{entries}]\n' \
           f"start_pages = [{pages}]\n"


@pytest.fixture(scope="module")
def crawled(servers: dict[str, PortalServer], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sites = tmp_path_factory.mktemp("sites")
    (sites / "robotsvariants.toml").write_text(site_config(servers), encoding="utf-8")
    archive = tmp_path_factory.mktemp("archive")
    stats = run_crawl("robotsvariants", "", archive, env={"NEWSARCHIVE_EXTRA_SITES": str(sites)},
                      ROBOTS_RETRY_TIMES=str(RETRIES), ROBOTS_RETRY_DELAY="0.3", DOWNLOAD_TIMEOUT="1")
    log = (archive / "stats.log").read_text(encoding="utf-8")
    return {"archive": archive, "stats": stats, "log": log, "records": records_of(archive, "robotsvariants")}


def paths_hit(server: PortalServer) -> set[str]:
    return {path for path, count in server.hits.items() if count}


def test_robots_rules_apply(crawled: dict[str, Any], servers: dict[str, PortalServer]) -> None:
    assert paths_hit(servers["rules"]) == {"/robots.txt", "/index.html", "/content/post_1.html",
                                           "/content/post_2.html"}
    assert drops(crawled["stats"])["robots"] >= 1


def test_robots_4xx_allows_everything(servers: dict[str, PortalServer]) -> None:
    assert "/private/t20200220_3.html" in paths_hit(servers["missing"])


@pytest.mark.parametrize("name", ["error", "slow", "loop"])
def test_robots_unreachable_means_nothing_is_fetched(name: str, servers: dict[str, PortalServer],
                                                     crawled: dict[str, Any]) -> None:
    """5xx, a timeout or a redirect loop: RFC 9309 says assume complete disallow; asked again later."""
    assert paths_hit(servers[name]) <= {"/robots.txt", "/robots-b.txt"}
    fetches = servers[name].hits["/robots-b.txt"] if name == "loop" else servers[name].hits["/robots.txt"]
    per_fetch = 3 if name == "loop" else 1  # ROBOTS_REDIRECT_MAX = 5 hops: robots-b.txt thrice
    assert fetches == (1 + RETRIES) * per_fetch  # asked again, then given up
    assert drops(crawled["stats"])["robots-unreachable"] >= 3


def test_robots_that_comes_back_is_obeyed(servers: dict[str, PortalServer]) -> None:
    hit = paths_hit(servers["flaky"])
    assert servers["flaky"].hits["/robots.txt"] == 2
    assert {"/index.html", "/content/post_1.html"} <= hit and "/private/t20200220_3.html" not in hit


def test_the_crawl_still_succeeds_with_the_origins_that_answer(crawled: dict[str, Any],
                                                                servers: dict[str, PortalServer]) -> None:
    hosts = {f"http://{urlsplit(r['url']).netloc}" for r in crawled["records"]}
    assert hosts == {servers[n].base_url for n in ("rules", "missing", "flaky")}
    assert len(by_path(crawled["records"])) == 3  # post_1, post_2, private (one origin allows it)
    warcs_read_whole(warc_files(crawled["archive"], "robotsvariants"))


def test_no_contact_in_the_user_agent_warns_once_loudly(crawled: dict[str, Any]) -> None:
    assert crawled["log"].count("The User-Agent gives webmasters no way to reach you") == 1
    assert "NEWSARCHIVE_CONTACT=" in crawled["log"]
    assert crawled["stats"]["newsarchive/user_agent_without_contact"] == 1
