"""The repair steps of the normaliser and their recommended order.

Stage 4, repairs: each repair a small pure ``str -> str`` step in a module of this package, registered by
name in :mod:`normalize.repairs.registry` (the step modules are imported when a plan first names a
step, so importing :mod:`normalize` stays cheap). The order, and why:

0. ``replace_lone_surrogates`` and ``strip_control_characters`` (:mod:`normalize.repairs.controls`)
   before all: characters that are not text. They are also the :data:`INPUT_REPAIRS`, run on the whole
   decoded capture before extraction (a parser drops a lone surrogate silently and keeps an ESC); here
   they catch what HTML character references (``&#27;``) bring back.
1. ``strip_pinyin_annotations`` first: it needs the characters as captured (a reading is checked against
   the traditional character it follows) and the ASCII brackets before punctuation repair touches them;
   it also shortens annotated text by a third before the costly conversion.
2. ``convert_to_simplified``: OpenCC on clean characters; detects the script first and leaves simplified
   text (and the names in it, 方韋) alone.
3. ``drop_stray_commas`` before ``restore_fullwidth_punctuation``: it targets the ASCII comma before
   another mark (",。"), which must go before the comma turns into "，".
4. ``restore_fullwidth_punctuation``: after the script is settled (context = CJK characters).
5. ``close_digit_unit_gaps``: "11 月4日" -> "11月4日"; independent of the others, cheap.
6. ``join_broken_lines`` last: its sentence-boundary test reads the restored full-width marks. Run it on
   each article (after boilerplate removal / e-paper splitting) — it is in :data:`LINE_REPAIRS`.
"""

from __future__ import annotations

import importlib

# the modules that register steps
STEP_MODULES = ("controls", "pinyin", "script", "punctuation", "lines", "tokens")

PINYIN_STEP = "strip_pinyin_annotations"
SCRIPT_STEP = "convert_to_simplified"  # the one step that changes the script of a text
TOKEN_STEP = "remove_injected_tokens"  # run by normalize.pipeline right after PINYIN_STEP

SURROGATE_STEP = "replace_lone_surrogates"
CONTROL_STEP = "strip_control_characters"
INPUT_REPAIRS: tuple[str, ...] = (SURROGATE_STEP, CONTROL_STEP)  # on the decoded capture, before extraction

CHARACTER_REPAIRS: tuple[str, ...] = (
    *INPUT_REPAIRS,
    PINYIN_STEP,
    SCRIPT_STEP,
    "drop_stray_commas",
    "restore_fullwidth_punctuation",
    "close_digit_unit_gaps",
)
LINE_REPAIRS: tuple[str, ...] = ("join_broken_lines",)

REPAIR_STEPS: tuple[str, ...] = CHARACTER_REPAIRS + LINE_REPAIRS


def load_steps() -> None:
    """Import the step modules (each registers its steps); cheap after the first call.

    >>> load_steps()
    >>> from normalize.repairs.registry import STEPS
    >>> all(name in STEPS for name in REPAIR_STEPS + (TOKEN_STEP,))
    True
    """
    for name in STEP_MODULES:
        importlib.import_module(f"normalize.repairs.{name}")
