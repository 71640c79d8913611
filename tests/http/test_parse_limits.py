"""Every limit maps to its status; just under each limit passes."""

from __future__ import annotations

import time

import pytest

from apiward.core import Source
from apiward.errors import RequestRejected
from apiward.http.parse import build_request_view
from apiward.settings import LimitSettings

LIMITS = LimitSettings(max_body_bytes=10_000, max_fields=50, max_header_bytes=1024, max_url_bytes=512)


def status_of(**kw: object) -> int:
    args: dict[str, object] = {"method": "GET", "raw_path": "/", "query_string": "", "headers": [], "client_ip": "192.0.2.1", "body": b"", "limits": LIMITS}
    args.update(kw)
    try:
        build_request_view(**args)  # type: ignore[arg-type]
    except RequestRejected as exc:
        return exc.status
    return 200


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"raw_path": "/" + "a" * 511}, 200),
        ({"raw_path": "/" + "a" * 512}, 414),
        ({"raw_path": "/a", "query_string": "q=" + "x" * 509}, 414),
        ({"raw_path": "/" + "é" * 256}, 414),  # counted in UTF-8 bytes
        ({"body": b"x" * 10_000, "headers": [("content-type", "text/plain")]}, 200),
        ({"body": b"x" * 10_001}, 413),
        ({"headers": [("x", "v" * 1100)]}, 431),
        ({"headers": [("x", "v" * 900)]}, 200),
        ({"headers": [("x", "v")] * 300}, 431),
        ({"query_string": "&".join(f"a{i}=1" for i in range(40))}, 200),
        ({"query_string": "&".join(f"a{i}=1" for i in range(60))}, 400),
        ({"headers": [("cookie", ";".join(f"c{i}=1" for i in range(60)))]}, 400),
        ({"body": b"[" + b",".join(b"1" for _ in range(60)) + b"]", "headers": [("content-type", "application/json")]}, 400),
        ({"body": b"&".join(b"a=1" for _ in range(60)), "headers": [("content-type", "application/x-www-form-urlencoded")]}, 400),
        ({"body": b"<r>" + b"<a>1</a>" * 60 + b"</r>", "headers": [("content-type", "application/xml")]}, 400),
        ({"raw_path": "/a/" * 60}, 400),
        ({"headers": [("content-type", "application/json"), ("Content-Type", "text/plain")]}, 400),
        ({"headers": [("content-type", "text/plain"), ("Content-Type", "text/plain")]}, 200),
    ],
)
def test_limit_statuses(kwargs: dict[str, object], status: int) -> None:
    assert status_of(**kwargs) == status


UPLOADS = LimitSettings(max_body_bytes=10_000, max_upload_bytes=100_000)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 200  # 51 KB, binary


def _multipart(content: bytes, part_type: str = "image/png") -> bytes:
    return (b"--b\r\nContent-Disposition: form-data; name=photo; filename=cat.png\r\nContent-Type: "
            + part_type.encode() + b"\r\n\r\n" + content + b"\r\n--b\r\nContent-Disposition: form-data; "
            b"name=title\r\n\r\nmy cat\r\n--b--\r\n")


def _upload(body: bytes, content_type: str) -> int:
    try:
        view = build_request_view("POST", "/up", "", [("content-type", content_type)], "192.0.2.1", body, UPLOADS)
    except RequestRejected as exc:
        return exc.status
    assert any(f.name == "title" or f.source is Source.HEADER for f in view.fields)
    return 200


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        # binary uploads may pass max_body_bytes, up to max_upload_bytes
        (_multipart(PNG), "multipart/form-data; boundary=b", 200),
        (PNG, "image/png", 200),
        (PNG, "application/octet-stream", 200),
        (_multipart(PNG * 2), "multipart/form-data; boundary=b", 413),  # over max_upload_bytes
        # text is held to max_body_bytes whatever the label: inspection work stays bounded
        (_multipart(b"x" * 20_000, "text/plain"), "multipart/form-data; boundary=b", 413),
        (_multipart(b"<?php system($_GET[c]); ?>" * 800, "image/png"), "multipart/form-data; boundary=b", 413),
        (b"x" * 20_000, "application/octet-stream", 413),
        (b"x" * 20_000, "application/json", 413),
        (_multipart(PNG)[:-10], "multipart/form-data; boundary=b", 413),  # broken: read whole as text
        (_multipart(b"x" * 9_000, "text/plain"), "multipart/form-data; boundary=b", 200),
    ],
)
def test_upload_limits(body: bytes, content_type: str, status: int) -> None:
    assert _upload(body, content_type) == status


def test_multipart_part_count_capped() -> None:
    body = b"".join(b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n" for _ in range(60)) + b"--b--\r\n"
    assert status_of(body=body, headers=[("content-type", "multipart/form-data; boundary=b")]) == 400


def test_ten_thousand_params() -> None:
    """Refused with the default cap, parsed in order with a raised one, fast either way."""
    query = "&".join(f"p{i}=v{i}" for i in range(10_000))
    start = time.monotonic()
    with pytest.raises(RequestRejected) as info:
        build_request_view("GET", "/", query, [], "192.0.2.1", b"", LimitSettings(max_url_bytes=200_000))
    assert info.value.status == 400
    big = LimitSettings(max_url_bytes=200_000, max_fields=20_000)
    v = build_request_view("GET", "/", query, [], "192.0.2.1", b"", big)
    got = [f for f in v.fields if f.source is Source.QUERY]
    assert len(got) == 10_000 and got[0].value == "v0" and got[-1].name == "p9999"
    assert time.monotonic() - start < 5.0


def test_huge_json_array_refused_before_expansion() -> None:
    body = b"[" + b",".join(b'"x"' for _ in range(200_000)) + b"]"
    limits = LimitSettings(max_body_bytes=1 << 21)
    with pytest.raises(RequestRejected) as info:
        build_request_view("POST", "/", "", [("content-type", "application/json")], "192.0.2.1", body, limits)
    assert info.value.status == 400 and info.value.title == "Too many fields"


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        ("application/json", b'{"' + b"k" * 300_000 + b'": {' + b",".join(b'"a%d": 1' % i for i in range(1500)) + b"}}"),
        ("application/xml", b"<" + b"k" * 300_000 + b">" + b"<a>1</a>" * 1500 + b"</" + b"k" * 300_000 + b">"),
    ],
)
def test_long_keys_do_not_multiply_into_field_names(ctype: str, body: bytes) -> None:
    """A 300 kB key above 1,500 children must not become 1,500 names of 300 kB each."""
    v = build_request_view("POST", "/", "", [("content-type", ctype)], "192.0.2.1", body, LimitSettings())
    assert len(v.fields) > 1500
    assert max(len(f.name) for f in v.fields) < 200
    if ctype == "application/json":  # the long key itself is still inspected, as a value
        assert any(f.name.endswith("#key") and len(f.value) == 300_000 for f in v.fields)
