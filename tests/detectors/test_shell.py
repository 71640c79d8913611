"""Table-driven tests of the shell analysers: data/shell.yaml."""

from __future__ import annotations

from detector_tables import table_tests

test_catches_attacks, test_passes_lookalikes = table_tests("shell")


def test_obfuscation_gate_matches_its_letter_first_spelling() -> None:
    """`shell._OBFUSCATION` starts each branch at the punctuation (a lookbehind for the letter,
    for speed); it finds a match exactly where the letter-first pattern does."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from apiward.detectors import shell

    letter_first = re.compile(
        r"[a-z](?:['\"\\][a-z]|['\"]{2}|\$[*!?\-_$0-9][a-z/])|\$@|\$\{[a-z0-9_]{0,16}\}[a-z]|\$\([\s]{0,2}\)[a-z]|\^[a-z]"
    )

    @settings(max_examples=3000, deadline=None)
    @given(st.text(alphabet="abz'\"\\$*!?-_/@{}()^ \t\n\x0b\x85Z09.", max_size=24))
    def same(text: str) -> None:
        assert (shell._OBFUSCATION.search(text) is None) == (letter_first.search(text) is None)

    same()
    for text in ("w'h'o'am'i", 'c\\at', "wh$@oami", "${x}a", "$( )id", "^w", "a\"\"b", "a$*b", "plain words"):
        assert (shell._OBFUSCATION.search(text) is None) == (letter_first.search(text) is None)


def test_separator_gate_agrees_with_the_separator_pattern() -> None:
    # the gate is a cheaper spelling of _SEPARATOR.search; a separator added to one must reach both
    from apiward.detectors.shell import _SEPARATOR, _has_separator

    samples = ["a;b", "a|b", "a&b", "a\nb", "x`id`", "$(id)", "a{b", "if x then y", "do it", "undo",
               "x%0aid", "x\\nid", "x\\id", "plain words", "athens", "todo list", "done", "<(x)", ""]
    for text in samples:
        assert _has_separator(text) is (_SEPARATOR.search(text) is not None), text
