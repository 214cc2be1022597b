"""Site configs: one small TOML file per portal under ``crawler/sites/`` (format: crawler/sites/README.md).

:func:`load_site` reads and validates one file: every key is checked when the file is loaded (types, URLs,
host names, dates and ``since <= until``, codecs, regular expressions and CSS selectors compiled), and
every error is ONE line naming the file, the key and what to write instead (:class:`SiteConfigError`).
:func:`scan_sites` loads a set of folders and keeps going past a broken file, so one bad config never
hides the others. :func:`rebase` moves a config onto another base URL (``-a base_url=...``).

``[revisit]`` is the policy of ``scrapy crawl NAME -a mode=revisit`` (:class:`RevisitPolicy`): how often an
archived article is fetched again, by its age, and how many per run; absent, the defaults below.

On-site means the same origin, scheme + host + port (:meth:`SiteConfig.on_site`): ``allowed_domains``
entries are host names (their subdomains included) on the scheme and port of ``base_url``, or explicit
origins (``https://www.example.gov.cn``, ``www.example.gov.cn:8080``).
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

SITES_DIR = Path(__file__).resolve().parent / "sites"

_TOP_KEYS = {
    "name", "title", "base_url", "allowed_domains", "start_pages", "encoding", "since", "until", "links",
    "selectors", "offline_help", "revisit",
}
_REVISIT_KEYS = {"schedule", "older", "deleted", "max_per_run", "discover"}
_DURATION_RE = re.compile(r"(\d{1,5})\s*([hdw])")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_LINK_KEYS = {"article", "exclude", "columns", "max_pages"}
_SELECTOR_KEYS = {"article_links", "next_page"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*", re.I)


class SiteConfigError(ValueError):
    """A site config that cannot be used; the one-line message names the file and the key, and says what to
    write instead."""


class Origin(NamedTuple):
    """scheme + host + port; ``subdomains``: hosts ending in ``.host`` belong to it too."""

    scheme: str
    host: str
    port: int
    subdomains: bool = True

    def admits(self, scheme: str, host: str, port: int) -> bool:
        """
        >>> Origin("http", "zhuhai.gov.cn", 80).admits("http", "www.zhuhai.gov.cn", 80)
        True
        >>> Origin("http", "127.0.0.1", 8731, False).admits("http", "127.0.0.1", 9999)
        False
        """
        same_host = host == self.host or (self.subdomains and host.endswith("." + self.host))
        return same_host and scheme == self.scheme and port == self.port


@dataclass(frozen=True)
class RevisitPolicy:
    """When an archived article is due for a revisit: every ``interval`` of the first ``schedule`` step
    whose ``age`` it has not reached (age = since its publication date, or its first capture when the
    page gave none), every ``older`` after the last step (None: never), every ``deleted`` once its URL
    answered 404/410 (to see it restored; None: never); at most ``max_per_run`` per crawl, the most
    overdue first; ``discover``: also walk the start pages for new articles."""

    schedule: tuple[tuple[timedelta, timedelta], ...] = (
        (timedelta(days=7), timedelta(days=1)),      # younger than a week: every day
        (timedelta(days=30), timedelta(days=7)),     # younger than a month: every week
        (timedelta(days=365), timedelta(days=30)),   # younger than a year: every month
    )
    older: timedelta | None = timedelta(days=90)
    deleted: timedelta | None = timedelta(days=30)
    max_per_run: int = 1000
    discover: bool = True

    def interval(self, age: timedelta) -> timedelta | None:
        """
        >>> p = RevisitPolicy()
        >>> [p.interval(timedelta(days=n)).days for n in (0, 2, 40, 400)]
        [1, 1, 30, 90]
        """
        for limit, every in self.schedule:
            if age < limit:
                return every
        return self.older


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
    offline_help: str | None = None
    revisit: RevisitPolicy = field(default_factory=RevisitPolicy)
    path: Path | None = None

    @property
    def origins(self) -> tuple[Origin, ...]:
        """The origins pages of this site may come from (see the module docstring)."""
        return tuple(origin_of_entry(entry, self.base_url) for entry in self.allowed_domains)

    def on_site(self, url: str) -> bool:
        """Whether ``url`` is on this site: scheme, host and port all match an allowed origin.

        >>> cfg = parse_site({"name": "x", "base_url": "http://127.0.0.1:8731/", "start_pages": ["/a/"]})
        >>> cfg.on_site("http://127.0.0.1:8731/a/1.html"), cfg.on_site("http://127.0.0.1:9999/a/1.html")
        (True, False)
        >>> cfg.on_site("https://127.0.0.1:8731/a/1.html")
        False
        """
        parts = split_origin(url)
        return parts is not None and any(o.admits(*parts) for o in self.origins)

    def describe(self) -> str:
        """One line for people: what this config crawls."""
        window = f", {self.since or '…'} to {self.until or '…'}" if self.since or self.until else ""
        return (f"spider {self.name!r}: {len(self.start_pages)} start page(s) on {self.base_url}, "
                f"on-site {', '.join(self.allowed_domains)}{window}")


def split_origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port filled in from the scheme; None otherwise.

    >>> split_origin("http://WWW.A.gov.cn/x"), split_origin("https://a.cn:8443/"), split_origin("ftp://a/")
    (('http', 'www.a.gov.cn', 80), ('https', 'a.cn', 8443), None)
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def origin_of_entry(entry: str, base_url: str) -> Origin:
    """An ``allowed_domains`` entry as an origin: a bare host takes base_url's scheme and port.

    >>> origin_of_entry("a.gov.cn", "http://a.gov.cn:8080/")
    Origin(scheme='http', host='a.gov.cn', port=8080, subdomains=True)
    >>> origin_of_entry("https://a.gov.cn", "http://a.gov.cn/")
    Origin(scheme='https', host='a.gov.cn', port=443, subdomains=False)
    """
    base = split_origin(base_url) or ("http", "", 80)
    if "://" in entry:
        parts = split_origin(entry) or (base[0], entry, base[2])
        return Origin(*parts, subdomains=False)
    host, _, port = entry.partition(":")
    return Origin(base[0], host.lower(), int(port) if port else base[2], subdomains=not port)


# -- loading ----------------------------------------------------------------------------------------
def load_site(path: Path) -> SiteConfig:
    """Read and validate one site config file."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid TOML ({exc}); check quotes, '=' and [section] headers "
                              "(see crawler/sites/README.md)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"{path}: cannot read it ({exc}); save it as UTF-8 text") from None
    return parse_site(raw, path)


@dataclass
class SiteScan:
    """The configs of some folders: the good ones by name, the broken ones as (path, error)."""

    sites: dict[str, SiteConfig] = field(default_factory=dict)
    broken: list[tuple[Path, SiteConfigError]] = field(default_factory=list)

    def broken_named(self, name: str) -> SiteConfigError | None:
        """The error of a broken config whose file stem or ``name = ...`` line is ``name``."""
        for path, error in self.broken:
            if path.stem == name or re.search(rf"""^\s*name\s*=\s*["']{re.escape(name)}["']""",
                                              _read_or_empty(path), re.M):
                return error
        return None


def _read_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def scan_sites(folders: Iterable[Path]) -> SiteScan:
    """Every ``*.toml`` in ``folders``; a broken file (or a name used twice) is set aside with its error."""
    scan = SiteScan()
    for folder in folders:
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                cfg = load_site(path)
                if cfg.name in scan.sites:
                    raise SiteConfigError(
                        f"{path}: name = {cfg.name!r} is already used by {scan.sites[cfg.name].path}; "
                        "give each site its own name (it is the spider name)")
            except SiteConfigError as exc:
                scan.broken.append((path, exc))
                continue
            scan.sites[cfg.name] = cfg
    return scan


def load_sites(folder: Path = SITES_DIR) -> list[SiteConfig]:
    """All site configs in ``folder`` (``*.toml``), names unique; the first broken one raises."""
    scan = scan_sites([folder])
    if scan.broken:
        raise scan.broken[0][1]
    return list(scan.sites.values())


def parse_site(raw: dict[str, Any], path: Path | None = None) -> SiteConfig:
    where = str(path or "<site config>")
    _check_keys(raw, _TOP_KEYS, where, "")
    links = _table(raw, "links", where)
    selectors = _table(raw, "selectors", where)
    _check_keys(links, _LINK_KEYS, where, "[links] ")
    _check_keys(selectors, _SELECTOR_KEYS, where, "[selectors] ")
    base_url = _base_url(raw, where)
    domains = _allowed_domains(raw, base_url, where)
    since, until = _window(raw, where)
    cfg = SiteConfig(
        name=_name(raw, where),
        base_url=base_url,
        start_pages=_start_pages(raw, base_url, where),
        allowed_domains=domains,
        title=_opt_str(raw, "title", where),
        article_pattern=_regex(links, "article", where),
        exclude_pattern=_regex(links, "exclude", where),
        columns_pattern=_regex(links, "columns", where),
        max_pages=_max_pages(links, where),
        encoding=_encoding(raw, where),
        since=since,
        until=until,
        selectors={key: _selector(selectors, key, where) for key in sorted(selectors)},
        offline_help=_opt_str(raw, "offline_help", where),
        revisit=_revisit(_table(raw, "revisit", where), where),
        path=path,
    )
    _check_start_pages_on_site(cfg, where)
    return cfg


def rebase(cfg: SiteConfig, base_url: str) -> SiteConfig:
    """The same site served from ``base_url``: start pages on the old origin move, allowed domains follow.

    >>> cfg = parse_site({"name": "x", "base_url": "http://a.gov.cn/", "start_pages": ["/gzdt/index.html"]})
    >>> new = rebase(cfg, "http://127.0.0.1:8123")
    >>> new.start_pages, new.allowed_domains
    (('http://127.0.0.1:8123/gzdt/index.html',), ('127.0.0.1',))
    """
    where = "-a base_url"
    new_base = _base_url({"base_url": base_url}, where)
    old = split_origin(cfg.base_url)
    pages = tuple(urljoin(new_base, _path_of(p)) if split_origin(p) == old else p for p in cfg.start_pages)
    # the entries that covered the old base become the new host; other origins stay as they were
    kept = [d for d in cfg.allowed_domains if not (old and origin_of_entry(d, cfg.base_url).admits(*old))]
    domains = tuple(dict.fromkeys([urlsplit(new_base).hostname or "", *kept]))
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
        raise SiteConfigError(f"{where} = {value!r} is not a date; write YYYY-MM-DD, e.g. 2020-02-01") \
            from None


def check_window(since: date | None, until: date | None, where: str) -> None:
    """``since`` must not be after ``until``."""
    if since and until and since > until:
        raise SiteConfigError(f"{where}: since = {since} is after until = {until}; swap them or drop one "
                              "(the window is since <= published <= until)")


# -- one check per key -------------------------------------------------------------------------------
def _check_keys(raw: dict[str, Any], allowed: set[str], where: str, section: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if not unknown:
        return
    hints = [f"{k!r} -> {m[0]!r}" for k in unknown if (m := difflib.get_close_matches(k, allowed, 1))]
    hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
    raise SiteConfigError(
        f"{where}: {section}unknown key(s) {unknown}{hint}; allowed here: {sorted(allowed)} "
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


def _valid_host(host: str) -> bool:
    """
    >>> _valid_host("www.zhuhai.gov.cn"), _valid_host("127.0.0.1"), _valid_host("a b"), _valid_host("")
    (True, True, False, False)
    """
    return bool(_HOST_RE.fullmatch(host))


def _base_url(raw: dict[str, Any], where: str) -> str:
    url = raw.get("base_url")
    fix = 'write the portal\'s home, e.g. base_url = "http://www.zhuhai.gov.cn/"'
    parts = split_origin(url) if isinstance(url, str) else None
    if parts is None or not _valid_host(parts[1]):
        raise SiteConfigError(f"{where}: base_url = {url!r} is not an http(s) URL with a host; {fix}")
    if urlsplit(str(url)).query or "#" in str(url):
        raise SiteConfigError(f"{where}: base_url = {url!r} has a query or fragment; {fix}")
    return _normal_base(str(url))


def _start_pages(raw: dict[str, Any], base_url: str, where: str) -> tuple[str, ...]:
    pages = raw.get("start_pages")
    if not isinstance(pages, list) or not pages or not all(isinstance(p, str) and p.strip() for p in pages):
        raise SiteConfigError(
            f"{where}: start_pages must be a non-empty list of column list pages, "
            'e.g. start_pages = ["/zwgk/gzdt/index.html"] (relative to base_url or absolute)'
        )
    resolved = []
    for page in pages:
        url = urljoin(base_url, page.strip())
        if split_origin(url) is None:
            raise SiteConfigError(f"{where}: start_pages entry {page!r} is not an http(s) page; write a path "
                                  'such as "/xwzx/gzdt/index.html" or a full http:// URL')
        resolved.append(url)
    return tuple(dict.fromkeys(resolved))


def _allowed_domains(raw: dict[str, Any], base_url: str, where: str) -> tuple[str, ...]:
    domains = raw.get("allowed_domains")
    if domains is None:
        return (urlsplit(base_url).hostname or "",)
    fix = ('write host names (subdomains are included) or origins, e.g. allowed_domains = '
           '["www.zhuhai.gov.cn", "https://www.zhuhai.gov.cn", "www.zhuhai.gov.cn:8080"]')
    if not isinstance(domains, list) or not domains:
        raise SiteConfigError(f"{where}: allowed_domains = {domains!r} must be a non-empty list; {fix}")
    for entry in domains:
        if not isinstance(entry, str) or not _valid_entry(entry):
            raise SiteConfigError(
                f"{where}: allowed_domains entry {entry!r} is not a host name or an origin; {fix}")
    return tuple(d.lower() for d in domains)


def _valid_entry(entry: str) -> bool:
    """
    >>> [_valid_entry(e) for e in ("a.gov.cn", "a.gov.cn:8080", "https://a.gov.cn", "a.gov.cn/x", "http://")]
    [True, True, True, False, False]
    """
    if "://" in entry:
        parts = split_origin(entry)
        return parts is not None and _valid_host(parts[1]) and urlsplit(entry).path in ("", "/")
    host, sep, port = entry.partition(":")
    return _valid_host(host) and (not sep or (port.isdigit() and 0 < int(port) < 65536))


def _check_start_pages_on_site(cfg: SiteConfig, where: str) -> None:
    for page in cfg.start_pages:
        if not cfg.on_site(page):
            raise SiteConfigError(
                f"{where}: start page {page} is not on the site ({', '.join(cfg.allowed_domains)} on "
                f"{cfg.base_url}); add its origin to allowed_domains, e.g. "
                f'allowed_domains = ["{urlsplit(cfg.base_url).hostname}", "{_origin_text(page)}"]')


def _origin_text(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _opt_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise SiteConfigError(f'{where}: {key} = {value!r} must be a string, e.g. {key} = "..."')
    return value


def _window(raw: dict[str, Any], where: str) -> tuple[date | None, date | None]:
    since = parse_day(raw.get("since"), f"{where}: since")
    until = parse_day(raw.get("until"), f"{where}: until")
    check_window(since, until, where)
    return since, until


def _regex(raw: dict[str, Any], key: str, where: str) -> re.Pattern[str] | None:
    value = raw.get(key)
    if value is None:
        return None
    fix = (r"write a Python regex matched against the full URL, e.g. '/content/post_\d+\.html$' "
           "(a TOML literal string in single quotes keeps backslashes as written)")
    if not isinstance(value, str) or not value:
        raise SiteConfigError(f"{where}: [links] {key} = {value!r} must be a non-empty string; {fix}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise SiteConfigError(
            f"{where}: [links] {key} = '{value}' is not a valid regular expression ({exc}); {fix}"
        ) from None


def _selector(raw: dict[str, Any], key: str, where: str) -> str:
    """A CSS selector, compiled now (as crawler.links will use it) so a typo fails at load time."""
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector

    value = raw[key]
    fix = 'write a CSS selector of the <a> elements, e.g. "ul.newslist li a" or "div.page a.next"'
    if not isinstance(value, str) or not value.strip():
        raise SiteConfigError(f"{where}: [selectors] {key} = {value!r} must be a non-empty string; {fix}")
    try:
        CSSSelector(value)
    except SelectorError as exc:
        message = " ".join(str(exc).split())
        raise SiteConfigError(f"{where}: [selectors] {key} = '{value}' is not a CSS selector ({message}); "
                              f"{fix}") from None
    return value


def _max_pages(raw: dict[str, Any], where: str) -> int:
    value = raw.get("max_pages", 50)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SiteConfigError(f"{where}: [links] max_pages = {value!r}; write a whole number >= 1, e.g. 50")
    return value


def _encoding(raw: dict[str, Any], where: str) -> str | None:
    value = _opt_str(raw, "encoding", where)
    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise SiteConfigError(
            f'{where}: encoding = {value!r} is not a known codec; write e.g. "gb18030", "big5" or "utf-8"'
        ) from None
    return value


def parse_duration(value: Any, where: str, allow_never: bool = False) -> timedelta | None:
    """``"12h"``, ``"1d"``, ``"2w"`` (and ``"never"`` where allowed) as a timedelta (None for never).

    >>> parse_duration("36h", "x"), parse_duration("never", "x", allow_never=True)
    (datetime.timedelta(days=1, seconds=43200), None)
    """
    fix = 'write a number and h, d or w, e.g. "12h", "7d", "2w"' + (', or "never"' if allow_never else "")
    if allow_never and value == "never":
        return None
    m = _DURATION_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        raise SiteConfigError(f"{where} = {value!r} is not a duration; {fix}")
    return int(m.group(1)) * _UNITS[m.group(2)]


def _revisit(raw: dict[str, Any], where: str) -> RevisitPolicy:
    _check_keys(raw, _REVISIT_KEYS, where, "[revisit] ")
    default = RevisitPolicy()
    schedule = _schedule(raw["schedule"], where) if "schedule" in raw else default.schedule
    older, deleted = (parse_duration(raw[key], f"{where}: [revisit] {key}", True) if key in raw
                      else getattr(default, key) for key in ("older", "deleted"))
    cap = raw.get("max_per_run", default.max_per_run)
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        raise SiteConfigError(f"{where}: [revisit] max_per_run = {cap!r}; write a whole number >= 1, "
                              "e.g. 1000")
    discover = raw.get("discover", default.discover)
    if not isinstance(discover, bool):
        raise SiteConfigError(f"{where}: [revisit] discover = {discover!r}; write true or false")
    return RevisitPolicy(schedule, older, deleted, cap, discover)


def _schedule(value: Any, where: str) -> tuple[tuple[timedelta, timedelta], ...]:
    fix = ('write a list of [age, interval] pairs, youngest first, e.g. schedule = [["7d", "1d"], '
           '["30d", "7d"], ["365d", "30d"]]')
    if not isinstance(value, list) or not all(isinstance(v, list) and len(v) == 2 for v in value):
        raise SiteConfigError(f"{where}: [revisit] schedule = {value!r}; {fix}")
    steps: list[tuple[timedelta, timedelta]] = []
    for age, every in value:
        steps.append((parse_duration(age, f"{where}: [revisit] schedule age") or timedelta(0),
                      parse_duration(every, f"{where}: [revisit] schedule interval") or timedelta(0)))
    ages = [age for age, _ in steps]
    if ages != sorted(set(ages)) or any(every <= timedelta(0) for _, every in steps):
        raise SiteConfigError(f"{where}: [revisit] schedule ages must grow and intervals be > 0; {fix}")
    return tuple(steps)


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
