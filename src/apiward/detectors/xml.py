"""XML external entities and XInclude.

Reads the raw XML body (and any value that carries XML). Evidence: a ``<!DOCTYPE`` with an
internal subset that declares entities, any ``<!ENTITY ... SYSTEM|PUBLIC "uri">`` (external),
parameter entities (``<!ENTITY % x``), ``xi:include`` / the XInclude namespace, and XSLT that
fetches a stylesheet or calls ``document()`` / ``system-property()``; and the pieces of such a
document sent without its DOCTYPE (``<!ELEMENT``, a value of parameter-entity references
``%dtd;]>``, ``<foo>&xxe;</foo>`` with an entity no standard declares). A plain
``<!DOCTYPE html>``, the W3C doctypes of HTML mail / XHTML / SVG, or an XML prolog pass; so does
(logged) an internal subset of element declarations and short literal text entities only, as an
SVG editor exports: nothing in it expands another entity or is fetched.
"""

from __future__ import annotations

import re
from html.entities import html5

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear
from apiward.detectors.ssrf import OOB_ZONES, parse_host

_ENTITY = re.compile(r"<!entity[\s]{1,16}(%[\s]{1,16})?[^\s>]{1,64}[\s]{1,16}(system|public)?")
_DOCTYPE = re.compile(r"<!doctype[\s]{1,16}[^\s>\[]{1,64}[\s]{0,16}(\[|system|public)")
_XINCLUDE = re.compile(r"xi:include|xmlns(?::[a-z0-9_]{1,20})?[\s]{0,4}=[\s]{0,4}['\"]http://www\.w3\.org/2001/xinclude")
_SCHEMA = re.compile(r"xsi:schemalocation|xsi:nonamespaceschemalocation|<xsl:|xmlns:xsl")
# XSLT injection: a stylesheet the parser fetches ("<?xml-stylesheet href=...>"), or an XSLT
# instruction calling what reads files, the processor's identity or host code (RE2: each "<xsl:"
# of a long document is followed by a 200-character window, which a backtracking engine re-reads)
_XSLT = linear(
    r"<\?xml-stylesheet[^>]{0,200}\bhref[\s]{0,4}=[\s]{0,4}['\"]?(?:[a-z][a-z0-9+.\-]{0,10}:|//|\\\\)"
    r"|<xsl:[a-z\-]{1,30}[^>]{0,200}(?:\bdocument|system-property|unparsed-text|php:function|\bjava:|\bjs:)[\s]{0,4}\("
)
# the hosts of publishers of document types and schemas that applications' XML names (and up to
# two labels in front: "www.w3.org", "docs.oasis-open.org")
_STANDARDS_HOSTS = (
    r"(?:[a-z0-9\-]{1,30}\.){0,2}(?:w3\.org|apple\.com|oasis-open\.org|docbook\.org|tei-c\.org|java\.sun\.com|jcp\.org|mybatis\.org"
    r"|hibernate\.org|hibernate\.sourceforge\.net|springframework\.org|apache\.org|adobe\.com|nlm\.nih\.gov"
    r"|eclipse\.org|netbeans\.org|jboss\.org|puppycrawl\.com|checkstyle\.org|getahead\.org|opensymphony\.com)"
)
# The document types an HTML mail, an XHTML page or an SVG drawing from an editor open with (and
# Apple's property lists): a public identifier and at most the W3C's (Apple's) own DTD as the
# system one; a parser that fetches it reads that file (its quotes may be escaped: the raw body of
# a JSON document carrying it)
_KNOWN_DOCTYPE = re.compile(
    r"<!doctype[\s]{1,16}[a-z:]{1,16}[\s]{1,16}public[\s]{1,16}\\{0,2}[\"']-//w3c//[^\"'<>\[\]\\]{1,100}\\{0,2}[\"']"
    r"(?:[\s]{1,16}\\{0,2}[\"']https?://www\.w3\.org/[a-z0-9/._\-]{1,100}\.dtd\\{0,2}[\"'])?[\s]{0,16}>"
    # and Apple's property list (configuration profiles, app settings), with Apple's DTD at most
    r"|<!doctype[\s]{1,16}plist[\s]{1,16}public[\s]{1,16}\\{0,2}[\"']-//apple//dtd plist 1\.0//en\\{0,2}[\"']"
    r"(?:[\s]{1,16}\\{0,2}[\"']https?://www\.apple\.com/dtds/propertylist-1\.0\.dtd\\{0,2}[\"'])?[\s]{0,16}>"
    # and a framework's or a publishing standard's own (MyBatis mappers, Struts / Spring / Hibernate
    # configurations, DocBook, TEI, JATS): its DTD on the standard's host, or a file name beside the
    # document; the attacker's DTD is on a host of their own or a path of the server's ("file:///...")
    r"|<!doctype[\s]{1,16}[a-z][a-z0-9:._\-]{0,40}[\s]{1,16}"
    r"(?:public[\s]{1,16}\\{0,2}[\"']-//[^\"'<>\[\]\\]{1,120}\\{0,2}[\"'][\s]{1,16}|system[\s]{1,16})\\{0,2}[\"']"
    r"(?:[a-z0-9_\-][a-z0-9._\-]{0,60}\.dtd|https?://" + _STANDARDS_HOSTS + r"/[a-z0-9/._\-]{1,120}\.dtd)"
    r"\\{0,2}[\"'][\s]{0,16}>"
)
# The other declarations of a DTD ("<!ELEMENT foo ANY >", "<!ATTLIST ...>"): only a DTD holds
# them, and a request value that carries one is building a document type for the parser
# A declaration has its grammar after the name (a content model, an attribute's type, an
# identifier): "what is <!ELEMENT in a DTD?" in a docs search names the keyword only.
_DECLARATION = re.compile(
    r"<!(?:element[\s]{1,16}[^\s>]{1,64}[\s]{1,16}(?:\(|any\b|empty\b)"
    r"|attlist[\s]{1,16}[^\s>]{1,64}[\s]{1,16}[^\s>]{1,64}[\s]{1,16}(?:cdata|id|idref|idrefs|entity|entities|nmtoken|nmtokens|notation|\()"
    r"|notation[\s]{1,16}[^\s>]{1,64}[\s]{1,16}(?:system|public)\b)"
)
# Pieces of an injected internal subset sent on their own: a value that is only parameter-entity
# references ("%dtd;", "%remote;%int;%trick;"), optionally closing the subset ("%xxe;]>"), or
# a value that opens with the subset's end and the document after it ("]><foo>&xxe;</foo>").
# Anchored at both ends: a reference inside a longer text is a bot sensor's blob ("a%7t5+o%eh;").
_PARAMETER_REFS = re.compile(r"[\s]{0,8}(?:%[a-z_][a-z0-9_.\-]{1,40};[\s]{0,8}){1,8}(?:\][\s]{0,8}>|$)")
_SUBSET_END = re.compile(r"[\s]{0,8}\][\s]{0,8}>[\s]{0,8}<[a-z]")
# A general entity that the document type must declare: the whole content of an element, of an
# attribute or of the value ("<foo>&xxe;</foo>", 'value="&ent;"', "&xxe;"). XML predefines five names and HTML its own;
# any other name is expanded from a DOCTYPE, and the value is the body of an XXE document.
_ENTITY_USE = re.compile(
    r"(?:^|>)[\s]{0,4}&([a-z_][a-z0-9_.\-]{0,40});[\s]{0,4}(?:</|$)|=[\s]{0,4}[\"']&([a-z_][a-z0-9_.\-]{0,40});[\"']"
)
_KNOWN_ENTITIES = frozenset(name[:-1].lower() for name in html5 if name.endswith(";"))
# (RE2 on long text: the stdlib engine tries the branches at every "<", "x" and "s")
_TRIGGER = linear(r"<!|xinclude|xi:|schemalocation|xsl")


def scan(text: str) -> list[Hit]:
    """XXE evidence in one lower-case view."""
    if _TRIGGER.search(text) is None:
        return _pieces(text)
    if "<!doctype+" in text or "<!entity+" in text:
        # a form-encoded document whose spaces are still "+" (a query decoded without form rules)
        text = text.replace("+", " ")
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.XXE, score, rule, text, start, end)

    doctype = _DOCTYPE.search(text)
    subset_start = subset_end = -1
    if doctype is not None and doctype.group(1) == "[":
        subset_start = doctype.end()
    elif doctype is not None:
        # a standard's document type with a subset of its own after it (an SVG editor's export:
        # '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/.../svg11.dtd" [ ... ]>')
        bracket = text.find("[", doctype.end(), doctype.end() + 400)
        if bracket > 0 and ">" not in text[doctype.end() : bracket] and _KNOWN_DOCTYPE.match(
                text[doctype.start() : bracket].rstrip() + ">") is not None:
            subset_start = bracket + 1
    if subset_start >= 0:
        subset_end = text.find("]", subset_start, subset_start + 8192)
    # an internal subset of element and attribute declarations, and of entities that only name a
    # short literal text (an SVG editor's namespaces: Illustrator's '<!ENTITY ns_ai
    # "http://ns.adobe.com/AdobeIllustrator/10.0/">'): no entity that expands another, no parameter
    # reference, nothing fetched
    declarations_only = subset_end > subset_start >= 0 and _harmless_subset(text[subset_start:subset_end])
    for m in _ENTITY.finditer(text):
        if m.group(2) is not None or m.group(1) is not None:
            keep(0.98, "xxe.external-entity", m.start(), m.end())
            break
        if not (declarations_only and subset_start <= m.start() < subset_end):
            keep(0.85, "xxe.entity", m.start(), m.end())
    if doctype is not None:
        if declarations_only:
            keep(0.45, "xxe.doctype-declarations", doctype.start(), doctype.end())
        elif doctype.group(1) == "[":
            keep(0.9, "xxe.doctype", doctype.start(), doctype.end())
        elif _KNOWN_DOCTYPE.match(text, doctype.start()) is None:
            keep(0.8, "xxe.doctype", doctype.start(), doctype.end())
    xinclude = _XINCLUDE.search(text)
    if xinclude is not None:
        keep(0.95, "xxe.xinclude", xinclude.start(), xinclude.end())
    xslt = _XSLT.search(text) if "xsl" in text else None
    if xslt is not None:
        keep(0.9, "xxe.xslt", xslt.start(), xslt.end())
    declaration = _DECLARATION.search(text) if "<!" in text and not declarations_only else None
    if declaration is not None:
        keep(0.8, "xxe.dtd-declaration", declaration.start(), declaration.end())
    for hit in _pieces(text):
        if not (declarations_only and hit.rule == "xxe.entity-reference"):  # (a use of the subset's own text entity)
            keep(hit.score, hit.rule, hit.start, hit.end)
    schema = _SCHEMA.search(text)
    if schema is not None and "http" in text[schema.end() : schema.end() + 200]:
        # (a namespace's name is no address a parser fetches: the XSLT namespace of a plain stylesheet,
        # "xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"")
        after = _NAMESPACE_DECLARATION.sub("", text[schema.end() : schema.end() + 400])[:200]
        if "http" in after and not _own_schema(text, schema):
            keep(0.6, "xxe.external-schema", schema.start(), schema.end())
    return [best] if best is not None else []


# a schemaLocation attribute's value: pairs of a namespace and the address of its schema
_SCHEMA_LOCATION = re.compile(r"xsi:schemalocation[\s]{0,4}=[\s]{0,4}([\"'])([^\"'<>]{1,2000})\1")
_URL_HOST = re.compile(r"https?://([a-z0-9.\-]{1,253})(?:[:/]|$)")
_NAMESPACE_DECLARATION = re.compile(r"xmlns(?::[a-z0-9_\-]{1,30})?[\s]{0,4}=[\s]{0,4}([\"'])[^\"'<>]{0,200}\1")
_STANDARDS_HOST = re.compile(_STANDARDS_HOSTS)


def _own_schema(text: str, schema: re.Match[str]) -> bool:
    """``xsi:schemaLocation`` names each namespace's schema on the namespace's own site or a
    standards body's ("http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd" in
    a GPX track, a Maven POM, a SOAP or KML document): what a validating parser would fetch is the
    publisher's own file; a location on another host ("http://a.b/ http://x.oast.example/a.xsd")
    is the attacker's."""
    m = _SCHEMA_LOCATION.match(text, schema.start())
    if m is None:
        return False
    words = m.group(2).split()
    if not words or len(words) % 2:
        return False
    for namespace, location in zip(words[::2], words[1::2]):
        location_host = _URL_HOST.match(location)
        if location_host is None:
            if "://" in location or location.startswith(("//", "\\")):
                return False
            continue  # a schema file beside the document ("gpx.xsd")
        host = location_host.group(1)
        namespace_host = _URL_HOST.match(namespace)
        if _STANDARDS_HOST.fullmatch(host) is not None:
            continue
        # the namespace's own site, a schema file on a named host that is no testing tool's callback
        # (the document's writer names both: an attacker's own pair passes, an out-of-band probe's not)
        if (namespace_host is None or _site(namespace_host.group(1)) != _site(host) or not location.endswith(".xsd")
                or host.replace(".", "").isdigit() or parse_host(host) is not None or host.endswith(OOB_ZONES)):
            return False
    return True


# an internal general entity whose value is a short literal (character references allowed)
_LITERAL_ENTITY = re.compile(
    r"<!entity[\s]{1,16}[a-z_][a-z0-9_.\-]{0,63}[\s]{1,16}"
    r"(?:\"(?:[^\"&%<]|&#[0-9]{1,7};|&#x[0-9a-f]{1,6};){0,200}\"|'(?:[^'&%<]|&#[0-9]{1,7};|&#x[0-9a-f]{1,6};){0,200}')[\s]{0,16}>"
)


def _harmless_subset(subset: str) -> bool:
    """An internal subset that declares elements, attributes and literal text entities only."""
    if "%" in subset or "<!notation" in subset or "system" in subset or "public" in subset:
        return False
    return "<!entity" not in _LITERAL_ENTITY.sub("", subset)


def _site(host: str) -> str:
    """The host's last two labels: "schemas.opengis.net" and "www.opengis.net" are one publisher."""
    return ".".join(host.rsplit(".", 2)[-2:])


def _pieces(text: str) -> list[Hit]:
    """Parts of an XXE document sent without its DOCTYPE: parameter-entity references or the
    subset's end (`_fragment`), a use of an entity no standard declares (`_ENTITY_USE`)."""
    if ";" not in text:
        return []
    if _fragment(text):
        return [Hit(Category.XXE, 0.85, "xxe.dtd-fragment", text, 0, min(len(text), 80))]
    if "&" in text:
        for m in _ENTITY_USE.finditer(text):
            if (m.group(1) or m.group(2)) not in _KNOWN_ENTITIES:
                return [Hit(Category.XXE, 0.75, "xxe.entity-reference", text, m.start(), m.end())]
    return []


def _fragment(text: str) -> bool:
    """A value that is only parameter-entity references (`_PARAMETER_REFS`: "%dtd;", "%xxe;]>"),
    or that opens with an internal subset's end and the document (`_SUBSET_END`). A reference
    whose name could be a percent escape ("%ab;") does not count."""
    head = text.lstrip()[:1]
    if head == "%":
        m = _PARAMETER_REFS.match(text)
        return m is not None and any(_HEX_PAIR.fullmatch(name) is None for name in _REF_NAME.findall(m.group(0)))
    return head == "]" and _SUBSET_END.match(text) is not None


_REF_NAME = re.compile(r"%([a-z_][a-z0-9_.\-]{1,40});")
_HEX_PAIR = re.compile(r"[0-9a-f]{2}")


def features(text: str) -> dict[str, float]:
    return {
        "xml.entities": float(len(_ENTITY.findall(text))),
        "xml.doctype": float(_DOCTYPE.search(text) is not None),
        "xml.evidence": max((h.score for h in scan(text)), default=0.0),
    }
