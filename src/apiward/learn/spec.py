"""OpenAPI documents: loading, local ``$ref`` resolution, translation of schemas to JSON Schema 2020-12.

A spec is configuration, but it may be large, cyclic or hostile (a YAML alias bomb, a ``pattern``
that backtracks). Everything here runs once at start-up and fails with a `ConfigError` whose
location is the JSON pointer of the offending node.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from apiward.errors import ConfigError
from apiward.learn.pattern import compile_pattern

MAX_SPEC_BYTES = 16 << 20
MAX_NODES = 500_000
MAX_DEPTH = 64
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Keywords of OpenAPI 3.0 schemas that are not JSON Schema validation keywords.
_OAS30_DROP = frozenset({"nullable", "discriminator", "xml", "externalDocs", "example", "deprecated"})


def escape_pointer(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def unescape_pointer(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *parts: str | int) -> str:
    return base + "".join("/" + escape_pointer(str(p)) for p in parts)


@dataclass(frozen=True)
class ApiSpec:
    """A loaded OpenAPI document. ``defs`` holds every schema reachable through a ``$ref``, already
    translated to 2020-12 and keyed by generated names; `SpecSchemas.root` builds validators from it."""

    version: str  # "3.0" or "3.1"
    document: dict[str, Any] = field(repr=False)
    schemas: SpecSchemas = field(repr=False)
    base_paths: tuple[str, ...] = ()
    source: str = ""

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow a chain of ``$ref``s on a non-schema object (parameter, requestBody, path item)."""
        return _deref(self.document, node, pointer)

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any], str]]:
        """(template, method, path item, operation, pointer of the operation) for every operation."""
        paths = self.document.get("paths") or {}
        for template, item in paths.items():
            pointer = join_pointer("/paths", template)
            item, item_ptr = self.deref(item, pointer)
            if not isinstance(item, dict):
                raise ConfigError("path item must be an object", item_ptr)
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                op_ptr = join_pointer(pointer, method)
                if not isinstance(op, dict):
                    raise ConfigError("operation must be an object", op_ptr)
                yield template, method.upper(), item, op, op_ptr


def _resolve_pointer(document: dict[str, Any], ref: str, at: str) -> tuple[Any, str]:
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise ConfigError(f"only local $ref ('#/...') is supported, got {str(ref)[:100]!r}", at)
    fragment = unquote(ref[1:])
    node: Any = document
    if fragment in ("", "/"):
        return node, ""
    if not fragment.startswith("/"):
        raise ConfigError(f"invalid $ref {ref[:100]!r}", at)
    for raw in fragment[1:].split("/"):
        part = unescape_pointer(raw)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ConfigError(f"unresolvable $ref {ref[:100]!r}", at)
    return node, fragment


def _deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen or len(seen) > 64:
            raise ConfigError(f"circular $ref {str(ref)[:100]!r}", join_pointer(pointer, "$ref"))
        seen.add(ref)
        node, pointer = _resolve_pointer(document, ref, join_pointer(pointer, "$ref"))
    return node, pointer


class SpecSchemas:
    """Translates OpenAPI schema objects to JSON Schema 2020-12 once, sharing ``$ref`` targets.

    Every referenced schema becomes ``$defs/dN`` of a bundle, so recursive schemas stay finite
    (the validator follows the reference lazily) and are translated exactly once."""

    def __init__(self, document: dict[str, Any], oas30: bool, max_nodes: int = MAX_NODES) -> None:
        self._document = document
        self._oas30 = oas30
        self._names: dict[str, str] = {}
        self.defs: dict[str, Any] = {}
        self._nodes = 0
        self._max_nodes = max_nodes
        # jsonschema evaluates patternProperties with Python's re inside unevaluatedProperties;
        # the two together are refused rather than run a backtracking engine on request keys.
        self._pattern_properties_at = ""
        self._unevaluated_at = ""

    def root(self, schema: Any, pointer: str) -> dict[str, Any] | bool:
        """A self-contained 2020-12 schema for ``schema`` (with the shared ``$defs``)."""
        translated = self.translate(schema, pointer)
        if self._pattern_properties_at and self._unevaluated_at:
            raise ConfigError(
                "unevaluatedProperties together with patternProperties is not supported "
                f"(patternProperties at {self._pattern_properties_at})",
                self._unevaluated_at,
            )
        if isinstance(translated, bool):
            return translated
        if self.defs:
            translated = dict(translated)
            translated["$defs"] = self.defs
        return translated

    def translate(self, schema: Any, pointer: str, depth: int = 0) -> Any:
        self._nodes += 1
        if self._nodes > self._max_nodes:
            raise ConfigError(f"spec too large: more than {self._max_nodes} schema nodes", pointer)
        if depth > MAX_DEPTH:
            raise ConfigError(f"schema nested deeper than {MAX_DEPTH} levels", pointer)
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            raise ConfigError("schema must be an object or a boolean", pointer)
        out: dict[str, Any] = {}
        if "$ref" in schema:
            out["$ref"] = self._ref(schema["$ref"], join_pointer(pointer, "$ref"))
            if self._oas30:  # 3.0: siblings of $ref are ignored
                return out
        for key, value in schema.items():
            if key == "$ref" or key.startswith("x-"):
                continue
            at = join_pointer(pointer, key)
            if self._oas30 and key in _OAS30_DROP:
                continue
            if key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
                if not isinstance(value, dict):
                    raise ConfigError(f"{key} must be an object", at)
                if key == "patternProperties":
                    self._pattern_properties_at = self._pattern_properties_at or at
                    for pat in value:
                        _check_pattern(pat, join_pointer(at, pat))
                out[key] = {k: self.translate(v, join_pointer(at, k), depth + 1) for k, v in value.items()}
            elif key in ("items", "additionalProperties", "not", "contains", "propertyNames",
                         "if", "then", "else", "unevaluatedProperties", "unevaluatedItems",
                         "additionalItems"):
                if isinstance(value, list) and key == "items":  # draft-04 tuple form
                    out["prefixItems"] = [
                        self.translate(v, join_pointer(at, i), depth + 1) for i, v in enumerate(value)
                    ]
                else:
                    if key == "unevaluatedProperties":
                        self._unevaluated_at = self._unevaluated_at or at
                    out[key] = self.translate(value, at, depth + 1)
            elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
                if not isinstance(value, list):
                    raise ConfigError(f"{key} must be an array", at)
                out[key] = [self.translate(v, join_pointer(at, i), depth + 1) for i, v in enumerate(value)]
            elif key == "pattern":
                _check_pattern(value, at)
                out[key] = value
            elif key == "type":
                if not isinstance(value, (str, list)):
                    raise ConfigError("type must be a string or an array", at)
                out[key] = value
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and bound in schema:
                    out[key] = schema[bound]
            else:
                out[key] = value
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if schema.get(key) is True and bound in out:
                del out[bound]
        if schema.get("nullable") is True:
            typ = out.get("type")
            if isinstance(typ, str):
                out["type"] = [typ, "null"]
            elif isinstance(typ, list) and "null" not in typ:
                out["type"] = [*typ, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        return out

    def _ref(self, ref: Any, at: str) -> str:
        target, target_ptr = _resolve_pointer(self._document, ref, at)
        name = self._names.get(target_ptr)
        if name is None:
            name = f"d{len(self._names)}"
            self._names[target_ptr] = name
            # Follow chains of refs through the same mechanism; cycles end at the memo above.
            self.defs[name] = True  # placeholder while translating (recursion sees the name)
            self.defs[name] = self.translate(target, target_ptr or "#", 0)
        return f"#/$defs/{name}"


def _check_pattern(pattern: Any, at: str) -> None:
    if not isinstance(pattern, str):
        raise ConfigError("pattern must be a string", at)
    try:
        compile_pattern(pattern)
    except ValueError as exc:
        raise ConfigError(str(exc), at) from exc


def parse_spec_text(text: str, source: str = "") -> dict[str, Any]:
    if len(text) > MAX_SPEC_BYTES:
        raise ConfigError(f"spec larger than {MAX_SPEC_BYTES} bytes", source)
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"spec is not valid YAML/JSON: {str(exc)[:300]}", source) from exc
    if not isinstance(data, dict):
        raise ConfigError("spec must be a mapping at the top level", source or "/")
    return data


def load_spec(path: Path | str) -> ApiSpec:
    """Read an OpenAPI 3.0/3.1 file (YAML or JSON)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise ConfigError(f"spec larger than {MAX_SPEC_BYTES} bytes", str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read spec: {exc.strerror}", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("spec is not UTF-8", str(path)) from exc
    return spec_from_document(parse_spec_text(text, str(path)), str(path))


def spec_from_document(document: dict[str, Any], source: str = "") -> ApiSpec:
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise ConfigError("expected an OpenAPI 3.0 or 3.1 document ('openapi: 3.x.y')", "/openapi")
    paths = document.get("paths", {})
    if not isinstance(paths, dict):
        raise ConfigError("paths must be an object", "/paths")
    for template in paths:
        if not isinstance(template, str) or not template.startswith("/"):
            raise ConfigError("path template must start with '/'", join_pointer("/paths", str(template)))
    base_paths: list[str] = []
    for i, server in enumerate(document.get("servers") or ()):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            raise ConfigError("server must have a url", join_pointer("/servers", i))
        url = server["url"]
        for var, spec in (server.get("variables") or {}).items():
            if isinstance(spec, dict) and "default" in spec:
                url = url.replace("{" + var + "}", str(spec["default"]))
        base = urlsplit(url).path.rstrip("/") if "://" in url else url.rstrip("/")
        if "{" in base or (base and not base.startswith("/")):
            base = ""  # an unresolvable server path: match paths as written
        base_paths.append(base)
    oas30 = version.startswith("3.0")
    schemas = SpecSchemas(document, oas30)
    return ApiSpec(
        version="3.0" if oas30 else "3.1",
        document=document,
        # Longest first; "" (a server without a path, or no servers) matches paths as written.
        base_paths=tuple(sorted(set(base_paths or [""]), key=len, reverse=True)),
        source=source,
        schemas=schemas,
    )
