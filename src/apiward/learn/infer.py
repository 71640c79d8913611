"""What a value looks like: its kind (int, uuid, email, ...) and its character classes.

Linear-time, no regex: these run on every learned and every scored value.
"""

from __future__ import annotations

from apiward.learn.formats import is_date, is_date_time, is_email, is_ipv4, is_uri, is_uuid

_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_FLOAT = frozenset("0123456789+-.eE")


def _class_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(128):
        ch = chr(code)
        if "a" <= ch <= "z":
            table[code] = "a"
        elif "A" <= ch <= "Z":
            table[code] = "A"
        elif "0" <= ch <= "9":
            table[code] = "0"
        elif code < 32 or code == 127:
            table[code] = "\x00"
        else:
            table[code] = ch  # space and each punctuation character are classes of their own
    return table


CLASS_TABLE = _class_table()
CONTROL = "\x00"
UNICODE = "u"


def char_classes(value: str) -> frozenset[str]:
    """Classes present in ``value``: 'a' lower, 'A' upper, '0' digit, each ASCII punctuation or
    space as itself, '\\x00' for control characters, 'u' for anything non-ASCII."""
    found = set(value.translate(CLASS_TABLE))
    if any(len(c) != 1 or ord(c) > 127 for c in found):
        found = {c if ord(c) <= 127 else UNICODE for c in found}
    return frozenset(found)


def is_int(value: str) -> bool:
    body = value[1:] if value[:1] == "-" else value
    return 0 < len(body) <= 19 and all(ch in _DIGITS for ch in body)


def is_float(value: str) -> bool:
    if not 0 < len(value) <= 40 or not all(ch in _FLOAT for ch in value) or not any(ch in _DIGITS for ch in value):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def is_hex_hash(value: str) -> bool:
    return len(value) in (16, 24, 32, 40, 48, 56, 64, 96, 128) and all(ch in _HEX for ch in value) and any(
        ch in _DIGITS for ch in value
    )


def kind_of(value: str) -> str:
    """The most specific kind: empty, int, float, bool, uuid, hash, date, date-time, email, ipv4,
    uri, or string."""
    if value == "":
        return "empty"
    first = value[0]
    if first in "-0123456789":
        if is_int(value):
            return "int"
        if len(value) == 36 and is_uuid(value):
            return "uuid"
        if is_hex_hash(value):
            return "hash"
        if is_date(value):
            return "date"
        if is_date_time(value):
            return "date-time"
        if is_ipv4(value):
            return "ipv4"
        if is_float(value):
            return "float"
    if value in ("true", "false"):
        return "bool"
    if len(value) == 36 and is_uuid(value):
        return "uuid"
    if is_hex_hash(value):
        return "hash"
    if "@" in value and is_email(value):
        return "email"
    if "://" in value and is_uri(value):
        return "uri"
    return "string"


# JSON Schema type / format of each kind, for discovered specs.
KIND_SCHEMA: dict[str, dict[str, str]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "uuid": {"type": "string", "format": "uuid"},
    "hash": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "email": {"type": "string", "format": "email"},
    "ipv4": {"type": "string", "format": "ipv4"},
    "uri": {"type": "string", "format": "uri"},
    "string": {"type": "string"},
    "empty": {"type": "string"},
}
