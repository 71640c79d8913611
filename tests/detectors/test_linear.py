"""`Pattern`'s direct RE2 path returns what the binding's search / match return (same spans,
same groups, same misses), for ASCII and non-ASCII texts, long texts and wide alternations."""

from __future__ import annotations

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from apiward.detectors import html, path, shell, sql, template
from apiward.detectors.linear import SHORT_TEXT, linear

PATTERNS = [
    sql._TRIGGER, template._ENCODED_GADGET, path._TRIGGER, html._TRIGGER, shell._STRONG_OR_CODE,
    template._TRIGGER, html._TAG, linear(r"(a)|(b)(c)?"), linear(r"x*"), linear(r"^(?:ab|é)"),
]
ALPHABET = st.sampled_from(list("abcxé¼<>;|$(){}'\" /.:=%0\n") + ["union", "select", "/etc/", "java", "<script", "${ifs}"])


def _same(mine: object, theirs: object) -> bool:
    if mine is None or theirs is None:
        return mine is None and theirs is None
    return (mine.span() == theirs.span() and mine.groups() == theirs.groups()  # type: ignore[attr-defined]
            and [mine.span(i) for i in range(len(mine.groups()) + 1)]  # type: ignore[attr-defined]
            == [theirs.span(i) for i in range(len(theirs.groups()) + 1)])  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=200), st.integers(0, 3))
def test_direct_path_matches_binding(parts: list[str], repeat: int) -> None:
    text = "".join(parts) * (repeat + 1)
    if len(text) <= SHORT_TEXT:
        text = text + " " * (SHORT_TEXT + 1 - len(text))  # the RE2 path
    for pattern in PATTERNS:
        binding = re2.compile(pattern.pattern, pattern._long.options)
        assert _same(pattern.search(text), binding.search(text))
        assert _same(pattern.match(text), binding.match(text))
        assert _same(pattern.search(text[1:]), binding.search(text[1:]))


def test_direct_path_cases() -> None:
    checked = 0
    for text in ["", "é" * 300, "a" * 300 + "union select", "x" * 400 + "é union select 1", "é" + "b" * 300 + "c"]:
        for pattern in PATTERNS:
            binding = re2.compile(pattern.pattern, pattern._long.options)
            assert _same(pattern.search(text), binding.search(text))
            assert _same(pattern.match(text), binding.match(text))
            checked += 1
    assert checked == 50


def test_lone_surrogate_raises_as_binding() -> None:
    import pytest

    text = "\ud800" + "a" * 300
    for pattern in PATTERNS[:3]:
        with pytest.raises(UnicodeEncodeError):
            re2.compile(pattern.pattern, pattern._long.options).search(text)
        with pytest.raises(UnicodeEncodeError):
            pattern.search(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["aced0005", "jndi", "invoke-", "child_process", "innerhtml", "java", "ro0ab"]),
                          st.text(alphabet="abcdejk_-./ 0", max_size=8)), max_size=40))
def test_short_text_limit_keeps_the_answer(parts: list[str]) -> None:
    """The gadget trie runs on stdlib ``re`` up to 32 characters and on RE2 beyond (`short_text`):
    whether it finds a literal does not depend on the engine."""
    from apiward.detectors.analysers import _GADGET_RE

    text = "".join(parts)
    stdlib = _GADGET_RE._short
    for cut in (text, text[:32], text[:33], text * 3):
        assert (_GADGET_RE.search(cut) is None) == (stdlib.search(cut) is None)
