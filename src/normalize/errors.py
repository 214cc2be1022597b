"""Typed errors of the normaliser. Each carries a short kebab-case ``reason`` that the crawler counts
in its stats (``normalize/drop/<reason>``) and that the CLI prints, so no input is dropped silently."""

from __future__ import annotations


class CleanError(ValueError):
    """Input that cannot be turned into an article record. ``reason`` names why, e.g. ``"empty"``,
    ``"binary"``, ``"not-html"``, ``"no-main-content"``; the message says what to do about it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DecodeError(CleanError):
    """Bytes that no candidate encoding decodes (reason ``"undecodable"`` or ``"binary"``)."""


class ExtractionError(CleanError):
    """An HTML page whose main content could not be extracted (the raw capture is kept regardless)."""
