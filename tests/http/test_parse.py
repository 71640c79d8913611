"""build_request_view: URL, query, headers, cookies, and the corpus adapter."""

from __future__ import annotations

import pytest

from apiward.core import BodyKind, RequestView, Source
from apiward.http.parse import build_request_view, corpus_request
from apiward.settings import LimitSettings

LIMITS = LimitSettings()


def view(
    path: str = "/",
    query: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    limits: LimitSettings = LIMITS,
    method: str = "GET",
) -> RequestView:
    return build_request_view(method, path, query, headers or [], "192.0.2.1", body, limits)


def fields(v: RequestView, source: Source) -> list[tuple[str, str]]:
    return [(f.name, f.value) for f in v.fields if f.source is source]


@pytest.mark.parametrize(
    ("raw_path", "decoded", "segments"),
    [
        ("/", "/", []),
        ("/users/42", "/users/42", [("0", "users"), ("1", "42")]),
        ("/a//b/", "/a//b/", [("0", "a"), ("1", "b")]),
        ("/a%20b/c", "/a b/c", [("0", "a b"), ("1", "c")]),
        # an encoded slash stays inside its segment, whose decoded value shows the traversal
        ("/files/..%2F..%2Fetc%2Fpasswd", "/files/../../etc/passwd", [("0", "files"), ("1", "../../etc/passwd")]),
        ("/x/%00", "/x/\x00", [("0", "x"), ("1", "\x00")]),
        ("/%E2%82%AC", "/€", [("0", "€")]),
        ("/%ff", "/\ufffd", [("0", "\ufffd")]),  # invalid UTF-8 replaced, never raises
        ("/a+b", "/a+b", [("0", "a+b")]),  # '+' is literal in paths
        # overlong UTF-8 forms of '.', '/' and '\\' decode to the character (a filter bypass)
        ("/..%c0%af..%c0%afetc", "/../../etc", [("0", "../../etc")]),
        ("/%e0%80%ae%e0%80%ae/x", "/../x", [("0", ".."), ("1", "x")]),
        ("/..%c1%9cwin.ini", "/..\\win.ini", [("0", "..\\win.ini")]),
        ("/%c0", "/\ufffd", [("0", "\ufffd")]),  # a lone lead byte is still replaced
    ],
)
def test_path_fields(raw_path: str, decoded: str, segments: list[tuple[str, str]]) -> None:
    v = view(raw_path)
    assert v.path == decoded and v.raw_path == raw_path
    assert fields(v, Source.PATH) == [("", decoded), *segments]
    assert v.fields[0].location == "path"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", []),
        ("a=1", [("a", "1")]),
        ("a=1&a=2", [("a", "1"), ("a", "2")]),  # duplicates kept, in order
        ("a=&b", [("a", ""), ("b", "")]),  # blank values kept
        ("a=1&&b=2", [("a", "1"), ("b", "2")]),
        ("q=a+b%20c", [("q", "a b c")]),
        ("q=%27%20OR%201%3D1--", [("q", "' OR 1=1--")]),
        ("q=%ZZ", [("q", "%ZZ")]),
        ("q=%C3%28", [("q", "\ufffd(")]),
        ("q=%c0%ae%c0%ae%c0%afetc", [("q", "../etc")]),  # overlong forms read as their character
        ("a=1;b=2", [("a", "1;b=2")]),  # only '&' separates, as Python and Starlette do
        ("x=a=b", [("x", "a=b")]),
    ],
)
def test_query_truth_table(query: str, expected: list[tuple[str, str]]) -> None:
    v = view("/", query)
    assert fields(v, Source.QUERY) == expected
    assert v.query == tuple(expected)
    assert v.query_string == query


def test_query_names_that_are_not_identifiers_are_fields_too() -> None:
    v = view("/", "user%5B%24ne%5D=1&ok_name=2&%3Cscript%3E=x")
    got = fields(v, Source.QUERY)
    assert ("user[$ne]#key", "user[$ne]") in got
    assert ("<script>#key", "<script>") in got
    assert not any(name == "ok_name#key" for name, _ in got)


def test_headers_lowercased_in_order_cookie_excluded() -> None:
    v = view(
        headers=[("Host", "example.com"), ("X-A", "1"), ("x-a", "2"), ("Cookie", "sid=abc; theme=dark"), ("COOKIE", "x=1")]
    )
    assert v.headers == (("host", "example.com"), ("x-a", "1"), ("x-a", "2"), ("cookie", "sid=abc; theme=dark"), ("cookie", "x=1"))
    assert fields(v, Source.HEADER) == [("host", "example.com"), ("x-a", "1"), ("x-a", "2")]
    assert fields(v, Source.COOKIE) == [("sid", "abc"), ("theme", "dark"), ("x", "1")]
    assert v.header("X-A") == "1, 2"
    assert v.cookies == {"sid": "abc", "theme": "dark", "x": "1"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a=1", [("a", "1")]),
        ("a=1;b=2", [("a", "1"), ("b", "2")]),
        ("  a = 1 ;  b=", [("a", "1"), ("b", "")]),
        ('a="quoted value"', [("a", '"quoted value"')]),  # kept as sent
        ("a=x=y", [("a", "x=y")]),
        ("lonely", [("", "lonely")]),
        (";;", []),
        ("a=%27%20or%201=1", [("a", "%27%20or%201=1")]),  # raw; the normaliser decodes
    ],
)
def test_cookie_truth_table(header: str, expected: list[tuple[str, str]]) -> None:
    assert fields(view(headers=[("cookie", header)]), Source.COOKIE) == expected


def test_no_body_is_none_kind() -> None:
    v = view()
    assert v.body_kind is BodyKind.NONE and v.json is None and v.body == b""
    assert not [f for f in v.fields if f.source is Source.BODY]


@pytest.mark.parametrize(
    ("url", "path", "query", "scheme"),
    [
        ("/a/b?x=1", "/a/b", "x=1", "http"),
        ("/a", "/a", "", "http"),
        ("https://example.com/p?q=%27", "/p", "q=%27", "https"),
        ("http://example.com", "/", "", "http"),
        ("/s?q=1#2", "/s", "q=1#2", "http"),  # '#' kept: in attack corpora it is payload
    ],
)
def test_corpus_request_url(url: str, path: str, query: str, scheme: str) -> None:
    v = corpus_request({"method": "GET", "url": url, "headers": {}, "data": None}, LIMITS)
    assert (v.raw_path, v.query_string, v.scheme) == (path, query, scheme)


def test_corpus_request_body_and_headers() -> None:
    record = {
        "method": "POST",
        "url": "/login",
        "headers": {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "t"},
        "data": "user=admin&pass=%27+or+1%3D1--",
        "label": "attack",
    }
    v = corpus_request(record, LIMITS)
    assert v.method == "POST" and v.body_kind is BodyKind.FORM
    assert fields(v, Source.BODY) == [("user", "admin"), ("pass", "' or 1=1--")]
    assert v.header("user-agent") == "t"


@pytest.mark.parametrize("data", [None, ""])
def test_corpus_request_empty_data(data: str | None) -> None:
    v = corpus_request({"method": "GET", "url": "/", "headers": {"Content-Type": "application/json"}, "data": data}, LIMITS)
    assert v.body == b"" and v.body_kind is BodyKind.NONE


def test_corpus_request_lone_surrogate_does_not_raise() -> None:
    v = corpus_request({"method": "POST", "url": "/", "headers": {}, "data": "a\ud800b"}, LIMITS)
    assert v.body_kind is BodyKind.TEXT


def test_view_is_immutable() -> None:
    v = view("/x")
    with pytest.raises(AttributeError):
        v.path = "/y"  # type: ignore[misc]


def test_corpus_records_parse(shared_data) -> None:  # type: ignore[no-untyped-def]
    """The first 2,000 benign development records all parse (a smoke test over real traffic)."""
    import gzip
    import json

    parsed = 0
    with gzip.open(shared_data / "wcp-legit-dev.jsonl.gz", "rt") as fh:
        for _, line in zip(range(2000), fh):
            v = corpus_request(json.loads(line), LIMITS)
            assert v.fields
            parsed += 1
    assert parsed == 2000
