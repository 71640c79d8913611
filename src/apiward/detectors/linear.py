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
from collections.abc import Iterator, Sequence
from typing import Any

import re2

SHORT_TEXT = 256
WIDE_ALTERNATION = 12

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
# The binding's search/match encode the text, convert offsets and build a generator per call
# (about half the cost of a search over a few hundred characters). `Pattern` calls the compiled
# RE2 object directly for the common case (from position 0) and builds the binding's own match
# object when byte offsets are character offsets (ASCII text); anything else goes through the
# binding. These are the binding's internals (`re2._Regexp._match`), held to the binding's own
# results by tests/detectors/test_linear.py.
_UNANCHORED = re2._Anchor.UNANCHORED
_ANCHOR_START = re2._Anchor.ANCHOR_START
_NULL_SPAN = re2._NULL_SPAN
_RE2_MATCH = re2._Match


class Pattern:
    """One expression, two engines: stdlib for short texts, RE2 for long ones."""

    __slots__ = ("pattern", "_short", "_long", "_limit", "_match")

    def __init__(self, pattern: str, short_text: int | None = None) -> None:
        self.pattern = pattern
        self._short = re.compile(pattern)
        self._long: Any = re2.compile(pattern, _OPTIONS)
        self._match = self._long._regexp.Match  # RE2::Match(anchor, bytes, pos, endpos) -> spans
        # a wide alternation is slow on the backtracking engine even for short texts (unless
        # measured otherwise: ``short_text``, the longest text the stdlib engine is given)
        if short_text is None:
            short_text = SHORT_TEXT if pattern.count("|") <= WIDE_ALTERNATION else -1
        self._limit = short_text

    def search(self, text: str, pos: int = 0) -> Any:
        if len(text) <= self._limit:
            return self._short.search(text, pos)
        if pos == 0:
            # the binding's result, without its wrapper (see `_UNANCHORED`)
            encoded = text.encode("utf-8")  # as the binding encodes (a lone surrogate raises the same)
            spans = self._match(_UNANCHORED, encoded, 0, len(encoded))
            if spans[0] == _NULL_SPAN:
                return None
            if len(encoded) == len(text):  # ASCII: byte offsets are the character offsets
                return _RE2_MATCH(self._long, text, 0, len(text), spans)
        return self._long.search(text, pos)

    def match(self, text: str, pos: int = 0) -> Any:
        if len(text) <= self._limit:
            return self._short.match(text, pos)
        if pos == 0:
            encoded = text.encode("utf-8")
            spans = self._match(_ANCHOR_START, encoded, 0, len(encoded))
            if spans[0] == _NULL_SPAN:
                return None
            if len(encoded) == len(text):
                return _RE2_MATCH(self._long, text, 0, len(text), spans)
        return self._long.match(text, pos)

    def finditer(self, text: str) -> Iterator[Any]:
        if len(text) <= self._limit:
            return self._short.finditer(text)
        return iter(self._long.finditer(text))

    def findall(self, text: str) -> list[Any]:
        if len(text) <= self._limit:
            return self._short.findall(text)
        return list(self._long.findall(text))


def linear(pattern: str, short_text: int | None = None) -> Pattern:
    return Pattern(pattern, short_text)


def literal_trie(words: Sequence[str]) -> str:
    """A regex that finds any of ``words`` (only whether one occurs: a word that another one
    starts with stands for both), with the words merged into a trie: at each position the
    regex engine tries one branch per distinct next character instead of one per word
    (``union|unicode`` -> ``uni(?:on|code)``), ~3x faster than the plain alternation here. No
    quantifiers: linear."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict) -> str:  # type: ignore[type-arg]
        if "" in node:
            return ""
        alternatives = [re.escape(ch) + branch(child) for ch, child in sorted(node.items())]
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return branch(trie) if trie else "(?!)"
