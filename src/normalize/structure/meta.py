"""The one metadata type of an article: what the page or capture says about it besides its text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Meta:
    """Headline, decks, date, source and names of one article (``None`` / empty when not found).

    ``published`` is ISO (``2020-02-12``, ``2020-02-12T08:28``) or a partial date without year
    (``--02-20``); ``flags`` say how a value was found (``published-from-lead``).
    """

    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    published: str | None = None
    source: str | None = None
    editor: str | None = None
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
