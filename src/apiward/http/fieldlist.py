"""The growing list of fields of one request, with the cap that bounds every later stage.

Every parser appends to one `FieldList`; the cap (``limits.max_fields``) is checked before a
parser commits to a large container, so an attacker cannot make the parser (or the detectors
after it) do work proportional to a million tiny fields before being refused.
"""

from __future__ import annotations

from apiward.core import Field
from apiward.errors import RequestRejected

# Names (JSON keys, query/form parameter names) made only of these characters cannot carry an
# injection of any category we detect; every other name is reported as a ``<path>#key`` field.
# Kept deliberately narrow: ``$`` (NoSQL operators), brackets, quotes, spaces, ``<>``, ``/``,
# ``%`` and friends all make a name reportable.
PLAIN_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@:")
PLAIN_NAME_MAX = 64
# Identifier-like, but the vehicle of JavaScript prototype pollution: always reported.
POLLUTING_NAMES = frozenset({"__proto__", "constructor", "prototype"})


def is_plain_name(name: str) -> bool:
    """True when ``name`` is a short identifier-like key that need not be inspected itself.

    Reporting every key would double the fields of ordinary JSON (and the detectors' work)
    for names that cannot carry an injection; keys with any other character, long keys and
    the prototype-pollution names are reported as ``<path>#key`` fields."""
    # (an ASCII alphanumeric name is plain without building the set of its characters)
    return (0 < len(name) <= PLAIN_NAME_MAX
            and ((name.isalnum() and name.isascii()) or PLAIN_NAME_CHARS.issuperset(name))
            and name not in POLLUTING_NAMES)


# Field *names* are built by joining keys / element names along a path. A long key repeated in
# the names of all its descendants would turn one 500 kB key and 2,000 children into a
# gigabyte of names, so each segment is cut here (the full key is still reported, as the
# *value* of its ``#key`` field, and is inspected there).
SEGMENT_MAX = 64


def name_segment(name: str) -> str:
    """``name`` as one segment of a field name: cut to a bounded length."""
    return name if len(name) <= SEGMENT_MAX else name[:SEGMENT_MAX] + "…"


def too_many_fields(limit: int) -> RequestRejected:
    return RequestRejected(400, "Too many fields", f"the request has more than {limit} input fields")


def too_deep(limit: int) -> RequestRejected:
    return RequestRejected(400, "Body nested too deeply", f"nesting deeper than {limit} levels")


def malformed(detail: str) -> RequestRejected:
    return RequestRejected(400, "Malformed request body", detail)


class FieldList:
    """Fields collected so far; ``check(extra)`` refuses the request if ``extra`` more would
    exceed the cap. Parsers append to ``items`` directly (hot path) and call ``check`` before
    and after each container."""

    __slots__ = ("items", "limit")

    def __init__(self, limit: int) -> None:
        self.items: list[Field] = []
        self.limit = limit

    def check(self, extra: int = 0) -> None:
        if len(self.items) + extra > self.limit:
            raise too_many_fields(self.limit)


class BodySyntaxError(Exception):
    """A body does not parse as its declared type. Internal to `apiward.http`: the body
    dispatcher turns it into a raw-text field or a 400, as ``limits.malformed_body`` says."""
