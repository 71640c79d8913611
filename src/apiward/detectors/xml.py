"""XML external entities and XInclude.

Reads the raw XML body (and any value that carries XML). Evidence: a ``<!DOCTYPE`` with an
internal subset that declares entities, any ``<!ENTITY ... SYSTEM|PUBLIC "uri">`` (external),
parameter entities (``<!ENTITY % x``), ``xi:include`` / the XInclude namespace, and XSLT that
fetches a stylesheet or calls ``document()`` / ``system-property()``. A plain
``<!DOCTYPE html>`` or an XML prolog passes.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear

_ENTITY = re.compile(r"<!entity[\s]{1,16}(%[\s]{1,16})?[^\s>]{1,64}[\s]{1,16}(system|public)?")
_DOCTYPE = re.compile(r"<!doctype[\s]{1,16}[^\s>\[]{1,64}[\s]{0,16}(\[|system|public)")
_XINCLUDE = re.compile(r"xi:include|xmlns(?::[a-z0-9_]{1,20})?[\s]{0,4}=[\s]{0,4}['\"]http://www\.w3\.org/2001/xinclude")
_SCHEMA = re.compile(r"xsi:schemalocation|xsi:nonamespaceschemalocation|<xsl:|xmlns:xsl")
# XSLT injection: a stylesheet the parser fetches ("<?xml-stylesheet href=...>"), or an XSLT
# instruction calling what reads files, the processor's identity or host code (RE2: each "<xsl:"
# of a long document is followed by a 200-character window, which a backtracking engine re-reads)
_XSLT = linear(
    r"<\?xml-stylesheet[^>]{0,200}\bhref[\s]{0,4}=[\s]{0,4}['\"]?[a-z][a-z0-9+.\-]{0,10}:"
    r"|<xsl:[a-z\-]{1,30}[^>]{0,200}(?:\bdocument|system-property|unparsed-text|php:function|\bjava:|\bjs:)[\s]{0,4}\("
)
# (RE2 on long text: the stdlib engine tries the branches at every "<", "x" and "s")
_TRIGGER = linear(r"<!|xinclude|xi:|schemalocation|xsl")


def scan(text: str) -> list[Hit]:
    """XXE evidence in one lower-case view."""
    if _TRIGGER.search(text) is None:
        return []
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.XXE, score, rule, text, start, end)

    for m in _ENTITY.finditer(text):
        if m.group(2) is not None or m.group(1) is not None:
            keep(0.98, "xxe.external-entity", m.start(), m.end())
            break
        keep(0.85, "xxe.entity", m.start(), m.end())
    doctype = _DOCTYPE.search(text)
    if doctype is not None:
        score = 0.9 if doctype.group(1) == "[" else 0.8
        keep(score, "xxe.doctype", doctype.start(), doctype.end())
    xinclude = _XINCLUDE.search(text)
    if xinclude is not None:
        keep(0.95, "xxe.xinclude", xinclude.start(), xinclude.end())
    xslt = _XSLT.search(text) if "xsl" in text else None
    if xslt is not None:
        keep(0.9, "xxe.xslt", xslt.start(), xslt.end())
    schema = _SCHEMA.search(text)
    if schema is not None and "http" in text[schema.end() : schema.end() + 200]:
        keep(0.6, "xxe.external-schema", schema.start(), schema.end())
    return [best] if best is not None else []


def features(text: str) -> dict[str, float]:
    return {
        "xml.entities": float(len(_ENTITY.findall(text))),
        "xml.doctype": float(_DOCTYPE.search(text) is not None),
        "xml.evidence": max((h.score for h in scan(text)), default=0.0),
    }
