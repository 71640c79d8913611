"""JSON documents carried inside one value: a query parameter, a cookie (also percent-encoded,
as scripts write JSON into one), a form field, a text body or a JSON string leaf whose text is
itself JSON (``filter={"price":{"$lt":10}}``, analytics beacons sent as ``text/plain`` JSON lines,
double-encoded JSON in a JSON API).

An application that reads such a value parses it, so the detectors read what it parses to: one
field per leaf, named by the value's name and the leaf's key path (``query.filter.price.$lt``),
keys that are not plain identifiers as ``#key`` fields, exactly as a JSON body is walked
(`apiward.http.body.walk_json`). Reading leaves instead of the whole text is also what keeps a
16 KB beacon from costing the lexical analysers 16 KB of scanning on every request: its leaves
are short and repeat, so the detectors' caches remember most of them.

Bounded: at most `MAX_NESTING` levels of JSON-in-JSON, `MAX_DEPTH` levels inside one document,
`MAX_LEAVES` leaves per request from all embedded documents together (nulls, booleans and numbers
in arrays are not leaves: nothing to read). A value over any bound,
and a value that does not parse, stays one field, inspected whole as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

import orjson

from apiward.core import Field, Source, new_field
from apiward.errors import RequestRejected
from apiward.http.body import has_duplicate_keys, walk_json
from apiward.http.fieldlist import FieldList, name_segment

MAX_NESTING = 3
MAX_DEPTH = 32
MAX_LEAVES = 5000
MAX_LINES = 1000
# scalar array elements are walked but not kept (`_scalar_element`): the walk may see this many
# times `MAX_LEAVES` fields before it gives up
SCALAR_FACTOR = 8
_LITERALS = frozenset({"null", "true", "false"})
_NUMBER = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{1,40})?(?:[eE][+-]?[0-9]{1,4})?")
_OPENERS = ("{", "[")
_CLOSERS = ("}", "]")
# a cookie holding percent-encoded JSON ("encodeURIComponent(JSON.stringify(state))"): cookies are
# kept as sent (`apiward.http.cookies`), and "{", '"', "," and ";" are not safe in one
_ENCODED_OPENERS = ("%7b", "%5b")


def json_document(value: str) -> list[object] | None:
    """The JSON containers ``value`` holds: one object or array, or JSON lines (one container
    per non-blank line); None when it is anything else (a scalar, text, broken JSON)."""
    text = value.strip()
    if not text.startswith(_OPENERS) or not text.endswith(_CLOSERS):
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        if "\n" not in text:
            return None
        lines = [line for line in text.split("\n", MAX_LINES) if line.strip()]
        if len(lines) > MAX_LINES:
            return None
        try:
            docs = [orjson.loads(line) for line in lines]
        except orjson.JSONDecodeError:
            return None
        return docs if all(type(d) is dict or type(d) is list for d in docs) else None
    return [doc] if (type(doc) is dict or type(doc) is list) and doc else None


def _leaf_name(name: str, leaf: str, line: int, lines: int) -> str:
    prefix = f"{name}[{line}]" if lines > 1 else name
    if not leaf:
        return prefix
    if not prefix:
        return leaf
    return prefix + leaf if leaf.startswith("[") else f"{prefix}.{leaf}"


class _Budget:
    __slots__ = ("left",)

    def __init__(self, leaves: int) -> None:
        self.left = leaves


def _leaves(fld: Field, budget: _Budget) -> list[Field] | None:
    docs = json_document(fld.value)
    if docs is None:
        return None
    name = fld.name
    if name.endswith("#key"):
        # a parameter *name* that is a whole JSON document (a JSON body posted as a form, with no
        # "="): its leaves are named after the name's cut head, not the document again
        name = name_segment(name[: -len("#key")]) + "#key"
    leaves: list[Field] = []
    left = budget.left
    members = 0
    for line, doc in enumerate(docs):
        walked = FieldList(left * SCALAR_FACTOR)
        try:
            members += walk_json(doc, MAX_DEPTH, walked)
        except RequestRejected:
            return None  # too deep or too many leaves: the value is inspected whole
        kept = [leaf for leaf in walked.items if not _scalar_element(leaf)]
        left -= len(kept)
        if left < 0:
            return None
        for leaf in kept:
            leaves.append(new_field((fld.source, _leaf_name(name, leaf.name, line, len(docs)), leaf.value)))
    if fld.value.count(":") != members and has_duplicate_keys(fld.value.encode("utf-8", "surrogatepass"), members):
        # a key twice in one object: the parsed document kept only the last value, and some
        # frameworks read the first ('{"file": "../../etc/passwd", "file": "a"}'): read whole
        return None
    budget.left = left
    return leaves


def _scalar_element(leaf: Field) -> bool:
    """A null, boolean or number in an array (``[12,null,null,true,...]``, the padding of a
    protobuf-as-JSON array): nothing to inspect, and counted as a leaf it would push a 30 KB
    beacon over `MAX_LEAVES`, to be read whole. (A string that spells one is as plain.)"""
    value = leaf.value
    return leaf.name.endswith("]") and (value in _LITERALS or _NUMBER.fullmatch(value) is not None)


# the first characters that lead `embedded_fields` to look further (an encoded cookie, a
# document, a document after leading whitespace: every `str.isspace` character is below U+3001,
# which tests/http/test_embedded_json.py holds over all of Unicode)
_MAY_EMBED = frozenset("%{[") | frozenset(c for c in map(chr, range(0x3001)) if c.isspace())
_GRAPHQL_FIRST = frozenset("qmsf")


# a GraphQL document (what a "query" field holds): an operation or a selection set first
_GRAPHQL_HEAD = re.compile(r"[\s]{0,64}(?:query|mutation|subscription|fragment|\{)")
# one GraphQL string literal (unrolled: linear); block strings ('"""') are read as their parts
_GRAPHQL_STRING = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')
MAX_GRAPHQL_STRINGS = 64


def graphql_arguments(fld: Field) -> list[Field]:
    """The string literals of a GraphQL document, one field each (``query#arg``): an argument
    written inline ('reviews(orderBy: "rating desc, (case when ...)")') reaches the resolver, and
    its SQL or path, as a variable would; read whole, the document is mostly selection syntax."""
    out: list[Field] = []
    for m in _GRAPHQL_STRING.finditer(fld.value):
        text = m.group(1)
        if not text:
            continue
        if "\\" in text:
            try:
                text = orjson.loads(f'"{text}"')  # GraphQL's escapes are JSON's
            except orjson.JSONDecodeError:
                pass
        out.append(new_field((fld.source, fld.name + "#arg", text)))
        if len(out) >= MAX_GRAPHQL_STRINGS:
            break
    return out


def _graphql_document(fld: Field) -> bool:
    name = fld.name
    return (name.endswith("query") and (len(name) == 5 or not name[-6].isalnum())
            and '"' in fld.value and "(" in fld.value and _GRAPHQL_HEAD.match(fld.value) is not None)


def embedded_fields(fields: Iterable[Field], max_leaves: int = MAX_LEAVES) -> Iterator[Field]:
    """``fields`` with every value that is a JSON document replaced by its leaves (see the
    module docstring), and a GraphQL document followed by its string arguments; path segments
    are left as they are."""
    budget: _Budget | None = None
    for fld in fields:
        first = fld.value[:1]
        if first not in _MAY_EMBED:
            yield fld  # the common case, decided on the first character by one set look-up
            if first in _GRAPHQL_FIRST and fld.source is not Source.PATH and _graphql_document(fld):
                yield from graphql_arguments(fld)
            continue
        if first == "%" and fld.source is Source.COOKIE and fld.value[:3].lower() in _ENCODED_OPENERS:
            if budget is None:
                budget = _Budget(max_leaves)
            decoded = Field(fld.source, fld.name, unquote(fld.value))
            leaves = list(_expand(decoded, budget, 0))
            # a cookie that decodes to something other than JSON stays as it was sent
            yield from (fld,) if leaves == [decoded] else leaves
            continue
        if first != "{" and first != "[" and not (first.isspace() and fld.value.lstrip()[:1] in _OPENERS):
            yield fld  # the common case, decided on the first character
            continue
        if budget is None:
            budget = _Budget(max_leaves)
        yield from _expand(fld, budget, 0)


def _expand(fld: Field, budget: _Budget, nesting: int) -> Iterator[Field]:
    value = fld.value
    if (
        nesting >= MAX_NESTING
        or budget.left <= 0
        or len(value) < 2
        or fld.source is Source.PATH
        or value.lstrip()[:1] not in _OPENERS
    ):
        yield fld
        return
    leaves = _leaves(fld, budget)
    if leaves is None:
        yield fld
        return
    for leaf in leaves:
        # most leaves are not JSON text: yielded here, as `_expand` would, without a generator
        # per leaf (its last test, which it would fail)
        if leaf.value.lstrip()[:1] in _OPENERS:
            yield from _expand(leaf, budget, nesting + 1)
        else:
            yield leaf
