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

from apiward.core import Source, new_field
from apiward.http.fieldlist import FieldList, is_plain_name
from apiward.http.normalize import OVERLONG, overlong_char


OVERLONG_ERRORS = "apiward-overlong"


def _overlong_or_replace(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an overlong 2-, 3- or 4-byte form decodes to its character, any other
    invalid sequence to U+FFFD (as ``errors="replace"``)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    overlong = OVERLONG.match(error.object, error.start)
    if overlong is not None:  # "%c0%af", "%e0%80%ae", "%f0%80%80%ae"
        return overlong_char(overlong.group(0)), overlong.end()
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
        items.append(new_field((source, name, _decode(value))))
        if not is_plain_name(name) and name:
            items.append(new_field((source, name + "#key", name)))
    out.check()
