"""Path templating: concrete paths seen in traffic become OpenAPI templates.

A segment becomes a parameter when it looks like an identifier (number, UUID, hex hash, date,
long opaque token) or when its position has many distinct values (slugs, by cardinality).
Low-cardinality literals (``/users/me``, ``/imagenes/logo.gif``) stay literal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from apiward.learn.infer import is_hex_hash, is_int
from apiward.learn.formats import is_date, is_uuid

# A position with more distinct literal values than this becomes a {slug} parameter.
SLUG_CARDINALITY = 24
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def segment_kind(segment: str) -> str | None:
    """The parameter name an identifier-like segment gets, or None for a literal."""
    if is_int(segment):
        return "id"
    if len(segment) == 36 and is_uuid(segment):
        return "uuid"
    if is_hex_hash(segment):
        return "hash"
    if len(segment) == 10 and is_date(segment):
        return "date"
    if len(segment) >= 20 and all(ch in _ALNUM for ch in segment) and sum(ch.isdigit() for ch in segment) >= 3:
        return "token"
    return None


@dataclass
class _Trie:
    children: dict[str, "_Trie"] = field(default_factory=dict)
    count: int = 0
    terminal: int = 0


def _merge(into: _Trie, other: _Trie) -> None:
    into.count += other.count
    into.terminal += other.terminal
    for key, child in other.children.items():
        if key in into.children:
            _merge(into.children[key], child)
        else:
            into.children[key] = child


class PathTemplater:
    """Fit on paths (``fit``), then map any path to its template (``template``)."""

    def __init__(self, slug_cardinality: int = SLUG_CARDINALITY) -> None:
        self.slug_cardinality = slug_cardinality
        self._root = _Trie()
        self._fitted = False

    def add(self, segments: list[str], weight: int = 1) -> None:
        node = self._root
        node.count += weight
        for segment in segments:
            kind = segment_kind(segment)
            key = "{" + kind + "}" if kind else segment
            node = node.children.setdefault(key, _Trie())
            node.count += weight
        node.terminal += weight

    def fit(self, paths: Iterable[list[str]]) -> "PathTemplater":
        for segments in paths:
            self.add(segments)
        self.finish()
        return self

    def finish(self) -> None:
        self._collapse(self._root)
        self._fitted = True

    def _collapse(self, node: _Trie) -> None:
        # Many distinct values that are each rarely requested are a parameter (/blog/{slug});
        # a few dozen sections each requested often (/about, /cart, ...) stay literal.
        rare_limit = max(2, node.count // 100)
        rare = [k for k, c in node.children.items() if not k.startswith("{") and c.count <= rare_limit]
        if len(rare) > self.slug_cardinality:
            slug = node.children.pop("{slug}", _Trie())
            for key in rare:
                _merge(slug, node.children.pop(key))
            node.children["{slug}"] = slug
        params = [k for k in node.children if k.startswith("{")]
        if len(params) > 1:
            # One position, one parameter: {id} and {uuid} seen at the same place are one template
            # (named for the most frequent kind), else the spec would hold two routes of one shape.
            keep = max(params, key=lambda k: (node.children[k].count, k))
            for key in params:
                if key != keep:
                    _merge(node.children[keep], node.children.pop(key))
        for child in node.children.values():
            self._collapse(child)

    def template(self, segments: list[str]) -> str:
        """The template for a path; segments unseen at fit time stay literal."""
        node = self._root
        parts: list[str] = []
        for segment in segments:
            child = node.children.get(segment)
            key = segment
            if child is None:
                kind = segment_kind(segment)
                key = "{" + kind + "}" if kind else segment
                child = node.children.get(key)
                if child is None:
                    # At most one parameter per position (see _collapse): identifiers of any
                    # kind, and anything once the position became a slug, go there.
                    param = next((k for k in node.children if k.startswith("{")), None)
                    if param is not None and (kind is not None or param == "{slug}"):
                        key, child = param, node.children[param]
            parts.append(key)
            if child is None:
                parts.extend(segments[len(parts):])
                break
            node = child
        return name_params("/" + "/".join(parts))

    def templates(self) -> list[str]:
        out: list[str] = []

        def walk(node: _Trie, prefix: list[str]) -> None:
            if node.terminal:
                out.append(name_params("/" + "/".join(prefix)))
            for key, child in node.children.items():
                walk(child, [*prefix, key])

        walk(self._root, [])
        return sorted(out)


def name_params(template: str) -> str:
    """Make parameter names unique within a template: /a/{id}/b/{id} -> /a/{id}/b/{id2}."""
    seen: dict[str, int] = {}
    parts = []
    for part in template.split("/"):
        if part.startswith("{") and part.endswith("}"):
            base = part[1:-1]
            seen[base] = seen.get(base, 0) + 1
            if seen[base] > 1:
                part = "{" + f"{base}{seen[base]}" + "}"
        parts.append(part)
    return "/".join(parts)
