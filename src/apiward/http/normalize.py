"""Decoding and normalisation of input values: the views a detector looks at.

`normalize(value)` returns the distinct views of one value, raw first:

1. the raw value (some attacks live in the encoding itself: ``%c0%af``, ``%252e``);
2. the *decoded* view: URL / double-URL / ``%uXXXX`` decoding, overlong UTF-8 (``%c0%af``),
   HTML entities (named and numeric, with or without ``;``), ``\\uXXXX`` / ``\\xXX`` / octal /
   ``\\u{...}`` / zero-padded CSS (``\\0075``) escapes, applied repeatedly up to `MAX_DEPTH`
   rounds; then Unicode NFKC (full-width forms), null bytes stripped, lower-cased. Line breaks
   are kept (they matter to CRLF and shell analysis);
3. the *folded* view (only when it differs): ``/* ... */`` comments removed (the body of MySQL
   ``/*! ... */`` kept, since MySQL executes it) and runs of whitespace folded into one space;
4. views of base64 payloads that decode to mostly printable text of a plausible length
   (whole value, a JWT-like dotted segment, or the payload of a ``data:text/...;base64,`` URI),
   normalised the same way.

Every view after the raw one is lower-case. A value longer than `MAX_INPUT_CHARS` is cut to a
head + tail window (`Normalized.truncated` tells the caller, who says so in its evidence).
All steps are linear in the input; output is capped at `MAX_VIEW_CHARS` per view.

Fast path: `is_plain(value)` values (letters, digits, ``_`` and ``-`` only, and not a base64
payload of text) can hold none of the syntax the analysers look for; they return ``(value,)``.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
from dataclasses import dataclass
from html.entities import html5

MAX_INPUT_CHARS = 16 * 1024  # longer values are inspected as head + tail
HEAD_CHARS = 12 * 1024
TAIL_CHARS = 4 * 1024
MAX_VIEW_CHARS = MAX_INPUT_CHARS
MAX_DEPTH = 4  # rounds of decoding (double, triple... encoding)
MIN_BASE64_CHARS = 12
MAX_BASE64_CHARS = 8 * 1024
TRUNCATION_MARK = "\n"

# All patterns below run on bounded input and have no nested or overlapping quantifiers.
_PLAIN = re.compile(r"[A-Za-z0-9_\-]*")
_BASE64 = re.compile(r"[A-Za-z0-9+/_\-]+={0,2}")
# a data: URI whose base64 payload is code (PHP's data wrapper in an include, text/html in a
# frame): "data:text/plain;base64,PD9waHAg..." (images and fonts are not text and stay unread)
_DATA_URI = re.compile(
    r"(?i)data:(?://)?(?:text/[a-z0-9.+\-]{1,30}|application/(?:x-httpd-php|x-php|javascript|x-javascript|xhtml\+xml))?"
    r"(?:;[a-z0-9\-]{1,20}=[a-z0-9.\-]{1,30}){0,3};base64,"
)
_PERCENT = re.compile(r"%[uU][0-9a-fA-F]{4}|(?:%[0-9a-fA-F]{2})+")
# ``\\0075`` / ``\\000075`` (4 or 6 hex digits, zero-padded) is a CSS escape: a style value spelled
# with them (``background:\\0075\\0072\\006c(...)``) reads "url(" to a browser; read as a JavaScript
# octal escape (``\\007`` + "5") it would be noise, and no JavaScript writes a padded octal escape
# followed by more digits; digits after an escaped backslash are no octal escape: ``\\\\172.16.0.5\\share``
# is a UNC path (a host's address), not ``\\z.16.0.5``
_BACKSLASH = re.compile(
    r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(?:00|0000)([0-9a-fA-F]{2})(?![0-9a-fA-F])"
    r"|(?<!\\\\)([0-3][0-7]{2})|(0)(?![0-9]|[xX](?:2[eEfF]|5[cC])))"  # ("..\\0x2e0x2e": a dot spelled as hex after a separator)
)
# Overlong UTF-8 encodings of ASCII (2, 3 and 4 bytes), used to smuggle '/', '.', '\\'
# (``%c0%ae``, ``%e0%80%ae``, ``%f0%80%80%ae``: decoders that do not check the shortest form
# read them all as '.').
OVERLONG = re.compile(rb"[\xc0\xc1][\x80-\xbf]|\xe0[\x80-\x9f][\x80-\xbf]|\xf0[\x80-\x8f][\x80-\xbf][\x80-\xbf]")
_PRINTABLE_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r"


# Entities browsers and filters disagree on: matched case-insensitively (``&TAB;``, ``&colon``).
_LOOSE_ENTITIES = {"tab": "\t", "newline": "\n", "colon": ":", "lpar": "(", "rpar": ")", "sol": "/",
                   "bsol": "\\", "quot": '"', "apos": "'", "lt": "<", "gt": ">", "num": "#",
                   "period": ".", "comma": ",", "excl": "!", "equals": "=", "grave": "`", "semi": ";",
                   "lsqb": "[", "rsqb": "]", "lcub": "{", "rcub": "}", "dollar": "$", "percnt": "%",
                   "lbrace": "{", "rbrace": "}", "lbrack": "[", "rbrack": "]", "amp": "&"}
_LOOSE_ENTITY = re.compile(r"&(" + "|".join(_LOOSE_ENTITIES) + r");?", re.IGNORECASE)


def _loose_entity_replace(match: re.Match[str]) -> str:
    return _LOOSE_ENTITIES[match.group(1).lower()]


# `html.unescape`'s own expression. The standard names a reference without its ";" by the longest
# entity name it starts with, and only a few legacy names are written without ";" ("&amp", "&lt",
# "&eacute": 6 characters at most): `_charref_replace` tries no longer prefixes, and none when the
# first two characters start no such name (`html.unescape` tries every prefix of up to 32
# characters, for each "&name=value" of a query string in a value)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_BARE_ENTITIES = [name for name in html5 if not name.endswith(";")]
_BARE_ENTITY_CHARS = max(map(len, _BARE_ENTITIES))
_BARE_ENTITY_HEADS = frozenset(name[:2] for name in _BARE_ENTITIES)


def _unescape(text: str) -> str:
    """`html.unescape(text)`, the same result."""
    return _CHARREF.sub(_charref_replace, text)


# what a named reference written without its ";" decodes to (all Latin-1: "&reg" "®", "&copy" "©",
# "&not" "¬"), NFKC-normalised and lower-cased as a view holds it: where a decoded view holds one,
# a "&" may have been a separator in front of a word ("x&regsvr32 ...", "a&copy \\\\h\\s\\x.exe")
BARE_ENTITY_CHARS = re.compile("[" + "".join(sorted({
    _c for _name, _text in html5.items() if not _name.endswith(";") and not _text.isascii()
    for _c in unicodedata.normalize("NFKC", _text).lower() if not _c.isascii()})) + "]")


_CLOSED_CHARREF = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_closed_references(value: str) -> str:
    """URL decoding (``%XX``, ``%uXXXX``, repeated as in `normalize_value`) and the character
    references closed by ";" (``&copy;``), in the canonical form of a view (NFKC, no NULs, lower
    case); a "&" before a word without ";" ("&copy 2024", "&regsvr32") stays a "&"."""
    return _canonical(_decode(value, closed_references_only=True))


def _charref_replace(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] == "#":
        return html.unescape(match.group(0))  # a numeric reference
    if name in html5:
        return html5[name]
    if name[:2] not in _BARE_ENTITY_HEADS:
        return "&" + name
    for end in range(min(len(name) - 1, _BARE_ENTITY_CHARS), 1, -1):
        if name[:end] in html5:
            return html5[name[:end]] + name[end:]
    return "&" + name


@dataclass(frozen=True, slots=True)
class Normalized:
    """The views of one value (raw first) and whether the raw value was cut to a window."""

    views: tuple[str, ...]
    truncated: bool = False
    # the views that are whitespace-folded copies of another view (analysers that read line
    # breaks or need no comment folding skip them)
    folded: frozenset[int] = frozenset()
    # indexes of the lower-cased views analysers read (the raw view too when it already is
    # its own canonical form); empty means "every view but the raw one, or the raw one alone"
    indexes: tuple[int, ...] = ()

    @property
    def analysed_indexes(self) -> tuple[int, ...]:
        if self.indexes:
            return self.indexes
        return tuple(range(1, len(self.views))) if len(self.views) > 1 else (0,)

    @property
    def analysed(self) -> tuple[str, ...]:
        """The lower-cased views the analysers read."""
        return tuple(self.views[i] for i in self.analysed_indexes)


def is_plain(value: str) -> bool:
    """True for values no analyser can flag: only ``[A-Za-z0-9_-]`` and not base64 of text."""
    if _PLAIN.fullmatch(value) is None:
        return False
    if len(value) < MIN_BASE64_CHARS:
        return True
    if _base64_text(value) is not None:
        return False
    path = volume_path(value)
    return path is None or _base64_text(path) is None


def window(value: str) -> tuple[str, bool]:
    """Cut an over-long value to head + tail (both inspected); True when it was cut."""
    if len(value) <= MAX_INPUT_CHARS:
        return value, False
    return value[:HEAD_CHARS] + TRUNCATION_MARK + value[-TAIL_CHARS:], True


def normalize(value: str) -> tuple[str, ...]:
    """The distinct decoded views of ``value``, raw first (see the module docstring)."""
    return normalize_value(value).views


_NONE_FOLDED: frozenset[int] = frozenset()


def normalize_value(value: str) -> Normalized:
    value, truncated = window(value)
    if is_plain(value):
        return Normalized((value,), truncated)
    views: list[str] = [value]
    folded: set[int] = set()
    indexes: list[int] = []
    if _PLAIN.fullmatch(value) is not None:  # a base64 payload of text: only its decoding matters
        for text in _base64_payloads(value):
            _add_views(text, views, folded, indexes, base64_depth=0)
        return Normalized(tuple(views), truncated, frozenset(folded) if folded else _NONE_FOLDED, tuple(indexes) or (0,))
    _add_views(value, views, folded, indexes, base64_depth=1)
    # (the empty set shared: every set is an object the cyclic garbage collector visits, and
    # normalised values are remembered by the detection stage's caches)
    return Normalized(tuple(views), truncated, frozenset(folded) if folded else _NONE_FOLDED, tuple(indexes))


def _add_views(value: str, views: list[str], folded_at: set[int], indexes: list[int], base64_depth: int) -> None:
    decoded = _decode(value)
    canonical = _canonical(decoded)
    _add(views, canonical, indexes)
    folded = fold(canonical)
    if folded not in views:
        folded_at.add(len(views))
    _add(views, folded, indexes)
    if base64_depth > 0:
        for text in _base64_payloads(decoded):
            _add_views(text, views, folded_at, indexes, base64_depth - 1)


def _add(views: list[str], view: str, indexes: list[int]) -> None:
    """Append a new view (or find the equal one) and record its index as analysed."""
    try:
        index = views.index(view)
    except ValueError:
        index = len(views)
        views.append(view)
    if index not in indexes:
        indexes.append(index)


def _decode(value: str, *, closed_references_only: bool = False) -> str:
    """URL / entity / escape decoding until nothing changes, at most MAX_DEPTH rounds; with
    ``closed_references_only``, URL decoding and only the references closed by ";" (no escapes)."""
    for _ in range(MAX_DEPTH):
        step = value
        if "%" in step:
            step = _PERCENT.sub(_percent_replace, step)
        if "&" in step:
            if closed_references_only:
                step = _CLOSED_CHARREF.sub(lambda m: html.unescape(m.group(0)), step)
            else:
                step = _unescape(_LOOSE_ENTITY.sub(_loose_entity_replace, step))
        if "\\" in step and not closed_references_only:
            step = _BACKSLASH.sub(_backslash_replace, step)
        if step == value:
            break
        value = step[:MAX_VIEW_CHARS]
    return value


# Slash and backslash lookalikes NFKC leaves alone (division slash, fraction slash, ...).
_SLASH_LOOKALIKES = {"\u2215": "/", "\u2044": "/", "\u29f8": "/", "\u29f5": "\\", "\ufe68": "\\",
                     "\u2216": "\\", "\u01c0": "|", "\u2024": ".", "\u2025": ".."}
_SLASHES = str.maketrans(_SLASH_LOOKALIKES)
# (`str.translate` looks every character up in the table: a search first is ~15x faster on long text)
_SLASH_LOOKALIKE = re.compile("[" + "".join(_SLASH_LOOKALIKES) + "]")


def _canonical(text: str) -> str:
    if not text.isascii():
        if _SLASH_LOOKALIKE.search(text) is not None:
            text = text.translate(_SLASHES)
        text = unicodedata.normalize("NFKC", text)[:MAX_VIEW_CHARS]
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.lower()


def fold(text: str) -> str:
    """Block comments to a space (MySQL ``/*!`` bodies kept), whitespace runs to one space; in a
    value without spaces, ``+`` is read as the space of form encoding (``1+or+1=1``)."""
    if " " not in text and "+" in text:
        text = text.replace("+", " ")
    if "/*" in text:
        text = _strip_block_comments(text)
    if not text.isascii() and ("\u200b" in text or "\ufeff" in text):
        text = text.replace("\u200b", " ").replace("\ufeff", " ")  # (no white space to `str.isspace`)
    return " ".join(text.split())  # (what `\s+` to " " and `strip` make: `\s` is `str.isspace`)


def _strip_block_comments(text: str) -> str:
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("/*", pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("*/", start + 2)
        body_end = len(text) if end < 0 else end
        if text.startswith("/*!", start):
            body = text[start + 3 : body_end]
            digits = 0
            while digits < len(body) and digits < 6 and body[digits].isdigit():
                digits += 1
            out.append(" " + body[digits:] + " ")
        else:
            out.append(" ")
        if end < 0:
            break
        pos = end + 2
    return "".join(out)


def _char(code: int) -> str:
    """The character of a decoded code point; a UTF-16 surrogate half ("%uD800", "\\udc00") is no
    character: U+FFFD, as a UTF-8 decoder makes of one (the text must stay encodable)."""
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


# one escaped ASCII character ("%2F", "%2f", "%3d"): most runs `_PERCENT` finds
_ASCII_ESCAPES = {"%" + a + b: chr(int(a + b, 16)) for a in "01234567" for b in "0123456789abcdefABCDEF"}


def _percent_replace(match: re.Match[str]) -> str:
    token = match.group(0)
    char = _ASCII_ESCAPES.get(token)
    if char is not None:
        return char
    if token[1] in "uU":
        return _char(int(token[2:], 16))
    raw = bytes.fromhex(token.replace("%", ""))  # "%xx" runs only (see `_PERCENT`)
    return _bytes_to_text(raw)


def _bytes_to_text(raw: bytes) -> str:
    if raw.isascii():
        return raw.decode("ascii")
    if b"\xc0" in raw or b"\xc1" in raw or b"\xe0" in raw or b"\xf0" in raw:
        raw = OVERLONG.sub(_overlong_replace, raw)
        if b"\xc0" in raw or b"\xc1" in raw:
            raw = _LAX_OVERLONG.sub(_lax_overlong_replace, raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def overlong_char(seq: bytes) -> str:
    """The character an `OVERLONG` sequence encodes (a surrogate half: U+FFFD, see `_char`)."""
    if len(seq) == 2:
        code = ((seq[0] & 0x1F) << 6) | (seq[1] & 0x3F)
    elif len(seq) == 4:
        code = ((seq[1] & 0x3F) << 12) | ((seq[2] & 0x3F) << 6) | (seq[3] & 0x3F)  # below U+10000
    else:
        code = ((seq[0] & 0x0F) << 12) | ((seq[1] & 0x3F) << 6) | (seq[2] & 0x3F)
    return _char(code)


def _overlong_replace(match: re.Match[bytes]) -> bytes:
    return overlong_char(match.group(0)).encode("utf-8")


# A lead byte no UTF-8 has (0xC0, 0xC1) before an ASCII byte: no continuation follows, yet lax
# decoders read one. Old IIS masked the second byte ("%c1%1c": 0x40 | 0x1c, a backslash); others
# drop the lead byte ("%c0%5c": the backslash after it). Both spellings smuggle a path separator
# or a dot, and only those are read so; any other pair stays as it was (Latin-1 text, binary cookies).
_LAX_OVERLONG = re.compile(rb"[\xc0\xc1][\x00-\x7f]")
_PATH_BYTES = frozenset(b"./\\")


def _lax_overlong_replace(match: re.Match[bytes]) -> bytes:
    pair = match.group(0)
    masked = ((pair[0] & 0x1F) << 6) | (pair[1] & 0x3F)
    if masked in _PATH_BYTES:
        return bytes((masked,))
    return pair[1:] if pair[1] in _PATH_BYTES else pair


def _backslash_replace(match: re.Match[str]) -> str:
    brace, u4, x2, css, octal, nul = match.groups()
    if brace is not None:
        code = int(brace, 16)
        return _char(code) if code <= 0x10FFFF else match.group(0)
    if u4 is not None:
        return _char(int(u4, 16))
    if x2 is not None:
        return chr(int(x2, 16))
    if css is not None:
        return chr(int(css, 16))
    if octal is not None:
        return chr(int(octal, 8))
    return "\x00" if nul is not None else match.group(0)


# elFinder's file hash: a volume id ("l1_", "t2_") before the base64url of a path
_VOLUME_PREFIX = re.compile(r"[a-z]{1,2}[0-9]{1,2}_(?=[a-z0-9\-_]{8})", re.IGNORECASE)


def volume_path(value: str) -> str | None:
    """What follows a file manager's volume id ("l1_Li4vZXRj..." -> "Li4vZXRj..."), or None."""
    volume = _VOLUME_PREFIX.match(value)
    return value[volume.end() :] if volume is not None else None


def _base64_payloads(value: str) -> list[str]:
    """Text hidden in base64: the whole value, or the segments of a dotted token (JWT)."""
    found: list[str] = []
    stripped = value.strip()
    if not MIN_BASE64_CHARS <= len(stripped) <= MAX_BASE64_CHARS:
        return found
    candidates = [stripped]
    data = _DATA_URI.match(stripped)
    if data is not None:
        candidates.append(stripped[data.end() :])  # what an include() or a browser would run
    if "." in stripped and stripped.count(".") <= 4:
        candidates.extend(part for part in stripped.split(".") if len(part) >= MIN_BASE64_CHARS)
    path = volume_path(stripped)
    if path is not None:
        candidates.append(path)  # "l1_Li4vZXRj...": a file manager's volume id and base64 path
    for candidate in candidates:
        text = _base64_text(candidate)
        if text is not None:
            found.append(text)
    return found


def base64_text(token: str) -> str | None:
    """The text a (URL-safe) base64 token decodes to, when it is mostly printable text."""
    return _base64_text(token)


def _base64_text(token: str) -> str | None:
    """Decode ``token`` as (URL-safe) base64 when the result is mostly printable text."""
    if len(token) < MIN_BASE64_CHARS or _BASE64.fullmatch(token) is None:
        return None
    body = token.rstrip("=")
    if len(body) % 4 == 1:
        return None
    if len(body) > 96 and not _printable_bytes(body[:64]):
        return None  # the head already is not text: random tokens are rejected in O(64)
    return _decode_b64(body)


def _printable_bytes(body: str) -> bool:
    if "-" in body or "_" in body:
        body = body.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw.translate(None, _PRINTABLE_BYTES)) <= 0.05 * len(raw) + 1


def _decode_b64(body: str) -> str | None:
    if "-" in body or "_" in body:
        body = body.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) < 6:
        return None
    # (the printable test first: most random tokens fail it, and a failed UTF-8 decode costs an
    # exception; each test alone rejects, so their order does not change the answer)
    if len(raw.translate(None, _PRINTABLE_BYTES)) > 0.05 * len(raw):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Random tokens occasionally decode to printable bytes; real text has letters and spaces
    # or punctuation rather than a uniform spread of symbols.
    letters = sum(map(str.isalnum, text)) + text.count(" ")  # (a space is not alphanumeric)
    if letters < 0.5 * len(text) and not text.startswith(("../", "..\\", "....")) and "://" not in text[:20] and (
            not _quoted_words(text, letters)):
        # (a path that climbs is mostly dots and slashes: "../../../etc/passwd", "....//....//";
        # so is a short URL: "http://[::1]/")
        return None
    return text


def _quoted_words(text: str, letters: int) -> bool:
    """Printable text dense in quotes and brackets but still spaced words: a query fragment or a
    JSON document ("1' or '1'='1'/*", '{"user": {"$nin": [""]}}'), which random bytes that happen
    to be printable are not (they have no blanks, or too few letters)."""
    return " " in text and letters >= 0.3 * len(text) and (text.count("'") >= 2 or text.count('"') >= 2)
