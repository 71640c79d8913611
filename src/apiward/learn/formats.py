"""String formats (``format`` keyword), checked in linear time without backtracking regexes."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import urlsplit

_HEX = frozenset("0123456789abcdefABCDEF")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")


def is_uuid(value: str) -> bool:
    if len(value) != 36:
        return False
    for i, ch in enumerate(value):
        if i in (8, 13, 18, 23):
            if ch != "-":
                return False
        elif ch not in _HEX:
            return False
    return True


def is_hostname(value: str) -> bool:
    if not value or len(value) > 253:
        return False
    for label in value.rstrip(".").split("."):
        if not label or len(label) > 63 or label[0] == "-" or label[-1] == "-":
            return False
        if not all(ch in _HOST_CHARS for ch in label):
            return False
    return True


def is_email(value: str) -> bool:
    if len(value) > 320 or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    if not local or len(local) > 64 or local[0] == "." or local[-1] == "." or ".." in local:
        return False
    if not all(ch in _LOCAL_CHARS for ch in local):
        return False
    return "." in domain and is_hostname(domain)


def is_ipv4(value: str) -> bool:
    if not 7 <= len(value) <= 15:
        return False
    try:
        return isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address)
    except ValueError:
        return False


def is_ipv6(value: str) -> bool:
    if len(value) > 45 or ":" not in value:
        return False
    try:
        return isinstance(ipaddress.ip_address(value), ipaddress.IPv6Address)
    except ValueError:
        return False


def is_date(value: str) -> bool:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_time(value: str) -> bool:
    """RFC 3339 date-time: full date, 'T' (or 't'/' '), time, and a zone ('Z' or ±hh:mm)."""
    if not 20 <= len(value) <= 40 or value[10] not in "Tt " or not is_date(value[:10]):
        return False
    if value[-1] not in "Zz" and (len(value) < 25 or value[-6] not in "+-" or value[-3] != ":"):
        return False
    try:
        datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    except ValueError:
        return False
    return True


def is_uri(value: str) -> bool:
    if len(value) > 8192 or any(ch in value for ch in ' <>"\\^`{|}') or any(ord(ch) < 33 for ch in value):
        return False
    scheme, sep, _ = value.partition(":")
    if not sep or not scheme or not scheme[0].isalpha() or not all(ch in _SCHEME_CHARS for ch in scheme):
        return False
    try:
        urlsplit(value)
    except ValueError:
        return False
    return True


def _int_range(low: int, high: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

    return check


STRING_FORMATS: dict[str, Callable[[str], bool]] = {
    "uuid": is_uuid,
    "email": is_email,
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
    "date": is_date,
    "date-time": is_date_time,
    "uri": is_uri,
    "hostname": is_hostname,
}

NUMBER_FORMATS: dict[str, Callable[[object], bool]] = {
    "int32": _int_range(-(2**31), 2**31 - 1),
    "int64": _int_range(-(2**63), 2**63 - 1),
}


def check_format(name: str, value: object) -> bool:
    """True when ``value`` satisfies format ``name`` (unknown formats and other types pass)."""
    if isinstance(value, str):
        func = STRING_FORMATS.get(name)
        return func(value) if func is not None else True
    num = NUMBER_FORMATS.get(name)
    return num(value) if num is not None else True
