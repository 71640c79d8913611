"""Sensitive data in response bodies (emails, card numbers, JWTs, opaque tokens), for discovery.

Token scanning in linear time: the text is split on delimiters once, each token is classified."""

from __future__ import annotations

from apiward.learn.formats import is_email

MAX_SCAN = 65536
_DELIMS = str.maketrans({c: " " for c in "\"'<>()[]{},;=\t\r\n\\"})
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_B64URL = _ALNUM | frozenset("-_")


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_jwt(token: str) -> bool:
    parts = token.split(".")
    return len(parts) == 3 and token.startswith("eyJ") and all(p and all(c in _B64URL for c in p) for p in parts[:2])


def _is_secret_token(token: str) -> bool:
    if len(token) < 32 or len(token) > 512 or not all(c in _B64URL for c in token):
        return False
    digits = sum(c.isdigit() for c in token)
    upper = sum(c.isupper() for c in token)
    lower = sum(c.islower() for c in token)
    return digits >= 4 and (upper >= 4 or lower >= 4) and (upper + lower) >= 8


def sensitive_kinds(text: str) -> set[str]:
    """Which kinds of sensitive values ``text`` contains: email, card, jwt, token."""
    found: set[str] = set()
    tokens = text[:MAX_SCAN].translate(_DELIMS).split(" ")
    run = ""
    for token in tokens:
        if not token:
            continue
        token = token.strip(":")
        if "@" in token and is_email(token):
            found.add("email")
        elif token.startswith("eyJ") and _is_jwt(token):
            found.add("jwt")
        elif _is_secret_token(token):
            found.add("token")
        compact = token.replace("-", "")
        if compact.isdigit() and compact.isascii():
            run = run + compact if len(run) + len(compact) <= 19 else compact
            for candidate in (compact, run):
                if 13 <= len(candidate) <= 19 and luhn(candidate):
                    found.add("card")
        else:
            run = ""
    return found
