"""Wide (UTF-16/32) text: the only charsets where reading bytes as UTF-8 hides ASCII payloads."""

from __future__ import annotations

WIDE_CHARSETS = ("utf-16", "utf-32")


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
