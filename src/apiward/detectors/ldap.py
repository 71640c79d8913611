"""LDAP filter injection.

A value that closes the application's filter and opens another: ``*)(uid=*))(|(uid=*``,
``admin)(&)``, ``*)(objectclass=*``, ``x)(|(password=*)``. The grammar: a ``)`` followed by ``(``
and an attribute comparison or a boolean operator ``&`` ``|`` ``!``; or a filter that is only
wildcards and operators. Parenthesised prose ("(see above) (and below)") has no ``attr=``.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.sql import random_blob

_BREAK = re.compile(
    r"\)[\s]{0,4}\([\s]{0,4}\(?[\s]{0,4}(?:[&|!][\s]{0,4}\(?|[a-z][a-z0-9\-;.]{0,40}[\s]{0,4}[~<>]?=)"
    r"|\*\)[\s]{0,4}(?:\([\s]{0,4}[a-z&|!]|\)[\s]{0,4}\()|\([\s]{0,4}[&|!][\s]{0,4}\([\s]{0,4}[a-z][a-z0-9\-]{0,40}[\s]{0,4}[~<>]?="
    r"|\([\s]{0,4}[&|][\s]{0,4}\)|\)[\s]{0,4}\([\s]{0,4}[a-z][a-z0-9\-]{0,40}[\s]{0,4}[<>]=[\s]{0,4}[a-z0-9*]"
)
_ATTRS = re.compile(r"\b(?:objectclass|uid|cn|sn|ou|dc|mail|userpassword|password|samaccountname|memberof|givenname|description|telephonenumber|gidnumber|uidnumber)[\s]{0,4}[~<>]?=")
_TRIGGER = re.compile(r"\)|\(\s{0,4}[&|!]")


def scan(text: str) -> list[Hit]:
    """LDAP injection evidence in one lower-case view."""
    if _TRIGGER.search(text) is None or "(" not in text and "*)" not in text:
        return []
    m = _BREAK.search(text)
    if m is None or random_blob(text):
        return []
    score = 0.9 if _ATTRS.search(text) is not None or "*" in m.group(0) or m.group(0).count("(") >= 2 else 0.7
    return [Hit(Category.LDAPI, score, "ldapi.filter-break", text, m.start(), m.end())]


def features(text: str) -> dict[str, float]:
    return {
        "ldap.breaks": float(len(_BREAK.findall(text))),
        "ldap.attrs": float(len(_ATTRS.findall(text))),
    }
