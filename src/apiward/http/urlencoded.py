"""``a=1&b=2`` parsing for query strings and form bodies: duplicates and blank values kept.

Hand-rolled rather than `urllib.parse.parse_qsl` so the field cap is checked before any value
is decoded (parse_qsl decodes everything first) and values without ``%``/``+`` skip decoding.
Decoding itself is `urllib.parse.unquote_plus` (UTF-8, invalid sequences replaced).
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from apiward.core import Field, Source
from apiward.http.fieldlist import FieldList, is_plain_name


def _decode(text: str) -> str:
    if "%" in text or "+" in text:
        return unquote_plus(text, errors="replace")
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
