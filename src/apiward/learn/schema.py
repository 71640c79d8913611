"""JSON Schema validation compiled once per schema.

Two paths: a fast path compiles the common keywords (types, properties, required,
additionalProperties, items, enum, bounds, lengths, pattern, format, $ref, allOf/anyOf/oneOf/not)
into closures that only answer valid / invalid; `jsonschema`'s Draft 2020-12 validator (with RE2
for ``pattern`` and our linear-time format checks) explains failures and handles every other
keyword. Both agree on validity; tests check it with hypothesis.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from apiward.learn.formats import NUMBER_FORMATS, STRING_FORMATS, check_format
from apiward.learn.pattern import SafePattern, compile_pattern

Check = Callable[[Any], bool]


class PatternTable:
    """The RE2-compiled patterns of one schema, compiled when the schema is (never per request)."""

    def __init__(self, schema: Any) -> None:
        self._compiled: dict[str, SafePattern] = {}
        stack = [schema]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "pattern" and isinstance(value, str):
                        self.get(value)
                    elif key == "patternProperties" and isinstance(value, dict):
                        for pat in value:
                            self.get(pat)
                    if isinstance(value, (dict, list)):
                        stack.append(value)
            elif isinstance(node, list):
                stack.extend(node)

    def get(self, source: str) -> SafePattern:
        found = self._compiled.get(source)
        if found is None:  # only while building: every pattern of the schema is collected above
            found = self._compiled[source] = compile_pattern(source)
        return found


def _validator_class(patterns: PatternTable) -> Any:
    """Draft 2020-12 with RE2 wherever the instance meets a pattern (jsonschema would use re)."""

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and not patterns.get(patrn).search(instance):
            yield ValidationError(f"does not match pattern {patrn[:80]!r}")

    def pattern_properties(validator: Any, props: dict, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in props.items():
            compiled = patterns.get(patrn)
            for key, value in instance.items():
                if compiled.search(key):
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    def additional_properties(validator: Any, aP: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        properties = schema.get("properties", {})
        compiled = [patterns.get(p) for p in schema.get("patternProperties", {})]
        extras = [k for k in instance if k not in properties and not any(p.search(k) for p in compiled)]
        if validator.is_type(aP, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], aP, path=extra)
        elif not aP:
            for extra in extras:
                error = ValidationError(f"additional property {extra[:64]!r} not allowed")
                error.path.append(extra)
                yield error

    return validators.extend(
        Draft202012Validator,
        validators={"pattern": pattern, "patternProperties": pattern_properties,
                    "additionalProperties": additional_properties},
    )


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name in (*STRING_FORMATS, *NUMBER_FORMATS):
        checker.checks(name)(functools.partial(check_format, name))
    return checker


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One failed constraint: ``path`` inside the instance, the keyword, a message without the value."""

    path: tuple[str | int, ...]
    keyword: str
    message: str


def _describe(error: ValidationError) -> str:
    keyword = str(error.validator)
    value = error.validator_value
    if keyword in ("additionalProperties", "pattern"):
        return error.message
    if keyword == "required":
        missing = error.message.split(" is a required property")[0]
        return f"required property {missing[:64]} missing"
    if keyword == "$ref":
        return "does not match referenced schema"
    if keyword in ("properties", "allOf", "anyOf", "oneOf", "not", "if", "items", "prefixItems"):
        return f"does not match {keyword}"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{keyword} {text}"


class CompiledSchema:
    """Validator for one schema; ``is_valid`` is the hot path, ``errors`` explains a failure."""

    __slots__ = ("schema", "_validator", "_fast")

    def __init__(self, schema: dict[str, Any] | bool) -> None:
        self.schema = schema
        patterns = PatternTable(schema)
        self._validator = _validator_class(patterns)(schema, format_checker=_format_checker())
        self._fast: Check | None = FastCompiler(schema, patterns).compile()

    @property
    def has_fast_path(self) -> bool:
        return self._fast is not None

    def is_valid(self, instance: Any) -> bool:
        if self._fast is not None:
            return self._fast(instance)
        return self._validator.is_valid(instance)

    def slow_is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def errors(self, instance: Any, limit: int = 5) -> list[SchemaError]:
        out: list[SchemaError] = []
        for error in self._validator.iter_errors(instance):
            leaves = _leaf_errors(error)
            for leaf in leaves:
                out.append(SchemaError(tuple(leaf.absolute_path), str(leaf.validator), _describe(leaf)))
                if len(out) >= limit:
                    return out
        return out


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    if error.context and error.validator not in ("anyOf", "oneOf"):
        return [leaf for sub in error.context for leaf in _leaf_errors(sub)]
    return [error]


# --- fast path ---------------------------------------------------------------------------------

_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
     "$schema", "$id", "$anchor", "contentMediaType", "contentEncoding", "$defs", "definitions", "example"}
)
_SUPPORTED = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum",
     "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
     "pattern", "format", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
     "$ref", "allOf", "anyOf", "oneOf", "not"}
) | _ANNOTATIONS


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _is_type(value: Any, name: str) -> bool:
    actual = _type_of(value)
    if actual == name:
        return True
    if name == "number":
        return actual == "integer"
    if name == "integer":
        return actual == "number" and math.isfinite(value) and float(value).is_integer()
    return False


def _json_key(value: Any) -> Any:
    """Hashable key with JSON equality (1 == 1.0, True != 1)."""
    t = _type_of(value)
    if t in ("integer", "number"):
        return ("n", float(value) if not isinstance(value, int) or abs(value) < 2**53 else value)
    if t == "array":
        return ("a", tuple(_json_key(v) for v in value))
    if t == "object":
        return ("o", tuple(sorted((k, _json_key(v)) for k, v in value.items())))
    return (t, value)


class _Unsupported(Exception):
    pass


class FastCompiler:
    """Compiles a schema (with ``$defs``) into nested closures; None when a keyword is unsupported."""

    def __init__(self, root: dict[str, Any] | bool, patterns: PatternTable) -> None:
        self._root = root
        self._patterns = patterns
        self._defs: dict[str, Any] = root.get("$defs", {}) if isinstance(root, dict) else {}
        self._compiled: dict[str, list[Check]] = {}

    def compile(self) -> Check | None:
        try:
            return self._node(self._root)
        except _Unsupported:
            return None

    def _ref(self, ref: str) -> Check:
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix):] not in self._defs:
            raise _Unsupported(ref)
        name = ref[len(prefix):]
        cell = self._compiled.get(name)
        if cell is None:
            cell = []
            self._compiled[name] = cell
            cell.append(self._node(self._defs[name]))
        return lambda v: cell[0](v)

    def _node(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise _Unsupported("schema")
        if any(key not in _SUPPORTED for key in schema):
            raise _Unsupported("keyword")
        checks: list[Check] = []
        typ = schema.get("type")
        if typ is not None:
            types = (typ,) if isinstance(typ, str) else tuple(typ)
            if len(types) == 1:
                only = types[0]
                checks.append(lambda v: _is_type(v, only))
            else:
                checks.append(lambda v: any(_is_type(v, t) for t in types))
        if "enum" in schema:
            keys = frozenset(_json_key(e) for e in schema["enum"])
            checks.append(lambda v: _json_key(v) in keys)
        if "const" in schema:
            const = _json_key(schema["const"])
            checks.append(lambda v: _json_key(v) == const)
        checks.extend(self._numeric(schema))
        checks.extend(self._string(schema))
        checks.extend(self._array(schema))
        checks.extend(self._object(schema))
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"]))
        if "allOf" in schema:
            subs = [self._node(s) for s in schema["allOf"]]
            checks.append(lambda v: all(c(v) for c in subs))
        if "anyOf" in schema:
            subs_any = [self._node(s) for s in schema["anyOf"]]
            checks.append(lambda v: any(c(v) for c in subs_any))
        if "oneOf" in schema:
            subs_one = [self._node(s) for s in schema["oneOf"]]
            checks.append(lambda v: sum(1 for c in subs_one if c(v)) == 1)
        if "not" in schema:
            neg = self._node(schema["not"])
            checks.append(lambda v: not neg(v))
        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]
        frozen = tuple(checks)
        return lambda v: all(c(v) for c in frozen)

    @staticmethod
    def _numeric(schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []

        def num(v: Any) -> bool:
            return isinstance(v, (int, float)) and not isinstance(v, bool)

        if "minimum" in schema:
            lo = schema["minimum"]
            out.append(lambda v: not num(v) or v >= lo)
        if "maximum" in schema:
            hi = schema["maximum"]
            out.append(lambda v: not num(v) or v <= hi)
        if "exclusiveMinimum" in schema:
            elo = schema["exclusiveMinimum"]
            out.append(lambda v: not num(v) or v > elo)
        if "exclusiveMaximum" in schema:
            ehi = schema["exclusiveMaximum"]
            out.append(lambda v: not num(v) or v < ehi)
        if "multipleOf" in schema:
            raise _Unsupported("multipleOf")  # float semantics: leave to jsonschema
        fmt = schema.get("format")
        if fmt in NUMBER_FORMATS:
            fcheck = NUMBER_FORMATS[fmt]
            out.append(lambda v: not num(v) or fcheck(v))
        return out

    def _string(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "minLength" in schema:
            mn = schema["minLength"]
            out.append(lambda v: not isinstance(v, str) or len(v) >= mn)
        if "maxLength" in schema:
            mx = schema["maxLength"]
            out.append(lambda v: not isinstance(v, str) or len(v) <= mx)
        if "pattern" in schema:
            pat = self._patterns.get(schema["pattern"])
            out.append(lambda v: not isinstance(v, str) or pat.search(v))
        fmt = schema.get("format")
        if fmt in STRING_FORMATS:
            fcheck = STRING_FORMATS[fmt]
            out.append(lambda v: not isinstance(v, str) or fcheck(v))
        return out

    def _array(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "items" in schema:
            item = self._node(schema["items"])
            out.append(lambda v: not isinstance(v, list) or all(item(x) for x in v))
        if "minItems" in schema:
            mn = schema["minItems"]
            out.append(lambda v: not isinstance(v, list) or len(v) >= mn)
        if "maxItems" in schema:
            mx = schema["maxItems"]
            out.append(lambda v: not isinstance(v, list) or len(v) <= mx)
        if schema.get("uniqueItems") is True:
            out.append(lambda v: not isinstance(v, list) or len({_json_key(x) for x in v}) == len(v))
        return out

    def _object(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        props = {k: self._node(s) for k, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        extra_check = None if extra is True else (self._node(extra) if isinstance(extra, dict) else False)
        if props or extra_check is not None:

            def obj(v: Any) -> bool:
                if not isinstance(v, dict):
                    return True
                for key, value in v.items():
                    check = props.get(key)
                    if check is not None:
                        if not check(value):
                            return False
                    elif extra_check is False:
                        return False
                    elif extra_check is not None and not extra_check(value):
                        return False
                return True

            out.append(obj)
        if required:
            out.append(lambda v: not isinstance(v, dict) or all(k in v for k in required))
        if "minProperties" in schema:
            mn = schema["minProperties"]
            out.append(lambda v: not isinstance(v, dict) or len(v) >= mn)
        if "maxProperties" in schema:
            mx = schema["maxProperties"]
            out.append(lambda v: not isinstance(v, dict) or len(v) <= mx)
        return out
