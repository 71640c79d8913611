"""CRLF / header injection: a line break followed by an HTTP header line or a second message.

Only a CR or LF (decoded from ``%0d%0a``, ``\\r\\n``, ``%u000a``...) directly followed by
``Name: value`` with a header name an attacker would set (``set-cookie``, ``location``,
``content-type``, ``x-...``), or by an HTTP status/request line, is evidence. Multi-line text
(addresses, comments) has line breaks followed by prose.
"""

from __future__ import annotations

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear

_HEADER = linear(
    r"[\r\n][\s]{0,4}(?:set-cookie|location|content-type|content-length|content-disposition|"
    r"transfer-encoding|x-[a-z0-9\-]{1,40}|refresh|access-control-allow-[a-z\-]{1,20}|"
    r"cache-control|host|cookie|link|content-security-policy|www-authenticate|authorization|"
    r"connection|upgrade|server|vary|etag|expires|last-modified|pragma|via|referer|user-agent|"
    r"strict-transport-security|x-xss-protection)[\s]{0,4}:"
    r"|[\r\n][\s]{0,4}http/[0-9.]{1,4}[\s]{1,4}[0-9]{3}|[\r\n][\s]{0,4}(?:get|post|put|delete|head|options)[\s]{1,4}/[^\s]{0,200}[\s]{1,4}http/"
    r"|[\r\n][\s]{0,4}(?:helo|ehlo|mail[\s]{1,4}from|rcpt[\s]{1,4}to|data|help|quit|rset|vrfy|expn)[\s]{0,4}(?::|[\r\n]|$|[\s]{1,4}[a-z<@])"
)
# IMAP / POP3 commands after a line break (tagged: "a001 select inbox")
_MAIL = linear(
    r"[\r\n][\s]{0,4}(?:[a-z][a-z0-9]{0,7}[\s]{1,4}(?:uid[\s]{1,4})?(?:select|examine|create|delete|rename|login|logout|fetch|store|copy|search|append|status|list|lsub|capability|noop|authenticate|starttls|expunge|close)\b"
    r"|(?:user|pass|retr|dele|stat|list|top|uidl|quit)[\s]{1,4}[a-z0-9]{1,40}[\s]{0,4}$|(?:helo|ehlo|help|quit|data|rset|noop)[\s]{0,4}(?:[\r\n]|$)|(?:mail[\s]{1,4}from|rcpt[\s]{1,4}to)[\s]{0,4}:)"
)


def scan(text: str) -> list[Hit]:
    """CRLF-injection evidence in one decoded (lower-case, not whitespace-folded) view."""
    if "\n" not in text and "\r" not in text:
        return []
    m = _HEADER.search(text)
    if m is not None:
        score = 0.95 if "\r" in m.group(0) or ":" in m.group(0) else 0.8
        return [Hit(Category.CRLF, score, "crlf.header", text, m.start(), m.end())]
    mail = _MAIL.search(text)
    if mail is not None:
        return [Hit(Category.CRLF, 0.85, "crlf.mail-command", text, mail.start(), mail.end())]
    return []


def features(text: str) -> dict[str, float]:
    return {
        "crlf.breaks": float(text.count("\n") + text.count("\r")),
        "crlf.headers": float(len(_HEADER.findall(text))),
    }
