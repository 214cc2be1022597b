"""How far a long job is, on stderr: a bar redrawn in place on a terminal, plain lines anywhere else.

Nothing is shown for a job that ends within ``delay`` seconds, so short runs stay quiet. On a terminal
the bar is one line rewritten with a carriage return; anywhere else (a log, a pipe) a plain line is
written every ``every`` seconds and no control character ever is.

>>> import io
>>> out = io.StringIO()
>>> p = Progress("index", out, live=False, delay=0, every=0)
>>> p.start(4_000_000)
>>> p.update(1_000_000, "1,000 records")
>>> p.update(4_000_000, "4,000 records")
>>> p.close()
>>> print(out.getvalue(), end="")
newsarchive index: 25% (1 of 4 MB), 1,000 records
newsarchive index: 100% (4 of 4 MB), 4,000 records
newsarchive index: done, 4 MB
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 24


class Progress:
    """Progress of one job measured in bytes; ``live`` (default: ``stream`` is a terminal) draws a bar."""

    def __init__(self, label: str, stream: TextIO | None = None, *, live: bool | None = None,
                 delay: float = 1.0, every: float = 5.0) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.delay = delay
        self.every = 0.1 if self.live else every
        self.total = 0
        self.done = 0
        self._start = self._last = time.monotonic()
        self._shown = False
        self._width = 0

    @classmethod
    def for_stderr(cls, label: str, wanted: bool | None) -> Progress | None:
        """``wanted`` True: shown from the start (a bar on a terminal, plain lines elsewhere); None: a bar
        when stderr is a terminal and the job takes more than a second; False: none."""
        if wanted is False or (wanted is None and not sys.stderr.isatty()):
            return None
        return cls(label, delay=0.0 if wanted else 1.0)

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._start = self._last = time.monotonic()

    def update(self, done: int, note: str = "") -> None:
        self.done = done
        now = time.monotonic()
        if now - self._start < self.delay or (self._shown and now - self._last < self.every):
            return
        self._last = now
        self._write(self._line(note))

    def close(self) -> None:
        """End the display (a job that stopped early says where it stopped)."""
        if not self._shown:
            return
        finished = self.done >= self.total
        self._write(f"done, {_mb(self.total)} MB" if finished else f"stopped at {self._line('')}")
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
        self._shown = False

    def _line(self, note: str) -> str:
        share = self.done / self.total if self.total else 1.0
        text = f"{share:.0%} ({_mb(self.done)} of {_mb(self.total)} MB)" + (f", {note}" if note else "")
        if not self.live:
            return text
        filled = round(share * BAR_WIDTH)
        elapsed = time.monotonic() - self._start
        left = f", {elapsed * (1 - share) / share:.0f} s left" if 0 < share < 1 else ""
        return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}{left}"

    def _write(self, text: str) -> None:
        line = f"newsarchive {self.label}: {text}"
        if self.live:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._shown = True


def _mb(n: int) -> str:
    """Megabytes, to a precision that stays readable for a small archive too.

    >>> [_mb(n) for n in (0, 38_000, 1_500_000, 123_456_789)]
    ['0', '0.04', '1.5', '123']
    """
    if n >= 10e6:
        return f"{n / 1e6:,.0f}"
    return f"{n / 1e6:,.{1 if n >= 1e6 else 2}f}".rstrip("0").rstrip(".")
