"""Charsets where reading a body's bytes as UTF-8 hides its ASCII payload: wide text (UTF-16/32)
and EBCDIC XML, both detected from a document's first bytes as XML parsers do (XML 1.0
appendix F) when no charset is declared; and a declared EBCDIC charset (`ebcdic_codec`), which
IIS / ASP.NET and Java's multipart readers decode a form or a part with."""

from __future__ import annotations

import codecs
import re

WIDE_CHARSETS = ("utf-16", "utf-32")
# "<?xm" in EBCDIC; Java's and .NET's XML parsers then read the declared EBCDIC code page
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"
_EBCDIC_CODECS = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})
_DECLARED = re.compile(r"encoding[\s]{0,4}=[\s]{0,4}[\"']([a-z0-9._\-]{1,30})")
_CODE_PAGE = re.compile(r"(?:ibm|cp|ebcdic-cp-[a-z]{2}|ebcdic-[a-z]{2,8})?[\-_]?0*([0-9]{2,4})")


def sniff_wide_charset(data: bytes) -> str:
    """The UTF-16/32 codec a body's first bytes announce, or "": a byte order mark, or the NUL
    pattern of ASCII text in wide characters (``<\\0?\\0``, ``{\\0"\\0``). XML parsers (XML 1.0
    appendix F) and JSON readers (RFC 4627) detect the encoding this way when no charset is
    declared; read as UTF-8, the same text would hide behind NULs ("<!DOCTYPE" in UTF-16)."""
    head = data[:4]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"  # (the codec reads the mark and drops it)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) < 4 or head.count(0) not in (2, 3):
        return ""
    a, b, c, d = head
    text = range(0x09, 0x80)  # what a document opens with: "<", "{", "[", a quote, a blank
    if a == b == c == 0 and d in text:
        return "utf-32-be"
    if b == c == d == 0 and a in text:
        return "utf-32-le"
    if a == c == 0 and b in text and d in text:
        return "utf-16-be"
    if b == d == 0 and a in text and c in text:
        return "utf-16-le"
    return ""


def wide_text(data: bytes, charset: str = "") -> str | None:
    """``data`` decoded as the wide charset declared (``charset``) or announced by its first
    bytes; None when neither is wide, or the bytes are not text in it (a decoding error, NUL)."""
    wide = charset if charset.startswith(WIDE_CHARSETS) else sniff_wide_charset(data)
    if not wide:
        return None
    try:
        text = data.decode(wide)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if "\x00" in text else text


def sniff_ebcdic(data: bytes) -> str:
    """The Python codec of an XML document written in EBCDIC (it opens with ``<?xml`` in EBCDIC),
    by its declared code page (``encoding="IBM500"``), IBM037 when that names none we know; or ""."""
    if not data.startswith(_EBCDIC_XML):
        return ""
    # the prolog's letters, digits and quotes are the same in every EBCDIC page
    declared = _DECLARED.search(data[:200].decode("cp037").lower())
    if declared is not None:
        page = _CODE_PAGE.fullmatch(declared.group(1))
        if page is not None and f"cp{int(page.group(1)):03d}" in _EBCDIC_CODECS:
            return f"cp{int(page.group(1)):03d}"
    return "cp037"


def sniff_charset(data: bytes) -> str:
    """The codec a document's first bytes announce (UTF-16/32 or EBCDIC XML), or ""."""
    return sniff_wide_charset(data) or sniff_ebcdic(data)


def ebcdic_codec(charset: str) -> str:
    """The Python codec of a declared EBCDIC charset (``ibm037``, ``IBM01140``, ``cp500``,
    ``ebcdic-cp-us``), or ""."""
    if not charset or charset.startswith(("utf", "iso", "us-ascii", "windows")):
        return ""
    page = _CODE_PAGE.fullmatch(charset)
    if page is not None:
        name = f"cp{int(page.group(1)):03d}"
    else:
        try:
            name = codecs.lookup(charset).name
        except (LookupError, ValueError):
            return ""
    return name if name in _EBCDIC_CODECS else ""
