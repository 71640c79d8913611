"""XML bodies via defusedxml: entities are never resolved, but stay visible to detectors.

``defusedxml`` refuses entity declarations and external references; that refusal is *not* a
malformed body but an XXE attempt, so the raw XML text is kept as one body field (name ``""``)
for the detectors to see and score. The raw text is also kept whenever the body merely has a
DOCTYPE (parsed, but suspicious in an API). Element text and attribute values become fields
named by element path: ``order.item`` and ``order.item@id`` (namespaces dropped).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from apiward.core import Field, Source
from apiward.http.fieldlist import BodySyntaxError, FieldList, too_deep

# Linear: a fixed prefix, then a bounded alternation of literals.
_DTD = re.compile(rb"<!\s*(?:doctype|entity|element|attlist)", re.IGNORECASE)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _walk(root: Element, max_depth: int, out: FieldList) -> None:
    items = out.items
    stack: list[tuple[Element, str, int]] = [(root, _local(root.tag), 1)]
    while stack:
        element, path, depth = stack.pop()
        if depth > max_depth:
            raise too_deep(max_depth)
        attrib = element.attrib
        children = list(element)
        out.check(len(attrib) + 2 * len(children) + 1)
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
    keep_raw = _DTD.search(data) is not None
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        root = None
        keep_raw = True
    except (ParseError, ValueError) as exc:
        raise BodySyntaxError(f"invalid XML: {exc}") from exc
    if keep_raw:
        out.check(1)
        out.items.append(Field(Source.BODY, "", text))
    if root is not None:
        _walk(root, max_depth, out)
