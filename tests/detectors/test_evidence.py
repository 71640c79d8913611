"""Evidence snippets and exclusion globs."""

from __future__ import annotations

import time

import pytest

from apiward.detectors.evidence import redact, snippet
from apiward.detectors.glob import glob_match


def test_snippet_is_bounded_single_line_and_centred() -> None:
    text = "x" * 500 + "' or 1=1--" + "y" * 500
    out = snippet(text, 500, 510, 80)
    assert len(out) <= 80 and "' or 1=1--" in out and "\n" not in out
    assert snippet("a\nb\x00c", 0, 5) == "a\\x0ab\\x00c"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token=eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0In0abc", "eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0In0abc"),
        ("card 4111 1111 1111 1111 ok", "4111 1111 1111 1111"),
        ("mail jane.doe+shop@example.com", "jane.doe+shop"),
    ],
)
def test_redact_masks_secrets(text: str, secret: str) -> None:
    assert secret not in redact(text)


GLOBS = [
    ("*", "/anything", True),
    ("/cms/*", "/cms/pages/1", True),
    ("/cms/*", "/api/cms", False),
    ("body.*", "body.comment", True),
    ("query.?d", "query.id", True),
    ("query.?d", "query.uid", False),
    ("/a/*/c", "/a/b/x/c", True),
    ("", "", True),
    ("", "x", False),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), GLOBS)
def test_glob_truth_table(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text) is expected


def test_glob_on_hostile_paths_is_fast() -> None:
    started = time.perf_counter()
    assert not glob_match("*a*a*a*a*a*b", "a" * 5000)
    assert time.perf_counter() - started < 2.0
