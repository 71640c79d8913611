"""``a=1&b=2`` parsing for query strings and form bodies: duplicates and blank values kept.

Hand-rolled rather than `urllib.parse.parse_qsl` so the field cap is checked before any value
is decoded (parse_qsl decodes everything first) and values without ``%``/``+`` skip decoding.
Decoding itself is `urllib.parse.unquote_plus` (UTF-8, invalid sequences replaced), except
that overlong UTF-8 forms of a character (``%c0%af`` for ``/``, ``%e0%80%ae`` for ``.``) decode
to that character: some servers and decoders accept them, and attackers use them to smuggle
``../`` past filters, so the detectors must see the character, not a replacement mark.
"""

from __future__ import annotations

import codecs
from urllib.parse import unquote, unquote_plus

from apiward.core import Field, Source
from apiward.http.fieldlist import FieldList, is_plain_name


OVERLONG_ERRORS = "apiward-overlong"


def _overlong_or_replace(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an overlong 2-, 3- or 4-byte form decodes to its character, any other
    invalid sequence to U+FFFD (as ``errors="replace"``)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, i = error.object, error.start
    lead = data[i]
    if lead in (0xC0, 0xC1) and i + 1 < len(data) and 0x80 <= data[i + 1] <= 0xBF:
        return chr(((lead & 0x1F) << 6) | (data[i + 1] & 0x3F)), i + 2
    if lead == 0xE0 and i + 2 < len(data) and 0x80 <= data[i + 1] <= 0x9F and 0x80 <= data[i + 2] <= 0xBF:
        return chr(((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F)), i + 3
    if (lead == 0xF0 and i + 3 < len(data) and 0x80 <= data[i + 1] <= 0x8F
            and 0x80 <= data[i + 2] <= 0xBF and 0x80 <= data[i + 3] <= 0xBF):
        # "%f0%80%80%ae": a 4-byte form of a character below U+10000 (a surrogate half is none)
        code = ((data[i + 1] & 0x3F) << 12) | ((data[i + 2] & 0x3F) << 6) | (data[i + 3] & 0x3F)
        return ("\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)), i + 4
    return "\ufffd", error.end


codecs.register_error(OVERLONG_ERRORS, _overlong_or_replace)


def percent_decode(text: str) -> str:
    """``%XX`` decoding of a path (``+`` stays ``+``), overlong forms read as their character."""
    return unquote(text, errors=OVERLONG_ERRORS)


def _decode(text: str) -> str:
    if "%" in text or "+" in text:
        return unquote_plus(text, errors=OVERLONG_ERRORS)
    return text


def parse_urlencoded(text: str, source: Source, out: FieldList) -> None:
    """Append one field per ``name=value`` pair of ``text`` (split on ``&`` only, as Python,
    Starlette and browsers do). A pair without ``=`` is a name with an empty value. A name that
    is not a plain identifier is also reported as ``<name>#key`` (injection into names)."""
    if not text:
        return
    pairs = text.split("&")
    out.check(len(pairs))
    items = out.items
    for pair in pairs:
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name = _decode(name)
        items.append(Field(source, name, _decode(value)))
        if not is_plain_name(name) and name:
            items.append(Field(source, name + "#key", name))
    out.check()
