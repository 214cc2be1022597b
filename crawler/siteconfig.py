"""Site configs: one small TOML file per portal under ``crawler/sites/`` (format: crawler/sites/README.md).

:func:`load_site` reads and validates one file; every error names the file, the key and how to fix it.
:func:`rebase` moves a config onto another base URL (``-a base_url=...``: the test server's port is random).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

SITES_DIR = Path(__file__).resolve().parent / "sites"

_TOP_KEYS = {
    "name", "title", "base_url", "allowed_domains", "start_pages", "encoding", "since", "until", "links",
    "selectors",
}
_LINK_KEYS = {"article", "exclude", "columns", "max_pages"}
_SELECTOR_KEYS = {"article_links", "next_page"}


class SiteConfigError(ValueError):
    """A site config that cannot be used; the message names the file and the key, and says what to write."""


@dataclass(frozen=True)
class SiteConfig:
    name: str
    base_url: str
    start_pages: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    title: str | None = None
    article_pattern: re.Pattern[str] | None = None
    exclude_pattern: re.Pattern[str] | None = None
    columns_pattern: re.Pattern[str] | None = None
    max_pages: int = 50
    encoding: str | None = None
    since: date | None = None
    until: date | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def load_site(path: Path) -> SiteConfig:
    """Read and validate one site config file."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid TOML ({exc}); check quotes and [section] headers") from exc
    return parse_site(raw, path)


def load_sites(folder: Path = SITES_DIR) -> list[SiteConfig]:
    """All site configs in ``folder`` (``*.toml``), names unique."""
    sites: dict[str, SiteConfig] = {}
    for path in sorted(Path(folder).glob("*.toml")):
        cfg = load_site(path)
        if cfg.name in sites:
            raise SiteConfigError(f"{path}: name {cfg.name!r} is already used by {sites[cfg.name].path}; "
                                  "each site needs its own name (it is the spider name)")
        sites[cfg.name] = cfg
    return list(sites.values())


def parse_site(raw: dict[str, Any], path: Path | None = None) -> SiteConfig:
    where = str(path or "<site config>")
    _check_keys(raw, _TOP_KEYS, where, "")
    links = _table(raw, "links", where)
    selectors = _table(raw, "selectors", where)
    _check_keys(links, _LINK_KEYS, where, "[links] ")
    _check_keys(selectors, _SELECTOR_KEYS, where, "[selectors] ")
    name = _name(raw, where)
    base_url = _base_url(raw, where)
    return SiteConfig(
        name=name,
        base_url=base_url,
        start_pages=_start_pages(raw, base_url, where),
        allowed_domains=_allowed_domains(raw, base_url, where),
        title=_opt_str(raw, "title", where),
        article_pattern=_regex(links, "article", where),
        exclude_pattern=_regex(links, "exclude", where),
        columns_pattern=_regex(links, "columns", where),
        max_pages=_max_pages(links, where),
        encoding=_encoding(raw, where),
        since=parse_day(raw.get("since"), f"{where}: since"),
        until=parse_day(raw.get("until"), f"{where}: until"),
        selectors={k: str(v) for k, v in selectors.items()},
        path=path,
    )


def rebase(cfg: SiteConfig, base_url: str) -> SiteConfig:
    """The same site served from ``base_url``: start pages on the old host move, allowed domains follow.

    >>> cfg = parse_site({"name": "x", "base_url": "http://a.gov.cn/", "start_pages": ["/gzdt/index.html"]})
    >>> rebase(cfg, "http://127.0.0.1:8123").start_pages
    ('http://127.0.0.1:8123/gzdt/index.html',)
    """
    new_base = _normal_base(base_url)
    old_host = urlsplit(cfg.base_url).netloc
    pages = tuple(
        urljoin(new_base, _path_of(p)) if urlsplit(p).netloc == old_host else p for p in cfg.start_pages
    )
    new_host = urlsplit(new_base).hostname or ""
    old_hostname = urlsplit(cfg.base_url).hostname
    domains = tuple(dict.fromkeys(new_host if d == old_hostname else d for d in cfg.allowed_domains))
    return replace(cfg, base_url=new_base, start_pages=pages, allowed_domains=domains)


def parse_day(value: Any, where: str) -> date | None:
    """``None``, a TOML date or a ``YYYY-MM-DD`` string.

    >>> parse_day("2020-02-20", "since")
    datetime.date(2020, 2, 20)
    """
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            raise ValueError(value)
        return date.fromisoformat(str(value))
    except ValueError:
        raise SiteConfigError(f"{where}: {value!r} is not a date; write YYYY-MM-DD, e.g. 2020-02-01") \
            from None


def _check_keys(raw: dict[str, Any], allowed: set[str], where: str, section: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise SiteConfigError(
            f"{where}: {section}unknown key(s) {unknown}; allowed here: {sorted(allowed)} "
            "(see crawler/sites/README.md)"
        )


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise SiteConfigError(f"{where}: {key} must be a table; write it as a [{key}] section")
    return value


def _name(raw: dict[str, Any], where: str) -> str:
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise SiteConfigError(
            f"{where}: name = {name!r}; write a short spider name of lowercase letters, digits, '_' or '-', "
            'e.g. name = "zhuhai"'
        )
    return name


def _normal_base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _base_url(raw: dict[str, Any], where: str) -> str:
    url = raw.get("base_url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteConfigError(
            f'{where}: base_url = {url!r}; write the portal\'s home, e.g. base_url = "http://www.zhuhai.gov.cn/"'
        )
    return _normal_base(str(url))


def _start_pages(raw: dict[str, Any], base_url: str, where: str) -> tuple[str, ...]:
    pages = raw.get("start_pages")
    if not isinstance(pages, list) or not pages or not all(isinstance(p, str) and p for p in pages):
        raise SiteConfigError(
            f"{where}: start_pages must be a non-empty list of column list pages, "
            'e.g. start_pages = ["/zwgk/gzdt/index.html"] (relative to base_url or absolute)'
        )
    return tuple(urljoin(base_url, p) for p in pages)


def _allowed_domains(raw: dict[str, Any], base_url: str, where: str) -> tuple[str, ...]:
    domains = raw.get("allowed_domains")
    if domains is None:
        return (urlsplit(base_url).hostname or "",)
    if not isinstance(domains, list) or not all(isinstance(d, str) and d and "/" not in d for d in domains):
        raise SiteConfigError(
            f"{where}: allowed_domains must be a list of host names without scheme, "
            'e.g. ["www.zhuhai.gov.cn"]'
        )
    return tuple(domains)


def _opt_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise SiteConfigError(f"{where}: {key} must be a string")
    return value


def _regex(raw: dict[str, Any], key: str, where: str) -> re.Pattern[str] | None:
    value = raw.get(key)
    if value is None:
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise SiteConfigError(
            f"{where}: [links] {key} = {value!r} is not a valid regular expression ({exc}); "
            r"write a Python regex matched against the full URL, e.g. '/content/post_\d+\.html$' "
            "(use a TOML literal string in single quotes so backslashes stay)"
        ) from None


def _max_pages(raw: dict[str, Any], where: str) -> int:
    value = raw.get("max_pages", 50)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SiteConfigError(f"{where}: [links] max_pages = {value!r}; write a whole number >= 1, e.g. 50")
    return value


def _encoding(raw: dict[str, Any], where: str) -> str | None:
    value = _opt_str(raw, "encoding", where)
    if value is None:
        return None
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise SiteConfigError(
            f'{where}: encoding = {value!r} is not a known codec; write e.g. "gb18030", "big5" or "utf-8"'
        ) from None
    return value


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
