"""crawler.siteconfig: valid configs load (the bundled ones too); bad ones fail saying how to fix them."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.siteconfig import SITES_DIR, SiteConfigError, load_site, load_sites, rebase, scan_sites

HERE = Path(__file__).resolve().parent
BAD = tomllib.loads((HERE / "cases" / "siteconfig.toml").read_text(encoding="utf-8"))["bad"]

GOOD = '''
name = "example"
base_url = "http://www.example.gov.cn"
start_pages = ["/xwzx/gzdt/index.html", "http://www.example.gov.cn/xwzx/zwyw/"]
encoding = "gbk"
since = 2020-02-01
[links]
article = '/content/post_\\d+\\.html$'
max_pages = 5
[selectors]
next_page = "a.next"
'''


@pytest.mark.parametrize("case", BAD, ids=[c["id"] for c in BAD])
def test_bad_config_names_file_key_and_fix(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / f"{case['id']}.toml"
    path.write_text(case["toml"], encoding="utf-8")
    with pytest.raises(SiteConfigError) as err:
        load_site(path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message  # one line, the file first
    for words in case["says"]:
        assert words in message


def test_good_config_resolves_pages_domains_and_options(tmp_path: Path) -> None:
    path = tmp_path / "example.toml"
    path.write_text(GOOD, encoding="utf-8")
    cfg = load_site(path)
    assert cfg.start_pages == ("http://www.example.gov.cn/xwzx/gzdt/index.html",
                               "http://www.example.gov.cn/xwzx/zwyw/")
    assert cfg.allowed_domains == ("www.example.gov.cn",)
    assert cfg.encoding == "gbk" and cfg.since == date(2020, 2, 1) and cfg.max_pages == 5
    assert cfg.article_pattern is not None and cfg.article_pattern.search("/a/content/post_12.html")
    assert cfg.selectors == {"next_page": "a.next"}


def test_rebase_moves_start_pages_and_domain_to_test_server(tmp_path: Path) -> None:
    path = tmp_path / "example.toml"
    path.write_text(GOOD, encoding="utf-8")
    cfg = rebase(load_site(path), "http://127.0.0.1:45678")
    assert all(p.startswith("http://127.0.0.1:45678/xwzx/") for p in cfg.start_pages)
    assert cfg.allowed_domains == ("127.0.0.1",)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    for stem in ("a", "b"):
        (tmp_path / f"{stem}.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(SiteConfigError, match="already used"):
        load_sites(tmp_path)


def test_bundled_site_configs_are_valid() -> None:
    sites = load_sites(SITES_DIR)
    assert "sample" in {s.name for s in sites}


def test_a_broken_file_is_set_aside_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(BAD[0]["toml"], encoding="utf-8")
    (tmp_path / "css.toml").write_text(GOOD.replace('next_page = "a.next"', 'next_page = "a[["')
                                       .replace('"example"', '"css"'), encoding="utf-8")
    scan = scan_sites([tmp_path])
    assert list(scan.sites) == ["example"]
    assert [p.name for p, _ in scan.broken] == ["broken.toml", "css.toml"]
    assert scan.broken_named("css") is not None and scan.broken_named("broken") is not None
    assert scan.broken_named("example") is None


def test_on_site_is_scheme_host_and_port(tmp_path: Path) -> None:
    path = tmp_path / "example.toml"
    path.write_text(GOOD.replace('start_pages', 'allowed_domains = ["example.gov.cn", "https://www.example.gov.cn"]'
                                 '\nstart_pages'), encoding="utf-8")
    cfg = load_site(path)
    assert cfg.on_site("http://www.example.gov.cn/a.html") and cfg.on_site("http://sub.example.gov.cn/b.html")
    assert cfg.on_site("https://www.example.gov.cn/a.html")  # the origin given explicitly
    assert not cfg.on_site("https://sub.example.gov.cn/a.html")  # an explicit origin is that host only
    assert not cfg.on_site("http://www.example.gov.cn:8080/a.html")  # another port is another site
    rebased = rebase(cfg, "http://127.0.0.1:8123/")
    assert rebased.on_site("http://127.0.0.1:8123/x") and not rebased.on_site("http://127.0.0.1:8124/x")
