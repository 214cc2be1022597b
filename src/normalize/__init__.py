"""normalize: bytes / HTML / text of a Chinese local-government news capture -> clean article records.

Public API (imported lazily, so ``import normalize`` stays cheap and the CLI starts fast)::

    from normalize import clean, decode, extract_html, Record
    records = clean(data, name="000_2b85af4a3afa424e.txt")   # list[Record], one per article

The stages are folders: :mod:`normalize.decoding` (bytes -> text), :mod:`normalize.extract` (HTML ->
article lines), :mod:`normalize.structure` (lines -> body, furniture, metadata), :mod:`normalize.repairs`
(pure text repairs); :mod:`normalize.pipeline` runs them (:func:`clean`). No module or package here is
named like a function it exports. Pure functions, no I/O (apart from reading the package's own data
tables). Errors are :class:`CleanError` subclasses carrying a ``reason`` (see :mod:`normalize.errors`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from normalize.errors import CleanError, DecodeError, ExtractionError
from normalize.pipeline import clean
from normalize.record import EncodingInfo, Record, Removed, Repair, ScriptInfo

if TYPE_CHECKING:
    from normalize.decoding import Decoded, decode
    from normalize.extract import Extraction, extract_html

_LAZY = {
    "decode": "normalize.decoding",
    "Decoded": "normalize.decoding",
    "extract_html": "normalize.extract",
    "Extraction": "normalize.extract",
}

__all__ = [
    "CleanError", "DecodeError", "Decoded", "EncodingInfo", "Extraction", "ExtractionError", "Record",
    "Removed", "Repair", "ScriptInfo", "clean", "decode", "extract_html",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'normalize' has no attribute {name!r}")
