"""Cookie header parsing: every ``name=value`` pair becomes a COOKIE field.

Values are kept as sent (no unquoting, no percent-decoding): the normaliser produces decoded
views for detection, and applications differ in how they decode cookies, so the raw value is the
one truth. Parsing is lenient like browsers and Starlette: pieces are split on ``;``, a piece
without ``=`` is a value with an empty name.
"""

from __future__ import annotations

from apiward.core import Source, new_field
from apiward.http.fieldlist import FieldList


def parse_cookies(header_values: list[str], out: FieldList) -> None:
    """Append the cookies of every ``Cookie`` header value (several headers are all read)."""
    items = out.items
    cookie = Source.COOKIE  # (a class attribute look-up of an enum member costs more than a local's)
    for header in header_values:
        pieces = header.split(";")
        out.check(len(pieces))
        for piece in pieces:
            name, sep, value = piece.partition("=")
            if not sep:
                name, value = "", name
            name = name.strip(" \t")
            value = value.strip(" \t")
            if name or value:
                items.append(new_field((cookie, name, value)))
