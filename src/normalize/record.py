"""The article record: what the normaliser produces for one article of one capture.

The JSON form is described by ``schema/record.schema.json`` (kept in step with this module by a test).
A capture yields one record per article (an e-paper page yields several).

Nothing the normaliser removes is lost: removed blocks are kept in ``removed`` with their kind, and
``repairs`` lists the steps that changed the text and how many changes each made, so a cleaning can be
explained and replayed (see :mod:`normalize.repairs.registry`).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class EncodingInfo:
    """How the bytes of a capture became text.

    ``why`` is a short machine-readable reason such as ``"bom"``, ``"http-header"``, ``"meta"``,
    ``"validated-utf-8"`` (a declaration the bytes contradict lost to strict validation),
    ``"chardet"`` (fallback) or ``"str-input"`` (the caller passed text).
    """

    declared: str | None = None  # what the HTTP header / meta tag / caller claimed
    detected: str | None = None  # what validation or chardet found
    used: str = "utf-8"  # the codec actually used
    why: str = "str-input"


@dataclass
class ScriptInfo:
    """The script the article was written in, and whether the text was converted to simplified."""

    original: str = "simplified"  # "simplified" | "traditional" | "mixed" | "unknown"
    converted: bool = False


@dataclass
class Repair:
    step: str
    count: int


@dataclass
class Removed:
    """A block removed from the text. ``kind`` names why, e.g. ``"copyright"``, ``"icp"``,
    ``"navigation"``, ``"related-links"``, ``"editor-line"``, ``"masthead"``, ``"footer"``,
    ``"summary-duplicate"``, ``"injected-token"``, ``"print-widget"``, ``"mood-widget"``."""

    kind: str
    text: str


@dataclass
class Record:
    """One cleaned article. ``text`` is clean simplified text, paragraphs joined by ``"\\n"``."""

    id: str
    text: str
    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    published: str | None = None  # ISO date "2020-02-20", datetime "2020-02-12T08:28", or partial "--02-20"
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    editor: str | None = None
    url: str | None = None
    site: str | None = None
    capture: dict[str, Any] = field(default_factory=dict)  # {"file":..., "offset":..., "index":...}
    fetched_at: str | None = None
    encoding: EncodingInfo = field(default_factory=EncodingInfo)
    script: ScriptInfo = field(default_factory=ScriptInfo)
    repairs: list[Repair] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    raw_sha256: str | None = None
    text_sha256: str = ""
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if not self.text_sha256:
            self.text_sha256 = sha256_text(self.text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (the one the schema describes)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Inverse of :meth:`to_dict`; unknown keys are an error so that schema drift is noticed.

        >>> r = Record(id="x", text="正文")
        >>> Record.from_dict(r.to_dict()) == r
        True
        >>> Record.from_dict({"id": "x", "text": "", "colour": "red"})
        Traceback (most recent call last):
        ...
        ValueError: record has unknown fields ['colour']; is it from a newer schema_version?
        """
        try:
            # the field names' own (interned) strings as keys: a call with keys decoded from JSON, equal
            # but not the same objects, matches each against the parameters by comparing characters
            kwargs = {_FIELD_NAMES[key]: value for key, value in data.items()}
        except KeyError:
            unknown = set(data) - set(_FIELD_NAMES)
            raise ValueError(
                f"record has unknown fields {sorted(unknown)}; is it from a newer schema_version?"
            ) from None
        kwargs["encoding"] = EncodingInfo(**data.get("encoding") or {})
        kwargs["script"] = ScriptInfo(**data.get("script") or {})
        kwargs["repairs"] = [Repair(**r) for r in data.get("repairs") or []]
        kwargs["removed"] = [Removed(**r) for r in data.get("removed") or []]
        return cls(**kwargs)


_FIELD_NAMES = {name: name for name in Record.__dataclass_fields__}


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the UTF-8 encoding of ``text``.

    >>> sha256_text("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
