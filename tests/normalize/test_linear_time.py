"""Every step over untrusted text runs in linear time (issue 10, item 1).

Two checks, both on the adversarial shapes of :mod:`adversarial` (long runs of spaces, punctuation,
digits, brackets, names, blank lines, ``<br>``):

- **each regex** of the package (every compiled pattern reachable from a module of :mod:`normalize`) is
  run with ``finditer`` on runs of its own characters (a backtracking pattern is quadratic exactly there);
- **each step** — decoding, kind detection, every registered repair, and the whole ``clean()`` on text
  and on HTML — is timed at two sizes.

Growth, not absolute time, decides: input 4x as long may take at most ``MAX_GROWTH`` times as long
(linear work gives ~4, quadratic 16). Each timing is the fastest of a few runs, at a size where it takes
long enough to measure (so a loaded machine does not fail the test). ``NORMALIZE_LINEAR_FULL=1`` runs the
issue's full sizes (``<br>`` x 200k); CI runs them 4x smaller.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pkgutil
import re
import time
from collections.abc import Callable, Iterator

import pytest
from adversarial import HTML_SHAPES, TEXT_SHAPES

import normalize
from normalize import CleanError, clean
from normalize.decoding import decode
from normalize.pipeline import detect_kind
from normalize.repairs import REPAIR_STEPS, TOKEN_STEP
from normalize.repairs.registry import get_step

MAX_GROWTH = 10.0
FULL = os.environ.get("NORMALIZE_LINEAR_FULL") == "1"
SCALE = 4 if FULL else 1
MIN_SECONDS = 0.02  # grow the input until the smaller run takes this long (timer noise below)
MAX_SIZE = 400_000 * SCALE


@pytest.fixture(autouse=True, scope="module")
def _frozen_heap() -> Iterator[None]:
    """The test process's heap so far moved out of the collector's sight (gc.freeze): a full collection
    scanning a big pytest heap inside one timing is not the step's growth (it failed CI once at 19x)."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def _best_time(fn: Callable[[], object], repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(CleanError):
            fn()
        best = min(best, time.perf_counter() - start)
    return best


def growth(run: Callable[[str], object], shape: Callable[[int], str], n: int) -> tuple[float, int, float]:
    """(time(4n) / time(n), n, time(4n)), with n grown until time(n) is measurable."""
    small = _best_time(lambda: run(shape(n)))
    while small < MIN_SECONDS and n * 4 <= MAX_SIZE:
        n *= 4
        small = _best_time(lambda n=n: run(shape(n)))
    if small < MIN_SECONDS:
        return 1.0, n, small  # this fast on the largest input: nothing super-linear to measure
    big = _best_time(lambda: run(shape(4 * n)), repeat=1 if small > 0.5 else 2)
    return big / max(small, 1e-4), n, big


def assert_linear(run: Callable[[str], object], shape: Callable[[int], str], n: int, what: str) -> None:
    ratio, size, seconds = growth(run, shape, n)
    if ratio > MAX_GROWTH:  # once more before failing: one slow run on a shared machine is not a verdict
        ratio, size, seconds = growth(run, shape, size)
    assert ratio <= MAX_GROWTH, f"{what}: {ratio:.1f}x slower on 4x the input (n={size}, {seconds:.2f} s)"


# --- every step --------------------------------------------------------------------------------------

STEPS: dict[str, Callable[[str], object]] = {
    "clean-text": lambda s: clean(s, kind="text"),
    "detect-kind": detect_kind,
    "decode-utf8": lambda s: decode(s.encode("utf-8")),
    "decode-gb18030": lambda s: decode(s.encode("gb18030")),
    **{name: get_step(name).fn for name in (*REPAIR_STEPS, TOKEN_STEP)},
}


@pytest.mark.slow
@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("shape", sorted(TEXT_SHAPES))
def test_text_step_is_linear(step: str, shape: str) -> None:
    assert_linear(STEPS[step], TEXT_SHAPES[shape], 5_000 * SCALE, f"{step} on {shape}")


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(HTML_SHAPES))
def test_html_clean_is_linear(shape: str) -> None:
    # br-run at 4n = 200k <br> with NORMALIZE_LINEAR_FULL=1
    run = lambda s: clean(s, kind="html")  # noqa: E731
    assert_linear(run, HTML_SHAPES[shape], 50_000 * SCALE, f"clean-html on {shape}")


# --- every regex -------------------------------------------------------------------------------------

def package_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Every compiled pattern reachable from a module of normalize (module globals, tuples, dicts,
    class attributes), by where it lives."""
    seen: set[int] = set()
    for info in pkgutil.walk_packages(normalize.__path__, "normalize."):
        module = importlib.import_module(info.name)
        stack: list[tuple[str, object, int]] = [(f"{info.name}.{k}", v, 0) for k, v in vars(module).items()]
        while stack:
            where, obj, depth = stack.pop()
            if isinstance(obj, re.Pattern):
                if id(obj) not in seen and isinstance(obj.pattern, str):
                    seen.add(id(obj))
                    yield where, obj
            elif depth < 3 and isinstance(obj, tuple | list | frozenset | set):
                stack += [(f"{where}[{i}]", x, depth + 1) for i, x in enumerate(obj)]
            elif depth < 3 and isinstance(obj, dict):
                stack += [(f"{where}[{k!r}]", x, depth + 1) for k, x in obj.items()]
            elif isinstance(obj, type) and obj.__module__ == info.name and depth < 1:
                stack += [(f"{where}.{k}", x, depth + 1) for k, x in vars(obj).items()]


PATTERNS = dict(package_patterns())
CATEGORY_CHARS = {"CATEGORY_SPACE": " \n\u3000", "CATEGORY_DIGIT": "5", "CATEGORY_WORD": "a中5",
                  "CATEGORY_NOT_SPACE": "a", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_NOT_WORD": " ，"}
ALWAYS = " \n\t5a中，.-:(<"


def pattern_chars(pattern: re.Pattern[str]) -> list[str]:
    """The characters a pattern names (literals, class ends, categories), plus a few common ones."""
    import re._parser as sre_parse  # the stdlib parser of re, only here

    out: set[str] = set(ALWAYS)

    def visit(items: object) -> None:
        for op, av in items:  # type: ignore[attr-defined]
            name = str(op)
            if name == "LITERAL":
                out.add(chr(av))
            elif name == "IN":
                for o, a in av:
                    if str(o) == "LITERAL":
                        out.add(chr(a))
                    elif str(o) == "RANGE":
                        out.update((chr(a[0]), chr(a[1])))
                    elif str(o) == "CATEGORY":
                        out.update(CATEGORY_CHARS.get(str(a), ""))
            elif name == "CATEGORY":
                out.update(CATEGORY_CHARS.get(str(av), ""))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                visit(av[2])
            elif name == "SUBPATTERN":
                visit(av[-1])
            elif name == "ATOMIC_GROUP":
                visit(av)
            elif name == "BRANCH":
                for branch in av[1]:
                    visit(branch)
            elif name in ("ASSERT", "ASSERT_NOT"):
                visit(av[1])

    visit(sre_parse.parse(pattern.pattern, pattern.flags))
    return sorted(out)


def scan(pattern: re.Pattern[str]) -> Callable[[str], object]:
    def run(text: str) -> None:
        for _ in pattern.finditer(text):
            pass
        pattern.match(text)
    return run


def pattern_shapes(pattern: re.Pattern[str]) -> Iterator[tuple[str, Callable[[int], str]]]:
    chars = pattern_chars(pattern)
    for c in chars:
        yield repr(c), lambda n, c=c: c * n
        yield repr(c + "+end"), lambda n, c=c: c * n + "\x01"
        for d in chars[:24]:
            if c < d:
                yield repr(c + d), lambda n, c=c, d=d: (c + d) * (n // 2)


@pytest.mark.slow
@pytest.mark.parametrize("where", sorted(PATTERNS))
def test_regex_is_linear_on_runs_of_its_own_characters(where: str) -> None:
    pattern = PATTERNS[where]
    run = scan(pattern)
    for name, shape in pattern_shapes(pattern):
        if (_best_time(lambda shape=shape: run(shape(2_000)), repeat=1) < 0.002
                and _best_time(lambda shape=shape: run(shape(40_000)), repeat=1) < 0.04):
            continue  # fast at 40k characters: not quadratic (that would take seconds)
        assert_linear(run, shape, 2_000, f"{where} on {name}")


def test_the_audit_finds_the_package_patterns() -> None:
    assert len(PATTERNS) > 80
    from normalize.structure.furniture import MASTHEAD_LINE

    assert MASTHEAD_LINE in PATTERNS.values()
