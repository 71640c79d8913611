"""Property: the fast paths (`plain`, `inert`, the analysers' required-literal tests) never skip
a value the slow path would flag."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiward.detectors.analysers import TRIGGER_WORDS, inert, plain, scan_value
from apiward.detectors.sql import CATALOGS

_WORDS = sorted(TRIGGER_WORDS) + [
    "java.lang.runtime", "etc/passwd", "/etc/passwd", "..", "://", "http://127.0.0.1/", "1=1",
    "union select", "sleep", "/bin/sh", "win.ini", "boot.ini", ".env", "/.git/config", "rO0AB",
    "processbuilder", "invokertransformer", "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg", "aW5zdGFudGlhdGVmYWN0b3J5",
    "javascript", "data", "@@version", "window.location", "document.cookie", "alert", "self", "top", "0x7f000001", "localhost", "metadata.google.internal",
    "http:", "http:/", "gopher:", "kubernetes.default.svc", "2852039166", "0251.0376.0251.0376",
]
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:@/ +"
_pieces = st.one_of(st.sampled_from(_WORDS), st.text(alphabet=_ALPHABET, min_size=1, max_size=12))
_values = st.lists(_pieces, min_size=1, max_size=8).map(lambda parts: "".join(parts))
_spaced = st.lists(_pieces, min_size=1, max_size=8).map(lambda parts: " ".join(parts))


def _check(value: str) -> bool:
    if plain(value) or inert(value):
        hits = scan_value(value)
        assert not hits, (value, [(h.category.value, h.rule, h.score) for h in hits])
        return True
    return False


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_values, _spaced))
def test_fast_paths_never_skip_what_the_analysers_flag(value: str) -> None:
    _check(value)


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_fast_paths_on_plain_alphabet(value: str) -> None:
    _check(value)


def test_fast_paths_run_on_real_cases() -> None:
    skipped = [v for v in ("GA1.3.868462471.1662618213", "hello world", "2024-07-01T10:00:00Z", "abc_DEF-123") if _check(v)]
    assert len(skipped) == 4
    assert not plain("java.lang.Runtime") and not inert("java.lang.Runtime")
    assert not inert("1 or 1") and not inert("/etc/passwd")
    # a fetch URL without its "//", a cluster-internal name
    for value in ("http:127.0.0.1", "http:/2852039166", "kubernetes.default.svc.cluster.local/", "abc//127.0.0.1/admin",
                  "web.config.bak", "default.aspx.", "web.config. . ."):
        assert not inert(value) and scan_value(value), value
    # base64 of text after a comma and a dot, or padded with blanks: normalisation decodes
    # the stripped value and its dotted segments
    for value in (",.PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg", " PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg "):
        assert not inert(value) and scan_value(value), value
    # a file manager's volume id before its base64 path, unpadded as elFinder sends it
    assert not inert("l1_Li4vLi4vLi4vLi4vZXRjL3Bhc3N3ZA") and scan_value("l1_Li4vLi4vLi4vLi4vZXRjL3Bhc3N3ZA")
    # options of a program the value is appended to, naming a file to run or write
    # (and a Spring resource location, parent steps and a file in hex)
    for value in ("-be -C/tmp/evil.cf", "-config /tmp/x.config", "classpath:application.properties",
                  "2e2e2f2e2e2f2e2e2f6574632f706173737764"):
        assert not inert(value) and scan_value(value), value
    # PowerShell's New-Object with an argument the shell analyser reads as a command line
    assert not inert("new-object 0") and scan_value("new-object 0")
    # a catalog only ever named whole (found by the property test: it was no trigger word)
    for value in ("ALL_TAB_COLUMNS", "all_tab_columns"):
        assert not plain(value) and not inert(value) and scan_value(value), value


def _literal_cases() -> st.SearchStrategy[tuple[list[str], str]]:
    from apiward.detectors.analysers import _GADGET_PARTS

    words = st.lists(st.one_of(st.sampled_from(sorted(set(_GADGET_PARTS))), st.text(alphabet="abc_$ .", min_size=1, max_size=6)),
                     min_size=1, max_size=12)
    return words.flatmap(lambda ws: st.tuples(st.just(ws), st.lists(st.one_of(st.sampled_from(ws), st.text(alphabet="abcdeijnorstuvx_$ .0", max_size=8)),
                                                                     max_size=6).map("".join)))


@settings(max_examples=800, deadline=None)
@given(_literal_cases())
def test_literal_trie_finds_exactly_what_the_alternation_finds(case: tuple[list[str], str]) -> None:
    """`literal_trie` (the gadget fast-path regex) matches a text iff one of its words occurs in it."""
    import re

    from apiward.detectors.analysers import literal_trie

    words, text = case
    assert (re.search(literal_trie(words), text) is not None) == any(word in text for word in words)


_SQL_HTML_PIECES = [
    "--", "/*", "*/", "#", "-", "/", "*", "'", '"', "`", "=", ":", "data", "data:", "on", "onload", "onerror",
    "javascript", "java\tscript", "vbscript", "mocha", "text/html", ";base64,", ",", "<", ">", "(", ")", " ", "\n",
    "select", "union", "or", "1", "sys", "pg_", "master", ".", "..", "@@", "v$", "_",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SQL_HTML_PIECES + list(CATALOGS)),
                          st.text(alphabet="abcdeilmnorstuvxy_$.@=:-/* ", max_size=6)), max_size=10).map("".join))
def test_required_literal_guards_skip_only_searches_that_cannot_match(text: str) -> None:
    """The literal tests in front of searches (sql's catalog loop and comments-as-spaces pass,
    html's handler / script-URI / data-URI searches) skip a search only when it cannot match."""
    from apiward.detectors import html, sql

    assert (sql._CATALOG_ANY.search(text) is not None) == any(name in text for name in sql.CATALOGS)
    if "--" not in text and "/*" not in text:
        assert not any(tok.kind == "c" and tok.value[:1] in "-/" for tok in sql.tokenize(text))
    if "=" not in text:
        assert next(iter(html._HANDLER.finditer(text)), None) is None
    if ":" not in text:
        assert html._URI.search(text) is None
    if "data:" not in text:
        assert html._DATA_URI.search(text) is None


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["python3", "gcc10", "php7", "java8", "node", "g++1", "runtime", "jndi", "ognl"]),
                          st.text(alphabet="abcgjnoprtuy+0123456789._-/ ", max_size=8)), max_size=6).map("".join))
def test_gadget_or_version_is_either_search(text: str) -> None:
    """`inert`'s one search finds what the gadget search or `shell.VERSION_HINT` finds."""
    from apiward.detectors import shell
    from apiward.detectors.analysers import _GADGET_OR_VERSION, _GADGET_RE

    either = shell.VERSION_HINT.search(text) is not None or _GADGET_RE.search(text) is not None
    assert (_GADGET_OR_VERSION.search(text) is not None) == either
    long = text + " " * 40  # past the stdlib engine's length: RE2
    assert (_GADGET_OR_VERSION.search(long) is not None) == either
