"""What an analyser reports: a category, a confidence and where in which view it matched."""

from __future__ import annotations

from dataclasses import dataclass

from apiward.core import Category


@dataclass(frozen=True, slots=True)
class Hit:
    """Direct lexical evidence. ``score`` is the analyser's confidence (0..1): near 1 only where
    the grammar leaves no doubt. ``text`` is the view that matched, ``start``/``end`` the span."""

    category: Category
    score: float
    rule: str
    text: str
    start: int
    end: int

    @property
    def matched(self) -> str:
        return self.text[self.start : self.end]
