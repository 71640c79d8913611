"""multipart/* bodies (form-data, mixed, related) via python-multipart's streaming parser.

Every part becomes fields: a plain part is one field named after its ``name``; a file part adds
``<name>#filename`` (the file name is attacker-chosen and a classic traversal / webshell
carrier) and its content as ``<name>`` when the content is text. File content is skipped only
when it is binary (NUL bytes or invalid UTF-8) *and* declared as a non-text type: an image or
archive upload is not inspected but for the text it opens with (`text_prefix`: a payload with
a NUL byte after it), a script labelled ``text/plain`` or ``image/png`` but written in text is.
A part that repeats a header with another value (two Content-Dispositions, one with a file
name) is read as a form field, as a server that keeps the other header reads it; so is a part
with an empty file name (Go's form value). ``filename*`` (RFC 5987), which RFC 7578 forbids but
some frameworks honour, is reported too so it cannot hide a second name. A part in UTF-16/32 (its
charset, or the byte order mark / NUL pattern of its first bytes: an SVG saved as UTF-16) is read
as that text. A part with ``Content-Transfer-Encoding: base64`` or ``quoted-printable``
(deprecated by RFC 7578, still decoded by some servers) is inspected both as sent and decoded; a
part in a declared EBCDIC charset both as UTF-8 and in that charset
(`apiward.http.charset.ebcdic_codec`). A body whose lines end in a bare LF, which PHP's and Go's
readers accept, is read as they read it (its LFs as CRLFs, so a part's content keeps CRs it lacked).
"""

from __future__ import annotations

import binascii
import logging
import re
from urllib.parse import unquote

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser

from apiward.core import Field, Source
from apiward.http.charset import ebcdic_codec, wide_text
from apiward.http.fieldlist import BodySyntaxError, FieldList
from apiward.http.mediatype import parse_params

_MAX_PART_HEADERS = 16
# python-multipart logs a warning for every malformed body; attacker-controlled input must not
# be able to flood the logs (the malformed body itself is handled, see `BodySyntaxError`).
_SILENT = logging.Logger("apiward.http.multipart_body.parser")
_SILENT.disabled = True
# the text a binary file part opens with (`text_prefix`) is inspected from this many characters on
# (a format's magic number, "GIF89a", "%PDF-1.7", is shorter); all of it, as the text of a part
# (`apiward.http.body.parse_body` bounds the text of the whole body)
MIN_PREFIX = 8
_TEXT_SUFFIXES = ("json", "xml", "javascript", "ecmascript", "x-www-form-urlencoded", "csv", "yaml", "x-sh", "x-php")


class _Part:
    __slots__ = ("headers", "data", "conflicting")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.data = bytearray()
        # a header repeated with another value: servers keep the first or the last one
        self.conflicting = False


def _is_text_type(media: str) -> bool:
    return media.startswith("text/") or media.endswith(_TEXT_SUFFIXES)


def text_prefix(data: bytes, limit: int) -> str:
    """The text a binary blob opens with: its first ``limit`` bytes up to the first NUL byte or
    invalid UTF-8 sequence (a text of ``limit`` bytes: cut there, maybe longer). A parser that
    reads one document and stops (Go's and Jackson's JSON decoders) never sees what follows; an
    image, an archive or a video opens with a few bytes of magic at most."""
    head = data[:limit]
    nul = head.find(b"\x00")
    if nul >= 0:
        head = head[:nul]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return head[: exc.start].decode("utf-8")


def _as_text(data: bytes, charset: str = "") -> str | None:
    """``data`` as text when it is text: UTF-16/32 (declared by the part's charset or announced by
    its first bytes: an SVG saved as UTF-16), or valid UTF-8 without NUL bytes."""
    wide = wide_text(data, charset)
    if wide is not None:
        return wide
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _split_parts(data: bytes, boundary: str, out: FieldList) -> list[_Part]:
    try:
        boundary_bytes = boundary.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise BodySyntaxError("multipart boundary is not latin-1") from exc
    parts: list[_Part] = []
    current = _Part()
    header_name = bytearray()
    header_value = bytearray()
    ended = False

    def on_part_begin() -> None:
        nonlocal current
        current = _Part()

    def on_header_field(chunk: bytes, start: int, end: int) -> None:
        header_name.extend(chunk[start:end])

    def on_header_value(chunk: bytes, start: int, end: int) -> None:
        header_value.extend(chunk[start:end])

    def on_header_end() -> None:
        name = header_name.decode("latin-1").strip().lower()
        # Browsers send UTF-8 file names raw; decode them as the application will.
        value = header_value.decode("utf-8", "replace").strip()
        if current.headers.setdefault(name, value) != value:
            current.conflicting = True
        header_name.clear()
        header_value.clear()

    def on_part_data(chunk: bytes, start: int, end: int) -> None:
        current.data.extend(chunk[start:end])

    def on_part_end() -> None:
        parts.append(current)
        out.check(len(parts))

    def on_end() -> None:
        nonlocal ended
        ended = True

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
        "on_end": on_end,
    }
    try:
        parser = MultipartParser(boundary_bytes, callbacks, max_header_count=_MAX_PART_HEADERS)  # type: ignore[arg-type]
        parser.logger = _SILENT
        parser.write(data)
        parser.finalize()
    except FormParserError as exc:
        raise BodySyntaxError(f"broken multipart body: {exc}") from exc
    if not ended:
        raise BodySyntaxError("multipart body ends before its closing boundary")
    return parts


_QUOTED_FILENAME = re.compile(r'(?:^|;)[ \t]*filename[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)


def _raw_filename(disposition: str) -> str | None:
    """The quoted file name as written, its backslashes kept; None when it has none."""
    if "\\" not in disposition:
        return None
    found = _QUOTED_FILENAME.search(disposition)
    return found.group(1) if found is not None else None


def _rfc5987(value: str) -> str:
    """``UTF-8''na%C3%AFve.txt`` -> ``naïve.txt`` (charset other than UTF-8 read as UTF-8)."""
    _, _, encoded = value.partition("''")
    return unquote(encoded or value, errors="replace")


def _transfer_decoded(part: _Part, content: bytes) -> bytes | None:
    coding = part.headers.get("content-transfer-encoding", "").strip().lower()
    try:
        if coding == "base64":
            return binascii.a2b_base64(content)
        if coding == "quoted-printable":
            return binascii.a2b_qp(content)
    except (binascii.Error, ValueError):
        return None
    return None


def _content_field(name: str, content: bytes, part: _Part, is_file: bool) -> Field | None:
    """The field for a part's content; None for an empty part or a binary upload."""
    media, params = parse_params(part.headers.get("content-type", ""))
    charset = params.get("charset", "").lower()
    if not is_file or part.conflicting:
        # (a part whose headers disagree is read as a form field: what a server that keeps the
        # other Content-Disposition or Content-Type makes of it)
        wide = wide_text(content, charset)
        return Field(Source.BODY, name, wide if wide is not None else content.decode("utf-8", "replace"))
    if not content:
        return None
    text = _as_text(content, charset)
    if text is None:
        if not _is_text_type(media):
            # a binary upload: only the text it opens with is inspected (see module docstring)
            prefix = text_prefix(content, len(content))
            return Field(Source.BODY, name, prefix) if len(prefix) >= MIN_PREFIX else None
        text = content.decode("utf-8", "replace")
    return Field(Source.BODY, name, text)


_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]{1,127}/[A-Za-z0-9!#$&^_.+\-*]{1,127}")
# what a media type's parameters are written with (RFC 2045 tokens, RFC 2046 boundary characters, quotes)
_PARAMETER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? ;\"\t!#&^*")


def _plain_media_type(value: str) -> bool:
    """True for "image/png", "text/plain; charset=utf-8": a type, a subtype and parameters."""
    head, _, parameters = value.partition(";")
    return _MEDIA_TYPE.fullmatch(head.strip()) is not None and _PARAMETER_CHARS.issuperset(parameters)


_QUOTED_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# what a Content-Disposition holds outside its quoted strings: tokens, "=", ";", blanks, RFC 5987's "'" and "%"
_DISPOSITION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+.^_`|~-*;= \t%'")


def _plain_disposition(value: str) -> bool:
    """True for 'form-data; name="a"; filename="b.png"': parameters and quoted strings only (a
    header longer than any browser writes is not: an unclosed quote makes the search quadratic)."""
    if len(value) > 4096:
        return False
    return _DISPOSITION_CHARS.issuperset(_QUOTED_STRING.sub("", value) if '"' in value else value)


def parse_multipart(data: bytes, params: dict[str, str], out: FieldList) -> None:
    """Append the fields of a multipart body. Raises `BodySyntaxError` when it does not parse."""
    boundary = params.get("boundary", "")
    if not boundary:
        raise BodySyntaxError("multipart body without a boundary parameter")
    if b"\r\n" not in data and b"\n" in data:
        # bare LF line endings, which PHP's and Go's multipart readers accept: read as they read it
        data = data.replace(b"\n", b"\r\n")
    parts = _split_parts(data, boundary, out)
    items = out.items
    for index, part in enumerate(parts):
        _, disposition = parse_params(part.headers.get("content-disposition", ""))
        name = disposition.get("name", str(index))
        content = bytes(part.data)
        filename = disposition.get("filename")
        filename_star = disposition.get("filename*")
        # an empty file name is a form value to Go's mime/multipart (a file to PHP and Starlette):
        # its content is read as text whatever its label (a browser sends none with it)
        is_file = bool(filename) or bool(filename_star)
        if filename:
            items.append(Field(Source.BODY, name + "#filename", filename))
            raw_name = _raw_filename(part.headers.get("content-disposition", ""))
            if raw_name is not None and raw_name != filename:
                # 'filename="..\\..\\windows\\win.ini"': backslashes a quoted string's rules
                # drop, which PHP, browsers and many servers keep (a Windows path's separators)
                items.append(Field(Source.BODY, name + "#filename", raw_name))
        if filename_star:
            items.append(Field(Source.BODY, name + "#filename", _rfc5987(filename_star)))
        raw_disposition = part.headers.get("content-disposition", "")
        if not _plain_disposition(raw_disposition):
            # 'filename=""><img src=x onerror=alert(1)>.png"': text outside the quoted strings that
            # no parameter holds, which a lenient parser keeps in the name and a log or an upload
            # listing shows: the header is inspected as written
            items.append(Field(Source.BODY, name + "#content-disposition", raw_disposition))
        part_type = part.headers.get("content-type", "")
        if part_type and not _plain_media_type(part_type):
            # a part's own Content-Type is read by upload checks and logged: what is not a media
            # type with parameters ("${jndi:...}", "' or '1'='1") is inspected like the part's name
            items.append(Field(Source.BODY, name + "#content-type", part_type))
        if not content and filename is not None:
            out.check()
            continue  # the empty file input a browser sends (filename="")
        decoded = _transfer_decoded(part, content)
        for blob in (content, decoded if decoded != content else None):
            if blob is not None:
                field = _content_field(name, blob, part, is_file)
                if field is not None:
                    items.append(field)
                    ebcdic = "" if is_file and not part.conflicting else ebcdic_codec(
                        parse_params(part.headers.get("content-type", ""))[1].get("charset", "").lower())
                    if ebcdic:
                        # Java's multipart readers decode a form field in its part's declared charset
                        items.append(Field(Source.BODY, name, blob.decode(ebcdic, "replace")))
        out.check()
