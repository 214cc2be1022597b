"""OpenCC's own C++ library as the t2s engine, giving exactly opencc-python-reimplemented's output.

Why a private folder. PyPI ``opencc`` (the C++ library, ~50x faster) and opencc-python-reimplemented
(the design card's converter) both install the package directory ``opencc/``, each with its own
``__init__.py``: in one site-packages the one installed last overwrites the other's, and uninstalling
either breaks both. So ``scripts/setup.sh`` installs the C++ wheel on its own
(``pip install --no-deps --target <venv>/opencc-cpp``, the requirement is in pyproject.toml) and this
module loads only its extension module ``opencc/clib/opencc_clib*.so`` by file path, under the name the
extension was built with; nothing is added to ``sys.path``, so ``import opencc`` stays the
reimplementation. :envvar:`NORMALIZE_OPENCC_CPP` names another folder, or ``off``.

Why the same output. The engine does not use OpenCC's own dictionaries (newer than the
reimplementation's, so they convert some words differently): it is configured with the
reimplementation's t2s tables (``inline`` dictionaries in a generated config). Two differences of the
algorithms remain, and the text they could touch is converted by the fallback instead:

- the reimplementation splits the text at separators (whitespace, punctuation) and, within a segment,
  takes the longest phrase anywhere first; C++ takes the longest phrase at each position from the
  left. The two agree unless two phrase occurrences overlap without one containing the other (then the
  maximal occurrences are the same in both), so segments holding such an overlap (any of the ~1,300
  strings two overlapping phrase keys form) go to the fallback. Phrase keys holding a separator never
  match in the reimplementation and are left out.
- C++ copies an ideographic description sequence (⿰氵區) unconverted; the stretch after an IDS
  operator (U+2FF0-U+2FFF, up to the 64 code points a sequence may span) goes to the fallback.

One C++ pass with a marker dictionary finds both kinds. Text that cannot be UTF-8 encoded (a lone
surrogate) or that holds the marker character is converted by the fallback whole; C++ stops at a NUL,
so text is converted between NULs (no key holds one: the reimplementation's result is the same).

On load the engine converts a probe text (every phrase key in context, every character key, both
special cases) and is used only if it agrees with the fallback there; otherwise :func:`load_engine`
says why and the caller keeps the fallback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

ENV_VAR = "NORMALIZE_OPENCC_CPP"
FOLDER_NAME = "opencc-cpp"  # under sys.prefix (the venv): where scripts/setup.sh installs the wheel
_MARK = "\ufdd0"  # a noncharacter: marks what the detection pass found
_IDS_OPERATORS = tuple(chr(c) for c in range(0x2FF0, 0x3000))
_IDS_SPAN = 64  # code points one ideographic description sequence may take in OpenCC (kMaxIDSCodePoints)


class Fallback(Protocol):
    """The reference converter (script.FastT2S): exact, and segment-local like the reimplementation."""

    def convert(self, text: str) -> str: ...

    def _segment(self, text: str, start: int, end: int) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Loaded:
    """What :func:`load_engine` found: the engine, or why there is none."""

    engine: CppT2S | None
    why: str


def default_folder() -> Path | None:
    """The folder holding the C++ wheel's ``opencc/`` package; None when switched off.

    >>> os.environ.get(ENV_VAR) is not None or default_folder() == Path(sys.prefix) / FOLDER_NAME
    True
    """
    value = os.environ.get(ENV_VAR)
    if value is None:
        return Path(sys.prefix) / FOLDER_NAME
    return None if value.strip().lower() in ("", "off", "0", "no") else Path(value)


def load_engine(fallback: Any, converter: Any, folder: Path | None = None) -> Loaded:
    """The C++ engine on the reimplementation's dictionaries, checked against ``fallback``.

    ``converter`` is the reimplementation's ``OpenCC("t2s")`` (its tables), ``fallback`` the exact
    Python converter. ``folder`` defaults to :func:`default_folder`.
    """
    folder = default_folder() if folder is None else folder
    if folder is None:
        return Loaded(None, f"{ENV_VAR} is off")
    clib = _find_extension(folder)
    if clib is None:
        return Loaded(None, f"OpenCC's C++ library is not installed in {folder} (run scripts/setup.sh)")
    try:
        module = _load_extension(clib)
        engine = CppT2S(module, converter, fallback)
    except (ImportError, OSError, RuntimeError, TypeError, ValueError) as exc:
        return Loaded(None, f"{clib}: {type(exc).__name__}: {exc}")
    mismatch = engine.check()
    if mismatch is not None:
        return Loaded(None, f"{clib}: output differs from the fallback at {mismatch}")
    return Loaded(engine, f"opencc {engine.version} (C++, {clib.parent.parent.parent})")


def _find_extension(folder: Path) -> Path | None:
    found = sorted((folder / "opencc" / "clib").glob("opencc_clib*.so")) + sorted(
        (folder / "opencc" / "clib").glob("opencc_clib*.pyd")
    )
    return found[0] if found else None


def _load_extension(path: Path) -> ModuleType:
    """Load the extension module from its file, without importing the ``opencc`` package around it
    (its ``PyInit_opencc_clib`` fixes the name; it is not put into ``sys.modules``)."""
    spec = importlib.util.spec_from_file_location("opencc_clib", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"not a loadable extension module: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CppT2S:
    """t2s by the C++ library, on the reimplementation's tables; risky stretches by ``fallback``."""

    def __init__(self, clib: ModuleType, converter: Any, fallback: Fallback) -> None:
        self.version = str(getattr(clib, "__version__", "?"))
        self._fallback = fallback
        (_, _, phrases), (_, _, chars) = converter._dict_chain_data[0]
        separators = _separator_test(converter)
        phrases = {k: v.split(" ")[0] for k, v in phrases.items() if not any(separators(c) for c in k)}
        chars = {k: v.split(" ")[0] for k, v in chars.items() if not separators(k)}
        self.overlaps = overlap_strings(list(phrases))
        self._phrase_keys = list(phrases)
        self._char_keys = list(chars)
        marks = {w: _MARK + w for w in (*self.overlaps, *_IDS_OPERATORS)}
        self._convert = _new_converter(clib, _config(phrases, chars))
        self._detect = _new_converter(clib, _config(marks, {}))

    def convert(self, text: str) -> str:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: C++ takes UTF-8 only
            return self._fallback.convert(text)
        if _MARK in text:
            return self._fallback.convert(text)
        if "\x00" in text:  # C++ stops at NUL; no key holds one, so each side converts on its own
            return "\x00".join(self.convert(part) for part in text.split("\x00"))
        risky = self._risky_stretches(text, data)
        if not risky:
            return str(self._convert.convert(data, len(data)))
        return self._convert_around(text, risky)

    def _risky_stretches(self, text: str, data: bytes) -> list[tuple[int, int]]:
        """Merged (start, end) stretches, on segment bounds, that C++ might convert differently."""
        marked = self._detect.convert(data, len(data))
        if _MARK not in marked:
            return []
        out: list[tuple[int, int]] = []
        at, seen = marked.find(_MARK), 0
        while at >= 0:
            start = at - seen  # the marked string's position in ``text``
            seen += 1
            end = start + 1 + (_IDS_SPAN if text[start] in _IDS_OPERATORS else 0)
            span = self._fallback._segment(text, start, min(end, len(text)))
            if out and span[0] <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], span[1]))
            else:
                out.append(span)
            at = marked.find(_MARK, at + 1)
        return out

    def _convert_around(self, text: str, risky: list[tuple[int, int]]) -> str:
        parts: list[str] = []
        done = 0
        for start, end in risky:
            parts.append(self._cpp(text[done:start]))
            parts.append(self._fallback.convert(text[start:end]))
            done = end
        parts.append(self._cpp(text[done:]))
        return "".join(parts)

    def _cpp(self, text: str) -> str:
        data = text.encode("utf-8")
        return str(self._convert.convert(data, len(data))) if data else ""

    def check(self) -> str | None:
        """None when the engine gives the fallback's output on the probe, else the first difference."""
        probe = probe_text(self._phrase_keys, self._char_keys, self.overlaps)
        mine, reference = self.convert(probe), self._fallback.convert(probe)
        if mine == reference:
            return None
        at = next((i for i, (a, b) in enumerate(zip(mine, reference, strict=False)) if a != b), None)
        at = min(len(mine), len(reference)) if at is None else at
        around = slice(max(0, at - 10), at + 10)
        return f"character {at}: {mine[around]!r} != {reference[around]!r}"


def probe_text(phrases: list[str], chars: list[str], overlaps: frozenset[str]) -> str:
    """Every phrase key alone, doubled and between characters; every character key; overlapping keys;
    an ideographic description sequence.

    >>> probe_text(["乾燥"], ["乾"], frozenset()).splitlines()[:2]
    ['前乾燥後,乾燥乾燥 乾乾燥', '乾']
    """
    parts = [f"前{k}後,{k}{k} 乾{k}" for k in phrases]
    parts.append("".join(chars))
    parts.extend(f"，{w}後" for w in sorted(overlaps)[:200])
    parts.append("⿰氵區 區⿱艹⿰區區區 ⿰")
    return "\n".join(parts)


def overlap_strings(keys: list[str]) -> frozenset[str]:
    """The strings two keys form when one's end is the other's start (neither containing the other).

    >>> sorted(overlap_strings(["乾隆", "隆重", "重要"]))
    ['乾隆重', '隆重要']
    """
    by_prefix: dict[str, list[str]] = {}
    for key in keys:
        for k in range(1, len(key)):
            by_prefix.setdefault(key[:k], []).append(key)
    out: set[str] = set()
    for a in keys:
        for k in range(1, len(a)):
            out.update(a + b[k:] for b in by_prefix.get(a[-k:], ()))
    return frozenset(out)


def _separator_test(converter: Any) -> Any:
    alternatives = str(converter.split_chars_re.pattern).strip("()").split("|")
    singles = frozenset(a.replace("\\", "") for a in alternatives if a != "\\s+")
    return lambda ch: ch in singles or ch.isspace()


def _config(phrases: dict[str, str], chars: dict[str, str]) -> dict[str, Any]:
    """An OpenCC config like the reimplementation's t2s.json, its dictionaries inline."""
    segmentation = {"type": "inline", "entries": phrases}
    dicts = [{"type": "inline", "entries": d} for d in (phrases, chars) if d]
    return {
        "name": "t2s on opencc-python-reimplemented's tables",
        "segmentation": {"type": "mmseg", "dict": segmentation},
        "conversion_chain": [{"dict": {"type": "group", "match_policy": "short_circuit", "dicts": dicts}}],
    }


def _new_converter(clib: ModuleType, config: dict[str, Any]) -> Any:
    """The library's converter for ``config`` (it reads a file: written to a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="normalize-opencc-") as folder:
        path = Path(folder) / "t2s.json"
        path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        return clib._OpenCC(str(path), False, None)
