"""The body of an article: its lines without the furniture :mod:`normalize.structure.furniture` named,
and every removed line kept as a :class:`~normalize.record.Removed` block with its kind.

Consecutive lines of one kind (blank lines between them included) form one block; the blank lines
around a removed block shrink to one gap, as if the block had never been there (the line joiner of
:mod:`normalize.repairs.lines` reads blank-line counts). Nothing else is dropped: a line that no rule
names stays, wherever it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from normalize.record import Removed


@dataclass
class Body:
    """The lines that stay (blank lines kept, for the line repairs) and what went, in page order."""

    lines: list[str]
    removed: list[Removed] = field(default_factory=list)


def select_body(lines: list[str], kinds: list[str | None]) -> Body:
    """Keep the lines of no kind; group the others into removed blocks.

    >>> b = select_body(["- 热门职位", "正文第一段。", "", "责任编辑：律凯凯", "豫公网安备 4117号"],
    ...                 ["navigation", None, None, "editor-line", "icp"])
    >>> b.lines
    ['正文第一段。']
    >>> [(r.kind, r.text) for r in b.removed]
    [('navigation', '- 热门职位'), ('editor-line', '责任编辑：律凯凯'), ('icp', '豫公网安备 4117号')]
    """
    return Body(trim_blank_edges(keep(lines, kinds)), group(lines, kinds))


def group(lines: list[str], kinds: list[str | None]) -> list[Removed]:
    """Consecutive lines of one kind (blank lines between them included) become one block."""
    blocks: list[Removed] = []
    last = -2
    for i, kind in enumerate(kinds):
        if kind is None:
            continue
        between = lines[last + 1:i]
        if blocks and blocks[-1].kind == kind and all(not s.strip() for s in between):
            blocks[-1] = Removed(kind, blocks[-1].text + "\n" + lines[i].strip())
        else:
            blocks.append(Removed(kind, lines[i].strip()))
        last = i
    return blocks


def keep(lines: list[str], kinds: list[str | None]) -> list[str]:
    """The unclaimed lines; the blank lines around a removed block shrink to one gap.

    >>> keep(["甲；", "", "版权声明", "", "，乙"], [None, None, "copyright", None, None])
    ['甲；', '', '，乙']
    """
    out: list[str] = []
    gap_after_removed = None  # None: not after a removed line; else whether a blank gap was seen
    for line, kind in zip(lines, kinds, strict=True):
        if kind is not None:
            had_gap = bool(out) and not out[-1].strip()
            while out and not out[-1].strip():
                out.pop()
            gap_after_removed = bool(gap_after_removed) or had_gap
        elif not line.strip() and gap_after_removed is not None:
            gap_after_removed = True
        else:
            if gap_after_removed:
                out.append("")
            gap_after_removed = None
            out.append(line)
    return out


def trim_blank_edges(lines: list[str]) -> list[str]:
    """Without the blank lines at either end.

    >>> trim_blank_edges(["", "甲", "", "乙", ""])
    ['甲', '', '乙']
    """
    start = next((i for i, s in enumerate(lines) if s.strip()), len(lines))
    end = max((i + 1 for i, s in enumerate(lines) if s.strip()), default=start)
    return lines[start:end]
