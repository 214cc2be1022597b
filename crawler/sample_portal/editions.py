"""The sample portal as it stood at two moments: edition 1 (``site/``) and edition 2 (``edition2.toml``).

Edition 2 is edition 1 after the changes a real portal makes (:data:`EDITION2` lists them with what
``newsarchive index`` must classify each revisit as): an article corrected (a figure and a name), one
deleted (404), one replaced by a placeholder page (200), one redirected to the home page, one moved to a
new URL, one unchanged (answers 304), one unchanged that ignores conditional requests (always 200), two
new articles. Pages that did not change keep their bytes (a CMS does not regenerate them); list pages
and the home page are rendered again. Every article carries an ETag (made by the server from its bytes)
and a Last-Modified (its publication day, or :attr:`Edition.date` for a page that changed).

    files, headers = site_files(2)      # path -> bytes, path -> {"status", "headers", "conditional"}
    cases = load_edition()              # the reference: what each case must be classified as
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from crawler.sample_portal.articles import Page, item_from_dict, load_articles, page_from_dict

EDITION2 = Path(__file__).resolve().parent / "edition2.toml"
CHANGES = ("corrected", "deleted", "placeholder", "redirect-home", "moved", "answers-304",
           "ignores-conditional")


@dataclass(frozen=True)
class Case:
    """One article page of edition 1 and what became of it in edition 2."""

    page: str  # file stem in articles/
    url: str  # its URL in edition 1
    change: str  # one of CHANGES ("new" for an article that appears in edition 2)
    expect: str  # the history state its capture in edition 2 must get
    how: str | None = None  # for a deletion: how (http-404, placeholder, redirect-home ...)
    new_url: str | None = None  # moved: where it is now
    revisit: str | None = None  # unchanged: the WARC revisit profile expected
    spec: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Edition:
    date: date
    cases: tuple[Case, ...]
    new: tuple[Page, ...]


def load_edition(path: Path = EDITION2) -> Edition:
    """The edition-2 reference data; a ValueError naming the file and the case when it is malformed."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pages = {p.name: p for p in load_articles()}
    cases = []
    for spec in data.get("case", []):
        if spec.get("page") not in pages or spec.get("change") not in CHANGES:
            raise ValueError(f"{path}: case {spec.get('page')!r}: page must be an articles/ file stem and "
                             f"change one of {CHANGES}")
        cases.append(Case(spec["page"], pages[spec["page"]].url, spec["change"], spec["expect"],
                          spec.get("how"), spec.get("new_url"), spec.get("revisit"), spec))
    new = tuple(page_from_dict(f"new-{i}", {k: v for k, v in spec.items() if k != "expect"})
                for i, spec in enumerate(data.get("new", [])))
    cases += [Case(p.name, p.url, "new", "new") for p in new]
    return Edition(data["date"], tuple(cases), new)


def edition_pages(edition: Edition) -> list[Page]:
    """The article pages edition 2 lists: deleted ones gone, moved ones at their new URL, new ones added."""
    by_name = {c.page: c for c in edition.cases}
    out = []
    for page in load_articles():
        case = by_name.get(page.name)
        if case is None or case.change in ("answers-304", "ignores-conditional"):
            out.append(page)
        elif case.change == "corrected":
            out.append(corrected(page, case))
        elif case.change == "moved":
            out.append(dataclasses.replace(page, url=case.new_url or page.url))
    return out + list(edition.new)


def corrected(page: Page, case: Case) -> Page:
    item = page.items[0]
    paragraphs = list(item.paragraphs)
    for old, new in case.spec.get("replace", []):
        if not any(old in p for p in paragraphs):
            raise ValueError(f"{EDITION2}: case {case.page}: {old!r} is not in its text")
        paragraphs = [p.replace(old, new) for p in paragraphs]
    fixed = dataclasses.replace(item, paragraphs=tuple(paragraphs),
                                authors=tuple(case.spec.get("authors", item.authors)))
    return dataclasses.replace(page, items=(fixed, *page.items[1:]))


def site_files(edition: int) -> tuple[dict[str, bytes], dict[str, dict[str, Any]]]:
    """Path -> bytes and the header manifest of the portal in ``edition`` (1 or 2)."""
    from crawler.sample_portal.build import http_date, render_article, render_site

    pages = load_articles()
    files, headers = render_site(pages)
    if edition == 1:
        return files, headers
    spec = load_edition()
    pages2 = edition_pages(spec)
    lists, list_headers = render_site(pages2)
    article_urls = {p.url for p in pages} | {p.url for p in pages2}
    files.update({path: data for path, data in lists.items() if path not in article_urls})
    changed = http_date(spec.date)
    for case in spec.cases:
        _apply(case, files, headers, pages2, changed, render_article, list_headers)
    return files, headers


def _apply(case: Case, files: dict[str, bytes], headers: dict[str, dict[str, Any]], pages2: list[Page],
           changed: str, render: Any, list_headers: dict[str, dict[str, Any]]) -> None:
    if case.change in ("corrected", "new", "moved"):
        url = case.new_url or case.url
        page = next(p for p in pages2 if p.url == url)
        files[url] = render(page, pages2)
        headers[url] = {"headers": {**list_headers[url]["headers"], "Last-Modified": changed}}
    if case.change in ("deleted", "moved", "redirect-home"):
        files.pop(case.url, None)
        headers.pop(case.url, None)
    if case.change == "redirect-home":
        headers[case.url] = {"status": 302, "headers": {"Location": "/index.html",
                                                        "Content-Type": "text/html; charset=utf-8"}}
    if case.change == "placeholder":
        files[case.url] = placeholder_page(case.spec.get("placeholder", "该信息已删除"))
        headers[case.url] = {"headers": {"Content-Type": "text/html; charset=utf-8",
                                         "Last-Modified": changed}}
    if case.change == "ignores-conditional":
        headers[case.url]["conditional"] = False


def placeholder_page(message: str) -> bytes:
    """What portals show where a withdrawn report was: the site's layout and one sentence."""
    from crawler.sample_portal.build import LABELS, layout

    body = f'<div class="article"><h1>提示信息</h1><div class="content"><p>{message}</p></div></div>'
    return layout("提示信息", body, "utf-8", LABELS["simplified"]).encode()


__all__ = ["Case", "Edition", "item_from_dict", "load_edition", "site_files"]


@dataclass(frozen=True)
class Verdict:
    case: Case
    url: str  # where it was checked (the new URL for a move, also checked at the old one)
    got: str  # state (how) found in the history, "-" when the URL has none
    ok: bool


def check_cases(archive: Path, base_url: str, site: str = "sample") -> list[Verdict]:
    """What ``newsarchive index`` classified each edition-2 case as, against the reference data."""
    from newsarchive.index import ArchiveIndex

    base = base_url.rstrip("/")
    verdicts = []
    with ArchiveIndex(archive) as index:
        index.update()
        for case in load_edition().cases:
            urls = [case.url] + ([case.new_url] if case.new_url else [])
            for url in urls:
                row = _verdict_row(index.db, base + url, site, case.expect)
                got = "-" if row is None else row.state + (f" ({row.how})" if row.how else "")
                ok = row is not None and row.state == case.expect and (
                    case.how is None or url != case.url or row.how == case.how) and (
                    case.revisit is None or row.revisit == case.revisit)
                verdicts.append(Verdict(case, url, got + (f" [{row.revisit}]" if row and row.revisit else ""),
                                        ok))
    return verdicts


def _verdict_row(db: Any, url: str, site: str, expect: str) -> Any:
    """The capture that says what became of ``url``: for a case that is a change (new, edited, deleted,
    moved ...) the URL's last change, for an unchanged one its last capture. So the verdict stands when
    the archive holds more revisits of edition 2 than the main job's one (`scrapy crawl sample -a
    mode=revisit`, then with ``-a due=all``): the later ones find it unchanged."""
    from newsarchive import history

    rows = [r for r in history.rows(db, "url = ? AND site = ?", (url, site)) if r.state != "unavailable"]
    if expect != "unchanged":
        rows = [r for r in rows if r.change] or rows
    return rows[-1] if rows else None


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.sample_portal.editions ARCHIVE BASE_URL``: the edition-2 cases, expected and
    found; exit status 1 when one is not what the reference data says."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m crawler.sample_portal.editions",
                                     description=main.__doc__)
    parser.add_argument("archive", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("--site", default="sample")
    args = parser.parse_args(argv)
    verdicts = check_cases(args.archive, args.base_url, args.site)
    print(f"{'edition-2 case':<20} {'url':<44} {'expected':<38} found")
    for v in verdicts:
        expected = v.case.expect + (f" ({v.case.how})" if v.case.how and v.url == v.case.url else "")
        expected += f" [{v.case.revisit}]" if v.case.revisit else ""
        print(f"{v.case.change:<20} {v.url:<44} {expected:<38} {v.got}  {'ok' if v.ok else 'WRONG'}")
    wrong = sum(not v.ok for v in verdicts)
    print(f"{len(verdicts) - wrong} of {len(verdicts)} as the reference data says"
          + (f"; {wrong} WRONG" if wrong else ""))
    return 1 if wrong else 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
