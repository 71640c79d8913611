"""Value normalisation: decoding truth table, bounds, fast path."""

from __future__ import annotations

import html
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiward.http.normalize import (
    MAX_DEPTH,
    MAX_INPUT_CHARS,
    MAX_VIEW_CHARS,
    _SLASH_LOOKALIKES,
    _unescape,
    fold,
    is_plain,
    normalize,
    normalize_value,
)

DECODED = [
    ("UNION%20SELECT", "union select"),
    ("UNION%2520SELECT", "union select"),  # double URL encoding
    ("%u003cscript%u003e", "<script>"),
    ("%c0%af..%c0%afetc", "/../etc"),  # overlong UTF-8
    ("..%c1%1c..%c1%1cboot.ini", "..\\..\\boot.ini"),  # a lead byte before ASCII, masked as old IIS did ...
    ("..%c0%5c..%c0%5cetc", "..\\..\\etc"),  # ... or dropped, as other lax decoders do
    ("caf%C0%20bar", "caf\u00e0 bar"),  # (a Latin-1 letter before a blank: kept, Latin-1 text)
    ("&lt;script&gt;", "<script>"),
    ("&#60;img&#62;", "<img>"),
    ("&#x3c;svg&#x3E;", "<svg>"),
    ("&#60img&#62", "<img>"),  # numeric entities without ';'
    ("ja&Tab;vascript&colon;", "ja\tvascript:"),
    ("\\u003cscript\\u003e", "<script>"),
    ("\\x3cscript\\x3e", "<script>"),
    ("\\074script\\076", "<script>"),
    ("\\u{3c}b", "<b"),
    ("\\0075\\0072\\006c(", "url("),  # zero-padded CSS escapes (4 digits) ...
    ("\\000075rl", "url"),  # ... and 6 digits, not octal "\\007" + "5"
    ("\\0101", "\x081"),  # three octal digits then a plain digit: octal, as before
    ("＜ｓｃｒｉｐｔ＞", "<script>"),  # full-width forms (NFKC)
    ("a\x00b", "ab"),  # null bytes stripped
    ("%2500", ""),  # decodes to a null byte, stripped
]


@pytest.mark.parametrize(("raw", "expected"), DECODED)
def test_decoded_view(raw: str, expected: str) -> None:
    views = normalize(raw)
    assert views[0] == raw
    assert expected in views


def test_raw_first_and_distinct() -> None:
    views = normalize("A%20B  /**/ C")
    assert views[0] == "A%20B  /**/ C"
    assert len(set(views)) == len(views)
    assert "a b c" in views  # comments removed, whitespace folded, lower-cased


def test_mysql_versioned_comment_body_is_kept() -> None:
    assert fold("1 /*!50000union*/ select") == "1 union select"


def test_plus_is_a_space_only_without_spaces() -> None:
    assert "1 or 1=1" in normalize("1+or+1%3D1")
    assert fold("c++ and more") == "c++ and more"


def test_base64_text_is_decoded_random_tokens_are_not() -> None:
    assert "<script>alert(1)</script>" in normalize("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")
    jwt_views = normalize("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl")
    assert '{"alg":"hs256"}' in jwt_views
    assert normalize("1e6481d4bb14be7a62aabc95565e6058") == ("1e6481d4bb14be7a62aabc95565e6058",)
    assert normalize("Mqy3qGJL2rpv3hC81H3EabyJg6MWun6FGdeethHntYY=")[1:] == ("mqy3qgjl2rpv3hc81h3eabyjg6mwun6fgdeethhntyy=",)


def test_base64_of_a_climbing_path_is_decoded() -> None:
    # mostly dots and slashes, yet text: "../../../etc/passwd"
    assert "../../../etc/passwd" in normalize("Li4vLi4vLi4vZXRjL3Bhc3N3ZA==")
    assert "..\\..\\boot.ini" in normalize("Li5cLi5cYm9vdC5pbmk=")
    assert "....//....//etc/passwd" in normalize("Li4uLi8vLi4uLi8vZXRjL3Bhc3N3ZA==")  # a nested step


def test_base64_of_a_short_url_is_decoded() -> None:
    # a URL of an address is mostly punctuation: "http://[::1]/"
    assert "http://[::1]/" in normalize("aHR0cDovL1s6OjFdLw==")
    assert len(normalize("IyQlJiooKSMkJSYqKCk=")) == 2  # symbols without a URL's "://": no view


def test_base64_of_quoted_words_is_decoded() -> None:
    # dense in quotes and brackets, yet spaced words: a query fragment, a JSON document
    assert "1' or '1'='1'/*" in normalize("MScgb3IgJzEnPScxJy8q")
    assert '{"username": {"$nin": [""]}}' in normalize("eyJ1c2VybmFtZSI6IHsiJG5pbiI6IFsiIl19fQ==")
    # printable symbols without blanks stay a token ("'|}!'%$" and the like)
    assert normalize("J3x9ISclJCcnJyc=")[1:] == ("j3x9iscljccnjyc=",)


def test_data_uri_text_payload_is_decoded_images_are_not() -> None:
    """PHP's data wrapper runs the payload of "data:text/plain;base64,..." in an include(); a
    browser runs text/html. Image payloads are not text and give no view."""
    assert "<?php phpinfo(); ?>" in normalize("data:text/plain;base64,PD9waHAgcGhwaW5mbygpOyA/Pg==")
    assert "<?php phpinfo(); ?>" in normalize("DATA:;base64,PD9waHAgcGhwaW5mbygpOyA/Pg==")
    assert "<script>alert(1)</script>" in normalize("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")
    png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    assert len(normalize(png)) == 2  # raw and lower-cased: no decoded payload
    svg = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
    assert not any("<svg" in view for view in normalize(svg))  # images stay unread, even as text


@pytest.mark.parametrize(
    "value", ["12345", "hello", "550e8400-e29b-41d4-a716-446655440000", "GA1_868462471", "abc_DEF-123"]
)
def test_plain_values_take_the_fast_path(value: str) -> None:
    assert is_plain(value)
    assert normalize(value) == (value,)


def test_decode_depth_is_bounded() -> None:
    bomb = "%" + "25" * 4_000 + "2e"
    started = time.perf_counter()
    views = normalize(bomb)
    assert time.perf_counter() - started < 1.0
    # each round peels one level; after MAX_DEPTH rounds the value is still encoded
    assert all(len(v) >= len(bomb) - 2 * MAX_DEPTH - 10 for v in views[1:2])


def test_megabyte_value_is_windowed_and_flagged() -> None:
    value = "a" * 600_000 + "<script>" + "b " * 300_000 + "<svg onload=alert(1)>"
    started = time.perf_counter()
    result = normalize_value(value)
    assert time.perf_counter() - started < 2.0
    assert result.truncated
    assert all(len(v) <= MAX_VIEW_CHARS + 1 for v in result.views)
    assert len(result.views[0]) <= MAX_INPUT_CHARS + 1
    assert any("<svg onload=alert(1)>" in v for v in result.views)  # the tail is inspected


def test_nfkc_expansion_is_capped() -> None:
    value = "\ufdfa" * 5000  # each expands to 18 characters under NFKC
    assert all(len(v) <= MAX_VIEW_CHARS for v in normalize(value)[1:])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_normalize_is_total_and_raw_first(value: str) -> None:
    views = normalize(value)
    assert views and views[0] == value[: len(views[0])]
    assert len(set(views)) == len(views)
    assert all(v == v.lower() for v in views[1:])


# text the entity and white-space rules key on, mixed with any character
_ENTITY_TEXT = st.lists(
    st.sampled_from(["&", ";", "#", "x", "X", "0", "9", "a", "F", "=", " ", "\t", "\n", "\u200b", "\ufeff", "\xa0",
                     "\u3000", "\x1c", "&amp", "&lt", "&gt;", "&not", "&notin", "&eacute", "&Eacute", "&copy", "&frac34",
                     "&CounterClockwiseContourIntegral;", "&#60", "&#x3C;", "&#0;", "&#x110000;", *_SLASH_LOOKALIKES])
    | st.characters(),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_ENTITY_TEXT)
def test_unescape_is_the_standard_librarys(value: str) -> None:
    assert _unescape(value) == html.unescape(value)


@settings(max_examples=500, deadline=None)
@given(_ENTITY_TEXT)
def test_fold_folds_white_space_runs_to_one_space(value: str) -> None:
    # (the definition `fold` implements with `str.split`)
    spaces = re.compile(r"[\s\x0b\x0c\xa0\u2000-\u200b\u2028\u2029\u3000\ufeff]+")
    value = value.replace("/", "") + " x"  # (no comment, and a space: no "+" read as one)
    assert fold(value) == spaces.sub(" ", value).strip()


def test_digits_after_an_escaped_backslash_are_no_octal_escape() -> None:
    # "\\\\172.16.0.5\\share" is a UNC path; read as an octal escape it became "\\z.16.0.5" and hid the host
    views = normalize("& type \\\\172.16.0.5\\share")
    assert all("z.16.0.5" not in view for view in views)
    assert "\\w" not in normalize("\\\\127.0.0.1")[-1]
    assert "a" in normalize("x\\141")[-1]  # a lone backslash's octal escape still decodes
