"""Request bodies: content decoding, then JSON / form / multipart / XML / text by media type.

The rule that ties the parsers together: every byte of a body that an application might read
is either in a field or the request is refused. Structured bodies become one field per leaf;
bodies that do not parse as their declared type follow ``limits.malformed_body`` (raw text as
one field, or 400); text and unknown types are one raw field; only genuinely binary content of
an opaque type (``limits.opaque_types``) goes uninspected, but for the text it opens with (a
document a NUL byte or a stray byte follows is read by a decoder that stops after it).
"""

from __future__ import annotations

import re
import zlib
from urllib.parse import unquote_to_bytes

import orjson

from apiward.core import BodyKind, Field, Source, new_field
from apiward.errors import RequestRejected
from apiward.http.charset import WIDE_CHARSETS, ebcdic_codec, sniff_ebcdic, sniff_wide_charset, wide_text
from apiward.http.fieldlist import (
    PLAIN_NAME_CHARS,
    PLAIN_NAME_MAX,
    POLLUTING_NAMES,
    SEGMENT_MAX,
    BodySyntaxError,
    FieldList,
    malformed,
    too_deep,
)
from apiward.http.multipart_body import MIN_PREFIX, parse_multipart, text_prefix
from apiward.http.urlencoded import parse_urlencoded
from apiward.http.xml_body import parse_xml
from apiward.settings import LimitSettings, MalformedBody

FORM = "application/x-www-form-urlencoded"
_WS = b" \t\r\n"
_JSON_OPENERS = frozenset(b"{[")
_BOM = b"\xef\xbb\xbf"
# One JSON string token, unrolled-loop form. Only ever run on text orjson has already accepted,
# where every string is terminated, so each match starts at a real string and the scan is linear.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def _is_json_type(media: str) -> bool:
    return media.endswith(("/json", "+json"))


def _is_xml_type(media: str) -> bool:
    return media.endswith(("/xml", "+xml"))


def _decode_text(data: bytes, charset: str) -> str:
    """UTF-8 (invalid sequences replaced) unless the declared charset is UTF-16/32, or the body is
    an XML document in EBCDIC.

    Other declared charsets are read as UTF-8 on purpose: every ASCII byte of a payload is then
    visible whatever charset the application assumes, and a lying charset cannot hide it."""
    if charset.startswith(WIDE_CHARSETS):
        try:
            return data.decode(charset, "replace")
        except LookupError:
            pass
    # an XML document in EBCDIC says so in its first bytes (a declared EBCDIC charset alone
    # is not trusted: read as EBCDIC, an ASCII payload would turn to noise)
    ebcdic = sniff_ebcdic(data)
    return data.decode(ebcdic or "utf-8", "replace")


def is_upload_type(media: str, limits: LimitSettings) -> bool:
    """Multipart bodies and opaque types (``limits.opaque_types``): uploads, whose binary content
    is not inspected."""
    return media.startswith("multipart/") or media.startswith(limits.opaque_types)


def body_limit(media: str, limits: LimitSettings) -> int:
    """The most bytes a body of this media type may have: uploads up to ``limits.max_upload_bytes``,
    anything else ``limits.max_body_bytes``. An upload's text is held to ``max_body_bytes`` when it
    is parsed (`parse_body`), so the inspection work is bounded alike."""
    if is_upload_type(media, limits):
        return max(limits.max_upload_bytes, limits.max_body_bytes)
    return limits.max_body_bytes


def too_large(limit: int, what: str = "the body") -> RequestRejected:
    return RequestRejected(413, "Request body too large", f"{what} exceeds {limit} bytes")


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = decoder.decompress(data, limit + 1)
    if len(out) > limit or decoder.unconsumed_tail:
        raise too_large(limit, "the decoded body")
    return out + decoder.flush()


def decode_content(data: bytes, encoding: str, limit: int) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate), never producing more than ``limit`` bytes (a
    compression bomb gets 413). Encodings we cannot decode get 415: forwarding a body we could
    not read would be a bypass. Raises `BodySyntaxError` for corrupt compressed data."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        try:
            if coding in ("gzip", "x-gzip"):
                data = _inflate(data, 16 + zlib.MAX_WBITS, limit)
            elif coding == "deflate":
                try:
                    data = _inflate(data, zlib.MAX_WBITS, limit)
                except zlib.error:
                    data = _inflate(data, -zlib.MAX_WBITS, limit)  # raw deflate, as some clients send
            else:
                raise RequestRejected(
                    415, "Unsupported Content-Encoding", f"cannot inspect a body encoded with {coding!r}"
                )
        except zlib.error as exc:
            raise BodySyntaxError(f"corrupt {coding} body") from exc
    return data


def _json_scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def walk_json(doc: object, max_depth: int, out: FieldList) -> int:
    """Append one field per JSON leaf (``user.name``, ``items[0].sku``; a scalar document is
    name ``""``) and one ``<path>#key`` field per object key that is not a plain identifier.
    Return the number of object members seen (for `has_duplicate_keys`).

    Iterative (an explicit stack), so depth costs memory, never Python recursion; depth is
    checked as containers are entered, the field cap before each container is expanded."""
    items = out.items
    members = 0
    body = Source.BODY
    plain_chars, polluting = PLAIN_NAME_CHARS, POLLUTING_NAMES
    stack: list[tuple[object, str, int]] = [(doc, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if type(node) is dict:
            if depth > max_depth:
                raise too_deep(max_depth)
            out.check(len(node))
            members += len(node)
            for key, value in node.items():
                # `name_segment` and `is_plain_name`, inlined: a large document has thousands of keys
                size = len(key)
                segment = key if size <= SEGMENT_MAX else key[:SEGMENT_MAX] + "…"
                name = f"{path}.{segment}" if path else segment
                # (an ASCII alphanumeric key is plain without building the set of its characters)
                if not (0 < size <= PLAIN_NAME_MAX and ((key.isalnum() and key.isascii()) or plain_chars.issuperset(key))
                        and key not in polluting):
                    items.append(new_field((body, name + "#key", key)))
                kind = type(value)
                if kind is str:
                    items.append(new_field((body, name, value)))
                elif kind is dict or kind is list:
                    stack.append((value, name, depth + 1))
                else:
                    items.append(new_field((body, name, _json_scalar(value))))
            out.check()
        elif type(node) is list:
            if depth > max_depth:
                raise too_deep(max_depth)
            out.check(len(node))
            for index, value in enumerate(node):
                name = f"{path}[{index}]"
                kind = type(value)
                if kind is str:
                    items.append(new_field((body, name, value)))
                elif kind is dict or kind is list:
                    stack.append((value, name, depth + 1))
                else:
                    items.append(new_field((body, name, _json_scalar(value))))
        else:
            out.check(1)
            items.append(Field(body, path, node if type(node) is str else _json_scalar(node)))
    return members


def has_duplicate_keys(data: bytes, members: int) -> bool:
    """True when the JSON text ``data`` (already accepted by orjson) has more object members
    than the parsed document: a key appears twice in one object.

    orjson keeps the last duplicate; some frameworks keep the first. ``{"q": "<attack>",
    "q": "x"}`` would hide the attack from inspection of the parsed document, so the caller
    then inspects the raw text as well. Structural colons are counted after removing strings;
    the cheap ``count(b":")`` settles the common case without that pass."""
    if data.count(b":") == members:
        return False
    return _JSON_STRING.sub(b"", data).count(b":") != members


def load_json(data: bytes | str, max_depth: int) -> object:
    """orjson, with its depth refusal translated to our 400. Raises `BodySyntaxError`."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("depth limit exceeded"):
            raise too_deep(max_depth) from exc
        raise BodySyntaxError(f"invalid JSON: {exc}") from exc


def _looks_like_json(data: bytes) -> bool:
    stripped = data.lstrip(_WS)
    return bool(stripped) and stripped[0] in _JSON_OPENERS


def _raw(text: str, out: FieldList) -> None:
    out.check(1)
    out.items.append(Field(Source.BODY, "", text))


def _sniffed_json(data: bytes, max_depth: int, out: FieldList) -> object | None:
    """Best effort for a body that was not declared JSON: its leaves when it parses within every
    limit, else None (the caller then inspects it as raw text, so nothing is lost)."""
    trial = FieldList(out.limit - len(out.items))
    try:
        doc = load_json(data, max_depth)
        members = walk_json(doc, max_depth, trial)
        if has_duplicate_keys(data, members):
            trial.check(1)
            trial.items.append(Field(Source.BODY, "", data.decode("utf-8", "replace")))
    except (BodySyntaxError, RequestRejected):
        return None
    out.items.extend(trial.items)
    return doc


def parse_body(
    body: bytes,
    media: str,
    params: dict[str, str],
    content_encoding: str,
    limits: LimitSettings,
    out: FieldList,
) -> tuple[BodyKind, object]:
    """Append the body's fields; return its kind and the parsed JSON document (or None).

    A body declared as JSON / XML / multipart / form that does not parse is returned as
    ``BodyKind.TEXT`` with the raw text as its one field (``inspect_raw``) or refused with 400
    (``reject``); ``content_type`` on the view still names the declared type, so a later stage
    can tell the two apart.
    """
    if not body:
        return BodyKind.NONE, None
    charset = params.get("charset", "").lower()
    data = body  # stays the received bytes if content decoding fails
    upload = is_upload_type(media, limits)
    try:
        if content_encoding:
            data = decode_content(body, content_encoding, body_limit(media, limits))
        if not charset.startswith(WIDE_CHARSETS):
            # wide text sent without its charset (an XML document in UTF-16): read as its
            # parser will read it, and not mistaken for binary content below
            charset = sniff_wide_charset(data) or charset
        if media.startswith(limits.opaque_types) and not _plainly_text(data) and wide_text(data, charset) is None:
            # the text it opens with is inspected: a JSON document and a NUL byte after it is read
            # by a decoder that stops after one value, whatever the Content-Type says
            prefix = text_prefix(data, limits.max_body_bytes + 1)
            if len(prefix) > limits.max_body_bytes // 4 and len(prefix.encode()) > limits.max_body_bytes:
                raise too_large(limits.max_body_bytes, "the text the body opens with")
            if len(prefix) >= MIN_PREFIX:
                _raw(prefix, out)
            return BodyKind.BINARY, None
        if media.startswith("multipart/"):
            first = len(out.items)
            parse_multipart(data, params, out)
            # binary file parts were left out; the text that is inspected is bounded like any body's
            if sum(len(field.value) for field in out.items[first:]) > limits.max_body_bytes:
                raise too_large(limits.max_body_bytes, "the text of the multipart body")
            return BodyKind.MULTIPART, None
        if len(data) > limits.max_body_bytes:  # an upload type carrying text, or a decoded body
            raise too_large(limits.max_body_bytes, "the body text" if upload else "the decoded body")
        ebcdic = ebcdic_codec(charset)
        if ebcdic:
            _ebcdic_fields(data, ebcdic, media, out)  # and read as UTF-8 below (a server that ignores it)
        if _is_json_type(media):
            utf8 = data.removeprefix(_BOM)
            if charset.startswith(WIDE_CHARSETS):
                utf8 = _decode_text(data, charset).encode("utf-8", "surrogatepass")
            doc = load_json(utf8, limits.max_json_depth)
            if has_duplicate_keys(utf8, walk_json(doc, limits.max_json_depth, out)):
                _raw(utf8.decode("utf-8", "replace"), out)
            return BodyKind.JSON, doc
        if media == FORM:
            # search and analytics clients (Algolia's, sendBeacon callers) post JSON labelled as a
            # form to avoid a CORS preflight; their server reads JSON, and read as a form the whole
            # document would be one field name. A body that does not parse as JSON is a form.
            if _looks_like_json(data) and not charset.startswith(WIDE_CHARSETS):
                doc = _sniffed_json(data.removeprefix(_BOM), limits.max_json_depth, out)
                if doc is not None:
                    return BodyKind.JSON, doc
            parse_urlencoded(_decode_text(data, charset), Source.BODY, out)
            return BodyKind.FORM, None
        if _is_xml_type(media):
            parse_xml(data, _decode_text(data, charset), limits.max_json_depth, out)
            return BodyKind.XML, None
    except BodySyntaxError as exc:
        if limits.malformed_body is MalformedBody.REJECT:
            raise malformed(str(exc)) from exc
        if len(data) > limits.max_body_bytes:  # a broken upload is read whole: bounded like text
            raise too_large(limits.max_body_bytes, "the malformed body") from exc
        _raw(_decode_text(data, charset), out)
        return BodyKind.TEXT, None
    # text/*, unknown types, no Content-Type, mislabelled "opaque" text.
    if _looks_like_json(data) and not charset.startswith(WIDE_CHARSETS):
        doc = _sniffed_json(data.removeprefix(_BOM), limits.max_json_depth, out)
        if doc is not None:
            return BodyKind.JSON, doc
    _raw(_decode_text(data, charset), out)
    return BodyKind.TEXT, None


def _ebcdic_fields(data: bytes, codec: str, media: str, out: FieldList) -> None:
    """The body as a server that honours its declared EBCDIC charset reads it: IIS / ASP.NET
    decode a form's percent-escapes (``%88%85%93%93%96``) or its raw bytes in that code page, where
    read as UTF-8 they are noise. A form gives its pairs, any other type one raw field."""
    if media == FORM and data.isascii():
        text = data.decode("ascii")
        pairs = text.split("&")
        out.check(len(pairs))
        for pair in pairs:
            name, _, value = pair.partition("=")
            name = unquote_to_bytes(name.replace("+", " ")).decode(codec, "replace")
            out.items.append(Field(Source.BODY, name, unquote_to_bytes(value.replace("+", " ")).decode(codec, "replace")))
        out.check()
    elif media == FORM:
        parse_urlencoded(data.decode(codec, "replace"), Source.BODY, out)
    else:
        _raw(data.decode(codec, "replace"), out)


def _plainly_text(data: bytes) -> bool:
    """Valid UTF-8 without NUL: no real image, video or archive looks like this."""
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
