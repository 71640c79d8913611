"""Masking of secrets in text that is about to be stored or exported (evidence, paths).

A security event must never become a second copy of the credentials it saw. ``redact`` masks,
in one pass of one RE2 automaton (linear time whatever the input, so a hostile path cannot make
redaction slow): JWTs; ``Bearer``/``Basic`` credentials; the value of ``password=``, ``token:``,
``api_key``-like keys (query, form, JSON or header syntax); well-known API key formats (AWS,
GitHub, Slack, Stripe, Google, OpenAI-style ``sk-``); card numbers that pass the Luhn check
(last four digits kept, as PCI DSS allows); long hex strings and long random-looking base64.

Masks are ``[redacted:<kind>]``; they match none of the patterns, so redaction is idempotent.
"""

from __future__ import annotations

from typing import Any

import re2

_KEYS = (
    r"[A-Za-z0-9_.-]*(?:passw(?:or)?d|pwd|passphrase|secret|token|api[_-]?key|session[_-]?id"
    r"|private[_-]?key|credentials?|access[_-]?key)"
)
_PATTERN = re2.compile(
    "|".join(
        [
            r"(?P<jwt>eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)",
            r"(?P<scheme>\b(?i:bearer|basic|digest|negotiate)\s+)(?P<credential>[A-Za-z0-9._~+/=-]{6,})",
            rf"(?P<key>\b(?i:{_KEYS}))(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\s&\"',;}}<>]+)",
            r"(?P<apikey>\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}"
            r"|xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}"
            r"|sk-[A-Za-z0-9_-]{20,}))",
            r"(?P<card>\b\d(?:[ -]?\d){12,18}\b)",
            r"(?P<hex>\b[0-9a-fA-F]{32,}\b)",
            r"(?P<b64>[A-Za-z0-9+/_-]{40,}={0,2})",
        ]
    )
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _random_looking(token: str) -> bool:
    """Mixed case and digits, few slashes: a key or token, not a word or a path."""
    upper = lower = digit = 0
    for ch in token:
        if ch.isdigit():
            digit += 1
        elif ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    return digit >= 2 and upper >= 2 and lower >= 2 and token.count("/") * 20 <= len(token)


def _mask(match: Any) -> str:
    """Replacement for one match of `_PATTERN` (``match`` is an RE2 match object)."""
    if match.group("jwt") is not None:
        return "[redacted:jwt]"
    if match.group("credential") is not None:
        return f"{match.group('scheme')}[redacted:credential]"
    if match.group("value") is not None:
        return f"{match.group('key')}{match.group('sep')}[redacted]"
    if match.group("apikey") is not None:
        return "[redacted:api-key]"
    card: str | None = match.group("card")
    if card is not None:
        digits = card.replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return f"[redacted:card-{digits[-4:]}]"
        return card
    hexa: str | None = match.group("hex")
    if hexa is not None:
        numerals = sum(ch.isdigit() for ch in hexa)
        return "[redacted:hex]" if 2 <= numerals <= len(hexa) - 2 else hexa  # a digest, not "aaaa..."
    token: str = match.group("b64")
    return "[redacted:token]" if _random_looking(token) else token


def redact(text: str) -> str:
    """``text`` with every secret masked (see the module docstring for what counts).

    Never raises: lone surrogates (which RE2 cannot encode) become U+FFFD first."""
    if len(text) < 6:
        return text
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return str(_PATTERN.sub(_mask, text))
