"""Evidence snippets: short, single-line, redacted text around a match.

A snippet is at most ``limit`` characters, centred on the match, with control characters
shown as escapes and long secret-looking runs (tokens, keys, card numbers, e-mail local parts)
masked, so a finding can be shown in a support ticket or a log without leaking what it
surrounds.
"""

from __future__ import annotations

import re

_SECRET = re.compile(r"[A-Za-z0-9+/_\-]{24,}={0,2}|\b(?:\d[ \-]?){13,19}\b|[A-Za-z0-9._%+\-]{1,64}(?=@[A-Za-z0-9.\-]{1,255}\.[A-Za-z]{2,24})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def redact(text: str) -> str:
    """Mask long tokens (keep 4 leading characters), card-like digit runs and e-mail names."""
    return _SECRET.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    token = match.group(0)
    return token[:4] + "***" if len(token) > 8 else "***"


def snippet(text: str, start: int, end: int, limit: int = 80) -> str:
    """At most ``limit`` characters of ``text`` around ``[start, end)``, redacted, one line."""
    limit = max(8, limit)
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    if end - start >= limit:
        window = text[start : start + limit]
    else:
        spare = limit - (end - start)
        left = max(0, start - spare // 3)
        right = min(len(text), end + (spare - (start - left)))
        left = max(0, min(left, right - limit))
        window = text[left:right]
    window = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", window)
    out = redact(window)
    return out[:limit]
