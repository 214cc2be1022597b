"""The query string of a search (page, API and downloads share it) and links that change one part of it.

    /?q=复工复产&site=sample&month=2020-02&sort=newest&page=2

``q`` the query; ``site``, ``month``, ``state``, ``source`` facet values (repeatable; an empty value
stands for "none"); ``sort`` one of :data:`newsarchive.search.SORTS`; ``page`` from 1; ``per_page``
up to :data:`MAX_PER_PAGE`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from newsarchive.search import FACETS, SORTS, Filters, Query, parse_query

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000


class BadParameter(ValueError):
    """A query-string value the app cannot use; the message names it and what is allowed."""


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def query(self) -> Query:
        return parse_query(self.q)

    def pairs(self, *, page: bool = True) -> list[tuple[str, str]]:
        out = [("q", self.q)] if self.q else []
        for name, values in self.filters.chosen().items():
            out.extend((name, v) for v in values)
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if page and self.page != 1:
            out.append(("page", str(self.page)))
        if self.per_page != PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        return out

    def href(self, path: str = "/", **changes: object) -> str:
        """``path`` with this search's query string, after :func:`dataclasses.replace` ``changes``.

        >>> SearchParams(q="复工", page=3).href(page=1)
        '/?q=%E5%A4%8D%E5%B7%A5'
        """
        target = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        query = urlencode(target.pairs())
        return f"{path}?{query}" if query else path

    def toggled(self, facet: str, value: str) -> SearchParams:
        """This search with one facet value added, or removed when it is chosen; back to page 1.

        >>> p = SearchParams().toggled("site", "sample")
        >>> p.filters.site, p.toggled("site", "sample").filters.site
        (('sample',), ())
        """
        values = getattr(self.filters, facet)
        new = tuple(v for v in values if v != value) if value in values else (*values, value)
        return replace(self, filters=replace(self.filters, **{facet: new}), page=1)


def parse(query: Mapping[str, str], multi: Mapping[str, Sequence[str]]) -> SearchParams:
    """From a request's query parameters (``multi``: every value of a repeated name).

    >>> parse({"q": "疫情", "page": "2"}, {"state": ["live"]}).filters.state
    ('live',)
    """
    sort = query.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadParameter(f"sort={sort!r}: use one of {', '.join(SORTS)}")
    filters = Filters(**{name: tuple(dict.fromkeys(multi.get(name, ()))) for name in FACETS})
    return SearchParams(
        q=query.get("q", "").strip(),
        filters=filters,
        sort=sort,
        page=_int(query, "page", 1, 1, MAX_PAGE),
        per_page=_int(query, "per_page", PER_PAGE, 1, MAX_PER_PAGE),
    )


def _int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name}={raw!r}: not a whole number") from None
    if not low <= value <= high:
        raise BadParameter(f"{name}={value}: must be between {low} and {high}")
    return value
