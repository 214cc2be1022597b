"""The repair steps of the normaliser and their recommended order.

Importing this module registers the steps (normalize.registry). The order, and why:

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

from normalize import lines, pinyin, punctuation, script

PINYIN_STEP = pinyin.strip_pinyin_annotations.__name__
SCRIPT_STEP = script.convert_to_simplified.__name__  # the one step that changes the script of a text

CHARACTER_REPAIRS: tuple[str, ...] = (
    PINYIN_STEP,
    SCRIPT_STEP,
    punctuation.drop_stray_commas.__name__,
    punctuation.restore_fullwidth_punctuation.__name__,
    lines.close_digit_unit_gaps.__name__,
)
LINE_REPAIRS: tuple[str, ...] = (lines.join_broken_lines.__name__,)

REPAIR_STEPS: tuple[str, ...] = CHARACTER_REPAIRS + LINE_REPAIRS
