"""crawler.siteconfig: valid configs load (the bundled ones too); bad ones fail saying how to fix them."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.siteconfig import SITES_DIR, SiteConfigError, load_site, load_sites, rebase

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
    assert str(path) in message
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
