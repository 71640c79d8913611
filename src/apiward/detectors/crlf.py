"""CRLF / header injection: a line break followed by an HTTP header line or a second message.

Only a CR or LF (decoded from ``%0d%0a``, ``\\r\\n``, ``%u000a``...) directly followed by
``Name: value`` with a header name an attacker would set (``set-cookie``, ``location``,
``content-type``, ``x-...``), or by an HTTP status/request line, is evidence. Multi-line text
(addresses, comments) has line breaks followed by prose.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear

_HEADER = linear(
    r"[\r\n][\s]{0,4}(?:set-cookie|location|content-type|content-length|content-disposition|"
    r"transfer-encoding|x-[a-z0-9\-]{1,40}|refresh|access-control-allow-[a-z\-]{1,20}|"
    r"cache-control|host|cookie|link|content-security-policy|www-authenticate|authorization|"
    r"connection|upgrade|server|vary|etag|expires|last-modified|pragma|via|referer|user-agent|"
    r"strict-transport-security|x-xss-protection|"
    # the other response headers a split response sets (language, encoding, framing, policies)
    r"content-language|content-encoding|content-location|content-range|accept-ranges|retry-after|"
    r"keep-alive|proxy-authenticate|p3p|referrer-policy|permissions-policy|feature-policy|"
    r"cross-origin-[a-z\-]{1,20}|timing-allow-origin|alt-svc|clear-site-data|report-to|expect-ct|"
    r"public-key-pins|set-cookie2)[\s]{0,4}:"
    r"|[\r\n][\s]{0,4}http/[0-9.]{1,4}[\s]{1,4}[0-9]{3}|[\r\n][\s]{0,4}(?:get|post|put|delete|head|options)[\s]{1,4}/[^\s]{0,200}[\s]{1,4}http/"
    r"|[\r\n][\s]{0,4}(?:helo|ehlo|mail[\s]{1,4}from|rcpt[\s]{1,4}to|data|help|quit|rset|vrfy|expn)[\s]{0,4}(?::|[\r\n]|$|[\s]{1,4}[a-z<@])"
)
# a value that opens with a line break and then a header of any hyphenated name ("%0aHeader-Test: x"):
# text typed into a form does not start with a break; an injected header line does
# (or after one short token, the value the application expected: "en%0aHeader-Test: x")
_LEADING_HEADER = re.compile(r"[^\s]{0,40}[\s]{0,4}[\r\n][\s]{0,4}[a-z][a-z0-9]{1,30}-[a-z0-9\-]{1,40}[\s]{0,4}:")
# The whole value: at most one short token (the value the application expected, or punctuation),
# a line break, and one "name:value" pair of any single-word name with no blank in it
# ("/%0aheader:header", "en%0d%0afoo:bar"): the shape of a header line injected to test for the
# hole. Typed text puts a blank after a label's colon ("Note: bring snacks") and words before it,
# or ends the first line with a label ("TODO:\nfix:bug").
_BARE_HEADER = re.compile(
    r"[^\s]{0,40}(?<!:)(?:[\r\n]{1,4}[\t ]{0,4}(?!https?:|ftps?:|mailto:|tel:|urn:|data:)[a-z][a-z0-9_]{1,30}:[^\s:]{1,60}){1,4}[\r\n]{0,4}"
)
# a value of one token, then an empty line and a document ("en\r\n\r\n<html>"): the header block
# ended and a body of the attacker's written into the response
# (or a JSON document: a forged API answer, '{"admin":true}')
_SPLIT_BODY = re.compile(r"[^\s]{0,40}\r\n\r\n[\s]{0,4}(?:<(?:html|!doctype|head|body|script|svg|iframe|meta|title)\b|[{\[][\s]{0,4}\")")
# A value of one token (an address, a name, a subject) then a line break and a mail header: what
# a contact or sign-up form passes to mail() as a header, so the second line adds recipients or
# rewrites the message ("victim@example.com%0aBcc:x@evil.example"). Mail text typed into a
# message box starts with a sentence, not with one word and a break.
_MAIL_HEADER = re.compile(
    r"[^\s]{0,64}[\s]{0,2}[\r\n][\s]{0,4}(?:bcc|cc|to|from|reply-to|sender|return-path|subject)[\s]{0,4}:"
)
# One token then a line break and a line in a log's own shape: a level in brackets, or an access
# log's "address - -" or an ISO time stamp; a user name or a search term that forges log lines
_LEVEL = r"(?:info|warn|warning|error|debug|notice|crit|critical|fatal|trace|alert|emerg)"
_LOG_LINE = re.compile(
    r"[^\s]{1,64}[\s]{0,2}[\r\n]{1,2}[\s]{0,2}(?:\[" + _LEVEL + r"\]"
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}[\s]{1,2}-[\s]{1,2}[^\s]{1,40}[\s]{1,2}\["
    r"|\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[ t][0-9]{2}:[0-9]{2}:[0-9]{2}[0-9.,:+\-z\]]{0,14}[\s]{1,2}\[?" + _LEVEL + r"\b)"
)
# IMAP / POP3 / SMTP commands after a line break. An IMAP command is tagged, and a tag holds a
# digit ("a001 select inbox", "v100 capability"); a word before the command's name is a sentence
# ("Order status shows pending", "then close the ticket", "my list: eggs"), unless the line is the
# command alone or names the inbox. POP3's commands take their own argument shapes (a message
# number, "top 1 10", a user name) on the value's last line; SMTP's envelope an address in "<>".
_MAIL = linear(
    r"[\r\n][\s]{0,4}(?:[a-z]{0,4}[0-9]{1,6}[\s]{1,4}(?:uid[\s]{1,4})?(?:select|examine|create|delete|rename|login|logout|fetch|store|copy|search|append|status|list|lsub|capability|noop|authenticate|starttls|expunge|close)\b"
    r"|[a-z]{1,4}[\s]{1,4}(?:(?:capability|noop|logout|expunge|starttls)[\s]{0,4}(?:[\r\n]|$)|(?:select|examine|status)[\s]{1,4}(?:inbox\b|\"))"
    r"|(?:(?:retr|dele|list|uidl)[\s]{1,4}[0-9]{1,6}|top[\s]{1,4}[0-9]{1,6}[\s]{1,4}[0-9]{1,6}|(?:user|pass)[\s]{1,4}[a-z0-9._@\-]{1,40})[\s]{0,4}$"
    r"|(?:helo|ehlo|quit|data|rset|noop)[\s]{0,4}(?:[\r\n]|$)|(?:mail[\s]{1,4}from|rcpt[\s]{1,4}to)[\s]{0,4}:[\s]{0,4}<)"
)


# Line breaks in other spellings that reach a header all the same: a JSON / C escape a server
# unescapes (a literal backslash-r, backslash-n), and the characters U+560A and U+560D, whose low
# bytes are LF and CR, which a server that truncates a header to Latin-1 writes as a line break.
# Other characters with those low bytes are left alone: they include some of the commonest CJK
# characters (上 U+4E0A, 不 U+4E0D) and Thai letters, which text in those scripts is full of.
_ESCAPED_BREAK = re.compile(r"\\[rn]")
_WIDE_BREAK = re.compile(
    # (U+2028 / U+2029, the line and paragraph separators, end a line for JavaScript and for
    # servers that split on Unicode line boundaries; so does U+0085, NEL, for Python's splitlines and
    # Java's regex line terminators)
    "[\u560a\u560d\u2028\u2029\x85]"
    # Latin extended letters only as a CR-LF pair ("čĊ", "č" is Czech): no word spells one
    # (a lower-case view reads "Ċ" U+010A as "ċ" U+010B); a lone "Ċ" (Maltese) only right before
    # a response header's name, as no Maltese word is spelled
    + "|[\u010d\u020d][\u010a\u010b\u020a\u020b]"
    + "|[\u010a\u010b](?=(?:set-cookie|location|content-type|content-length|refresh|x-[a-z\\-]{1,30})[\\s]{0,4}:)"
)


_NESTED_ESCAPE = re.compile(r"%[\r\n]0([ad])")


def _line_breaks(text: str) -> str | None:
    """``text`` with the other spellings of a line break made CR / LF, or None without one."""
    out = text
    if "\\" in out:
        out = _ESCAPED_BREAK.sub(lambda m: "\r" if m.group(0)[1] == "r" else "\n", out)
    if not out.isascii() and _WIDE_BREAK.search(out) is not None:
        out = _WIDE_BREAK.sub(_as_break, out)
    return out if out != text else None


def _as_break(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 2:
        return "\r\n"
    if found in "\u2028\u2029\x85":
        return "\n"
    return "\n" if ord(found) & 0xFF == 0x0A else "\r"


def scan(text: str) -> list[Hit]:
    """CRLF-injection evidence in one decoded (lower-case, not whitespace-folded) view."""
    if "%\n0" in text or "%\r0" in text:
        # "%%0d0a": a filter that deletes "%0d" (or a second decoding) leaves "%0a", the break;
        # the decoded view holds the inner break with the outer escape's remnants around it
        text = _NESTED_ESCAPE.sub(lambda m: "\r" if m.group(1) == "d" else "\n", text)
    if "\n" not in text and "\r" not in text:
        other = _line_breaks(text) if "\\" in text or not text.isascii() else None
        if other is None:
            return []
        span = _injected_header(other)
        if span is None:
            return _header_lines(other)  # (escaped breaks before a mail header: "x\\r\\nbcc: ...")
        return [Hit(Category.CRLF, 0.9, "crlf.encoded-header", text, span[0], span[1])]
    span = _injected_header(text)
    if span is not None:
        found = text[span[0] : span[1]]
        score = 0.95 if "\r" in found or ":" in found else 0.8
        return [Hit(Category.CRLF, score, "crlf.header", text, span[0], span[1])]
    mail = _MAIL.search(text)
    if mail is not None:
        return [Hit(Category.CRLF, 0.85, "crlf.mail-command", text, mail.start(), mail.end())]
    return _header_lines(text)


def _injected_header(text: str) -> tuple[int, int] | None:
    """Where ``text`` holds a line break then a header line, a request / status line or a split
    body, or None."""
    m = _HEADER.search(text) or _LEADING_HEADER.match(text) or _SPLIT_BODY.match(text)
    if m is not None:
        return m.start(), m.end()
    value = text.strip(" ")
    m = _BARE_HEADER.fullmatch(value)
    if m is None:
        return None
    lead = len(text) - len(text.lstrip(" "))
    return lead + m.start(), lead + m.end()


# the opening of a code or preformatted block (Jira's "{noformat}" / "{code}", Markdown's fence, a
# forum's "[code]"): the log lines after it are pasted, not forged
_BLOCK_MARKER = re.compile(r"(?:\{noformat\}|\{code(?::[a-z0-9=|]{1,30})?\}|```[a-z0-9+#\-]{0,20}|<pre>|<code>|\[code\])[\s]{0,2}[\r\n]")


def _header_lines(text: str) -> list[Hit]:
    """A one-token value whose second line is a mail header or a forged log line (an injected
    line or two, not a pasted mail or log of many lines)."""
    value = text.strip(" \t")
    if max(value.count("\n"), value.count("\r")) > 4 or not value:
        return []
    offset = text.find(value[:1]) if value else 0
    header = _MAIL_HEADER.match(value)
    if header is not None:
        return [Hit(Category.CRLF, 0.8, "crlf.mail-header", text, offset, offset + header.end())]
    forged = _LOG_LINE.match(value)
    if forged is not None and _BLOCK_MARKER.match(value) is None:
        return [Hit(Category.CRLF, 0.7, "crlf.log-forging", text, offset, offset + forged.end())]
    return []


def features(text: str) -> dict[str, float]:
    return {
        "crlf.breaks": float(text.count("\n") + text.count("\r")),
        "crlf.headers": float(len(_HEADER.findall(text))),
    }
