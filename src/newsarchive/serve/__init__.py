"""`newsarchive serve`: a local web application to browse and search the archive, in Chinese.

    from newsarchive.serve import create_app
    app = create_app(Path("archive"))        # an ASGI app (Starlette); `newsarchive serve` runs it

Modules: :mod:`~newsarchive.serve.app` (routes, security headers), :mod:`~newsarchive.serve.store`
(read-only access: records, versions, reposts, raw captures), :mod:`~newsarchive.serve.params` (the
search query string), :mod:`~newsarchive.serve.views` (labels, facet links, JSON documents);
``templates/`` (Jinja2, autoescaped) and ``static/``. The search itself is :mod:`newsarchive.search`.
"""

from __future__ import annotations

from newsarchive.serve.app import create_app

__all__ = ["create_app"]
