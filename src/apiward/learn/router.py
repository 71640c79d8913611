"""Route matching: path templates (``/users/{id}``) compiled into a per-segment trie.

Literal segments win over templated ones (as OpenAPI requires); a templated segment may carry a
literal prefix/suffix (``{name}.json``). Matching costs one dict lookup per segment in the common
case; no regex is involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote

from apiward.errors import ConfigError

T = TypeVar("T")


@dataclass(slots=True)
class _Node(Generic[T]):
    literal: dict[str, "_Node[T]"] = field(default_factory=dict)
    params: list[tuple[str, str, str, "_Node[T]"]] = field(default_factory=list)  # prefix, name, suffix
    value: T | None = None
    template: str = ""


def split_path(path: str) -> list[str]:
    """Segments of a raw (percent-encoded) path, decoded one by one; a trailing slash is ignored."""
    trimmed = path.strip("/")
    if not trimmed:
        return []
    return [unquote(s) for s in trimmed.split("/")]


def _parse_segment(segment: str, template: str) -> tuple[str, str, str] | None:
    start = segment.find("{")
    if start < 0:
        return None
    end = segment.find("}", start)
    if end < 0 or segment.find("{", end) >= 0 or end == start + 1:
        raise ConfigError(f"unsupported path template segment {segment!r}", template)
    return segment[:start], segment[start + 1 : end], segment[end + 1 :]


class Router(Generic[T]):
    """Maps a request path to (value, path parameters, template)."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()
        self.size = 0

    def add(self, template: str, value: T) -> None:
        node = self._root
        for segment in template.strip("/").split("/") if template.strip("/") else []:
            parsed = _parse_segment(segment, template)
            if parsed is None:
                node = node.literal.setdefault(segment, _Node())
                continue
            for prefix, name, suffix, child in node.params:
                if (prefix, suffix) == parsed[0::2]:
                    node = child
                    break
            else:
                child = _Node()
                node.params.append((parsed[0], parsed[1], parsed[2], child))
                node.params.sort(key=lambda p: -(len(p[0]) + len(p[2])))
                node = child
        if node.value is not None:
            raise ConfigError(f"duplicate path template (same shape as {node.template!r})", template)
        node.value = value
        node.template = template
        self.size += 1

    def match(self, segments: list[str]) -> tuple[T, dict[str, str], str] | None:
        params: dict[str, str] = {}
        node = self._find(self._root, segments, 0, params)
        if node is None or node.value is None:
            return None
        return node.value, params, node.template

    def _find(self, node: _Node[T], segments: list[str], i: int, params: dict[str, str]) -> _Node[T] | None:
        if i == len(segments):
            return node if node.value is not None else None
        segment = segments[i]
        child = node.literal.get(segment)
        if child is not None:
            found = self._find(child, segments, i + 1, params)
            if found is not None:
                return found
        for prefix, name, suffix, pchild in node.params:
            if len(segment) <= len(prefix) + len(suffix):
                continue
            if not (segment.startswith(prefix) and segment.endswith(suffix)):
                continue
            found = self._find(pchild, segments, i + 1, params)
            if found is not None:
                params[name] = segment[len(prefix) : len(segment) - len(suffix)]
                return found
        return None
