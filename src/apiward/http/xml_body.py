"""XML bodies via defusedxml: entities are never resolved, but stay visible to detectors.

``defusedxml`` refuses entity declarations and external references; that refusal is *not* a
malformed body but an XXE attempt, so the raw XML text is kept as one body field (name ``""``)
for the detectors to see and score. The raw text is also kept whenever the body merely has a
DOCTYPE (parsed, but suspicious in an API), and when it holds an HTML element that runs script
or loads a source (``<script>``, ``<iframe src=...>``: markup for a browser). Element text and
attribute values become fields named by element path: ``order.item`` and ``order.item@id``
(namespaces dropped).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from apiward.core import Field, Source
from apiward.http.fieldlist import BodySyntaxError, FieldList, name_segment, too_deep, too_many_fields

# What the XXE analyser reads in the document whole, in one pass: a DTD's declarations, and what
# else makes a parser fetch a document (a schema location, an XInclude, a stylesheet), whose
# attributes become fields with no sign of what the parser does with them.
# Linear: literal alternatives (the first behind a fixed prefix).
_READ_WHOLE = re.compile(rb"<!\s*(?:doctype|entity|element|attlist)|schemalocation|xinclude|xml-stylesheet", re.IGNORECASE)
# HTML elements that run script or load a page, a plug-in or the base of every link: a document
# holding one is markup for a browser (an XSS payload posted as XML: ``<script src=...>``,
# ``<iframe src=...>``), and its fields alone lose the element that makes an address active.
_ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "embed", "object", "applet", "base", "portal"})
# the attributes through which those elements load what they run
_LOADING_ATTRIBUTES = frozenset({"src", "href", "data", "code", "codebase", "archive", "classid", "srcdoc"})


class _BoundedBuilder(TreeBuilder):
    """Builds the element tree but refuses, while expat is still reading, a document nested
    deeper than ``max_depth`` or with more elements than the field cap allows: 100,000 nested
    elements are refused after 33 of them, not after building the whole tree."""

    def __init__(self, max_depth: int, max_elements: int, field_limit: int) -> None:
        super().__init__()
        self.field_limit = field_limit
        self.depth = 0
        self.elements = 0
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.active = False  # an element of `_ACTIVE_ELEMENTS` was seen (a script, or one loading a source)

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        self.elements += 1
        if self.depth > self.max_depth:
            raise too_deep(self.max_depth)
        if self.elements > self.max_elements:
            raise too_many_fields(self.field_limit)
        if not self.active and _local(tag).lower() in _ACTIVE_ELEMENTS:
            self.active = _local(tag).lower() == "script" or any(
                _local(key).lower() in _LOADING_ATTRIBUTES for key in attrs)
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)


def _local(tag: object) -> str:
    """The local name (namespace dropped), bounded for use in field names."""
    return name_segment(tag.rpartition("}")[2]) if isinstance(tag, str) else ""


def _walk(root: Element, max_depth: int, out: FieldList) -> None:
    items = out.items
    stack: list[tuple[Element, str, int]] = [(root, _local(root.tag), 1)]
    while stack:
        element, path, depth = stack.pop()
        if depth > max_depth:
            raise too_deep(max_depth)
        attrib = element.attrib
        children = list(element)
        out.check(len(attrib) + len(children) + 1)  # tails are checked after the loop
        for key, value in attrib.items():
            items.append(Field(Source.BODY, f"{path}@{_local(key)}", value))
        text = element.text
        if text and not text.isspace():
            items.append(Field(Source.BODY, path, text))
        for child in reversed(children):
            tail = child.tail
            if tail and not tail.isspace():
                items.append(Field(Source.BODY, path, tail))
            stack.append((child, f"{path}.{_local(child.tag)}", depth + 1))
        out.check()


def parse_xml(data: bytes, text: str, max_depth: int, out: FieldList) -> None:
    """Append the fields of an XML body. ``text`` is the body decoded for the raw field.

    Raises `BodySyntaxError` when the body is not well-formed XML.
    """
    keep_raw = _READ_WHOLE.search(data) is not None
    builder = _BoundedBuilder(max_depth, out.limit - len(out.items), out.limit)
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    root: Element | None
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        root = None
        keep_raw = True
    except (ParseError, ValueError, LookupError) as exc:
        # (LookupError: an encoding declaration expat does not know, '<?xml encoding="EBCDIC-US"?>',
        # which another parser may: the body is then read as raw text)
        raise BodySyntaxError(f"invalid XML: {exc}") from exc
    if builder.active:
        keep_raw = True  # the markup is read whole, as the HTML it is
    if keep_raw:
        out.check(1)
        out.items.append(Field(Source.BODY, "", text))
    if root is not None:
        _walk(root, max_depth, out)
