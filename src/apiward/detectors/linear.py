"""Linear-time patterns for untrusted input.

Large alternations (keyword lists, many shapes) go through RE2 (automata, no backtracking):
one pass over the text whatever the number of alternatives. RE2's Python binding costs a few
microseconds per call, more than the whole search on a short value, so a `Pattern` also keeps
a stdlib ``re`` compilation of the same expression and uses it for texts up to
`SHORT_TEXT` characters: the patterns use bounded quantifiers only, so on a bounded text the
stdlib engine's work is bounded too (no catastrophic backtracking is possible). Patterns here
use no look-around or back-references (RE2 syntax); compilation fails at import otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import re2

SHORT_TEXT = 256
WIDE_ALTERNATION = 12

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


class Pattern:
    """One expression, two engines: stdlib for short texts, RE2 for long ones."""

    __slots__ = ("pattern", "_short", "_long", "_limit")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._short = re.compile(pattern)
        self._long: Any = re2.compile(pattern, _OPTIONS)
        # a wide alternation is slow on the backtracking engine even for short texts
        self._limit = SHORT_TEXT if pattern.count("|") <= WIDE_ALTERNATION else -1

    def search(self, text: str, pos: int = 0) -> Any:
        if len(text) <= self._limit:
            return self._short.search(text, pos)
        return self._long.search(text, pos)

    def match(self, text: str, pos: int = 0) -> Any:
        if len(text) <= self._limit:
            return self._short.match(text, pos)
        return self._long.match(text, pos)

    def finditer(self, text: str) -> Iterator[Any]:
        if len(text) <= self._limit:
            return self._short.finditer(text)
        return iter(self._long.finditer(text))

    def findall(self, text: str) -> list[Any]:
        if len(text) <= self._limit:
            return self._short.findall(text)
        return list(self._long.findall(text))


def linear(pattern: str) -> Pattern:
    return Pattern(pattern)
