"""The API contract compiled from an OpenAPI spec: a router plus per-operation validators.

`Contract.compile(spec, settings)` walks the spec once (parameters, request bodies, security
requirements) and builds immutable checkers; `Contract.check(request)` matches the route and
returns the violations, each with its location and the violated constraint, never the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apiward.core import BodyKind, RequestView, Source
from apiward.errors import ConfigError
from apiward.learn.router import Router, split_path
from apiward.learn.schema import CompiledSchema, SchemaError
from apiward.learn.spec import ApiSpec, join_pointer
from apiward.settings import ApiSettings, RouteAction

_DIGITS = frozenset("0123456789")
_FLOAT_CHARS = frozenset("0123456789+-.eE")
# Header parameters that OpenAPI says are described elsewhere and must be ignored.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken constraint. ``rule`` is ``spec.<constraint>`` (``spec.type``, ``spec.unknown-path``)."""

    location: str
    rule: str
    message: str
    status: int | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    route: str | None
    path_params: dict[str, str]
    action: RouteAction
    violations: tuple[Violation, ...]
    operation: "Operation | None" = None


def _types_of(schema: Any, defs: dict[str, Any], depth: int = 0) -> tuple[str, ...]:
    """The JSON types a schema admits at its top level (following $ref / allOf shallowly)."""
    if not isinstance(schema, dict) or depth > 8:
        return ()
    typ = schema.get("type")
    if isinstance(typ, str):
        return (typ,)
    if isinstance(typ, list):
        return tuple(typ)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _types_of(defs.get(ref[8:]), defs, depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        out: list[str] = []
        for sub in schema.get(key, ()):
            out.extend(_types_of(sub, defs, depth + 1))
        if out:
            return tuple(dict.fromkeys(out))
    return ()


def _resolve(schema: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < 8:
        ref = schema["$ref"]
        if ref.startswith("#/$defs/"):
            return _resolve(defs.get(ref[8:]), defs, depth + 1)
    return schema


def coerce(raw: str, types: tuple[str, ...]) -> object:
    """A parameter string as the JSON value the schema expects (left a string when it is not one)."""
    if "integer" in types or "number" in types:
        body = raw[1:] if raw[:1] == "-" else raw
        if body and len(body) <= 30 and all(ch in _DIGITS for ch in body):
            return int(raw)
        if "number" in types and raw and len(raw) <= 64 and all(ch in _FLOAT_CHARS for ch in raw):
            try:
                return float(raw)
            except ValueError:
                pass
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    if "null" in types and raw == "":
        return None
    return raw


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    where: str  # path | query | header | cookie
    required: bool
    schema: CompiledSchema | None
    kind: str  # scalar | array | object
    types: tuple[str, ...]  # scalar types (for arrays: item types)
    style: str
    explode: bool
    allow_empty: bool
    pointer: str

    @property
    def location(self) -> str:
        return f"{self.where}.{self.name}"

    def value_of(self, values: Sequence[str]) -> object:
        if self.kind == "array":
            items: list[str] = []
            for v in values:
                if self.explode and self.style == "form":
                    items.append(v)
                else:
                    sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(self.style, ",")
                    items.extend(v.split(sep) if v else [])
            return [coerce(v, self.types) for v in items]
        return coerce(values[0], self.types)


@dataclass(frozen=True, slots=True)
class MediaRule:
    media: str  # "application/json", "application/*", "*/*"
    schema: CompiledSchema | None
    property_types: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Credential:
    """Where a security scheme's credential travels; presence is checked, not validity."""

    scheme: str
    where: str  # header | query | cookie | none
    name: str
    prefix: str = ""  # required value prefix (lower-case), e.g. "bearer "

    def present(self, request: RequestView, query: dict[str, list[str]]) -> bool:
        if self.where == "none":
            return True
        if self.where == "header":
            value = request.header(self.name)
            return bool(value) and value.lower().startswith(self.prefix)
        if self.where == "query":
            return bool(query.get(self.name))
        return bool(request.cookies.get(self.name))


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    template: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    query_names: frozenset[str]
    deep_objects: tuple[str, ...]
    body_required: bool
    body_rules: tuple[MediaRule, ...] | None  # None: no requestBody declared
    security: tuple[tuple[Credential, ...], ...]  # alternatives; empty: none required
    action: RouteAction
    closed: bool = True  # undeclared query parameters are violations (x-apiward-closed: false opens it)

    @property
    def route(self) -> str:
        return f"{self.method} {self.template}"


def _rule_action(rules: Sequence[tuple[str | None, str, bool, RouteAction]], method: str, path: str) -> RouteAction | None:
    for rule_method, target, prefix, action in rules:
        if rule_method is not None and rule_method != method:
            continue
        if (prefix and path.startswith(target)) or (not prefix and path == target):
            return action
    return None


def _parse_rules(settings: ApiSettings) -> list[tuple[str | None, str, bool, RouteAction]]:
    out = []
    for i, rule in enumerate(settings.routes):
        text = rule.route.strip()
        method, _, rest = text.partition(" ")
        if rest and method.isalpha() and method.isupper():
            text = rest.strip()
        else:
            method = ""
        if not text.startswith("/") and text != "*":
            raise ConfigError("route must be a path template, optionally prefixed by a method", f"api.routes.{i}.route")
        prefix = text.endswith("*")
        out.append((method or None, text.rstrip("*") if prefix else text, prefix, rule.action))
    return out


class Contract:
    """Compiled form of one spec: route matching and validation of a `RequestView`."""

    def __init__(self, spec: ApiSpec, settings: ApiSettings) -> None:
        self.spec = spec
        self.settings = settings
        self._rules = _parse_rules(settings)
        self._router: Router[dict[str, Operation]] = Router()
        self._defs = spec.schemas.defs
        schemes = self._security_schemes()
        by_template: dict[str, dict[str, Operation]] = {}
        global_security = spec.document.get("security")
        for template, method, item, op, op_ptr in spec.operations():
            operation = self._operation(template, method, item, op, op_ptr, schemes, global_security)
            by_template.setdefault(template, {})[method] = operation
        for template, ops in by_template.items():
            self._router.add(template, ops)
        self.operations: tuple[Operation, ...] = tuple(o for ops in by_template.values() for o in ops.values())

    # --- compile time -------------------------------------------------------------------------

    def _security_schemes(self) -> dict[str, Credential]:
        out: dict[str, Credential] = {}
        comps = self.spec.document.get("components") or {}
        raw = comps.get("securitySchemes") or {}
        for name, scheme in raw.items():
            ptr = join_pointer("/components/securitySchemes", name)
            scheme, ptr = self.spec.deref(scheme, ptr)
            if not isinstance(scheme, dict):
                raise ConfigError("security scheme must be an object", ptr)
            kind = scheme.get("type")
            if kind == "apiKey":
                where = scheme.get("in")
                if where not in ("header", "query", "cookie") or not isinstance(scheme.get("name"), str):
                    raise ConfigError("apiKey scheme needs 'in' (header/query/cookie) and 'name'", ptr)
                key = scheme["name"].lower() if where == "header" else scheme["name"]
                out[name] = Credential(name, where, key)
            elif kind == "http":
                http = str(scheme.get("scheme", "")).lower()
                prefix = f"{http} " if http in ("bearer", "basic", "digest") else ""
                out[name] = Credential(name, "header", "authorization", prefix)
            elif kind in ("oauth2", "openIdConnect"):
                out[name] = Credential(name, "header", "authorization", "bearer ")
            elif kind == "mutualTLS":
                out[name] = Credential(name, "none", "")
            else:
                raise ConfigError(f"unknown security scheme type {kind!r}", join_pointer(ptr, "type"))
        return out

    def _action(self, method: str, template: str, op: dict[str, Any]) -> RouteAction:
        found = _rule_action(self._rules, method, template)
        if found is not None:
            return found
        ext = op.get("x-apiward-action")
        if ext is not None:
            try:
                return RouteAction(ext)
            except ValueError:
                pass
        return self.settings.default_action

    def _compile_schema(self, schema: Any, pointer: str) -> tuple[CompiledSchema, Any]:
        root = self.spec.schemas.root(schema, pointer)
        try:
            return CompiledSchema(root), root
        except Exception as exc:  # jsonschema SchemaError and friends: a bad spec, not a bad request
            raise ConfigError(f"invalid schema: {str(exc)[:200]}", pointer) from exc

    def _parameter(self, raw: Any, ptr: str) -> Parameter:
        raw, ptr = self.spec.deref(raw, ptr)
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ConfigError("parameter must be an object with a name", ptr)
        where = raw.get("in")
        if where not in ("path", "query", "header", "cookie"):
            raise ConfigError("parameter 'in' must be path, query, header or cookie", join_pointer(ptr, "in"))
        schema = raw.get("schema")
        schema_ptr = join_pointer(ptr, "schema")
        if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
            media, media_obj = next(iter(raw["content"].items()))
            schema = (media_obj or {}).get("schema") if "json" not in media else None
            schema_ptr = join_pointer(ptr, "content", media, "schema")
        compiled, root = self._compile_schema(schema, schema_ptr) if schema is not None else (None, None)
        top = _resolve(root, self._defs)
        types = _types_of(top, self._defs)
        kind = "array" if types == ("array",) else "object" if types == ("object",) else "scalar"
        if kind == "array" and isinstance(top, dict):
            types = _types_of(_resolve(top.get("items"), self._defs), self._defs)
        default_style = {"query": "form", "cookie": "form"}.get(where, "simple")
        style = raw.get("style", default_style)
        name = raw["name"].lower() if where == "header" else raw["name"]
        return Parameter(
            name=name,
            where=where,
            required=bool(raw.get("required", where == "path")),
            schema=compiled,
            kind=kind,
            types=types,
            style=style,
            explode=bool(raw.get("explode", style == "form")),
            allow_empty=bool(raw.get("allowEmptyValue", False)),
            pointer=ptr,
        )

    def _operation(
        self,
        template: str,
        method: str,
        item: dict[str, Any],
        op: dict[str, Any],
        op_ptr: str,
        schemes: dict[str, Credential],
        global_security: Any,
    ) -> Operation:
        params: dict[tuple[str, str], Parameter] = {}
        item_ptr = op_ptr.rsplit("/", 1)[0]
        for i, raw in enumerate(item.get("parameters") or ()):
            p = self._parameter(raw, join_pointer(item_ptr, "parameters", i))
            params[(p.where, p.name)] = p
        for i, raw in enumerate(op.get("parameters") or ()):
            p = self._parameter(raw, join_pointer(op_ptr, "parameters", i))
            params[(p.where, p.name)] = p
        body_rules: tuple[MediaRule, ...] | None = None
        body_required = False
        if "requestBody" in op:
            body, body_ptr = self.spec.deref(op["requestBody"], join_pointer(op_ptr, "requestBody"))
            if not isinstance(body, dict) or not isinstance(body.get("content", {}), dict):
                raise ConfigError("requestBody must be an object with content", body_ptr)
            body_required = bool(body.get("required", False))
            rules = []
            for media, media_obj in (body.get("content") or {}).items():
                mptr = join_pointer(body_ptr, "content", media)
                schema = (media_obj or {}).get("schema") if isinstance(media_obj, dict) else None
                compiled, root = self._compile_schema(schema, join_pointer(mptr, "schema")) if schema is not None else (None, None)
                top = _resolve(root, self._defs)
                ptypes: dict[str, tuple[str, ...]] = {}
                if isinstance(top, dict):
                    for prop, sub in (top.get("properties") or {}).items():
                        ptypes[prop] = _types_of(_resolve(sub, self._defs), self._defs)
                rules.append(MediaRule(media.split(";")[0].strip().lower(), compiled, ptypes))
            body_rules = tuple(rules)
        security_raw = op.get("security", global_security) or []
        alternatives: list[tuple[Credential, ...]] = []
        for i, requirement in enumerate(security_raw):
            if not isinstance(requirement, dict):
                raise ConfigError("security requirement must be an object", join_pointer(op_ptr, "security", i))
            if not requirement:  # {} : anonymous access allowed
                alternatives = []
                break
            creds = []
            for name in requirement:
                if name not in schemes:
                    raise ConfigError(f"unknown security scheme {name!r}", join_pointer(op_ptr, "security", i))
                creds.append(schemes[name])
            alternatives.append(tuple(creds))
        query_params = [p for p in params.values() if p.where == "query"]
        return Operation(
            method=method,
            template=template,
            operation_id=str(op.get("operationId", "")),
            parameters=tuple(params.values()),
            query_names=frozenset(p.name for p in query_params),
            deep_objects=tuple(p.name for p in query_params if p.style == "deepObject"),
            body_required=body_required,
            body_rules=body_rules,
            security=tuple(alternatives),
            action=self._action(method, template, op),
            closed=op.get("x-apiward-closed", True) is not False,
        )

    # --- request time -------------------------------------------------------------------------

    def _strip_base(self, raw_path: str) -> str | None:
        for base in self.spec.base_paths:
            if not base:
                return raw_path
            if raw_path == base or raw_path.startswith(base + "/"):
                return raw_path[len(base) :] or "/"
        return None

    def route_for(self, method: str, segments: list[str]) -> str | None:
        """The documented operation ("METHOD /template") that serves a path, if any."""
        matched = self._router.match(segments)
        if matched is None:
            return None
        op = matched[0].get(method)
        return op.route if op is not None else None

    def check(self, request: RequestView) -> CheckResult:
        path = self._strip_base(request.raw_path)
        matched = self._router.match(split_path(path)) if path is not None else None
        if matched is None:
            action = _rule_action(self._rules, request.method, request.path) or self.settings.default_action
            return CheckResult(None, {}, action, (Violation("path", "spec.unknown-path", "path not in the API spec", 404),))
        ops, path_params, template = matched
        op = ops.get(request.method)
        if op is None and request.method == "HEAD":
            op = ops.get("GET")
        if op is None:
            if request.method == "OPTIONS" and request.header("access-control-request-method"):
                return CheckResult(template, path_params, RouteAction.IGNORE, ())
            any_op = next(iter(ops.values()))
            action = _rule_action(self._rules, request.method, template) or any_op.action
            return CheckResult(
                f"{request.method} {template}", path_params, action,
                (Violation("path", "spec.unknown-method", f"method {request.method} not allowed on {template}", 405),),
            )
        if op.action is RouteAction.IGNORE:
            return CheckResult(op.route, path_params, op.action, (), op)
        return CheckResult(op.route, path_params, op.action, tuple(self._validate(op, request, path_params)), op)

    def _validate(self, op: Operation, request: RequestView, path_params: dict[str, str]) -> list[Violation]:
        out: list[Violation] = []
        limit = self.settings.max_findings
        query: dict[str, list[str]] = {}
        for f in request.fields:
            if f.source is Source.QUERY:
                query.setdefault(f.name, []).append(f.value)
        if op.security and not any(all(c.present(request, query) for c in alt) for alt in op.security):
            names = " or ".join("+".join(c.scheme for c in alt) for alt in op.security)
            out.append(Violation("header.authorization", "spec.security", f"credentials required ({names})", 401))
        for p in op.parameters:
            values: Sequence[str] | None
            if p.where == "path":
                v = path_params.get(p.name)
                values = None if v is None else (v,)
            elif p.where == "query":
                if p.style == "deepObject":
                    self._deep_object(p, query, out)
                    continue
                values = query.get(p.name)
            elif p.where == "header":
                if p.name in _IGNORED_HEADERS:
                    continue
                hv = request.header(p.name)
                values = None if hv is None else (hv,)
            else:
                cv = request.cookies.get(p.name)
                values = None if cv is None else (cv,)
            if not values:
                if p.required:
                    out.append(Violation(p.location, "spec.required", "required parameter missing"))
                continue
            if p.kind != "array" and len(values) > 1:
                out.append(Violation(p.location, "spec.repeated", "parameter given more than once"))
                continue
            if values[0] == "" and p.where == "query" and p.allow_empty:
                continue
            if p.schema is not None:
                self._schema(p.schema, p.value_of(values), p.location, out)
        if self.settings.reject_unknown_query and op.closed:
            for name in query:
                if name in op.query_names:
                    continue
                if op.deep_objects and any(name.startswith(d + "[") for d in op.deep_objects):
                    continue
                out.append(Violation(f"query.{name}", "spec.unknown-parameter", "query parameter not in the spec"))
                if len(out) >= limit:
                    break
        self._body(op, request, out)
        return out[:limit]

    def _deep_object(self, p: Parameter, query: dict[str, list[str]], out: list[Violation]) -> None:
        prefix = p.name + "["
        obj: dict[str, object] = {}
        for name, values in query.items():
            if name.startswith(prefix) and name.endswith("]"):
                obj[name[len(prefix) : -1]] = values[0]
        if not obj:
            if p.required:
                out.append(Violation(p.location, "spec.required", "required parameter missing"))
            return
        if p.schema is not None:
            top = _resolve(p.schema.schema, self._defs)
            props = top.get("properties", {}) if isinstance(top, dict) else {}
            for key, value in list(obj.items()):
                obj[key] = coerce(str(value), _types_of(_resolve(props.get(key), self._defs), self._defs))
            self._schema(p.schema, obj, p.location, out)

    @staticmethod
    def _schema(schema: CompiledSchema, value: object, location: str, out: list[Violation]) -> None:
        if schema.is_valid(value):
            return
        errors: list[SchemaError] = schema.errors(value, limit=3) or [SchemaError((), "schema", "does not match the schema")]
        for err in errors:
            loc = location + _json_path(err.path)
            out.append(Violation(loc, f"spec.{err.keyword}", err.message))

    def _body(self, op: Operation, request: RequestView, out: list[Violation]) -> None:
        has_body = bool(request.body)
        if op.body_rules is None:
            if has_body and request.method in ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE"):
                out.append(Violation("body", "spec.unexpected-body", "operation takes no request body"))
            return
        if not has_body:
            if op.body_required:
                out.append(Violation("body", "spec.required", "request body required"))
            return
        media = request.content_type.split(";")[0].strip().lower()
        rule = _media_rule(op.body_rules, media)
        if rule is None:
            out.append(Violation("header.content-type", "spec.content-type", f"content type {media[:60]!r} not accepted", 415))
            return
        if rule.schema is None:
            return
        if request.body_kind is BodyKind.JSON:
            self._schema(rule.schema, request.json, "body", out)
        elif rule.media.endswith("json"):
            out.append(Violation("body", "spec.json", "body is not valid JSON"))
        elif request.body_kind in (BodyKind.FORM, BodyKind.MULTIPART):
            form: dict[str, object] = {}
            for f in request.fields:
                if f.source is not Source.BODY or f.name.endswith("#filename"):
                    continue
                types = rule.property_types.get(f.name, ())
                value = coerce(f.value, types)
                if f.name in form:
                    prev = form[f.name]
                    form[f.name] = [*prev, value] if isinstance(prev, list) else [prev, value]
                else:
                    form[f.name] = [value] if types == ("array",) else value
            self._schema(rule.schema, form, "body", out)


def _media_rule(rules: tuple[MediaRule, ...], media: str) -> MediaRule | None:
    major = media.split("/")[0] + "/*"
    best: MediaRule | None = None
    rank = 0
    for rule in rules:
        r = 3 if rule.media == media else 2 if rule.media == major else 1 if rule.media == "*/*" else 0
        if r > rank:
            best, rank = rule, r
    return best


def _json_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out

