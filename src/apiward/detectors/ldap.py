"""LDAP filter injection.

A value that closes the application's filter and opens another: ``*)(uid=*))(|(uid=*``,
``admin)(&)``, ``*)(objectclass=*``, ``x)(|(password=*)``. The grammar: a ``)`` followed by ``(``
and an attribute comparison or a boolean operator ``&`` ``|`` ``!``; or a filter that is only
wildcards and operators; a value that is one whole filter (``(cn=*)``, ``|(uid=*)``); the
same written with RFC 4515 escapes (``\\2a\\29\\28uid=\\2a``) for an application that unescapes
first; the metacharacter probe ``*()|&'``. Parenthesised prose ("(see above) (and below)",
"(n=5)") has no ``attr=`` with a wildcard or a directory attribute.

XPath injection, the same attack on an XML document's query (reported with the directory
family): a predicate or string closed and a node set joined to the query's (``'] | //* | a['``),
a step taken from a closed predicate (``']/../*['``), an axis (``/descendant::*``), a function
of the document's nodes (``count(/*)``, ``name(//*[1])``), and a string closed and a condition
on the document added (``' or true() or '``, ``' or //user[1]/pass or '``). Each needs XPath's
own syntax (``//``, ``::``, ``][``, ``()``): prose and code name the functions without a path.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear
from apiward.detectors.sql import random_blob

_BREAK = re.compile(
    r"\)[\s]{0,4}\([\s]{0,4}\(?[\s]{0,4}(?:[&|!][\s]{0,4}\(?|[a-z][a-z0-9\-;.]{0,40}[\s]{0,4}[~<>]?="
    # an extensible match (RFC 4515): an attribute with a ":dn" or ":rule" before ":=", or a numeric OID
    # as the attribute ("(cn:dn:=x)", "(1.2.840.113556.1.4.803:=2)"); "(x:=5)" is code, not a filter
    r"|[a-z][a-z0-9\-;]{0,40}(?::dn)?:[a-z0-9.\-]{1,60}:=|[0-9]{1,9}(?:\.[0-9]{1,9}){2,20}(?::dn)?(?::[a-z0-9.\-]{1,60})?:=)"
    r"|\*\)[\s]{0,4}(?:\([\s]{0,4}[a-z&|!]|\)[\s]{0,4}\()|\([\s]{0,4}[&|!][\s]{0,4}\([\s]{0,4}[a-z][a-z0-9\-]{0,40}[\s]{0,4}[~<>]?="
    r"|\([\s]{0,4}[&|][\s]{0,4}\)|\)[\s]{0,4}\([\s]{0,4}[a-z][a-z0-9\-]{0,40}[\s]{0,4}[<>]=[\s]{0,4}[a-z0-9*]"
)
_ATTRS = re.compile(r"\b(?:objectclass|uid|cn|sn|ou|dc|mail|userpassword|password|samaccountname|memberof|givenname|description|telephonenumber|gidnumber|uidnumber)[\s]{0,4}[~<>]?=")
_TRIGGER = re.compile(r"\)|\(\s{0,4}[&|!]")
# A whole filter as the value, optionally behind a boolean operator: a presence test
# ("(cn=*)", "|(uid=*)") or a known attribute compared ("(objectclass=user)"). Prose in
# parentheses ("(n=5)", "(see above)") has neither a wildcard value nor a directory attribute.
_WHOLE_FILTER = linear(
    r"^[\s]{0,4}[&|!]?[\s]{0,4}\([\s]{0,4}[a-z][a-z0-9\-;.]{0,40}[\s]{0,4}[~<>]?=[\s]{0,4}(\*)?[^()]{0,80}\)"
)
# the attributes a whole filter names without a wildcard: directory-only names ("(n=5)" is prose)
_FILTER_ATTRS = linear(r"\([\s]{0,4}(?:objectclass|objectcategory|uid|cn|samaccountname|userpassword|memberof|userprincipalname)[\s]{0,4}[~<>]?=")
# RFC 4515 escapes of the filter metacharacters ("\2a\29\28uid=\2a"): decoded once by an
# application that unescapes before it builds the filter
_ESCAPE = re.compile(r"\\(2a|28|29|7c|26|21)")
_ESCAPED = {"2a": "*", "28": "(", "29": ")", "7c": "|", "26": "&", "21": "!"}
# the metacharacter probe of fuzzers ("*()|&'"): no word, only filter syntax
_META_ONLY = re.compile(r"[*()|&!='\"\s%0-9]{4,24}")
# the shortest probes, whole values of two or three metacharacters: a wildcard with a filter closed and
# reopened or an operator glued ("*)(", "*|", "*&"), the wildcard node and attribute steps of a
# directory's XPath view ("//*", "@*")
_SHORT_PROBE = re.compile(r"\*\)\(|\*[|&]|//\*|@\*")

_XPATH_AXES = (r"(?:ancestor|ancestor-or-self|attribute|child|descendant|descendant-or-self|following|following-sibling"
               r"|namespace|parent|preceding|preceding-sibling|self)")
# a relative or absolute location path with a predicate somewhere: "/users/user[1]", "//*"
_XPATH_PATH = r"(?://[a-z_*@]|/\*[\]/\[)]|/[a-z_][a-z0-9_\-]{0,40}(?:/[a-z_*@][a-z0-9_\-]{0,40}){0,6}\[)"
_XPATH = linear(
    # a predicate (or a string in one) closed and a node set joined to the query's with "|"
    r"(?:['\"]\)?|[0-9])\][\s]{0,4}\|[\s]{0,4}(?:/|\(|[a-z_*][a-z0-9_\-]{0,40}[\s]{0,4}\[)"
    # a string and its predicate closed and a step taken from there: "']/../*['", "']//*"
    r"|['\"]\)?\][\s]{0,2}/{1,2}[\s]{0,2}(?:\.\.|\*|@\*|node\(\)|text\(\))"
    # a node-set function of the document itself: "count(/*)", "name(//*[1])", "string(/a/b[1])"
    r"|\b(?:count|name|local-name|namespace-uri|string|string-length|normalize-space|boolean|number|sum|contains"
    rf"|starts-with|substring|substring-before|substring-after|translate|concat|not)\([\s]{{0,2}}{_XPATH_PATH}"
    # a string closed and a condition on the document: "' or true() or '", "' or name()='x", "' or //user"
    r"|['\"][\s]{0,4}\)?[\s]{0,4}(?:or|and)[\s]{1,4}(?:not[\s]{0,2}\()?(?:(?:true|false|position|last)\([\s]{0,2}\)[\s]{0,4}(?:or\b|and\b|[=<>!\]'\"]|$)"
    rf"|(?:name|local-name|count|string-length|contains|starts-with|normalize-space|boolean|translate)\(|{_XPATH_PATH})"
    # a condition on the node's position, after a number: "1 or position()=1"
    r"|[0-9][\s]{1,4}(?:or|and)[\s]{1,4}(?:position|last)\(\)[\s]{0,2}(?:=|<|>|!=)"
)
# an axis to any node ("/descendant::*", "ancestor::node()"): selectors that scrapers and browsers
# write name their nodes ("//th/following-sibling::td[1]"); a probe walks the whole document
_XPATH_AXIS = linear(rf"(?:^|[/(|\s]){_XPATH_AXES}::(?:\*|node\(\)|text\(\))")


# what opens a literal of an OData $filter ("address eq 'x'", "contains(subject,'x')"): a
# comparison word or a string function's first argument, a property's name
_ODATA_BEFORE_LITERAL = linear(
    r"(?:\b(?:eq|ne|gt|ge|lt|le|has)[\s]{1,4}|\b(?:contains|startswith|endswith|substringof|indexof)"
    r"\([\s]{0,2}[a-z_][a-z0-9_/.]{0,60}[\s]{0,2},[\s]{0,2})$")


def _odata_literal_closed(text: str, quote: int) -> bool:
    """The quote at ``quote`` closes an OData literal ("from/address eq 'a@b.example' and
    contains(subject,'x')"): a query language's string ends there, none was broken out of."""
    mark = text[quote : quote + 1]
    if mark != "'":
        return False
    opening = text.rfind("'", max(0, quote - 200), quote)
    return opening > 0 and _ODATA_BEFORE_LITERAL.search(text[max(0, opening - 80) : opening]) is not None


def xpath(text: str) -> Hit | None:
    """XPath injection in one lower-case view (see the module's docstring). A value that is a
    whole location path ("//div[@class='x'] | //h2", Chrome's "//*[@id='main']/div[2]") is a
    selector that a scraping or monitoring tool takes as data; only its walk of every node counts."""
    if "/" not in text and "(" not in text and "]" not in text and "::" not in text:
        return None
    m = _XPATH_AXIS.search(text) if "::" in text else None
    if m is None and not text.lstrip().startswith("/"):
        m = _XPATH.search(text)
        for _ in range(4):
            if m is None or not _odata_literal_closed(text, m.start()):
                break
            m = _XPATH.search(text, m.end())
    if m is None or random_blob(text):
        return None
    return Hit(Category.LDAPI, 0.85, "xpathi.query-break", text, m.start(), m.end())


# a name or wildcard and the parentheses that close the application's filter: with a NUL after them
# (which normalisation removes) a C directory client reads the filter as ending there
_CLOSED_NAME = re.compile(r"[a-z0-9_.@*-]{0,32}\){2,4}")
# a filter opened and left for the application's ")" to close: "(uid=*", "|(cn=*"
_OPEN_FILTER = re.compile(r"[\s]{0,4}[&|!]?[\s]{0,4}\([\s]{0,4}[a-z][a-z0-9\-;.]{0,40}[\s]{0,4}[~<>]?=[\s]{0,4}\*[\s]{0,4}")


def null_terminated_filter(text: str) -> Hit | None:
    """``text`` is the view of a value that ended in a NUL byte (``admin))%00``), which
    normalisation removed: a name and two or more closing parentheses end the filter there."""
    if len(text) <= 36 and _CLOSED_NAME.fullmatch(text) is not None:
        return Hit(Category.LDAPI, 0.75, "ldapi.null-terminated", text, 0, len(text))
    return None


def scan(text: str) -> list[Hit]:
    """LDAP injection evidence in one lower-case view."""
    if "\\" in text and _ESCAPE.search(text) is not None:
        decoded = _ESCAPE.sub(lambda e: _ESCAPED[e.group(1)], text)
        hits = _scan(decoded)
        return [Hit(Category.LDAPI, min(h.score, 0.85), "ldapi.escaped-filter-break", text, 0, len(text)) for h in hits]
    return _scan(text)


def _scan(text: str) -> list[Hit]:
    found = xpath(text)
    if found is not None:
        return [found]
    if len(text) <= 3 and _SHORT_PROBE.fullmatch(text) is not None:
        return [Hit(Category.LDAPI, 0.7, "ldapi.metacharacter-probe", text, 0, len(text))]
    if len(text) <= 60 and "(" in text and _OPEN_FILTER.fullmatch(text) is not None:
        return [Hit(Category.LDAPI, 0.8, "ldapi.open-filter", text, 0, len(text))]
    if _TRIGGER.search(text) is None or "(" not in text and "*)" not in text:
        return []
    m = _BREAK.search(text)
    if m is None:
        whole = _WHOLE_FILTER.match(text)
        if whole is not None and whole.end() >= len(text.rstrip()) and (
                whole.group(1) is not None or _FILTER_ATTRS.search(whole.group(0)) is not None):
            return [Hit(Category.LDAPI, 0.85, "ldapi.whole-filter", text, whole.start(), whole.end())]
        if _META_ONLY.fullmatch(text) is not None and "(" in text and ")" in text and ("|" in text or "&" in text) and "*" in text:
            return [Hit(Category.LDAPI, 0.8, "ldapi.metacharacter-probe", text, 0, len(text))]
        return []
    if random_blob(text):
        return []
    score = 0.9 if _ATTRS.search(text) is not None or "*" in m.group(0) or m.group(0).count("(") >= 2 else 0.7
    return [Hit(Category.LDAPI, score, "ldapi.filter-break", text, m.start(), m.end())]


def features(text: str) -> dict[str, float]:
    return {
        "ldap.breaks": float(len(_BREAK.findall(text))),
        "ldap.attrs": float(len(_ATTRS.findall(text))),
    }
