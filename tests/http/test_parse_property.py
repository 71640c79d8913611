"""Property: build_request_view never raises anything but RequestRejected, whatever it is fed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiward.core import RequestView
from apiward.errors import RequestRejected
from apiward.http.parse import build_request_view
from apiward.settings import LimitSettings, MalformedBody

CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "multipart/form-data",
        'multipart/mixed; boundary="a b"',
        "application/xml",
        "text/plain; charset=utf-16",
        "application/octet-stream",
        "image/png",
        "",
        "a; b=\"",
        "text/plain; charset=bogus",
    ]
)
STRUCTURED = st.sampled_from(
    [
        b"{", b"[", b"<", b"--b\r\n", b"Content-Disposition: form-data; name=a; filename=x\r\n", b"\r\n\r\n",
        b"--b--\r\n", b"<!DOCTYPE", b"<!ENTITY x SYSTEM 'f'>", b"&x;", b'"', b":", b",", b"]", b"}", b"=",
        b"&", b"%", b"\x00", b"\xff",
    ]
)
BODIES = st.one_of(st.binary(max_size=300), st.lists(st.one_of(STRUCTURED, st.binary(max_size=5)), max_size=40).map(b"".join))
TEXT = st.text(max_size=80)
HEADERS = st.lists(st.tuples(st.one_of(TEXT, st.sampled_from(["Cookie", "content-encoding"])), st.one_of(TEXT, st.sampled_from(["gzip", "deflate", "br"]))), max_size=8)


def check(*args: object) -> None:
    try:
        view = build_request_view(*args)  # type: ignore[arg-type]
    except RequestRejected as exc:
        assert 400 <= exc.status < 500
        return
    assert isinstance(view, RequestView)
    for field in view.fields:
        assert isinstance(field.name, str) and isinstance(field.value, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=TEXT,
    query=TEXT,
    headers=HEADERS,
    ctype=CONTENT_TYPES,
    body=BODIES,
    strict=st.booleans(),
)
def test_never_raises_unexpected(path: str, query: str, headers: list[tuple[str, str]], ctype: str, body: bytes, strict: bool) -> None:
    limits = LimitSettings(max_json_depth=4, max_fields=40, malformed_body=MalformedBody.REJECT if strict else MalformedBody.INSPECT_RAW)
    check("POST", path, query, [("content-type", ctype), *headers], "192.0.2.1", body, limits)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=500), ctype=st.text(max_size=60))
def test_arbitrary_content_type_and_bytes(body: bytes, ctype: str) -> None:
    check("POST", "/", "", [("content-type", ctype)], "192.0.2.1", body, LimitSettings())
