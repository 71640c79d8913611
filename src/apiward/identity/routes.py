"""Route templates: ``/users/{user_id}/orders``, ``/static/*`` (one segment), ``/admin/**`` (the rest).

Matching is segment by segment (linear in the path length, no regex). A literal segment beats a
parameter, a parameter beats ``*``, and ``**`` comes last, so the most specific template wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def split_path(path: str) -> tuple[str, ...]:
    """``/a//b/`` -> ("a", "b"): empty segments carry no meaning for matching."""
    return tuple(part for part in path.split("/") if part)


@dataclass(frozen=True, slots=True)
class RouteTemplate:
    text: str
    segments: tuple[str, ...]
    rest: bool  # ends with ``**``

    @classmethod
    def parse(cls, text: str) -> RouteTemplate:
        """Raise ValueError naming the problem for a malformed template."""
        if not text.startswith("/"):
            raise ValueError(f"route template must start with '/': {text!r}")
        segments = split_path(text)
        rest = bool(segments) and segments[-1] == "**"
        if rest:
            segments = segments[:-1]
        names: set[str] = set()
        for seg in segments:
            if seg == "**":
                raise ValueError("'**' is only allowed as the last segment")
            if "{" in seg or "}" in seg:
                if not (seg.startswith("{") and seg.endswith("}")) or seg.count("{") != 1:
                    raise ValueError(f"a parameter must be a whole segment like {{id}}: {seg!r}")
                name = seg[1:-1]
                if not name.replace("_", "a").replace("-", "a").isalnum():
                    raise ValueError(f"invalid parameter name {name!r}")
                if name in names:
                    raise ValueError(f"parameter {name!r} appears twice")
                names.add(name)
        return cls(text, segments, rest)

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(s[1:-1] for s in self.segments if s.startswith("{"))

    def specificity(self) -> tuple[int, ...]:
        """Sort key (greater = more specific)."""
        ranks = tuple(0 if s.startswith("{") else (-1 if s == "*" else 1) for s in self.segments)
        return (0 if self.rest else 1, len(self.segments), *ranks)

    def match(self, parts: Sequence[str]) -> dict[str, str] | None:
        n = len(self.segments)
        if len(parts) < n or (len(parts) > n and not self.rest):
            return None
        params: dict[str, str] = {}
        for seg, part in zip(self.segments, parts):
            if seg.startswith("{"):
                params[seg[1:-1]] = part
            elif seg != "*" and seg != part:
                return None
        return params


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    template: RouteTemplate
    methods: frozenset[str]  # empty: any
    value: T


class RouteTable(Generic[T]):
    """Templates (with methods) -> values; `lookup` returns the most specific match."""

    def __init__(self, entries: Iterable[tuple[RouteTemplate, Iterable[str], T]] = ()) -> None:
        items = [_Entry(t, frozenset(m.upper() for m in methods), v) for t, methods, v in entries]
        # More specific first; among equals, entries that name methods beat "any method".
        items.sort(key=lambda e: (e.template.specificity(), bool(e.methods)), reverse=True)
        self._entries: tuple[_Entry[T], ...] = tuple(items)
        self._by_text = {(e.template.text, m) for e in items for m in (e.methods or {"*"})}

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, method: str, path: str) -> tuple[T, RouteTemplate, dict[str, str]] | None:
        parts = split_path(path)
        method = method.upper()
        for entry in self._entries:
            if entry.methods and method not in entry.methods:
                continue
            params = entry.template.match(parts)
            if params is not None:
                return entry.value, entry.template, params
        return None

    def lookup_template(self, method: str, template: str) -> tuple[T, RouteTemplate] | None:
        """Exact lookup by an OpenAPI template set by the spec stage (``ctx.route``)."""
        method = method.upper()
        for entry in self._entries:
            if entry.template.text == template and (not entry.methods or method in entry.methods):
                return entry.value, entry.template
        return None
