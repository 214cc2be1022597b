"""The Starlette application: HTML pages, the same data as JSON, downloads, and sandboxed raw captures.

=====================================  ============================================================
``GET /``                              search page (query string: :mod:`newsarchive.serve.params`)
``GET /api/search``                    the same search as JSON
``GET /export.csv``, ``/export.jsonl`` every hit of the search, with its text (streamed)
``GET /article/{rowid}``               an article: metadata, text, repairs, removed blocks, capture,
                                       versions with diffs, reposts
``GET /api/article/{rowid}``           the same as JSON
``GET /record/{id}``                   redirect to the newest capture of a record id
``GET /raw/{rowid}``                   the raw response the record came from, replayed from its WARC
                                       (``?view=source``: as text), sandboxed
=====================================  ============================================================

Nothing the archive holds can run script: templates escape everything (Jinja2 autoescape), links go out
only to http(s) URLs, the app's own pages carry :data:`APP_CSP` (no script at all), and raw captures
:data:`RAW_CSP` (``sandbox``: scripts, forms and plugins off, an opaque origin; ``default-src 'none'``:
no request leaves the app). Only GET and HEAD exist: the app is read-only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsarchive.index import IndexUnavailable
from newsarchive.search import Result
from newsarchive.serve import params as search_params
from newsarchive.serve import views
from newsarchive.serve.store import Article, NotFound, Store

APP_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'self'"
)
RAW_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
EXPORT_FIELDS = (
    "id", "title", "published", "site", "source", "state", "url", "fetched_at", "capture_file",
    "capture_offset", "text",
)  # fmt: skip
STATIC = Path(__file__).parent / "static"


def create_app(archive: Path) -> Starlette:
    """The app over ``archive`` (its index must exist: ``newsarchive index``)."""
    store = Store(archive)
    env = Environment(loader=PackageLoader("newsarchive.serve"), autoescape=select_autoescape(default=True))
    env.globals.update(views.TEMPLATE_GLOBALS)
    templates = Jinja2Templates(env=env)
    app = Starlette(
        routes=[
            Route("/", search_page),
            Route("/api/search", search_api),
            Route("/export.{fmt:str}", export),
            Route("/article/{rowid:int}", article_page),
            Route("/api/article/{rowid:int}", article_api),
            Route("/record/{record_id:path}", record_redirect),
            Route("/raw/{rowid:int}", raw_capture),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={
            HTTPException: http_error,
            search_params.BadParameter: bad_parameter,
            NotFound: not_found,
            IndexUnavailable: index_unavailable,
        },
        middleware=[Middleware(SecurityHeaders)],
    )
    app.state.store = store
    app.state.templates = templates
    return app


class SecurityHeaders:
    """Adds the app's CSP and companions to every response that did not set its own CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": APP_CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------------------------------ search


def _search(request: Request) -> tuple[search_params.SearchParams, Result]:
    p = search_params.parse(request.query_params, _multi(request))
    with request.app.state.store.session() as s:
        result = s.searcher().search(p.query, p.filters, p.sort, p.page, p.per_page)
    return p, result


def _multi(request: Request) -> dict[str, list[str]]:
    return {k: request.query_params.getlist(k) for k in request.query_params}


def search_page(request: Request) -> Response:
    p, result = _search(request)
    context = {"p": p, "r": result, "facets": views.facet_links(p, result), "pages": views.pages(p, result)}
    return request.app.state.templates.TemplateResponse(request, "search.html", context)


def search_api(request: Request) -> Response:
    p, r = _search(request)
    return JSONResponse(views.search_json(p, r), media_type="application/json; charset=utf-8")


def export(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "jsonl"):
        raise HTTPException(404, f"/export.{fmt}: use /export.csv or /export.jsonl")
    p = search_params.parse(request.query_params, _multi(request))
    store: Store = request.app.state.store
    rows = _export_rows(store, p)
    body = _csv_lines(rows) if fmt == "csv" else (json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="newsarchive-search.{fmt}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


def _export_rows(store: Store, p: search_params.SearchParams) -> Iterator[dict[str, Any]]:
    with store.session() as s:
        yield from s.searcher().iter_all(p.query, p.filters, p.sort)


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


# ----------------------------------------------------------------------------------------- article


def _article(request: Request) -> Article:
    with request.app.state.store.session() as s:
        return s.article(request.path_params["rowid"])


def article_page(request: Request) -> Response:
    a = _article(request)
    context = {"a": a, "rec": a.record, "removed": views.removed_groups(a.record)}
    return request.app.state.templates.TemplateResponse(request, "article.html", context)


def article_api(request: Request) -> Response:
    return JSONResponse(views.article_json(_article(request)), media_type="application/json; charset=utf-8")


def record_redirect(request: Request) -> Response:
    with request.app.state.store.session() as s:
        rowid = s.newest_rowid(request.path_params["record_id"])
    return RedirectResponse(f"/article/{rowid}", status_code=303)


def raw_capture(request: Request) -> Response:
    with request.app.state.store.session() as s:
        raw = s.raw(request.path_params["rowid"])
    headers = {
        "Content-Security-Policy": RAW_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    content_type = raw.content_type
    if request.query_params.get("view") == "source":
        content_type = "text/plain; charset=" + (views.charset_of(raw.content_type) or "utf-8")
    return Response(raw.body, headers={**headers, "Content-Type": content_type})


# ------------------------------------------------------------------------------------------ errors


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    context = {"status": status, "message": message}
    return request.app.state.templates.TemplateResponse(request, "error.html", context, status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, str(exc.detail))


async def bad_parameter(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(request, 404, str(exc))


async def index_unavailable(request: Request, exc: Exception) -> Response:
    return _error(request, 503, str(exc))
