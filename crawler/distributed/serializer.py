"""How requests are stored in Redis: JSON, not pickle. scrapy-redis pickles by default, and unpickling
what comes out of a Redis that other machines can write to runs whatever code they put there; a JSON
request can at worst be a wrong request. (:class:`crawler.distributed.scheduler.LeasedScheduler` uses it.)

``request.to_dict()`` holds bytes (body, header names and values) and dicts with bytes keys (headers),
which JSON has not: bytes become ``{"$b": base64}``, a dict whose keys are not all plain strings becomes
``{"$d": [[key, value], ...]}``. Anything else that JSON cannot hold (an object in ``meta``) is refused
with the key path, when the request is queued.

>>> request = {"url": "http://a.gov.cn/", "body": b"", "headers": {b"Accept": [b"text/html"]},
...            "meta": {"list_page": 2, "list_date": None, "$weird": "x"}}
>>> loads(dumps(request)) == request
True
>>> dumps({"meta": {"when": object()}})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
TypeError: request.meta.when: a object cannot be queued in Redis (keep meta to str, numbers, ...)
"""

from __future__ import annotations

import base64
import json
from typing import Any


def dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(_encode(obj, "request"), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes) -> Any:
    return _decode(json.loads(data))


def _encode(obj: Any, where: str) -> Any:
    if obj is None or isinstance(obj, str | bool | int | float):
        return obj
    if isinstance(obj, bytes | bytearray):
        return {"$b": base64.b64encode(bytes(obj)).decode("ascii")}
    if isinstance(obj, list | tuple):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in obj):
            return {k: _encode(v, f"{where}.{k}") for k, v in obj.items()}
        return {"$d": [[_encode(k, where), _encode(v, f"{where}.{k!r}")] for k, v in obj.items()]}
    raise TypeError(f"{where}: a {type(obj).__name__} cannot be queued in Redis "
                    "(keep meta to str, numbers, bytes, lists, dicts)")


def _decode(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if isinstance(obj, dict):
        if obj.keys() == {"$b"}:
            return base64.b64decode(obj["$b"])
        if obj.keys() == {"$d"}:
            return {_decode(k): _decode(v) for k, v in obj["$d"]}
        return {k: _decode(v) for k, v in obj.items()}
    return obj
