"""The lexical analysers, by name, and the two ways to run them over a value.

``ANALYSERS`` is the explicit registry (name -> scan / features functions); names are unique.
`scan_value(value)` returns direct evidence (`Hit`s) for one raw value using every analyser
over its normalised views; `lexical_features(value)` returns the analysers' numeric features
(stable names, e.g. ``sql.tok.s``, ``html.evidence``) for the model.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple
from urllib.parse import unquote

from apiward.detectors import crlf, html, ldap, nosql, path, php, shell, sql, ssrf, template, xml
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear, literal_trie
from apiward.http.normalize import (
    BARE_ENTITY_CHARS,
    MIN_BASE64_CHARS,
    Normalized,
    base64_text,
    decode_closed_references,
    is_plain,
    normalize_value,
    volume_path,
)


class Analyser(NamedTuple):
    name: str
    scan: Callable[[str], list[Hit]]
    features: Callable[[str], dict[str, float]]
    # reads the comment/whitespace-folded view too (SQL, HTML/JS, shell, templates); the others
    # gain nothing from it, and CRLF must see the line breaks it removes
    folded: bool = False


def _registry(*items: Analyser) -> tuple[Analyser, ...]:
    names = [a.name for a in items]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate analyser names: {names}")
    return items


ANALYSERS: tuple[Analyser, ...] = _registry(
    Analyser("sql", sql.scan, sql.features, folded=True),
    Analyser("html", html.scan, html.features, folded=True),
    Analyser("shell", shell.scan, shell.features, folded=True),
    Analyser("php", php.scan, php.features, folded=True),
    Analyser("path", path.scan, path.features),
    Analyser("template", template.scan, template.features, folded=True),
    Analyser("xml", xml.scan, xml.features),
    Analyser("nosql", nosql.scan, nosql.features),
    Analyser("ldap", ldap.scan, ldap.features),
    Analyser("crlf", crlf.scan, crlf.features),
    Analyser("ssrf", ssrf.scan, ssrf.features),
)


# Second fast path. Values spelled only with these characters carry none of the syntax the
# analysers need (quotes, brackets, operators, `$`, `<`, `%`, `\\`, line breaks, non-ASCII);
# what remains to look for is words: SQL keywords, command names, Java packages and gadgets,
# script schemes, and file names after a `/`.
_INERT_CHARS = re.compile(r"[A-Za-z0-9_\-.,:@/ +]*")
_WORDS = re.compile(r"[a-z][a-z0-9_]*")
TRIGGER_WORDS: frozenset[str] = frozenset(
    sql.LOGIC | sql.OP_WORDS | sql.STATEMENTS | sql.KEYWORDS | sql.ATTACK_FUNCTIONS
    | frozenset({"union", "information_schema", "sysobjects", "syscolumns", "pg_catalog", "pg_shadow",
                 "sqlite_master", "all_tables", "user_tables", "dba_users", "msysobjects", "xp_cmdshell",
                 "sp_executesql", "sp_password", "master", "dbo", "mysql", "sys", "notnull", "isnull",
                 "int", "int4", "int8", "integer", "bigint", "smallint", "numeric", "varchar", "jsonb",
                 "regclass", "bytea", "regproc"})
    | sql.PROCEDURES | sql.CATALOG_WORDS
    | shell.DISTINCT_COMMANDS | shell.COMMON_WORDS
    | frozenset({"ifs", "dev", "tcp", "udp", "bin", "usr", "comspec", "for", "if", "invoke", "iex",
                 "encodedcommand", "child_process", "process", "require", "global", "subprocess",
                 "os", "getruntime", "constructor", "import", "spawn", "o", "a",
                 "chef", "apt", "redis", "gcc", "gcc4", "gcc5", "gcc6", "gcc7", "gcc8", "gcc9", "gcc10", "gcc11",
                 "gcc12", "gcc13", "gcc14", "php5", "php7", "php8", "ruby2", "ruby3", "node18", "node20", "lua5"})
    | frozenset({"java", "javax", "jdk", "sun", "apache", "springframework", "hibernate", "codehaus",
                 "mozilla", "python", "omg", "mchange", "alibaba", "fasterxml", "clojure", "bsh", "ognl",
                 "freemarker", "jboss", "weblogic", "tangosol", "rometools", "yaml", "thoughtworks", "sf",
                 "aspectj", "eclipse", "opensymphony", "xwork2", "ro0ab", "aced0005", "jndi", "lookup",
                 "logback", "zaxxer", "caucho", "openjpa", "nqadmin", "anteros", "ibatis", "jdom", "jdom2", "batik",
                 "axis", "axis2", "cxf", "aries", "oracle", "classloader"})
    | frozenset({"javascript", "vbscript", "livescript", "mocha", "data", "expression", "behavior",
                 "alert", "prompt", "confirm", "eval", "document", "window", "location", "cookie",
                 "fromcharcode", "settimeout", "setinterval", "execscript", "innerhtml", "outerhtml",
                 "srcdoc", "formaction", "globalthis", "top", "self", "this", "parent", "frames",
                 "navigation", "reflect", "function", "print", "open", "write", "writeln", "fetch",
                 "atob", "href", "queryselector", "getelementbyid", "createelement", "adw", "ad4"})
    | frozenset({"localhost", "localhost4", "localhost6", "localdomain", "localtest", "lvh", "internal", "loopback",
                 "kubernetes", "metadata", "classpath"})
)
# Literals the analysers match inside longer words: every Java gadget name, and a few more.
_GADGET_PARTS: tuple[str, ...] = tuple(
    part.replace("\\", "") for part in template.GADGETS.pattern.split("|")
) + ("child_process", "__import__", "subprocess", "getruntime", "invoke-", "encodedcommand",
     "downloadstring", "information_schema", "xp_cmdshell", "sp_executesql", "sysobjects",
     "pg_sleep", "waitfor", "dbms_", "utl_", "sqlite_master", "pg_catalog", "jndi", "ognl", "aced0005",
     "ro0ab", "kztaau", "cs7qaf", "aced 00 05", "ac ed 00 05", "__proto__", "prototype", "_$$nd_func$$_", "javascript", "vbscript",
     "livescript",
     # the HTML sinks ".innerHTML" / ".outerHTML" match inside a longer word (".innerhtml7z")
     "innerhtml", "outerhtml",
     # a hyphenated command ("lwp-download", "new-object") is two words to `_WORDS`
     *sorted(command for command in shell.DISTINCT_COMMANDS if "-" in command),
     # keywords written into themselves ("uniunionon"), one word to `_WORDS`
     *sorted(sql.NESTED_FORMS))


# one pass over the literals (no quantifiers: linear). The stdlib engine tries the trie at every
# position: faster than RE2's call overhead up to ~32 characters, up to 10x slower on long values
# (a 200-character cookie), which RE2 scans once
_GADGET_RE = linear(literal_trie(sorted(set(_GADGET_PARTS))), short_text=32)
# `inert`'s two word searches in one: a gadget name or a versioned command ("gcc40", "python3",
# `shell.VERSION_HINT`); either one rejects the value (one search instead of two: ~25% less time)
_GADGET_OR_VERSION = linear(_GADGET_RE.pattern + "|" + shell.VERSION_HINT.pattern, short_text=32)


def _hex_steps(text: str) -> bool:
    """A parent step spelled as hex bytes ("../" is 2e2e2f, "..\\" 2e2e5c): `scan_views` decodes hex."""
    return "2e2e2f" in text or "2e2e5c" in text


def plain(value: str) -> bool:
    """The first fast path: `apiward.http.normalize.is_plain` (letters, digits, ``_``, ``-``),
    and no trigger word, gadget name or base64-spelled gadget in it."""
    if value.isdigit() and value.isascii():
        # before `is_plain`: ASCII digits are plain, and never base64 of text (each digit is a
        # base64 sextet of 52-61, so a third of the decoded bytes are 0xD0 or above): an id or a
        # timestamp of 12+ digits skips a decode attempt
        return True
    if not is_plain(value):
        return False
    text = value.lower()
    if not TRIGGER_WORDS.isdisjoint(_WORDS.findall(text)) or _GADGET_RE.search(text) is not None:
        return False
    if "0x2e" in text or _hex_steps(text):
        # "0x2e0x2e0x2fetc0x2fpasswd", "2e2e2f2e2e2f6574...": parent steps spelled in hex, all letters and digits
        return False
    if (text.startswith("0x") or text.endswith("_user")) and sql.fragment(text) is not None:
        return False  # "0x27206f7220313d31" (MySQL's hex for "' or 1=1"), "session_user"
    return len(value) < 8 or (template.encoded_gadget(value) is None and not value.startswith(template.GZIP_BASE64))


# how a file name the path analyser reads alone ends ("wp-config.php", "web.config", "server.key")
_FILE_NAME_ENDS: tuple[str, ...] = (".php", ".config", *path.SECRET_NAME_ENDS)
# a host or address at a value's start, then a path or a port (`ssrf` reads it as a URL without its scheme)
_BARE_HOST = re.compile(r"[a-z0-9.\-]{3,64}[:/]")
# schemes a client fetches even when written without "//" ("http:/2852039166")
_FETCH_SCHEMES = frozenset({"http", "https"}) | ssrf.ODD_SCHEMES


def inert(value: str) -> bool:
    """True for values no analyser can flag (see `_INERT_CHARS`); a fast path before
    `normalize_value`. A property test holds `scan_value` to it."""
    if not value.isascii() or _INERT_CHARS.fullmatch(value) is None:
        return False
    text = value.lower()
    if len(text) <= sql.FRAGMENT_MAX and sql.fragment(text) is not None:
        return False  # "1-- -", "0x27206f7220313d31", "current_user": whole-value SQL fragments
    # (":/" and not only "://": a path folds "/proxy/http://127.0.0.1/" to "/proxy/http:/127.0.0.1/")
    # ("//" anywhere: a scheme-relative URL glued to a value, "abc//127.0.0.1/")
    # ("@system.": a Razor expression reaching .NET, "@System.Environment.MachineName", is words and dots)
    if ".." in text or ":/" in text or "//" in text or "@@" in text or "@system." in text:
        return False
    if _hex_steps(text):
        return False  # parent steps spelled in hex ("2e2e2f6574632f706173737764"), which `scan_views` decodes
    if ":" in text and text.partition(":")[0] in _FETCH_SCHEMES:
        return False  # "http:127.0.0.1", "http:/2852039166": clients accept a URL without its "//"
    if not TRIGGER_WORDS.isdisjoint(_WORDS.findall(text)):
        return False
    if text[:1] == "-" or " -" in text:
        if shell.option_run(text) is not None:
            return False  # "-be -C/tmp/evil.cf": options of a program the value is appended to, a file to run
    if _BARE_HOST.match(text) is not None and ssrf.scan(text):
        return False  # "0x7f000001/admin", "instance-data/latest": an internal host without its scheme
    if _GADGET_OR_VERSION.search(text) is not None:
        return False  # a gadget name, or "gcc40", "python3": the shell analyser reads a versioned command's name
    if ("/" in text or text[:1] == "." or "0x" in text or text.endswith(_FILE_NAME_ENDS)
            or text.startswith("web.config") or ":." in text
            or (text[-1:] == "." and " " not in text.rstrip(". "))) and path.scan(text):
        # a path, a dot-file (".env"), "boot.ini", "server.key", "wp-config.php", a saved-aside "web.config.bak",
        # a script's named stream ("shell.php:.jpg"), hex-spelled steps ("0x2e0x2e0x2f") or a page's name
        # with the trailing dots Windows drops ("default.aspx.", "web.config. . ."; a sentence's full stop is not)
        return False
    if len(value) >= MIN_BASE64_CHARS:
        # the whole value and its dotted segments, as `normalize_value` decodes them (a value
        # without a dot is its own one segment: decoded once, not twice); a token with a space
        # or comma is no base64, but a segment after ",." can be
        stripped = value.strip()  # (as `normalize_value` strips it)
        tokens = [stripped, *stripped.split(".")] if "." in stripped else [stripped]
        volume = volume_path(stripped)
        if volume is not None:
            tokens.append(volume)  # "l1_Li4vZXRj...": a file manager's volume id and base64 path, unpadded
        for token in tokens:
            if (
                len(token) >= MIN_BASE64_CHARS
                and " " not in token
                and "," not in token
                and base64_text(token) is not None
            ):
                return False
    # last: the one search over the whole value (the checks above are pure, so their order
    # does not change the answer); a gzip-compressed base64 value is inflated by `scan_views`
    return len(value) < 8 or (template.encoded_gadget(value) is None and not value.startswith(template.GZIP_BASE64))


_WORD_ANALYSERS = frozenset({"sql", "template"})
# a "%" before a letter that opens no escape ("%S", "%u" without four hex digits)
_LONE_PERCENT = re.compile(r"%(?=[g-z]|[a-f](?![0-9a-f])|u(?![0-9a-f]{4}))", re.IGNORECASE)
# a copyright line written with a bare "&copy" ("Acme&copy 2024"): the sign, not "& copy 2024"
_COPYRIGHT_YEAR = re.compile(r"&copy[\s]{0,2}(?:19|20)[0-9]{2}\b")


# characters no parser reads as one but some applications strip: zero-width spaces and joiners,
# the word joiner, the BOM, the soft hyphen, the Mongolian vowel separator ("UNI\u200cON")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\u180e]")
_HEX_TOKEN = re.compile(r"(?:0x)?((?:[0-9a-f]{2}){6,2048})", re.IGNORECASE)
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/_\-]{8,8192}={0,2}")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e\t\n\r]+")


def _hidden_texts(raw: str, views: Sequence[str]) -> list[str]:
    """What a value holds for an application that decodes it further than normalisation does:
    zero-width characters dropped, a hex string's bytes ("27204f52..."), a base64 token whose
    text is dense in symbols ("Jy8qKl8qKi9BTkQv...": normalisation keeps only word-like text, as
    random tokens decode to symbols too). The decoded text must be printable ASCII throughout,
    which random bytes of six or more almost never are; each new text, lower-cased."""
    out: list[str] = []
    last = views[-1]
    if _ZERO_WIDTH.search(last) is not None:
        out.append(_ZERO_WIDTH.sub("", last))
    token = raw.strip()
    if "%" in token and len(token) <= 8192:
        token = unquote(unquote(token))
    if 12 <= len(token) <= 8192 and " " not in token and not token.isdigit():
        # (a number is no encoding: "673165606464", a product id, is valid hex of "g1e`dd")
        hexed = _HEX_TOKEN.fullmatch(token) if len(token) >= 16 else None
        if hexed is not None:
            data: bytes | None = bytes.fromhex(hexed.group(1))
        elif _B64_TOKEN.fullmatch(token) is not None and len(token.rstrip("=")) % 4 != 1:
            data = _strict_b64(token)
        else:
            data = None
        if data is not None and len(data) >= 6:
            text = data.decode("ascii", "replace")
            if _PRINTABLE_ASCII.fullmatch(text) is not None:
                out.append(text.lower())
    return [text for text in out if text not in views]


def _strict_b64(token: str) -> bytes | None:
    body = token.rstrip("=").replace("-", "+").replace("_", "/")
    head = body[:16]
    try:
        # (the head first: a random token's bytes are not printable, and most fail in 12 bytes)
        if _PRINTABLE_ASCII.fullmatch(base64.b64decode(head[: len(head) // 4 * 4] or "AAAA").decode("latin-1")) is None:
            return None
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def scan_views(normalized: Normalized, analysers: Sequence[Analyser] = ANALYSERS) -> list[Hit]:
    """Every analyser over every analysed view; the strongest hit per category."""
    best: dict[object, Hit] = {}
    raw = normalized.views[0]
    views = normalized.views
    indexes = normalized.analysed_indexes
    folded = normalized.folded
    for index in indexes:
        view = views[index]
        is_folded = index in folded
        for analyser in analysers:
            if is_folded and not analyser.folded:
                continue
            for hit in analyser.scan(view):
                _keep(best, hit)
    if len(views) == 1 and is_plain(raw) and not raw.islower() and len(raw) <= 256:
        # a plain word list keeps its case in normalisation (``OPENROWSET``, ``Xp_DirTree``);
        # the SQL and template analysers read lower case
        lowered = raw.lower()
        for analyser in analysers:
            if analyser.name not in _WORD_ANALYSERS:
                continue  # only SQL names and Java serialization marks are spelled with word characters alone
            for hit in analyser.scan(lowered):
                _keep(best, hit)
    if (len(views) > 1 and ("&" in raw or "%26" in raw or "%2526" in raw)
            and BARE_ENTITY_CHARS.search(views[1]) is not None):
        # "x&regsvr32 /s ...", "8.8.8.8%26copy \\\\h\\s\\x.exe": decoding read "&reg" / "&copy" as a
        # reference without its ";" (as HTML text does); a shell reads a separator and a program
        shell_view = decode_closed_references(raw)
        if _COPYRIGHT_YEAR.search(shell_view) is None:
            for hit in shell.scan(shell_view):
                _keep(best, hit)
    if "%" in raw and len(raw) <= 4096:
        # "1 %U%N%I%O%N %S%E%L%E%C%T 1,2,3": ASP drops a "%" that opens no escape, so each letter
        # of a keyword can carry one (read again with them dropped, by the analysers only)
        decoded = views[-1]
        if len(_LONE_PERCENT.findall(decoded)) >= 3:
            _keep_all(best, _LONE_PERCENT.sub("", decoded).lower(), analysers)
    encoded = template.encoded_gadget(raw) if len(raw) <= 4096 else None
    if encoded is None and "%2" in raw and len(raw) <= 4096:
        # a cookie is sent as written: its base64 percent-encoded ("/wEy...AAQAAAP%2F%2F%2F%2F8B..."),
        # which hides the spellings that hold a "/" or "+"
        encoded = template.encoded_gadget(unquote(raw))
    if encoded is None and template.GZIP_BASE64 in raw[:16]:
        encoded = template.compressed_gadget(unquote(raw) if "%" in raw else raw)
    if encoded is not None:
        _keep(best, encoded)
    if raw.startswith("\\\\") or ":\\\\" in raw[:12] or "%2f@" in raw or "%5c@" in raw or "%2F@" in raw or "%5C@" in raw:
        # only the raw spelling tells "\\\\127.0.0.1\\share" and "http:\\\\127.0.0.1" (decoding reads "\\127" as an octal escape)
        # and "http://good.example%2f@127.0.0.1/" (the host follows the "@"; decoded, "/" moves it
        # into the path) from harmless text
        for hit in ssrf.scan(raw.lower()):
            _keep(best, hit)
    elif "%5c%5c" in raw[:24].lower() and (raw[:6].lower() == "%5c%5c" or "%3a%5c%5c" in raw[:24].lower()):
        # the same spellings percent-encoded, as a cookie carries them ("http%3A%5C%5C127.0.0.1%5C")
        for hit in ssrf.scan(unquote(raw).lower()):
            _keep(best, hit)
    null = path.null_byte(raw) if ("%00" in raw or "%2500" in raw or "\x00" in raw or "\\0" in raw) else None
    if null is not None:
        _keep(best, null)
    if len(views) > 1 and len(raw) <= 256 and ("%00" in raw or "\x00" in raw or "%2500" in raw):
        # "1'%00": normalisation drops the NUL, and the quote before it alone is not read (a cookie
        # is kept as sent, encoded twice: "x%27%2500")
        nul_break = sql.null_terminated_break(views[-1])
        if nul_break is not None:
            _keep(best, nul_break)
        nul_filter = ldap.null_terminated_filter(views[-1])  # "admin))%00", "*))%00"
        if nul_filter is not None:
            _keep(best, nul_filter)
    if all(hit.score < 0.5 for hit in best.values()):
        for hidden in _hidden_texts(raw, views):
            # a value that shows no attack as normalised: the text only an application's own further
            # decoding shows (analysers only: the model reads the views normalisation gives)
            _keep_all(best, hidden, analysers)
    return list(best.values())


def _keep(best: dict[object, Hit], hit: Hit) -> None:
    """Keep ``hit`` if it is the strongest of its category so far."""
    current = best.get(hit.category)
    if current is None or hit.score > current.score:
        best[hit.category] = hit


def _keep_all(best: dict[object, Hit], text: str, analysers: Sequence[Analyser]) -> None:
    """Every analyser's hits in ``text``, the strongest per category kept in ``best``."""
    for analyser in analysers:
        for hit in analyser.scan(text):
            _keep(best, hit)


def hidden_hits(value: str, analysers: Sequence[Analyser] = ANALYSERS) -> list[Hit]:
    """The strong hits (>= 0.5) in what a value's further decoding shows (`_hidden_texts`): for a
    value the fast paths skip unread (a hex string, a base64 token of letters and digits only),
    which normalisation leaves as it is."""
    best: dict[object, Hit] = {}
    for hidden in _hidden_texts(value, (value,)):
        _keep_all(best, hidden, analysers)
    return [hit for hit in best.values() if hit.score >= 0.5]


def scan_value(value: str) -> list[Hit]:
    """Direct lexical evidence for one raw value (normalised here)."""
    return scan_views(normalize_value(value))


def lexical_features(value: str) -> dict[str, float]:
    """Numeric features of one raw value: each analyser's features over the decoded view
    (the last lower-case view), plus normalisation facts. Names are stable."""
    normalized = normalize_value(value)
    views = normalized.analysed
    text = views[0] if len(normalized.views) > 1 else value.lower()
    out: dict[str, float] = {
        "norm.views": float(len(normalized.views)),
        "norm.truncated": float(normalized.truncated),
        "norm.decoded_shrink": float(len(value) - len(text)) / max(1, len(value)),
    }
    for analyser in ANALYSERS:
        out.update(analyser.features(text))
    return out
