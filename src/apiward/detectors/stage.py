"""The detection stage: every input value, decoded, analysed lexically and scored by the model.

For each field of the request (path segments, query, body leaves and keys, cookies, headers
except a few structural ones that no application reads as data), in order of cost:

1. fast path: plain values (`apiward.http.normalize.is_plain`) and blank ones are skipped: no
   analyser can flag them (a property test holds the analysers to that);
2. the value is normalised (`normalize_value`, bounded) and every lexical analyser reads its
   views; certain evidence scores near 1. Results are remembered per value in a bounded LRU
   cache owned by the stage (header values repeat across requests), and what a whole field
   contributes (its findings, whether the model reads it: a pure function of source, name and
   value) in a bounded per-field cache;
3. all non-plain values of the request go to the model in one batch; its per-category
   probabilities are rescaled so that the model's own operating threshold maps onto the
   policy's block threshold, and combined with the lexical score (the larger wins; agreement
   of a weak lexical signal with the model raises it);
4. location rules: a ``() {`` value in a header is Shellshock, an operator key (``$where``,
   ``user[$ne]``) is NoSQL injection, a traversal in a file name is certain, SSRF is judged
   only where a URL is data (not in ``referer`` / ``origin`` / forwarding headers);
5. exclusions (route glob, location glob, categories) drop findings; findings at or above the
   log threshold are returned, one per (location, category), with a short redacted snippet.

The stage never looks at which headers are present or what the User-Agent claims: a missing or
odd header set is not evidence. It raises nothing on hostile input: work per value is bounded
(window, decode depth, token caps) and the number of fields is capped by the parser.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, unquote_plus

from apiward.core import BodyKind, Category, Context, Field, Finding, RequestView, Source
from apiward.detectors import html, nosql, sql, ssrf, xml
from apiward.detectors.analysers import ANALYSERS, hidden_hits, inert, plain, scan_views
from apiward.detectors.evidence import snippet
from apiward.detectors.glob import glob_match
from apiward.detectors.hit import Hit
from apiward.detectors.question import reads_as_question
from apiward.detectors.template import GADGET_CLASS, erb_field
from apiward.http.body import FORM
from apiward.http.charset import sniff_charset
from apiward.http.embedded_json import embedded_fields
from apiward.http.fieldlist import is_plain_name
from apiward.http.normalize import Normalized, normalize_value, window
from apiward.pipeline import Phase
from apiward.settings import DetectionSettings

if TYPE_CHECKING:
    from apiward.ml.model import AttackModel

# Headers that never reach an application as data (hop-by-hop / transport / fetch metadata).
STRUCTURAL_HEADERS = frozenset(
    {"content-length", "accept-encoding", "connection", "keep-alive", "te", "trailer",
     "transfer-encoding", "upgrade-insecure-requests", "sec-fetch-site", "sec-fetch-mode",
     "sec-fetch-dest", "sec-fetch-user", "dnt", "priority", "if-none-match", "if-modified-since",
     "sec-websocket-key", "sec-websocket-version", "sec-gpc", "pragma", "cache-control"}
)
# what none of those headers' grammars holds (dates, tokens, entity tags, "max-age=0", "gzip, br"):
# a lookup, a substitution, a function definition, a pipe or a tag. Log4Shell and Shellshock
# scanners spray every header (a CGI server exports each one as an HTTP_* variable), so a
# structural header that holds one is read like any other
_STRUCTURAL_SUSPECT = re.compile(r"\$\{|\$\(|\([\s]{0,4}\)|`|<|\||%24%7b|jndi", re.IGNORECASE)
# The conditional headers a cache or an application compares: a list of entity tags ('W/"5f2a"',
# '"abc", "def"', "*"); what is no such list ('"\' AND 1=1-- -"': blanks and quotes inside a tag) is
# read, since an application may look the tag up
_ENTITY_TAG_HEADERS = frozenset({"if-none-match", "if-match"})
_ENTITY_TAGS = re.compile(r'[ \t]{0,8}(?:\*|(?:W/)?"[^"\s]{0,200}"(?:[ \t]{0,8},[ \t]{0,8}(?:W/)?"[^"\s]{0,200}"){0,32})[ \t]{0,8}')
# Headers that carry addresses or navigation, never a URL the server fetches.
NO_SSRF_HEADERS = frozenset(
    {"referer", "origin", "host", "x-forwarded-for", "x-real-ip", "forwarded", "true-client-ip",
     "x-client-ip", "cf-connecting-ip", "x-forwarded-host", "x-original-url", "via"}
)
# headers a proxy fills with the client's address or the host it was asked for
_CLIENT_ADDRESS_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "true-client-ip", "x-client-ip", "cf-connecting-ip",
                                     "x-forwarded-host", "host"})
# What no browser puts in a Referer (it sends the linking page's http(s) URL, without its user name
# or fragment, with slashes normalised): a cloud metadata address, another scheme, a share, a
# testing tool's out-of-band callback host (analytics that fetch the Referer call it), a script's
# URL cut with "?" or "#" or given a shell command. Kept there; the Referer's other SSRF
# hits are dropped (an intranet page, a developer's localhost, a site on a bare address link too).
_FORGED_REFERER_RULES = frozenset({
    "ssrf.metadata", "ssrf.scheme", "ssrf.unix-socket", "ssrf.parser-confusion", "ssrf.mixed-slashes", "ssrf.oob-callback",
    "rfi.unc-include", "rfi.unc-host", "rfi.odd-slashes", "rfi.trailing-query", "rfi.script-call", "rfi.script-source",
})
# the model's SSRF score on these headers is dropped like the analyser's (they name hosts by design)
_NO_SSRF_LOCATIONS = frozenset(f"header.{name}" for name in NO_SSRF_HEADERS)
# Headers whose grammar is a list of media types, charsets or language tags: an attack in them
# shows lexically (a tag, a quote, an expression); the model, which has only ever seen browsers'
# few spellings of them, reads a cut or reordered list ("...,text/plain;q=0.8,ima>") as markup
_NO_MODEL_ALONE_LOCATIONS = frozenset(
    f"header.{name}" for name in ("accept", "content-type", "accept-language", "accept-charset"))
# a travel document's machine-readable zone, as an identity check reads it off a passport or an ID card:
# two or three lines of 30, 36 or 44 capitals, digits and "<" fillers ("P<GBRSMITH<<JOHN<<<<...")
_MRZ = re.compile(r"(?:[A-Z0-9<]{30}|[A-Z0-9<]{36}|[A-Z0-9<]{44})(?:\r?\n(?:[A-Z0-9<]{30}|[A-Z0-9<]{36}|[A-Z0-9<]{44})){0,2}")
_LIST_HEADERS = frozenset({"accept", "content-type", "accept-language", "accept-charset"})
# one item of such a list: a media range ("text/html", "*/*", "application/vnd.api+json"), a charset or
# a language tag ("en-US", "*"); then its parameters ("q=0.9", "charset=utf-8", "boundary=x", "v=b3")
_LIST_ITEM = re.compile(r"[a-z0-9*!#$&^_.+\-]{1,80}(?:/[a-z0-9*!#$&^_.+\-]{1,80})?")
_LIST_PARAMETER = re.compile(r"[a-z0-9_.\-]{1,40}=(?:[a-z0-9_.+\-/:]{0,120}|\"[a-z0-9_.+\-/: ]{0,120}\")")
FILENAME_HEADERS = frozenset({"x-filename", "x-file-name", "x_filename", "x.filename"})
EXECUTABLE_EXTENSIONS = frozenset(
    {"php", "php3", "php4", "php5", "php7", "phtml", "pht", "phar", "phps", "phpt", "pgif",
     "shtml", "jsp", "jspx", "jspf", "asp", "aspx", "ascx", "ashx", "asmx", "cer", "asa", "cfm",
     "cfc", "cgi", "pl", "py", "rb", "sh", "bash", "exe", "dll", "bat", "cmd", "ps1", "vbs",
     "war", "jar", "htaccess", "config"}
)
_SCRIPT_EXTENSIONS = frozenset(
    {"php", "php3", "php4", "php5", "php7", "phtml", "pht", "phar", "asp", "aspx", "jsp", "jspx", "cgi", "pl"}
)
_OPERATOR_KEY = re.compile(r"(?:^|[.\[#{\"'])\$(?:ne|gt|gte|lt|lte|nin|regex|where|exists|expr|or|nor|not|function|accumulator|elemmatch)(?:$|[\[\].\"'}#])")
# what a MongoDB $where clause is written in (JavaScript) and SoQL has no use for
_JS_WHERE = re.compile(r"this\.|this\[|function|return|sleep\(|==|;|\|\||&&|while|match\(|\bobj\.|\$\{|=>|\{")
# ORM filter lookups in parameter names (Django-style ``field__lookup``): a client choosing the
# query operator, e.g. ``password__startswith=a`` or ``user__is_staff``.
_ORM_LOOKUP = re.compile(
    r"[a-z0-9]__(?:i?exact|i?contains|in|gt|gte|lt|lte|i?startswith|i?endswith|range|isnull|i?regex|"
    r"has_keys?|has_any_keys|contained_by|overlap|search|date|year|month|day|week_day|is_staff|is_superuser|"
    r"password|metadata)(?:$|__|\[|\]|\.|#)"
)
# Dot-names of version control, shells, package managers, clouds, editors and agents.
_CONFIG_DOTFILE = re.compile(
    r"^\.(?:env|git|svn|hg|bzr|ssh|aws|azure|gcloud|kube|docker|config|npm|yarn|pip|cargo|gem|m2|gradle|"
    r"idea|vscode|vs|history|bash|zsh|profile|netrc|pgpass|my|ht|ds_store|terraform|vagrant|circleci|github|"
    r"gitlab|claude|cursor|continue|aider|roo|zed|cline|kiro|windsurf|rovodev|codex|opencode|a0proj|plandex|"
    r"fabric|n8n|junie|ai|copilot|gemini|mcp)"
    r"|(?:rc|ignore|history|env|secrets?|credentials|config|passwd|token)$"
)
# the properties of a Drupal render array that name a callback the renderer calls
_RENDER_CALLBACK = re.compile(r"\[#(?:post_render|pre_render|lazy_builder|access_callback|value_callback|process|after_build|element_validate|submit|validate)\]")
# Enum members as module globals: a class attribute look-up of an enum member (``Source.PATH``)
# costs several times a global's, and the per-field code tests the source several times
_PATH, _HEADER, _COOKIE = Source.PATH, Source.HEADER, Source.COOKIE
_MISSING: Any = object()
_SCORED: Any = object()  # plan[1] of a field whose model row is known
# Field-plan cache keys hold the name: long names (rare, attacker-made) are not cached.
_FIELD_NAME_MAX = 256
# Categories whose grammar the analysers cover completely (a header line after a line break,
# an entity declaration, a function definition, a lookup): there the model only corroborates.
# (not traversal either: a path's grammar is closed -- parent steps, wrappers, system and secret
# files, which the path analyser lists -- and the model alone reads an absolute path in telemetry,
# "C:\Windows\System32\smartscreen.exe", as one)
_MODEL_ALONE_CATEGORIES = frozenset(
    {Category.SQLI, Category.XSS, Category.CMDI, Category.SSTI, Category.NOSQLI, Category.LDAPI, Category.SSRF}
)
# the type keys of polymorphic JSON deserialisers (fastjson and Jackson "@type" / "@class", Json.NET
# "$type", ASP.NET's "__type") naming a class of the platform or of a library that gadget chains
# use ("com.sun.rowset.JdbcRowSetImpl", "com.mysql.jdbc.JDBC4Connection", "java.net.Inet4Address",
# "System.Windows.Data.ObjectDataProvider, PresentationFramework"), or fastjson's descriptor
# spellings that only evade its deny list ("Lcom.x.Y;", "[com.x.Y"). An application's own types
# ("com.shop.model.Order", "MyApp.Models.Order, MyApp"), Java collections ("java.util.ArrayList"),
# .NET ones ("System.Collections.Generic.List`1[...]") and schema.org's "@type": "Product" pass.
_TYPE_KEYS = frozenset({"@type", "$type", "@class", "__type"})
# one tag token and nothing else ("<svg:svg", "<META>"): an active one ("<script>") is the
# analysers' to flag, any other does nothing without attributes or content
_LONE_TAG = re.compile(r"</?[A-Za-z][\w:.-]{0,64}/?>?")
_SYNTAX = re.compile(r"[<>'\"`;|$(){}\[\]\\*!^~\n\r]|[^\x00-\x7f]|\.\.")
# the same, for training: the model learns from the values it will be asked about (`apiward.ml.labelling`)
MODEL_SYNTAX = _SYNTAX
# `_SYNTAX` as one character class (no alternation: the engine skips ahead to a candidate
# character) and a substring test: the same answer to "does it match anywhere"
_SYNTAX_CHAR = re.compile(r"[<>'\"`;|$(){}\[\]\\*!^~\n\r\x80-\U0010ffff]")


# a value that is only a quote, or quotes with the parenthesis a probe closes (after decoding), a
# backslash (which escapes the query's closing quote), the parentheses alone, or two single quotes
# (the lists' "''"; one form in wcp-legit-dev sends it, once in 95,167 requests); not two double
# quotes ('""': an empty JSON string, what browsers' client hints and many forms send)
_QUOTE_PROBES = frozenset({"'", '"', "`", "')", '")', "'))", "'\"", "\"'", "'`", "`'", '"`', '`"', "\\'", '\\"', "`)",
                           "\\", "))", "''"})
_PROBE_ENDS = frozenset(probe[-1] for probe in _QUOTE_PROBES)
_WIDE_BYTE_QUOTES = frozenset({"'", '"', "\\'", '\\"'})
_TRAILING_BLANKS = frozenset(" \t\r\n")
# NFKC's quotes ("＇", "＂"), what a normalising application turns into the probe
_FULLWIDTH_QUOTES = frozenset({"\uff07", "\uff02"})
# the probe after the id it stands in for ("1'", "-1'", "7')")
_NUMBER_THEN = re.compile(r"-?[0-9]{1,10}(.{1,3})")
# after a number only: a parenthesis or a statement closed, then a string opened ("1)'", "1;'")
_NUMBER_BREAKS = frozenset({")'", ';\'', ')"', ';"'})


def _quote_probe(value: str) -> bool:
    """`_QUOTE_PROBES`, as sent or once decoded (``%27``, ``%2527``, ``%u0027``), alone or after a
    number. A double quote written after a number is an inch mark (``27"``, a monitor's size); the
    same mark percent-encoded once more than the rest of the request (``27%22``), or after a
    negative number, is the probe."""
    if value in _QUOTE_PROBES or value in _FULLWIDTH_QUOTES:
        return True
    if value[-1:] in _TRAILING_BLANKS or value[:1] == "'":
        # "'\t", "'\n": the probe with the blank a wordlist line keeps; "'''": a run of quotes
        core = value.strip()
        if core in _QUOTE_PROBES or _quote_run(core):
            return True
    if "%" not in value:
        if value[-1:] not in _PROBE_ENDS:
            return False  # (most values: every probe ends with a quote or a parenthesis)
        decoded = value
    else:
        decoded = normalize_value(value).views[-1].strip()
    if decoded in _QUOTE_PROBES or _quote_run(decoded):
        return True
    if decoded[1:] in _WIDE_BYTE_QUOTES and (decoded[:1] == "\ufffd" or decoded != value and "\x80" <= decoded[:1] <= "\xff"):
        # "%bf%27", "%df'", "%bf%5c%27": a lone byte of a multibyte charset's lead range before the
        # quote, which a GBK or Big5 connection reads as one character with the escaping backslash
        # (the byte as the parser left it, U+FFFD, or still encoded: "ß'" typed is UTF-8, no probe)
        return True
    after = _NUMBER_THEN.fullmatch(decoded)
    if after is not None and after.group(1) in _NUMBER_BREAKS:
        return True
    if after is None or after.group(1) not in _QUOTE_PROBES or after.group(1) == "''":
        return False  # ("27''": inches written with two apostrophes)
    return after.group(1)[0] != '"' or decoded != value or decoded[0] == "-"


_TOKEN = re.compile(r"[A-Za-z0-9_\-]{6,128}")
_QUOTE_ENDS = frozenset("'\"27")  # a quote, or the end of "%27" / "%22" in a cookie as sent


def _token_then_quote(value: str) -> bool:
    """A token of letters and digits (both) followed by one quote: "tBT6alTNwiOWmUMO'"."""
    token = value[:-1]
    return (value[-1:] in ("'", '"') and _TOKEN.fullmatch(token) is not None
            and any(c.isdigit() for c in token) and any(c.isalpha() for c in token))


def _quote_run(text: str) -> bool:
    """Three or more single quotes and nothing else ("'''", "''''''")."""
    return len(text) >= 3 and text == "'" * len(text)


# The characters automated SQL injection testers append at random to a value to break its
# query (4096),.)()'),( and laptop..('''.".' as sent), the reflection marker they send with it
# (3'onsGXa<'">ecwzLO), and a number cut off by a comment ("310/*comment*/")
_BREAK_CHARS = frozenset("\"'(),.")
_PROBE_TAIL_ENDS = frozenset("\"'(),./")
_REFLECTION_CHARS = frozenset("'\"<>")
# a spreadsheet formula: a function of the sheet called ("=SUM(", "=ARRAYFORMULA(")
_FORMULA = re.compile(r"=[A-Z][A-Z0-9.]{1,30}\(")


def _reflection_run(value: str) -> bool:
    """The value ends in a run of 4-8 of ``'"<>`` holding all four ("zxd5mfai'\"<>"): the characters
    a scanner appends to a random token to see which of them come back unescaped."""
    run = len(value) - len(value.rstrip("'\"<>"))
    return 4 <= run <= 8 and _REFLECTION_CHARS.issubset(value[-run:])


_PUNCTUATION_ONLY = re.compile(r"[!-/:-@\[-`{-~\s]+")
_SQL_MARKS = ("--", "#", "/*", ";", "(", ")")
_STACKED_PROBE = re.compile(
    r"[0-9]{1,10}[\s]{0,2};[\s]{0,2}(?:select|drop|insert|update|delete|exec|execute|declare|shutdown|waitfor|truncate)"
    r"[\s]{0,2}(?:--[\s-]{0,2}|#|;|/\*)?", re.IGNORECASE)
_NUMBER_COMMENT = re.compile(r"-?[0-9]{1,10}[\s]{0,2}/\*[^*]{0,40}\*/")


def _scanner_probe(value: str) -> tuple[Category, str] | None:
    """A value that ends in the break characters an injection tester appends (six or more of
    ``"'(),.`` with a quote and a parenthesis among them, or a quote closed by a parenthesis that
    nothing in the value opened, after a word or a number: "2022-11-30')", not "thanks :')"),
    carries its reflection marker ``<'">``, or is a number and a comment."""
    if "<'\">" in value or (value[-1:] in _REFLECTION_CHARS and _reflection_run(value)):
        return Category.XSS, "xss.scanner-marker"
    if 6 <= len(value) <= 40 and "'" in value and '"' in value and _PUNCTUATION_ONLY.fullmatch(value) is not None and (
            sum(mark in value for mark in _SQL_MARKS) >= 2):
        # "'\"(){}[]<>;--#/*": every character that breaks a string, a statement or a comment, and
        # nothing else (a fuzzer's first line; an emoticon or a separator line has no quote pair)
        return Category.SQLI, "sqli.break-probe"
    if value[-1:] not in _PROBE_TAIL_ENDS:
        return None
    if value[-1] == "/":
        return (Category.SQLI, "sqli.comment-probe") if _NUMBER_COMMENT.fullmatch(value) is not None else None
    start = len(value)
    while start > 0 and value[start - 1] in _BREAK_CHARS and len(value) - start < 40:
        start -= 1
    run = value[start:]
    if len(run) >= 6 and ("'" in run or '"' in run) and ("(" in run or ")" in run):
        return Category.SQLI, "sqli.break-probe"
    closed = run.rstrip(")")
    if closed != run and closed[-1:] in ("'", '"') and "(" not in value and value[start - 1 : start].isalnum():
        return Category.SQLI, "sqli.quote-probe"
    return None


def _read_text(source: Source, value: str) -> str:
    """The text a value is read as: a cookie arrives percent-encoded as the client wrote it and is
    read decoded once, as a query value is; any other value as it is."""
    return unquote(value) if source is Source.COOKIE and "%" in value else value


def _model_reads(value: str, hits: Sequence[Hit]) -> bool:
    """Whether the model reads a value the analysers did: one with code syntax or weak lexical
    evidence. URLs, dates, ids and prose (only ``?=&%:/.,+-_@#`` and words) are the analysers'
    alone, and so is a value that is only one inert tag token (``<svg:svg``: nothing else is in it)."""
    return bool(hits or _has_syntax(value)) and _LONE_TAG.fullmatch(value.strip()) is None


def _has_syntax(value: str) -> bool:
    """``_SYNTAX.search(value) is not None``."""
    return ".." in value or _SYNTAX_CHAR.search(value) is not None


_NAMED_SOURCES = frozenset({Source.QUERY, Source.COOKIE, Source.BODY})
# Spring Boot's actuator endpoints that hand out the process's secrets or control it (environment
# and configuration with credentials, a heap dump, JMX over HTTP, the routes of a gateway, a
# shutdown); health, info and metrics are what monitoring reads
_ACTUATOR_LEAK = re.compile(
    r"/actuator/(?:env|heapdump|threaddump|jolokia|configprops|mappings|httptrace|trace|logfile|beans"
    r"|gateway/routes|shutdown|restart|refresh|loggers/[^/]+)(?:/|$)")
# Exchange's Autodiscover handed a back-end path in its query (ProxyShell, ProxyNotShell:
# "/autodiscover/autodiscover.json?@x.example/owa/&Email=autodiscover/autodiscover.json%3F@x.example"):
# the front end proxies the request to that path as the machine account. A client's own lookup
# names an e-mail address and a protocol, never a path
_AUTODISCOVER_PROXY = re.compile(r"autodiscover\.json|/(?:owa|mapi|powershell|ews|ecp|rpc|oab)(?:/|\?|$)")
# a query that is a command-line option of one letter, sent to PHP run as a CGI program, which
# reads a query without "=" as its arguments (CVE-2012-1823; CVE-2024-4577 with a soft hyphen):
# "/index.php?-s" shows the source, "-d allow_url_include=1 -d auto_prepend_file=php://input" runs the body
_PHP_CGI_OPTION = re.compile(r"(?:-|%2d|%ad|\xad)[a-z](?:$|[+&]|%20)", re.IGNORECASE)
_PHP_CGI_PATH = re.compile(r"(?:\.php[0-9]?|/php[0-9]?|php-cgi(?:\.exe)?|php\.cgi)$")
# the request parameters web frameworks name by their own package: JSF's ("javax.faces.ViewState",
# "javax.faces.partial.ajax", Jakarta's "jakarta.faces.source") and Struts 1's form token
_FRAMEWORK_PARAMETER = re.compile(
    r"(?:javax|jakarta)\.faces\.(?:viewstate|source|partial\.(?:ajax|execute|render|event)|behavior\.event"
    r"|clientwindow|resetvalues|encodedurl)|org\.apache\.struts\.taglib\.html\.token")
# headers a framework sets only between its own layers (never a client)
_INTERNAL_HEADERS = frozenset({"x-middleware-subrequest"})
# Remote file inclusion (see `DetectionStage._include_rules`): a URL an interpreter could include,
# and parameter names that hold a local include path.
_REMOTE_URL = re.compile(r"(?i)(?:(?:https?|ftps?):)?//[^\s/?#]{1,253}")  # (or scheme-relative)
_INCLUDE_NAME = re.compile(
    r"^(?:dir|include|inc|require)$"
    r"|(?:^|_)(?:absolute|base|root|include|inc|lib|class|plugin|module|template|theme)_?(?:path|dir)$"
    r"|^mosconfig_absolute_path$"
)
_CONFIG_PATH = re.compile(r"(?:conf|config|cfg|settings)\[(?:path|dir|root|base)\]$")  # _CONF[path]=
_INDEX = re.compile(r"\[[0-9]{1,9}\]")
# a header line after a line break (`apiward.detectors.crlf`), however the break is spelled
_HEADER_LINE_RULES = frozenset({"crlf.header", "crlf.encoded-header"})
# a CR or LF percent-encoded once or twice, as "%u000a", as the UTF-8 of U+2028 or U+560A, or as
# an escaped "\\n", in front of a header name
_ENCODED_BREAK = re.compile(
    r"%(?:25){0,2}(?:0[ad]|u000[ad]|e2%80%a[89]|e5%98%8[ad]|5c[rn])[^\r\n]{0,12}[a-z][a-z0-9\-]{1,40}\s{0,4}:", re.I
)
# query parameters of a Referer read one by one (`DetectionStage._referer_query`)
_REFERER_PARAMS = 32
# the name of a Referer's lone query parameter, written plainly ("?q=", "?search_term=")
_PLAIN_PARAM_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
# a URL as a path segment: "/proxy/http://127.0.0.1/" (or "http:/127.0.0.1" once "//" is folded)
_PATH_URL = re.compile(r"/([a-z][a-z0-9+.\-]{1,15}:/)")
EVIDENCE_CHARS = 80
# What one field contributes: [(location, category, score, rule, evidence) added, in order,
# its normalised views while the model has to read it (`_SCORED` once it has; None when the model
# does not read it), the model's row once scored (as its (column, probability) pairs that are not
# below 0.05, in column order: the others never count), the evidence of a model-only finding
# (None when no column of the row can reach the log threshold: it is never read then)].
_Plan = list[Any]
TRUNCATED_NOTE = " [long value: head+tail inspected]"


# what a question's analyser hits are logged at: below the block threshold
_QUESTION_SCORE = 0.45


class DetectionStage:
    """Scores every field of a request; returns findings per location (see module docstring)."""

    name = "detect"
    phase = Phase.DETECT

    def __init__(
        self,
        settings: DetectionSettings,
        model: AttackModel | None,
        *,
        cache_size: int = 131072,
        cache_chars: int = 16 << 20,
    ) -> None:
        # (the character budget bounds the caches' memory; the entry count is a second cap. At
        # 65,536 entries it bound first, at ~60 % of the budget, on a stream of distinct benign
        # requests, and the values and fields evicted early were analysed again: 131,072 entries
        # measured +7 % CPU req/s on `apiward bench`'s stream for +19 MB peak RSS)
        self.settings = settings
        self.model = model
        self._skip_headers = STRUCTURAL_HEADERS | frozenset(h.lower() for h in settings.skip_headers)
        self._report_at = settings.log_threshold
        # per value: normalised views and lexical hits (None: a fast path skipped it)
        self._cache = BoundedCache(cache_size, cache_chars)
        self._cache_max_chars = 2048
        # per field (source, name, value or digest of a long value): the findings it adds, its
        # model row and model evidence (see `_field_plan`)
        self._field_cache = BoundedCache(cache_size, cache_chars)
        self._exclusions = tuple(settings.exclusions)
        if model is not None:
            self._model_categories = tuple(model.categories)
            thresholds = getattr(model, "thresholds", {}) or {}
            self._model_thresholds = tuple(
                min(0.99, max(0.01, float(thresholds.get(c, 0.5)))) for c in self._model_categories
            )
        else:
            self._model_categories = ()
            self._model_thresholds = ()
        self._policy_threshold = settings.block_threshold
        self._model_alone = settings.model_alone

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        return self.findings(request, ctx.route)

    # -- the work ------------------------------------------------------------------------------
    def findings(self, request: RequestView, route: str | None = None) -> list[Finding]:
        """Synchronous core of `inspect` (used by benchmarks and evaluation)."""
        scored: dict[tuple[str, Category], tuple[float, str, str]] = {}
        batch: list[tuple[Field, _Plan]] = []  # (field, plan) of the fields the model reads
        skip = self._skip_headers
        cache = self._field_cache
        memo = cache.data
        max_chars = self._cache_max_chars
        header = Source.HEADER
        json_body = request.body_kind is BodyKind.JSON
        for fld in embedded_fields(request.fields):
            source, name, value = fld
            if len(value) <= 12 and _quote_probe(value) and not (json_body and source is Source.BODY):
                # the value is only a quote, the error probe of every SQL injection scanner and list
                # ("'", "%22", "')", "1'"); not a JSON document's leaf: character tables live there (a
                # bot-detection sensor's keyboard layout map, a CSV export's quote setting, a key
                # press), and so do chat messages of one quote. (A site whose template appends a
                # stray quote to a revision number, "21128'", is blocked too: one site's bug in
                # wcp-legit-dev, 18 of its 95,167 requests.)
                self._add(scored, fld.location, Category.SQLI, 0.8, "sqli.quote-probe", _short(value))
            else:
                tail = _read_text(source, value) if len(value) <= 200 else value
                if (tail[-1:] in _PROBE_TAIL_ENDS or "<'\">" in tail or (tail[:1] in "'\"" and len(tail) <= 40)
                        or tail[-1:] == ">"):
                    # (a spreadsheet formula closes its calls at its end: "=TRIM(LOWER(B2:B,\" \")))")
                    probe = None if _FORMULA.match(tail) is not None else _scanner_probe(tail)
                    if probe is not None and not (source is Source.PATH and probe[1] == "sqli.quote-probe"
                                                  and "('" in request.path):
                        # (a path segment that closes a quoted argument opened in an earlier one is
                        # the argument's end: SharePoint's and OData's "GetFolderByServerRelativeUrl(
                        # '/sites/hr/Shared Documents/Onboarding')/Files")
                        self._add(scored, fld.location, probe[0], 0.8, probe[1], _short(value))
                elif len(tail) <= 40 and tail[:1].isdigit() and ";" in tail and _STACKED_PROBE.fullmatch(tail) is not None:
                    # "1;select", "5; drop--": an id followed by the first word of a second statement,
                    # the probe for stacked queries (what follows is the query the tester sends next)
                    self._add(scored, fld.location, Category.SQLI, 0.8, "sqli.stacked-probe", _short(value))
            if (source is header and name in skip and _STRUCTURAL_SUSPECT.search(value) is None
                    and not (name in _ENTITY_TAG_HEADERS and _ENTITY_TAGS.fullmatch(value) is None)):
                continue
            if len(name) <= _FIELD_NAME_MAX:
                # a long value is remembered by its digest, not held (see `_field_cost`)
                key = (id(source), name, value if len(value) <= max_chars else _digest(value))
                plan = memo.get(key)
                if plan is None:
                    plan = self._field_plan(fld)
                    cache.put_new(key, plan, _field_cost(key, plan))  # (`_field_plan` reads only the value cache)
            else:
                plan = self._field_plan(fld)
            for location, category, score, rule, evidence in plan[0]:  # (empty for most fields)
                self._add(scored, location, category, score, rule, evidence)
            if plan[1] is not None:
                batch.append((fld, plan))
        rejoined: list[Field] = []
        if "&" in request.query_string and "=" in request.query_string:
            self._split_commands(request.query_string, Source.QUERY, scored, rejoined)
        if request.content_type == FORM and b"&" in request.body and len(request.body) <= 65536:
            self._split_commands(request.body.decode("utf-8", "replace"), Source.BODY, scored, rejoined)
        raw_path = request.raw_path
        for where, target in (("path", raw_path), ("query", request.query_string)):
            double = _DOUBLE_ENCODED_ALNUM.search(target) if "%25" in target else None
            if double is not None:
                self._add(scored, where, Category.PROTOCOL, 0.85, "protocol.double-encoded-alnum", double.group(0))
                break
        if ":" in raw_path:
            drive = _DRIVE_SEGMENT.search(raw_path)
            if drive is not None:
                # ``/api/items/c:/inetpub/logs/...``: a Windows path sent with its slashes raw is
                # cut into segments; from its drive letter on it is one file name
                rejoined.append(Field(Source.PATH, "", unquote(raw_path[drive.start(1):])))
        query = request.query_string
        if query[:1] == "?" and "=" not in query and "," not in query and len(query) <= 2048:
            # ``/api/items/e??/p?ss??``: a glob whose ``?`` a client read as the query's start; the
            # application's router may get the whole text, and a shell the glob. (CDN combo URLs,
            # ``/g/??a.js,b/c.js``, list files after their ``??``: not a glob.)
            rejoined.append(Field(Source.PATH, "", unquote(raw_path + "?" + query)))
        for fld in rejoined:
            # a value cut by raw '&'s, read whole like the same value sent percent-encoded (the
            # model included: it weighs an analyser's hit there as it does on any field)
            plan = self._field_plan(fld)
            for location, category, score, rule, evidence in plan[0]:
                self._add(scored, location, category, score, rule + "+split", evidence)
            if plan[1] is not None:
                batch.append((fld, plan))
        for header_name, header_value in request.headers:
            if header_name == "cookie" and ";" in header_value:
                self._split_cookie(header_value, scored)
            elif header_name in _INTERNAL_HEADERS:
                # a framework's own header between its layers, sent from outside: Next.js skips
                # its middleware (authorisation included) for a request that names itself a
                # sub-request of it (CVE-2025-29927)
                self._add(scored, f"header.{header_name}", Category.PROTOCOL, 0.9, "protocol.internal-header",
                          _short(header_value))
        if (request.query_string[:1] in ("-", "%", "\xad") and _PHP_CGI_OPTION.match(request.query_string) is not None
                and _PHP_CGI_PATH.search(request.path.lower()) is not None):
            self._add(scored, "query", Category.CMDI, 0.85, "cmdi.php-cgi-option", _short(request.query_string))
        if request.query_string and "autodiscover.json" in request.path.lower():
            proxied = _AUTODISCOVER_PROXY.search(unquote(request.query_string).lower())
            if proxied is not None:
                self._add(scored, "query", Category.SSRF, 0.9, "ssrf.autodiscover-proxy", proxied.group(0))
        if "/actuator/" in request.path:
            exposed = _ACTUATOR_LEAK.search(request.path.lower())
            if exposed is not None:
                self._add(scored, "path", Category.TRAVERSAL, 0.85, "traversal.actuator-endpoint", exposed.group(0))
        if request.body_kind is BodyKind.TEXT:
            self._form_shaped_text(request, scored)
        if request.body:
            head = request.body[:65536]
            sniffed = sniff_charset(head)
            if sniffed:  # a UTF-16/32 or EBCDIC document: its markup is ASCII only once decoded
                head = head.decode(sniffed, "replace").encode("utf-8")
            # a DTD or a piece of one (parameter-entity references, the subset's end), an XInclude
            # element (``<xi:include href=...>``, which needs no DTD), XSLT (a stylesheet
            # processing instruction, an ``xsl:`` element)
            if (b"<!" in head or (b"nclude" in head and (b"xi:include" in head or b"XInclude" in head))
                    or b"xml-stylesheet" in head or b"<xsl:" in head or head.lstrip()[:1] in (b"%", b"]")):
                self._xml_body(request, scored)
        if batch and self.model is not None:
            self._score_model(self.model, batch, scored)
        if not scored:
            return []
        if "/." in request.path and any(part in request.path for part in _CODE_HOST_PARTS):
            _code_browsing(request.path, scored)
        path_for_route = route or request.path
        out: list[Finding] = []
        for (location, category), (score, rule, evidence) in scored.items():
            if score < self._report_at:
                continue
            if self._excluded(path_for_route, request.path, location, category):
                continue
            out.append(Finding(self.name, category, location, round(score, 4), evidence, rule))
        out.sort(key=lambda f: -f.score)
        return out

    def _field_plan(self, fld: Field) -> _Plan:
        """What one field contributes, a pure function of (source, name, value): the findings it
        adds (in order, best per key), its normalised views when the model reads it, and (filled
        in by `_score_model`) the model's probabilities for it."""
        scored: dict[tuple[str, Category], tuple[float, str, str]] = {}
        source, name, value = fld
        filter_comparison = "$" in name and _filter_comparison(name.lower(), value)
        # "?$where=created_date between '2024-03-01' and ...": Socrata's open-data API (SoQL), whose
        # query parameters are "$where", "$select", "$order"; a MongoDB $where is JavaScript
        # ("this.x", "sleep(", "==", "return"), judged as before. The parameter's name read as a
        # key ("$where#key") is judged with its value, as a filter's is
        soql = name == "$where" and source is Source.QUERY and _JS_WHERE.search(value.lower()) is None
        if name == "$where#key" and source is Source.QUERY:
            filter_comparison = True
        if "$" in name and _OPERATOR_KEY.search(name.lower()) is not None:
            if not (soql or filter_comparison):
                # (not "filters[price][$gte]=10" (Strapi), "where.price.$gte" (Parse): a list API's
                # filter parameter comparing a named field with a number, a date or a word; no weak
                # finding either, which the model would raise: only its own certainty blocks there)
                self._add(scored, fld.location, Category.NOSQLI, 0.92, "nosqli.operator-key", _short(name))
        elif "$" in name and not filter_comparison and nosql.mongo_key(name.lower(), value):
            self._add(scored, fld.location, Category.NOSQLI, 0.85, "nosqli.operator-key", _short(name))
        if source is not _COOKIE and source is not _HEADER and "__" in name:
            orm = _ORM_LOOKUP.search(name.lower())
            if orm is not None and _orm_probe(name.lower()):
                self._add(scored, fld.location, Category.NOSQLI, 0.8, "nosqli.orm-lookup", _short(name))
        if "[#" in name and not name.endswith("#key") and _RENDER_CALLBACK.search(name.lower()) is not None:
            # "name[#post_render][]=passthru" (Drupalgeddon2): a form parameter that becomes a
            # property of a Drupal render array, whose callbacks the renderer calls with its markup
            self._add(scored, fld.location, Category.CMDI, 0.9, "cmdi.render-callback", _short(name))
        if ((source is _COOKIE or source is Source.QUERY) and 7 <= len(value) <= 140 and value[-1:] in _QUOTE_ENDS
                and _token_then_quote(_read_text(source, value))):  # (a cookie as sent: "...%27")
            # "TrackingId=tBT6alTNwiOWmUMO'": a session or tracking token with the SQL error probe
            # appended (an id is letters and digits; a quote never ends one)
            self._add(scored, fld.location, Category.SQLI, 0.8, "sqli.quote-probe", _short(value))
        if source in _NAMED_SOURCES and value and len(value) <= 24 and _shell_parameter(name, value):
            # "x.php?cmd=id": a web shell's command parameter given a reconnaissance command
            self._add(scored, fld.location, Category.CMDI, 0.9, "cmdi.shell-parameter", _short(value))
        if source in _NAMED_SOURCES and value and len(value) <= 120 and _php_callable(name, value):
            # "function=call_user_func_array&vars[0]=system", "_method=__construct&filter[]=system":
            # ThinkPHP's request dispatch handed a PHP function to call, by name
            self._add(scored, fld.location, Category.CMDI, 0.9, "cmdi.php-callable", _short(value))
        if source in _NAMED_SOURCES and name and "#key" not in name:
            # parameter, cookie and JSON key names reach applications too (``java.lang.Runtime=x``);
            # a name that is a whole JSON document (a JSON body posted as a form) is read leaf by
            # leaf, and its leaves' names ("<its head>…#key[2][0]") are not read again: their keys
            # are "#key" fields of their own; a name that only opens like JSON ("[2][0][7]", PHP-style
            # nested indexes) loses its indexes like any other
            # (a name that does not open like JSON is its own one text, `_leaf_texts` would say)
            texts = _leaf_texts(source, name) if name[0] in "{[" else None
            if not texts or texts == [name]:
                texts = [_unindexed(name) if "[" in name else name]
            for text in texts:
                if "." in text and _FRAMEWORK_PARAMETER.fullmatch(text.lower()) is not None:
                    continue  # a web framework's own request parameter, named by its package
                # most names are plain (a remembered skip): their location is not built
                named = self._analyse_value(text)
                if named is not None:
                    if soql or "$" in text and _filter_comparison(text.lower() + "#key", ""):
                        # the operators of a filter parameter's name ("filters[price][$gte]"): its value
                        # is judged with them (`_filter_comparison`); the other families still read it
                        named = (named[0], tuple(h for h in named[1] if h.category is not Category.NOSQLI))
                    self._add_name_hits(named, fld.location + "#key", scored)
        if not value:
            return _plan(scored)
        if "." in value and len(value) <= 400 and _last_name(name) in _TYPE_KEYS and GADGET_CLASS.fullmatch(value.lower()):
            # {"@type": "com.sun.rowset.JdbcRowSetImpl", ...}: the request picks the class the server
            # instantiates (the gadget of a deserialisation attack, whatever its name)
            self._add(scored, fld.location, Category.SSTI, 0.85, "ssti.polymorphic-type", _short(value))
        if source is _PATH and value.startswith(".") and name and _hidden_file(value):
            # a dot-file or dot-directory (/.env, /.git/config, /.aws/...): tool configuration and
            # secrets, never a page; names with an inner dot (/.model.json) are ordinary files
            score = 0.75 if _CONFIG_DOTFILE.search(value.lower()) else 0.45
            self._add(scored, fld.location, Category.TRAVERSAL, score, "traversal.hidden-file", _short(value))
        if source in _NAMED_SOURCES and ("://" in value[:12] or value.startswith("//")):
            self._include_rules(fld, value, scored)
        elif source is _COOKIE and ("%3a%2f%2f" in value[:20].lower() or value[:6].lower() == "%2f%2f"):
            # a cookie is sent as written: its URL percent-encoded ("http%3A%2F%2F...%2500"), which the
            # application decodes
            self._include_rules(fld, unquote(value), scored)
        if source is _HEADER and name in ("host", "x-forwarded-host") and len(value) <= 256 and ssrf.metadata_host(value):
            # "Host: 169.254.169.254": a request for the metadata service, sent to a proxy that routes
            # by the host it is asked for (no client of this API names that host)
            self._add(scored, fld.location, Category.SSRF, 0.95, "ssrf.metadata-host", _short(value))
        if source is _HEADER and name == "authorization" and value[:6].lower() == "basic " and len(value) <= 1024:
            self._basic_rules(fld.location, value[6:].strip(), scored)
        if source is _HEADER and name == "authorization" and value[:7].lower() == "bearer " and value.count(".") == 2:
            self._jwt_rules(fld.location, value[7:].strip(), scored)
        elif source is _COOKIE and value[:3] == "eyJ" and value.count(".") == 2:
            self._jwt_rules(fld.location, value, scored, cookie=True)  # a session JWT kept in a cookie
        analysed = self._analyse_value(value)
        if analysed is None:
            if "." in value or "sess_" in value:
                filename = name.endswith("#filename") or (source is _HEADER and name in FILENAME_HEADERS)
                if filename:  # a plain file name ("shell.php5") skips the analysers, not the upload rules
                    self._filename_rules(fld.location, value, scored)
            return _plan(scored)
        normalized, hits = analysed
        if filter_comparison and ("&" in value or name.endswith("#key")):
            # a filter's name read as a key, or its scalar read again with the raw filter pairs
            # after it (`_split_commands`): the operators were judged with the scalar
            hits = tuple(h for h in hits if h.category is not Category.NOSQLI)
        located = self._located(fld, hits, normalized)
        referer_query = source is _HEADER and name == "referer" and "?" in value
        if referer_query:
            located = _outside_lone_parameter(value, located)
        # "chmod 755 vs 644", "how to edit /etc/hosts on macOS": a search about a command, a
        # statement or a file, in a question's words and with no syntax a payload needs; what the
        # analysers saw is logged, and the model (which learned the terms) does not read it
        asks_model = _model_reads(value, hits)
        question = (bool(located) or asks_model) and reads_as_question(_read_text(source, value))
        cap, suffix = (_QUESTION_SCORE, "+question") if question else (1.0, "")
        for hit in located:
            self._add(scored, fld.location, hit.category, min(hit.score, cap), hit.rule + suffix, self._evidence(hit, normalized))
        if referer_query:
            self._referer_query(fld, value, scored)
        if source is _PATH or source is _HEADER or name.endswith("#filename"):
            self._location_rules(fld, normalized, scored)
        if self.model is None or question or (filter_comparison and name.endswith("#key")):
            # (a filter's operator read as a key, ``where.author.$in``, is judged with its scalars)
            return _plan(scored)
        if source is _COOKIE:
            decoded = _read_text(source, value)
            if decoded != value:
                # a cookie is sent as written, its text percent-encoded ("Why%20does%20my%20DELETE"):
                # the model reads it as the same text sent in a query, decoded once (it would read
                # "%20" between SQL words as the encoded payloads it learned). Its views are the
                # value's with the decoded text in the raw one's place: what normalising the decoded
                # text gives (measured: all but 1 % of wcp-legit-dev's encoded cookies, random
                # bot-sensor blobs), without analysing it again
                if not _model_reads(decoded, hits):
                    return _plan(scored)
                views = (decoded, *(view for view in normalized.views[1:] if view != decoded))
                return _plan(scored, Normalized(views, normalized.truncated))
        if source is _HEADER and name in _LIST_HEADERS and not hits and _well_formed_list(value):
            # a list of media types, charsets or language tags and nothing else: nothing there for
            # the model to read (it reads some browsers' spellings as markup: Safari's Accept)
            return _plan(scored)
        if asks_model:
            return _plan(scored, normalized)
        return _plan(scored)

    def _jwt_rules(
        self, location: str, token: str, scored: dict[tuple[str, Category], tuple[float, str, str]], cookie: bool = False
    ) -> None:
        """A bearer JWT's header, which the server reads before it verifies anything: an unsigned
        token ("alg": "none") asks to be trusted as it is, and the key id ("kid") is looked up
        as a file or a database row by some servers, so a path or a query in it is the attack. A
        key set's URL ("jku", "x5u") is fetched by servers that honour it: an internal address or
        another scheme there makes the server fetch it (SSRF)."""
        header = _jwt_header(token)
        if header is None:
            return
        alg = header.get("alg")
        if isinstance(alg, str) and alg.strip().lower() == "none":
            # (logged only in a cookie: some sites set an unsigned token themselves, a guest session's
            # "idToken", and see it on every request; a bearer token is the API's own and is signed)
            self._add(scored, location, Category.AUTHN, 0.45 if cookie else 0.9, "authn.jwt-unsigned", _short(f"alg={alg}"))
        kid = header.get("kid")
        if isinstance(kid, str) and kid and len(kid) <= 512:
            self._add_part(scored, location, kid, _KEY_ID_CATEGORIES, "+jwt-kid")
        for field in ("jku", "x5u"):
            url = header.get(field)
            if isinstance(url, str) and url and len(url) <= 2048:
                self._add_part(scored, location, url, (Category.SSRF,), f"+jwt-{field}")

    def _basic_rules(self, location: str, token: str, scored: dict[tuple[str, Category], tuple[float, str, str]]) -> None:
        """The credentials of Basic authentication, base64 of "user:password", read decoded: a
        lookup or a function definition in them (a Log4Shell probe the server logs, Shellshock
        through a CGI's REMOTE_USER); the user name, which a login looks up in a table ("admin' --",
        "root'#") or a device's script hands to a shell ("& ping -n 10 127.0.0.1 &"); a password with
        words in it (a random one has no blanks), for what the analysers are sure of only ("' OR
        1=1--", a reverse shell). A password's other symbols are its own business."""
        credentials = _basic_credentials(token)
        if credentials is None:
            return
        user, _, password = credentials.partition(":")
        if any(c in user for c in "'\"#;|&`$"):
            self._add_part(scored, location, user, (Category.SQLI, Category.LDAPI, Category.CMDI), "+basic-auth")
        if " " in password and len(password) >= 8:
            self._add_part(scored, location, password, (Category.SQLI, Category.CMDI), "+basic-auth", floor=0.9)
        if "${" in credentials or "()" in credentials:
            self._add_part(scored, location, credentials, (Category.LOG4SHELL, Category.SHELLSHOCK), "+basic-auth")

    def _add_part(
        self,
        scored: dict[tuple[str, Category], tuple[float, str, str]],
        location: str,
        part: str,
        categories: Collection[Category],
        suffix: str,
        floor: float = 0.0,
    ) -> None:
        """The analysers' hits of ``categories`` (from ``floor`` up) on ``part``, a piece of the
        field's value decoded out of it, recorded at the field with ``suffix`` after their rule."""
        analysed = self._analyse_value(part)
        for hit in analysed[1] if analysed is not None else ():
            if hit.category in categories and hit.score >= floor:
                self._add(scored, location, hit.category, hit.score, hit.rule + suffix, self._evidence(hit, analysed[0]))

    def _analyse_value(self, value: str) -> tuple[Normalized, tuple[Hit, ...]] | None:
        """Normalised views and lexical hits of one value, or None when a fast path skips it
        (plain, inert or binary). Results and skip decisions are cached per value (bounded,
        values up to 2 KB; the analysis is a pure function of the value)."""
        cacheable = len(value) <= self._cache_max_chars
        if cacheable:
            cached = self._cache.data.get(value, _MISSING)
            if cached is not _MISSING:
                return cached  # type: ignore[no-any-return]
        if plain(value) or inert(value) or value.isspace() or _binary(value):
            result: tuple[Normalized, tuple[Hit, ...]] | None = None
            if len(value) >= 12 and " " not in value:
                # a hex string or a base64 token of letters and digits is plain to the fast paths;
                # an application that decodes it gets what it holds (only strong evidence counts)
                hidden = hidden_hits(value)
                if hidden:
                    result = (Normalized((value,)), tuple(hidden))
        else:
            normalized = normalize_value(value)
            result = (normalized, tuple(scan_views(normalized, ANALYSERS)))
        if cacheable:
            self._cache.put_new(value, result, _value_cost(value, result))  # (the analysis is pure: it never inserts)
        return result

    def _referer_query(
        self, fld: Field, value: str, scored: dict[tuple[str, Category], tuple[float, str, str]]
    ) -> None:
        """The query parameters of the page a Referer names: the application logs it, and
        analytics or "back" links read its parameters again, so each value is inspected as a
        query value would be (inside the whole URL the analysers read a link, and a path or a
        command there is ordinary). As for the Referer itself, a URL is not SSRF there, but a
        remote script for an include (``rfi.*``) is the same attack as in the query."""
        query = value.partition("?")[2].partition("#")[0]
        if not query or len(query) > 8192:
            return
        for pair in query.split("&", _REFERER_PARAMS)[:_REFERER_PARAMS]:
            raw = pair.partition("=")[2]
            if not raw:
                continue
            # a parameter that is a JSON document is read leaf by leaf, as in the request's own query
            leaves = _leaf_texts(Source.QUERY, unquote_plus(raw) if "%" in raw or "+" in raw else raw)
            for text in leaves[:_REFERER_PARAMS]:
                analysed = self._analyse_value(text)
                if analysed is None:
                    continue
                normalized, hits = analysed
                for hit in hits:
                    # (remote file inclusion is kept: a script URL cut with "?", a share's script)
                    if hit.category is not Category.SSRF or hit.rule.startswith("rfi."):
                        self._add(scored, fld.location, hit.category, hit.score, hit.rule, self._evidence(hit, normalized))

    def _located(self, fld: Field, hits: Sequence[Hit], normalized: Normalized) -> list[Hit]:
        """Location-aware adjustments of the value's lexical hits."""
        if not hits:
            return []
        out: list[Hit] = []
        header = fld.source is Source.HEADER
        for hit in hits:
            if (hit.category is Category.SSRF and header and fld.name in NO_SSRF_HEADERS
                    and not (fld.name == "referer" and hit.rule in _FORGED_REFERER_RULES)
                    and not _forged_address_header(fld.name, fld.value)):
                continue
            if hit.category is Category.SQLI and _all_rows_filter(fld.name, fld.value):
                continue
            if (hit.category is Category.CRLF and fld.source is Source.BODY and hit.rule in _HEADER_LINE_RULES
                    and _ENCODED_BREAK.search(normalized.views[0]) is None):
                # line breaks reach a response header from query, path, cookies and headers;
                # a body (batch requests, multipart, mail text) holds header-like lines legitimately
                # (as typed breaks: one still percent-encoded after the body's own decoding,
                # "/%0d%0aSet-Cookie:", was written for a header the value is copied into)
                hit = Hit(hit.category, min(hit.score, 0.45), hit.rule, hit.text, hit.start, hit.end)
            if (hit.category is Category.SSRF and hit.rule == "ssrf.loopback" and not header
                    and ssrf.browser_redirect(_last_name(fld.name), hit.text)):
                # an OAuth / OIDC loopback redirect (RFC 8252: native apps listen on 127.0.0.1):
                # the browser is sent there, the server fetches nothing
                hit = Hit(hit.category, min(hit.score, 0.45), hit.rule, hit.text, hit.start, hit.end)
            if hit.category is Category.TRAVERSAL and fld.source is Source.PATH and hit.rule == "traversal.wrapper":
                hit = Hit(hit.category, min(hit.score, 0.85), hit.rule, hit.text, hit.start, hit.end)
            out.append(hit)
        return out

    def _location_rules(
        self, fld: Field, normalized: Normalized, scored: dict[tuple[str, Category], tuple[float, str, str]]
    ) -> None:
        name = fld.name
        filename = name.endswith("#filename") or (fld.source is Source.HEADER and name in FILENAME_HEADERS)
        if filename:
            text = normalized.analysed[0]
            if "../" in text or "..\\" in text:
                pos = text.find("..")
                self._add(scored, fld.location, Category.TRAVERSAL, 0.93, "traversal.filename",
                          _short(text[pos : pos + 40]))
            self._filename_rules(fld.location, text, scored)
        if fld.source is Source.PATH and not name and ":/" in normalized.views[-1]:
            # "/proxy/http://127.0.0.1/", "/fetch/gopher://...": a URL carried in the path, which
            # routes like "/proxy/{url:path}" hand to a fetch (clients fold its "//" to "/")
            for view in normalized.analysed:
                embedded = _PATH_URL.search(view)
                if embedded is None:
                    continue
                for hit in ssrf.scan(view[embedded.start(1) :]):
                    self._add(scored, fld.location, hit.category, hit.score, hit.rule + "+path",
                              _short(view[embedded.start(1) : embedded.start(1) + EVIDENCE_CHARS]))
                break
        if fld.source is Source.PATH and name and ".." in normalized.views[-1]:
            # a ".." segment survives only when a client did not normalise: a crafted path
            for view in normalized.analysed:
                if view.strip() in ("..", "...") or view.startswith(("../", "..\\")):
                    self._add(scored, fld.location, Category.TRAVERSAL, 0.8, "traversal.path-segment", _short(view))
                    break

    def _include_rules(
        self, fld: Field, value: str, scored: dict[tuple[str, Category], tuple[float, str, str]]
    ) -> None:
        """Remote file inclusion: a remote URL where the application expects a local include
        path (``include``, ``dir``, ``base_path``, ``module_dir``... e.g. ``_CONF[path]``,
        ``mosConfig_absolute_path``), or a remote URL cut with a NUL that drops the application's
        appended ``.php`` (a script file cut with ``?`` is the ssrf analyser's ``rfi.trailing-query``,
        from the value alone). Plain URLs in ``url``, ``redirect``, ``next`` or ``callback_path``
        parameters are ordinary and pass."""
        match = _REMOTE_URL.match(value)
        if match is None:
            return
        name = fld.name.lower()
        key = _INDEX.sub("", name).rstrip("]").rsplit("[", 1)[-1].rsplit(".", 1)[-1]
        if _INCLUDE_NAME.search(key) is not None or _CONFIG_PATH.search(name) is not None:
            self._add(scored, fld.location, Category.SSRF, 0.75, "rfi.include-parameter", _short(value))
        elif value.endswith(("%00", "\x00")):
            self._add(scored, fld.location, Category.SSRF, 0.7, "rfi.truncating-suffix", _short(value))

    def _filename_rules(
        self, location: str, text: str, scored: dict[tuple[str, Category], tuple[float, str, str]]
    ) -> None:
        """An uploaded file's name: an executable extension, a server-side script hidden before an
        image extension (``x.php.jpg``, ``x. php.jpg``), a PHP session file (``sess_<id>``)."""
        ext = _extension(text)
        if ext in EXECUTABLE_EXTENSIONS:
            self._add(scored, location, Category.CMDI, 0.88, "cmdi.executable-upload", _short(text[-40:]))
            return
        base = text.replace("\\", "/").rsplit("/", 1)[-1].lower()
        inner = [part.strip() for part in base.split(".")[1:-1]]
        if any(part in _SCRIPT_EXTENSIONS for part in inner):
            self._add(scored, location, Category.CMDI, 0.8, "cmdi.double-extension-upload", _short(base[-40:]))
        elif base.startswith("sess_") and len(base) >= 25 and base[5:].isalnum():
            self._add(scored, location, Category.CMDI, 0.75, "cmdi.session-file-upload", _short(base[:40]))

    def _split_commands(
        self, query: str, source: Source, scored: dict[tuple[str, Category], tuple[float, str, str]],
        rejoined: list[Field],
    ) -> None:
        """A command (or an LDAP filter) cut off by an unencoded ``&`` from the value it followed:
        the query ``ip=1.2.3.4&&ps -ef`` reads as ``ip=1.2.3.4``, an empty pair and a name ``ps -ef``,
        while a shell that gets the raw text runs ``ps -ef``. The value is read again with the
        names that follow it: after ``&&`` (an empty pair), after ``(`` (an LDAP filter's
        ``(&``: ``user=*)(&``), or when such a name is no parameter name (a space, a quote:
        ``&sleep 5``). A plain name (``?a=1&debug``, a flag) counts only when the joined text is
        a command beyond doubt (``ip=127.0.0.1&whoami``). Query strings and form bodies alike.

        Any payload sent unencoded is cut the same way: HTML entities (``q=&#60&#115...``: each
        ``#60`` a nameless piece), ``'&'``, ``*)(&(objectClass=*)`` (a piece whose "name"
        ``(objectClass`` no form builder writes). When the pieces after a value are no
        parameter names, the joined text is also appended to ``rejoined`` as that parameter's
        value, to be read like any field (every family, and the model)."""
        where = source.value
        pieces = query.split("&", 100)[:100]
        odd = _RAW_PIECE.search(query) is not None
        for name, value, tail in _nameless_runs(pieces, odd):
            flag = not ("" in tail[:-1] or value.endswith(("(", "%28"))  # "(&": an LDAP AND split off
                        or any(not _plain_piece(t) for t in tail if t))
            joined = value + "&" + "&".join(tail)
            text = unquote_plus(joined)
            if not flag:
                rejoined.append(Field(source, unquote_plus(name), text))
                if "\ufffd" in text and "%" in joined:
                    # ``%CD%`` (a Windows variable) read as a percent-escape is no text: as sent too
                    rejoined.append(Field(source, unquote_plus(name), joined.replace("+", " ")))
            analysed = self._analyse_value(text)
            if analysed is not None:
                normalized, hits = analysed
                for hit in hits:
                    if flag and (hit.category is not Category.CMDI or hit.score < _SPLIT_FLAG_SCORE):
                        continue
                    if hit.category is Category.CMDI or hit.category is Category.LDAPI:
                        self._add(scored, f"{where}.{_short(unquote_plus(name))}", hit.category, hit.score,
                                  hit.rule + "+split", self._evidence(hit, normalized))

    def _split_cookie(self, header: str, scored: dict[tuple[str, Category], tuple[float, str, str]]) -> None:
        """A cookie value that held ``;``: ``pref=x; id`` reads as ``pref=x`` and a nameless
        piece ``id``, while the application that splits on the first ``=`` only, or reads the
        raw header, gets ``x; id``. Browsers never send a piece without ``=``, so the value is
        read again with the nameless pieces that follow it."""
        for name, value, tail in _nameless_runs(header.split(";", 100)[:100]):
            if any(t.strip() for t in tail):
                analysed = self._analyse_value(value.strip(" \t") + ";" + ";".join(tail))
                if analysed is not None:
                    normalized, hits = analysed
                    for hit in hits:
                        if hit.category is not Category.SSRF:
                            self._add(scored, f"cookie.{_short(name.strip())}", hit.category, hit.score,
                                      hit.rule + "+split", self._evidence(hit, normalized))

    def _form_shaped_text(
        self, request: RequestView, scored: dict[tuple[str, Category], tuple[float, str, str]]
    ) -> None:
        """A text body shaped like a form (``a=1&b=2``, sent without its Content-Type): the
        application may still read it as one, so its values are inspected as body fields."""
        for fld in request.fields:
            if fld.source is not Source.BODY or fld.name or "\n" in fld.value or len(fld.value) > 8192:
                continue
            text = fld.value
            if "=" not in text:
                # the whole form percent-encoded once more (``a%3Dx%26b%3Dy``): decode that layer
                if "%3d" not in text.lower():
                    continue
                text = unquote_plus(text)
                if "\n" in text or "=" not in text:
                    continue
            for part in text.split("&", 100)[:100]:
                key, _, raw = part.partition("=")
                named = self._analyse_value(unquote_plus(key)) if key else None
                if named is not None:
                    self._add_name_hits(named, f"body.{_short(key)}#key", scored)
                value = unquote_plus(raw)
                if not value:
                    continue
                analysed = self._analyse_value(value)
                if analysed is None:
                    continue
                location = f"body.{_short(key)}"
                normalized, hits = analysed
                for hit in hits:
                    self._add(scored, location, hit.category, hit.score, hit.rule, self._evidence(hit, normalized))

    def _add_name_hits(
        self,
        named: tuple[Normalized, tuple[Hit, ...]],
        location: str,
        scored: dict[tuple[str, Category], tuple[float, str, str]],
    ) -> None:
        """The analysers' hits on a parameter or key name (``named``: its `_analyse_value`), at
        ``location`` (a ``#key`` one)."""
        normalized, hits = named
        for hit in hits:
            if hit.rule == "traversal.dotfile":
                continue  # a key ".env" names a file in a map (a file tree), not one to read
            self._add(scored, location, hit.category, hit.score, hit.rule, self._evidence(hit, normalized))

    def _xml_body(self, request: RequestView, scored: dict[tuple[str, Category], tuple[float, str, str]]) -> None:
        text, truncated = window(request.body.decode(sniff_charset(request.body) or "utf-8", "replace"))
        for hit in xml.scan(text.lower()):
            evidence = snippet(hit.text, hit.start, hit.end, EVIDENCE_CHARS - (len(TRUNCATED_NOTE) if truncated else 0))
            if truncated:
                evidence += TRUNCATED_NOTE
            self._add(scored, "body", hit.category, hit.score, hit.rule, evidence)

    def _score_model(
        self,
        model: AttackModel,
        batch: Sequence[tuple[Field, _Plan]],
        scored: dict[tuple[str, Category], tuple[float, str, str]],
    ) -> None:
        """One model call for the request's values. A model probability ``p`` becomes a score
        on the policy's scale (the model's own threshold maps onto the block threshold); it
        raises weak lexical evidence of its category, and on its own it may block only from
        ``detection.model_alone`` on (below, it is logged), and only in the categories whose
        grammar is open-ended (not CRLF, XXE, Shellshock, Log4Shell, traversal: the analysers
        decide those), not on a value of one character, and not in a media-type or language list
        header (`_NO_MODEL_ALONE_LOCATIONS`)."""
        todo = [plan for _, plan in batch if plan[2] is None]
        if todo:
            # only fields not scored before go to the model; a remembered field keeps its row
            # (the model remembers its rows per value the same way, see `AttackModel._predict`)
            fresh = model.predict_proba_normalized([plan[1].views for plan in todo]).tolist()
            for plan, row in zip(todo, fresh, strict=True):
                # once per field, not per request: a remembered field's row is mostly all small
                kept = tuple((j, p) for j, p in enumerate(row) if not p < 0.05)
                if plan[2] is None:
                    # the evidence is read only by a model-only finding, which needs a column
                    # that maps to the log threshold at least: most rows have none
                    plan[3] = self._model_evidence(plan[1]) if self._may_report(kept) else None
                    plan[1] = _SCORED  # the views are no longer needed
                plan[2] = kept
        categories = self._model_categories
        thresholds = self._model_thresholds
        policy = self._policy_threshold
        for fld, plan in batch:
            if not plan[2]:
                continue  # no column the model scored at 0.05 or more (most rows): nothing to add
            location = fld.location
            for j, p in plan[2]:
                category = categories[j]
                if category is Category.SSRF and (location in _NO_SSRF_LOCATIONS
                                                  or _last_name(location) in ssrf.REDIRECT_PARAMS):
                    # "Host: localhost:8080" is where a request went, "redirect_uri=http://127.0.0.1:8080/"
                    # where a browser goes: not a fetch (the analysers still judge metadata and
                    # private addresses there)
                    continue
                score = _on_policy_scale(p, thresholds[j], policy)
                key = (location, category)
                current = scored.get(key)
                if current is not None and current[1] != "model" and current[0] < self._report_at and not current[1].endswith("+model"):
                    # an analyser's reading below the log threshold is a label ("order by date" a sort,
                    # a video embed, a quoted symbol): no evidence for the model to raise, so the model
                    # is judged as it is alone there
                    current = None
                if current is not None and current[1] != "model":
                    lex = current[0]
                    if current[1].endswith("+model"):  # raised by the model once already
                        if score > lex:
                            scored[key] = (score, current[1], current[2])
                        continue
                    if lex >= score:
                        if 0.2 <= lex < policy and score >= 0.6 * policy:
                            scored[key] = (min(0.99, max(lex, score) + 0.15), current[1] + "+model", current[2])
                        continue
                    scored[key] = (score, current[1] + "+model", current[2])
                elif score >= self._report_at:
                    # (nor on one character: "`" in a keyboard-layout map has no grammar to read)
                    # (a cookie's text is judged as the model read it: decoded once)
                    text = _read_text(fld.source, fld.value)
                    if (p < self._model_alone or category not in _MODEL_ALONE_CATEGORIES
                            or location in _NO_MODEL_ALONE_LOCATIONS or len(text) < 2
                            or (len(text) <= 6 and sql.EMOTICON.fullmatch(text) is not None)
                            or (category is Category.SQLI and len(text) <= 200
                                and sql.QUOTED_ALTERNATIVES.fullmatch(text) is not None)
                            or (category is Category.SSTI and len(text) <= 200 and erb_field(text))
                            or (category is Category.SQLI and _all_rows_filter(fld.name, text))
                            or (len(text) <= 140 and "<<" in text and _MRZ.fullmatch(text) is not None)
                            or (category is Category.XSS and score >= policy and _inert_markup(text))):
                        # (nor a passport's machine-readable zone, whose "<" fillers are no redirections)
                        # (nor XSS on rich text the HTML analyser read whole: links, images,
                        # formatting, with no handler, script URI or sink, cannot run script;
                        # nor on a no-op "javascript: void(0)" link)
                        score = min(score, policy - 0.01)
                    # a location read twice (a repeated parameter, JSON lines) keeps the higher
                    # model score: the model does not corroborate itself
                    if current is None or score > current[0]:
                        scored[key] = (score, "model", plan[3])

    def _may_report(self, kept: tuple[tuple[int, float], ...]) -> bool:
        """Whether one of a row's kept columns maps to a score at the log threshold (the same
        mapping as `_score_model`'s)."""
        thresholds = self._model_thresholds
        policy = self._policy_threshold
        return any(_on_policy_scale(p, thresholds[j], policy) >= self._report_at for j, p in kept)

    def _model_evidence(self, normalized: Normalized) -> str:
        view = normalized.analysed[-1] if len(normalized.views) > 1 else normalized.views[0]
        limit = EVIDENCE_CHARS - (len(TRUNCATED_NOTE) if normalized.truncated else 0)
        text = snippet(view, 0, min(len(view), limit), limit)
        return text + TRUNCATED_NOTE if normalized.truncated else text

    def _evidence(self, hit: Hit, normalized: Normalized) -> str:
        limit = EVIDENCE_CHARS - (len(TRUNCATED_NOTE) if normalized.truncated else 0)
        text = snippet(hit.text, hit.start, hit.end, limit)
        return text + TRUNCATED_NOTE if normalized.truncated else text

    @staticmethod
    def _add(
        scored: dict[tuple[str, Category], tuple[float, str, str]],
        location: str,
        category: Category,
        score: float,
        rule: str,
        evidence: str,
    ) -> None:
        key = (location, category)
        current = scored.get(key)
        if current is None or score > current[0]:
            scored[key] = (score, rule, evidence)

    def _excluded(self, route: str, path_: str, location: str, category: Category) -> bool:
        for exclusion in self._exclusions:
            if exclusion.categories and category not in exclusion.categories:
                continue
            if not (glob_match(exclusion.route, route) or glob_match(exclusion.route, path_)):
                continue
            if glob_match(exclusion.location, location):
                return True
            # a parameter's exclusion covers the leaves of the JSON document it holds
            # ("query.filter" covers "query.filter.name" and "query.filter[0]")
            if glob_match(exclusion.location + ".*", location) or glob_match(exclusion.location + "[*", location):
                return True
        return False


# what a key id is used as: a file's name, a database key, a command's argument
_KEY_ID_CATEGORIES = frozenset({Category.TRAVERSAL, Category.SQLI, Category.CMDI, Category.LDAPI, Category.NOSQLI})


def _jwt_header(token: str) -> dict[str, Any] | None:
    """The decoded JOSE header of a compact JWT ("eyJ…" "." payload "." signature), or None."""
    head = token.split(".", 1)[0]
    if not head.startswith("eyJ") or len(head) > 2048:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError, RecursionError):  # (a header nested a thousand deep)
        return None
    return decoded if isinstance(decoded, dict) else None


def _basic_credentials(token: str) -> str | None:
    """The decoded "user:password" of a Basic authorization token, or None when it is no base64 of text."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if text.isprintable() else None


def _on_policy_scale(p: float, t: float, policy: float) -> float:
    """A model probability ``p`` as a score: the model's threshold ``t`` maps onto the policy's
    block threshold, linearly below and above it."""
    return policy * p / t if p < t else policy + (1.0 - policy) * (p - t) / (1.0 - t)


def _forged_address_header(name: str, value: str) -> bool:
    """True when a header that names a page, an origin or a client holds what no browser or proxy
    writes there: a Referer that is no http(s) URL ("\\\\host\\share\\x.txt", "data:") or has a
    user name, a fragment or a backslash (browsers strip or normalise them); an Origin with a path,
    a query or a user name (it is a scheme and a host); a client address or a forwarded host with
    a slash, a "?" or an "@" in it (a URL, not an address)."""
    if name == "referer":
        head = value[:8].lower()
        if not (head.startswith("http://") or head.startswith("https://")):
            return True
        authority = value[head.index("//") + 2 :].split("/", 1)[0]
        # (a backslash stays raw in a page's query, which browsers do not percent-encode there)
        return "@" in authority or "#" in value or "\\" in value.partition("?")[0]
    if name == "origin":
        _, sep, rest = value.partition("://")
        if not sep:
            return value.strip().lower() != "null"  # (what a sandboxed or privacy-sensitive page sends)
        return any(c in rest.rstrip("/") for c in "/?#@\\")
    if name in _CLIENT_ADDRESS_HEADERS:
        return any(c in value for c in "/?@\\")
    if name == "x-original-url":
        return "://" in value  # (a rewrite module puts the original path there, never a whole URL)
    return False


def _well_formed_list(value: str) -> bool:
    """True for a header value that is only a comma-separated list of `_LIST_ITEM` with parameters."""
    if len(value) > 1024:
        return False
    for item in value.lower().split(","):
        head, *parameters = item.split(";")
        if _LIST_ITEM.fullmatch(head.strip()) is None:
            return False
        if any(_LIST_PARAMETER.fullmatch(p.strip()) is None for p in parameters):
            return False
    return True


def _inert_markup(value: str) -> bool:
    """`html.rich_text` or `html.noop_link` over every view the analysers read (entities and
    escapes decoded)."""
    lowered = value.lower()
    link = "javascript" in lowered
    markup = "<" in value or "%3c" in lowered or "&lt" in lowered
    if not (link or markup):
        return False
    views = normalize_value(value).analysed
    return (link and all(html.noop_link(view) for view in views)) or (
        markup and all(html.rich_text(view) for view in views))


# the parameters list APIs filter by (Strapi's "filters[...]", JSON:API's "filter[...]", Parse's
# "where={...}") and the operators that only compare or combine there; not $where, $regex, $expr,
# $function: those run code or patterns whatever the parameter
_FILTER_ROOTS = ("filters[", "filter[", "where[", "filters.", "filter.", "where.")
_FILTER_OPERATOR = re.compile(r"\$(?:eq|ne|gt|gte|lt|lte|in|nin|all|size|or|and|not|null|notnull|between|containsi?|notcontainsi?|startswith|endswith)$")
# what such a comparison compares with: a number, a date or time, a word or slug, true/false/null
_FILTER_SCALAR = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,6})?|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[t ][0-9:.]{5,15}z?)?|[a-z0-9][a-z0-9 _.\-]{0,60}")


def _filter_comparison(name: str, value: str) -> bool:
    """A lower-case field name ``filters[price][$gte]`` / ``where.price.$gte`` (a filter root, a
    field, then comparison or logic operators, each a whole segment) holding a plain scalar. A
    login's ``password[$ne]=`` has no filter root; an operator straight under the root compares
    no field."""
    key_only = name.endswith("#key")  # the key read alone: its value is judged with the value's field
    name = name.split("#", 1)[0]
    if not name.startswith(_FILTER_ROOTS):
        return False
    if not key_only:
        # (a value read again with the raw pairs after it, `_split_commands`: each of them a
        # filter's or a plain parameter holding a scalar too)
        head, *pairs = value.split("&", 16)
        if _FILTER_SCALAR.fullmatch(head.strip().lower()) is None:
            return False
        for pair in pairs:
            key, eq, scalar = pair.partition("=")
            if not eq or _FILTER_SCALAR.fullmatch(scalar.strip().lower()) is None or not (
                    is_plain_name(key) or (key.lower().startswith(_FILTER_ROOTS) and _filter_comparison(key.lower() + "#key", ""))):
                return False
    segments = [seg for seg in re.split(r"[\[\].]+", name) if seg][1:]
    if not segments:
        return False
    fields = 0
    for seg in segments:
        if seg.startswith("$"):
            if _FILTER_OPERATOR.match(seg) is None:
                return False
        elif not seg.isdigit():
            fields += 1
    return fields >= 1


def _outside_lone_parameter(value: str, hits: Sequence[Hit]) -> Sequence[Hit]:
    """A Referer's hits less those inside the value of its query's lone parameter, which
    `DetectionStage._referer_query` reads on its own, as the query value it is. Inside the whole
    URL the prose tests see a link around it ("?x=how do I use window.location ..." reads as code
    after "="). Only a query of one plainly named parameter with a plain path before it, where that
    value in the decoded views starts after the first "=" that follows the first "?"."""
    head, _, query = value.partition("?")
    name, eq, _ = query.partition("=")
    if (not eq or "%" in head or "&" in query or ";" in query or "#" in query or len(query) > 8192
            or _PLAIN_PARAM_NAME.fullmatch(name) is None):
        return hits
    kept = []
    for hit in hits:
        mark = hit.text.find("?")
        start = hit.text.find("=", mark) if mark >= 0 else -1
        # (a hit the lone value's own reading drops, SSRF but remote inclusion, stays as it was)
        covered = hit.category is not Category.SSRF or hit.rule.startswith("rfi.")
        if start < 0 or hit.start <= start or not covered:
            kept.append(hit)
    return kept


def _leaf_texts(source: Source, text: str) -> list[str]:
    """The leaf values of ``text`` when it is a JSON document (read as the application parses
    it, `embedded_fields`), else ``[text]``. Only a text that opens and closes like JSON can be
    one ("[0].id", a leaf name of a top-level array, is not parsed)."""
    if text[:1] in "{[" and text.rstrip()[-1:] in ("}", "]"):
        return [leaf.value for leaf in embedded_fields((Field(source, "", text),))]
    return [text]


def _unindexed(name: str) -> str:
    """A field name without its array indexes: "[0].env" is the key "env" of the first element
    (its joining dot is not part of the key), "a[2][0]" is "a"."""
    text = _INDEX.sub("", name)
    if name[0] == "[" and text[:1] == "." and text[1:2] != ".":
        return text[1:]
    return text


def _all_rows_filter(name: str, value: str) -> bool:
    """``where=1=1``: a filter parameter that is a SQL condition by design (ArcGIS's feature query,
    whose map widgets ask for every feature this way), given the condition that selects all rows."""
    return value.strip() in ("1=1", "1 = 1") and _last_name(name) == "where"


def _last_name(name: str) -> str:
    """The innermost key of a field name ("auth.redirect_uri", "params[redirect_uri]"), lower-cased;
    a list's element is named by its list ("redirect_uris[2]")."""
    while name.endswith("]") and name[name.rfind("[") + 1 : -1].isdigit():
        name = name[: name.rfind("[")]
    return name.rstrip("]").rsplit("[", 1)[-1].rsplit(".", 1)[-1].lower()


# a value joined with a plain name after it (``1&whoami``) is read as a command only this sure
_SPLIT_FLAG_SCORE = 0.85


# a path segment that is a Windows drive (``c:`` then a slash), not at the path's start
_DRIVE_SEGMENT = re.compile(r"/([A-Za-z]:(?:/|\\|%2[fF]|%5[cC]))")
# a letter or digit percent-encoded twice ("/%2577ebui_wsma_HTTP", "%2573%2563ript"): no encoder
# escapes an unreserved character even once, and a URL nested in another escapes only its
# reserved ones ("%253F", "%2520"); the second layer hides the word from a filter that decodes
# once (none of wcp-legit-dev's or crs-regression's legitimate requests has one)
_DOUBLE_ENCODED_ALNUM = re.compile(r"%25(?:3[0-9]|4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])", re.IGNORECASE)


def _plain_piece(piece: str) -> bool:
    """A piece after ``&`` that a form builder writes: a plain name, or ``name=value`` with one."""
    name, eq, _ = piece.partition("=")
    return is_plain_name(unquote_plus(name)) or (eq != "" and not _odd_name(name))


# characters no parameter name holds but payloads do (raw or percent-encoded); ``[]`` (PHP
# arrays) and ``%5B`` are names' own
_ODD_NAME_CHARS = frozenset(" '\"()<>;#*|!`\\$")
_RAW_PIECE = re.compile(
    r"&[^&=]{0,80}(?:[" + re.escape("".join(sorted(_ODD_NAME_CHARS))) + r"]|%2[02789]|%3[bceBCE]|%7[cC])"
)


_QUOTE = re.compile(r"['\"]|%2[27]")


def _odd_name(name: str) -> bool:
    return not _ODD_NAME_CHARS.isdisjoint(unquote_plus(name))


def _nameless_runs(pieces: list[str], odd_names: bool = False) -> Iterator[tuple[str, str, list[str]]]:
    """Each ``name=value`` piece that is followed by pieces without ``=``, with those pieces.
    With ``odd_names``, a ``name=value`` piece whose name no form builder writes (a space, a
    quote, a parenthesis: ``(uid=*)``, `` set /p=x``) continues the run too, and so does a
    ``1=1`` after an empty pair that follows a quote."""
    if not odd_names and all(map(str.__contains__, pieces, repeat("="))):
        return  # (the common case, decided without a Python step per piece: every piece is named)
    i = 0
    while i < len(pieces):
        name, eq, value = pieces[i].partition("=")
        j = i + 1
        quoted = _QUOTE.search(value) is not None
        while j < len(pieces) and ("=" not in pieces[j] or (odd_names and _odd_name(pieces[j].partition("=")[0]))
                                    or (quoted and pieces[j - 1] == "" and pieces[j].partition("=")[0].isdigit())):
            # (``'&&1=1#``: after a quote, a number after ``&&`` names no parameter, it is the
            # operand of an AND; ``a=1&&2=3`` is left as two parameters)
            j += 1
        if eq and j > i + 1:
            yield name, value, pieces[i + 1 : j]
        i = j


# The plan of a field that adds nothing and that the model does not read (most fields): one
# shared tuple. Only a plan the model reads is filled in later (`_score_model`), so only those
# need a list of their own; a tuple of untracked items costs the cyclic garbage collector
# nothing, while a list per remembered field is one more object every full collection visits.
_NOTHING: Any = ((), None, None, None)


def _plan(scored: dict[tuple[str, Category], tuple[float, str, str]], normalized: Normalized | None = None) -> _Plan:
    if normalized is None:
        if not scored:
            return _NOTHING  # type: ignore[no-any-return]
        return (tuple((loc, cat, *entry) for (loc, cat), entry in scored.items()), None, None, None)  # type: ignore[return-value]
    if not scored:
        return [(), normalized, None, None]
    return [tuple((loc, cat, *entry) for (loc, cat), entry in scored.items()), normalized, None, None]


class BoundedCache:
    """A memo (``data``, a dict read directly by callers) bounded by a number of entries and by a
    cost in characters (given to `put`: the strings an entry holds). Eviction drops the
    oldest entries (first in, first out) in batches of about an eighth of the budget, so each
    insertion costs amortised O(1); ``max_entries == 0`` disables the memo."""

    __slots__ = ("data", "max_entries", "max_cost", "cost", "_costs")

    def __init__(self, max_entries: int, max_cost: int) -> None:
        self.data: dict[Any, Any] = {}
        self.max_entries = max_entries
        self.max_cost = max_cost
        self.cost = 0
        # each entry's cost as given to `put`, in insertion order (the dict's order): eviction
        # subtracts these instead of recomputing them for every dropped entry
        self._costs: deque[int] = deque()

    def __len__(self) -> int:
        return len(self.data)

    def put(self, key: Any, value: Any, cost: int) -> None:
        """Remember ``value`` under a new ``key``; ``cost`` is what the entry holds, in characters
        (`_value_cost`, `_field_cost`)."""
        if key not in self.data:
            self.put_new(key, value, cost)

    def put_new(self, key: Any, value: Any, cost: int) -> None:
        """`put` for a ``key`` known to be absent: the caller's look-up of it just missed and
        nothing inserted it since. (One look-up less into a large dict, whose slots are rarely
        in the CPU cache any more, for every value and field first seen.)"""
        if self.max_entries <= 0 or cost > self.max_cost:
            return
        self.data[key] = value
        self._costs.append(cost)
        self.cost += cost
        if len(self.data) > self.max_entries or self.cost > self.max_cost:
            self._evict()

    def _evict(self) -> None:
        data = self.data
        costs = self._costs
        keep_entries = self.max_entries - (self.max_entries + 7) // 8
        keep_cost = self.max_cost - self.max_cost // 8
        count, cost = len(data), self.cost
        drop = []
        for key in data:  # oldest first
            if count <= keep_entries and cost <= keep_cost:
                break
            drop.append(key)
            count -= 1
            cost -= costs.popleft()
        for key in drop:
            del data[key]
        self.cost = cost


# Fixed cost of an entry besides its strings (key tuple, plan list, dict slot), in characters.
_ENTRY_COST = 64


def _value_cost(value: str, result: tuple[Normalized, tuple[Hit, ...]] | None) -> int:
    if result is None:
        return _ENTRY_COST + len(value)
    return _ENTRY_COST + len(value) + sum(map(len, result[0].views)) + 64 * len(result[1])


def _field_cost(key: tuple[int, str, str | bytes], plan: _Plan) -> int:
    # the plan's views are dropped once the model has scored them (`_score_model`); the value
    # cache accounts for them meanwhile
    return _ENTRY_COST + len(key[1]) + len(key[2]) + (_adds_cost(plan[0]) if plan[0] else 0)


def _adds_cost(adds: tuple[tuple[str, Category, float, str, str], ...]) -> int:
    return sum(len(add[0]) + len(add[4]) for add in adds)


def _digest(value: str) -> bytes:
    """A collision-resistant key for a long value (the value itself is not kept)."""
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# a code host's page of one file of a repository ("/acme/dotfiles/blob/main/.bashrc", GitLab's
# "/-/blob/", Gitea's and Bitbucket's "/src/"; its history and last commit: "/commits/main/",
# "/latest-commit/main/", GitLab's "/-/refs/main/logs_tree/"), or a file under a dot-directory of it
# ("/blob/main/.github/workflows/ci.yml"), or its REST API's file ("/repos/acme/web/contents/
# .github/workflows/deploy.yml", GitLab's "/repository/files/.gitlab-ci.yml"): a dot-file there is
# a file of the repository shown or edited, not the site's own configuration
_CODE_HOST_PAGES = ("blob", "tree", "raw", "blame", "src", "commits", "latest-commit", "tree-commit-info")  # then a ref
_CODE_HOST_PARTS = (*(f"/{page}/" for page in _CODE_HOST_PAGES), "/contents/", "/repository/files/", "/logs_tree/")
_CODE_BROWSING = re.compile(
    rf"(?:/(?:{'|'.join(_CODE_HOST_PAGES)})/[^/]{{1,100}}"
    r"|/logs_tree|/repos/[^/]{1,100}/[^/]{1,100}/contents|/repository/files)"
    r"/(?:[^/]{1,200}/){0,30}\.[^/]{1,200}(?:/[^/]{1,200}){0,30}/?$")


def _code_browsing(path: str, scored: dict[tuple[str, Category], tuple[float, str, str]]) -> None:
    """A hidden-file finding on a segment of a code host's file page is logged, not blocked."""
    if _CODE_BROWSING.search(path) is None:
        return
    for key, (score, rule, evidence) in scored.items():
        if rule.startswith("traversal.hidden-file") and key[0].startswith("path."):
            scored[key] = (min(score, 0.45), rule, evidence)


# PHP functions that call what they are given or run commands, and the ThinkPHP method names its
# exploits dispatch to ("__construct", "invokefunction"), as a parameter's whole value: no form
# field holds one; the English words among PHP's runners count only in the parameters ThinkPHP's
# exploits fill ("vars[0]=system", "filter[]=exec")
_PHP_INVOKERS = frozenset({"call_user_func_array", "call_user_func", "create_function", "shell_exec", "passthru",
                           "proc_open", "pcntl_exec", "phpinfo", "__construct", "invokefunction"})
_PHP_RUNNERS = frozenset({"system", "exec", "assert", "popen", "eval", "file_put_contents", "base64_decode", "md5"})
_CALLABLE_PARAMS = frozenset({"vars[0]", "vars[]", "filter[]", "filter[0]"})
# ThinkPHP's routes to its own dispatcher, the "s" parameter of its RCE exploits
_THINKPHP_ROUTE = re.compile(r"think/(?:app|container|request|template/driver/file|view/driver/php)/(?:invokefunction|input|write|display)")


# the parameters web shells and command-runner endpoints take their command in, and what an
# attacker runs first through one (who am I, where, what is here); the same names as action
# parameters hold action names ("cmd=saveProject", "exec=not_bot"), never these
_SHELL_PARAMS = frozenset({"cmd", "command", "exec", "execute", "shell", "cmdline"})
_RECON_COMMANDS = frozenset(
    {"id", "whoami", "whoami /all", "whoami /priv", "uname", "uname -a", "pwd", "ls", "ls -la", "ls -l", "ls -al",
     "dir", "ipconfig", "ipconfig /all", "ifconfig", "hostname", "ps", "ps aux", "ps -ef", "netstat -an",
     "systeminfo", "ver", "net user", "cat /etc/passwd", "type c:\\windows\\win.ini", "echo %username%"})


def _shell_parameter(name: str, value: str) -> bool:
    return value.strip().lower() in _RECON_COMMANDS and _last_name(name) in _SHELL_PARAMS


# the lookups that leak what they compare (a prefix or a suffix guessed one character at a time,
# a pattern, a JSON document's keys), the fields nobody filters a list by, and the primary key a
# relation is compared by (Django admin's "author__id__exact=5")
_LEAKING_LOOKUPS = frozenset({"startswith", "istartswith", "endswith", "iendswith", "regex", "iregex",
                              "has_key", "has_keys", "has_any_keys", "contained_by"})
_SECRET_FIELD = re.compile(
    r"(?:^|_)(?:pass(?:word|wd|code|phrase)?|secret|token|hash|salt|api_?key|is_staff|is_superuser|is_admin|otp"
    r"|metadata)(?:_|$)")
_RELATION_KEYS = frozenset({"id", "pk"})
_KEY_SEPARATORS = re.compile(r"[\[\].#]")


def _orm_probe(name: str) -> bool:
    """A Django-style lookup in a parameter's name (``_ORM_LOOKUP``) that probes rather than
    filters: a leaking lookup, a secret field, or a walk through a relation into another model's
    fields (``user__profile__icontains``). A list filtered on its own field ("status__exact",
    "price__gte", "created__year") is what Django admin and django-filter send."""
    # (the lookup is the innermost key that has one: "roles__contained_by[0]", "filter[user__id__exact]")
    keys = [key for key in _KEY_SEPARATORS.split(name) if "__" in key]
    if not keys:
        return False
    parts = keys[-1].split("__")
    if parts[-1] in _LEAKING_LOOKUPS or any(_SECRET_FIELD.search(part) is not None for part in parts):
        return True
    fields = [part for part in parts[:-1] if part]
    return len(fields) >= 2 and fields[-1] not in _RELATION_KEYS


def _php_callable(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _PHP_INVOKERS:
        return True
    if lowered in _PHP_RUNNERS and name.lower() in _CALLABLE_PARAMS:
        return True
    return "think" in lowered and _THINKPHP_ROUTE.search(lowered.replace("\\", "/")) is not None


def _hidden_file(segment: str) -> bool:
    return (
        segment != ".well-known" and len(segment) > 1 and segment[1].isalpha() and segment.count(".") == 1
    )


def load_model(settings: DetectionSettings) -> AttackModel | None:
    """The model the settings ask for: ``None`` only when ``use_model`` is off. A missing,
    corrupt or mismatched artifact raises `apiward.errors.ModelError` (a start-up error)."""
    if not settings.use_model:
        return None
    from apiward.ml.model import AttackModel, default_model_path

    return AttackModel.load(settings.model or default_model_path())


def _utf16_text(sample: str) -> bool:
    """Printable ASCII text in UTF-16 read byte by byte: a NUL beside every character (after an
    optional byte-order mark, "\xff\xfe" or "\xfe\xff" as Latin-1 reads it)."""
    if sample[:2] in ("\xff\xfe", "\xfe\xff"):
        sample = sample[2:]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    if not odd.strip("\x00"):
        text = even
    elif not even.strip("\x00"):
        text = odd
    else:
        return False
    return text.isascii() and text.replace("\n", " ").replace("\r", " ").replace("\t", " ").isprintable()


def _binary(value: str) -> bool:
    """Binary data decoded as text (uploads, protobuf, compressed beacons): more than 10 % control
    or undecodable characters. Injection payloads are text; such values go uninspected."""
    if value.isascii() and value.isprintable():
        return False
    if value.startswith(_JAVA_STREAM_MAGIC):
        return False  # a Java serialization stream (its magic, or what UTF-8 decoding left of it): the gadget
    if value[-1:] == "\x00" and value.rstrip("\x00").isprintable():
        return False  # text cut short by a NUL ("*))%00", "shell.php%00"): C string truncation
    sample = value[:2048]
    if "\x00" in sample[:8] and _utf16_text(sample):
        return False  # UTF-16 text (an XML document declared UTF-16 to hide its DOCTYPE): normalisation drops the NULs
    # one C-level pass instead of a Python test per character (exactly the same characters)
    odd = len(_ODD_CHAR.findall(sample))
    if odd > 0.1 * len(sample):
        # text spaced with control characters ("1%01union%02select%031,2": SQL Server reads
        # 0x01-0x1f as spaces) is text, whatever else it holds ("...%01users%C3%A9"); binary data
        # also has undecodable bytes (U+FFFD) and controls that do not stand between two letters
        odd -= len(_SPACER_CHAR.findall(sample))
        if "." in sample and odd > 0.1 * len(sample):
            # "..%c0%2f..%c0%2fetc", "..%00/..%00/", "%c0%2e%c0%2e%c0%2f": the undecodable or NUL
            # bytes of a malformed parent step stand beside its dots
            odd -= sum(len(_ODD_CHAR.findall(step)) for step in _STEP_ODD.findall(sample))
        if odd > 0.1 * len(sample) and len(value) <= 800 and _PROOF_END.search(value) is not None:
            return False  # "%e0%40%ae%e0%40%ae/etc/passwd": an odd spelling of steps to a proof file
        if odd > 0.1 * len(sample) and _RAW_PROTOCOL_URL.match(value) is not None:
            # "gopher://127.0.0.1:3306/_%a3%00%00%01": a raw-protocol URL whose path is the bytes it
            # sends (a MySQL or Redis packet); the text before them names where they go
            return False
        if odd > 0.1 * len(sample) and len(value) <= 800 and _FFFD_SPACED.search(value) is not None:
            # "1%a0union%a0select%a01": a raw "%a0" is no UTF-8 and became U+FFFD, the blank MySQL
            # reads between keywords (its latin-1 no-break space); text, read by the SQL analyser so
            return False
    return odd > 0.1 * len(sample)


# the first bytes of a Java serialization stream, read as Latin-1 or (its two high bytes
# undecodable) as UTF-8
_JAVA_STREAM_MAGIC = ("\xac\xed\x00\x05", "\ufffd\ufffd\x00\x05")
# control characters other than tab and line breaks, DEL and the C1 block, and U+FFFD (what
# undecodable bytes became). Vertical tab and form feed count as line breaks: SQL, shells and
# JavaScript read them as spaces, so a short payload spaced with them ("1%0cunion%0cselect%0c1")
# is text, not binary
_ODD_CHAR = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
# a SQL keyword between two undecodable bytes (see `_binary`)
_FFFD_SPACED = re.compile("(?i)\ufffd(?:union|select|or|and|xor|from|where|having|order|sleep|drop|exec|waitfor)\ufffd")
_PROOF_END = re.compile(r"(?i)(?:passwd|shadow|issue|hosts|\.ini)$")
_RAW_PROTOCOL_URL = re.compile(r"(?i)(?:gopher|dict|tftp|ldap|telnet)://[a-z0-9.\-\[\]:]{1,80}/")
# the odd bytes of a malformed step: after both its dots ("..\ufffd/", "..\x00/"), one before each
# dot of two in a row ("\ufffd.\ufffd." of "%c0%2e%c0%2e") or a NUL between the two before a slash
# (".%00./"); an odd byte merely beside a dot is no step (random binary has dots: 1 byte in 256,
# and odd bytes about every other)
_STEP_ODD = re.compile("\\.\\.[\x00-\x08\x0e-\x1f\ufffd]{1,6}|(?:[\x00-\x08\x0e-\x1f\ufffd]{1,6}\\.){2}"
                       "|\\.[\x00\ufffd]{1,6}\\.(?=[/\\\\])")
# a control character standing between two visible ASCII characters, where a space would be
_SPACER_CHAR = re.compile("(?<=[!-~])[\x01-\x08\x0e-\x1f](?=[!-~])")


def _extension(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". \x00")
    if "." not in name:
        return ""
    return name.rsplit(".", 1)[-1].strip().lower()


def _short(text: str) -> str:
    return snippet(text, 0, min(len(text), EVIDENCE_CHARS), EVIDENCE_CHARS)


__all__ = ["DetectionStage", "STRUCTURAL_HEADERS", "load_model"]
