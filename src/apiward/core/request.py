"""The immutable request view: parsed once, read by every stage.

A stage never re-parses the raw request; everything it needs is here. Inputs an attacker controls
are flattened into `Field`s (source + name + value) so detectors can iterate one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, partial
from typing import Callable, Mapping, NamedTuple


class Source(StrEnum):
    """Where an input value came from; the first part of a finding's location."""

    PATH = "path"
    QUERY = "query"
    BODY = "body"
    HEADER = "header"
    COOKIE = "cookie"


class BodyKind(StrEnum):
    NONE = "none"
    JSON = "json"
    FORM = "form"
    MULTIPART = "multipart"
    XML = "xml"
    TEXT = "text"
    BINARY = "binary"


class Field(NamedTuple):
    """One attacker-controlled value. ``name`` is the key path (``user.name``, ``items[0].sku``),
    the query/form parameter, the lower-case header name, the cookie name, or the path segment
    index (``0``, ``1``...); the raw path itself is ``path`` with name ``""``.

    Immutable. A named tuple rather than a frozen dataclass: a request builds dozens of them
    (every header, cookie, parameter and JSON leaf), and a tuple is built in half the time. As a
    tuple it also equals a plain tuple of the same items: compare fields with fields."""

    source: Source
    name: str
    value: str

    @property
    def location(self) -> str:
        return f"{self.source.value}.{self.name}" if self.name else self.source.value


# ``Field(source, name, value)`` without the named tuple's generated ``__new__``, a Python-level
# call per field: ``new_field((source, name, value))`` builds the same `Field` in C. The parsers
# build dozens per request (headers, parameters, cookies, JSON leaves).
new_field: Callable[[tuple[Source, str, str]], Field] = partial(tuple.__new__, Field)


@dataclass(frozen=True)
class RequestView:
    """Everything about one request that inspection may look at.

    ``headers`` keeps order and duplicates, names lower-cased. ``path`` is percent-decoded,
    ``raw_path`` is as received. ``fields`` is every input value, flattened.
    """

    method: str
    path: str
    raw_path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    client_ip: str
    body: bytes = b""
    content_type: str = ""
    body_kind: BodyKind = BodyKind.NONE
    fields: tuple[Field, ...] = ()
    scheme: str = "http"
    # Parsed JSON body (dict/list/scalar) when body_kind is JSON; used by schema validation.
    json: object = field(default=None, compare=False)

    @cached_property
    def header_map(self) -> Mapping[str, str]:
        """Headers as a mapping; repeated headers joined with ``, `` (cookies with ``; ``)."""
        merged: dict[str, str] = {}
        for name, value in self.headers:
            if name in merged:
                sep = "; " if name == "cookie" else ", "
                merged[name] = merged[name] + sep + value
            else:
                merged[name] = value
        return merged

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.header_map.get(name.lower(), default)

    @cached_property
    def query(self) -> tuple[tuple[str, str], ...]:
        return tuple((f.name, f.value) for f in self.fields if f.source is Source.QUERY)

    @cached_property
    def cookies(self) -> Mapping[str, str]:
        return {f.name: f.value for f in self.fields if f.source is Source.COOKIE}

    @property
    def target(self) -> str:
        """Path plus query, as sent (percent-encoded)."""
        return f"{self.raw_path}?{self.query_string}" if self.query_string else self.raw_path
