"""API discovery: an OpenAPI 3.1 document built from a learned baseline.

Hard constraints go into the spec only where every sample agreed (types, formats, required
parameters, closed vocabularies, no undeclared properties); soft statistics (ranges, lengths) are
recorded as ``x-apiward-*`` annotations and enforced by the baseline's scores instead.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

from apiward.learn.baseline import GLOBAL, Baseline, ParamModel
from apiward.learn.infer import KIND_SCHEMA

_SESSION_COOKIE_HINTS = ("session", "sessid", "sid", "token", "auth", "jwt")
_KEY_PARAM_NAMES = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token", "auth", "x-api-key"})
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")  # stdlib re: linear pattern over our own short names


# Hard constraints (type, format, enum, required) need this many samples of a parameter;
# below it the discovered schema only says "string" and records what it saw as annotations.
HARD_MIN_SAMPLES = 100


def param_schema(stats: dict[str, Any], model: ParamModel | None) -> dict[str, Any]:
    kinds: dict[str, int] = dict(stats.get("kinds", {}))
    if int(stats.get("n", 0)) < HARD_MIN_SAMPLES:
        kinds = {"string": 1}
    empty = kinds.pop("empty", 0)
    if len(kinds) == 1:
        schema = dict(KIND_SCHEMA[next(iter(kinds))])
    elif kinds and set(kinds) <= {"int", "float"}:
        schema = {"type": "number"}
    else:
        schema = {"type": "string"}
    if empty and schema.get("type") != "string":
        schema = {"type": "string"}
    if empty and "format" in schema:
        del schema["format"]
    json_types: dict[str, int] = stats.get("json", {})
    if json_types:  # a JSON leaf: its JSON type decides, the text only suggests a string format
        present = set(json_types) - {"null"}
        if present == {"string"}:
            if schema.get("type") != "string":
                schema = {"type": "string"}
        elif present and present <= {"integer", "number"}:
            schema = {"type": "integer" if present == {"integer"} else "number"}
        elif present == {"boolean"}:
            schema = {"type": "boolean"}
        else:
            schema = {}
        if "null" in json_types and "type" in schema:
            schema["type"] = [schema["type"], "null"]
    if model is not None and model.vocab is not None and len(model.vocab) <= 16 and int(stats.get("n", 0)) >= HARD_MIN_SAMPLES:
        if schema.get("type") == "string":
            schema["enum"] = sorted(model.vocab)
    length = stats.get("length", {})
    schema["x-apiward-length"] = [length.get("min", 0), length.get("max", 0)]
    if "range" in stats and schema.get("type") in ("integer", "number"):
        schema["x-apiward-range"] = stats["range"]
    return schema


def _body_schema(props: dict[str, tuple[dict[str, Any], bool]], closed: bool) -> dict[str, Any]:
    """Nested object schema from flattened names (``user.name``, ``items[].sku``)."""
    root: dict[str, Any] = {"type": "object", "properties": {}}
    if closed:
        root["additionalProperties"] = False
    for name, (schema, required) in sorted(props.items()):
        node = root
        parts = name.split(".")
        for i, part in enumerate(parts):
            is_array = part.endswith("[]")
            key = part[:-2] if is_array else part
            last = i == len(parts) - 1
            node.setdefault("properties", {})
            if last and not is_array:
                node["properties"][key] = schema
            else:
                child = node["properties"].get(key)
                if child is None:
                    if is_array:
                        item = schema if last else {"type": "object", "properties": {}}
                        child = {"type": "array", "items": item}
                    else:
                        child = {"type": "object", "properties": {}}
                    if closed and child.get("type") == "object":
                        child["additionalProperties"] = False
                    elif closed and isinstance(child.get("items"), dict) and child["items"].get("type") == "object":
                        child["items"]["additionalProperties"] = False
                    node["properties"][key] = child
                node = child["items"] if child.get("type") == "array" else child
                if not isinstance(node, dict) or node.get("type") != "object":
                    break
            if last and required and not is_array and len(parts) == 1:
                root.setdefault("required", []).append(key)
    return root


def build_openapi(baseline: Baseline, title: str = "Discovered API") -> dict[str, Any]:
    data = baseline.data
    endpoints: dict[str, Any] = data.get("endpoints", {})
    glob = endpoints.get(GLOBAL, {})
    session_cookies = sorted(
        loc.split(".", 1)[1] for loc in glob.get("params", {})
        if loc.startswith("cookie.") and any(h in loc.lower() for h in _SESSION_COOKIE_HINTS)
    )
    schemes: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for key, ep in sorted(endpoints.items()):
        if key == GLOBAL:
            continue
        method, template = key.split(" ", 1)
        if not _valid_template(template):
            skipped.append(key)
            continue
        n = int(ep["n"])
        model = baseline.endpoints.get(key)
        presence: dict[str, int] = ep.get("presence", {})
        params: list[dict[str, Any]] = []
        body_props: dict[str, tuple[dict[str, Any], bool]] = {}
        credentials: list[str] = []
        repeated: dict[str, int] = ep.get("repeated", {})
        # Closed (unknown parameters / properties are violations) only when the parameter set is
        # stable: many samples and no parameter seen just once (see baseline.confidence).
        closed = model is not None and model.conf_new >= 0.5
        for loc, stats in sorted(ep.get("params", {}).items()):
            where, name = loc.split(".", 1)
            pm = model.params.get(loc) if model is not None else None
            schema = param_schema(stats, pm)
            if repeated.get(loc) and "[]" not in name:  # array elements repeat by nature
                schema = {"type": "array", "items": schema}
            required = presence.get(loc, 0) >= n and n >= HARD_MIN_SAMPLES
            if where == "path":
                params.append({"name": name, "in": "path", "required": True, "schema": schema})
            elif where == "query":
                params.append({"name": name, "in": "query", "required": required, "schema": schema})
                if name.lower() in _KEY_PARAM_NAMES:
                    credentials.append(f"query.{name}")
            elif where == "body" and "#" not in name:
                body_props[name] = (schema, required)
        for segment in template.split("/"):
            if segment.startswith("{") and segment.endswith("}") and not any(p["name"] == segment[1:-1] for p in params):
                params.append({"name": segment[1:-1], "in": "path", "required": True, "schema": {"type": "string"}})
        op: dict[str, Any] = {"operationId": _op_id(method, template), "responses": {"default": {"description": "observed"}}}
        if params:
            op["parameters"] = params
        media: dict[str, int] = ep.get("media", {})
        if body_props or media:
            content = {}
            for mtype in sorted(media or {"application/x-www-form-urlencoded": 1}):
                if mtype in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data") or mtype.endswith("+json"):
                    content[mtype] = {"schema": _body_schema(body_props, closed)}
                else:
                    content[mtype] = {}
            op["requestBody"] = {"required": sum(media.values()) >= n and n >= HARD_MIN_SAMPLES, "content": content}
        op["x-apiward-closed"] = closed
        headers: dict[str, int] = ep.get("headers", {})
        security: list[dict[str, list[str]]] = []
        auth: Counter[str] = Counter(ep.get("auth", {}))
        if n >= baseline.min_samples and headers.get("authorization", 0) >= n and auth:
            scheme = auth.most_common(1)[0][0]
            name = f"http_{_SAFE_NAME.sub('_', scheme)}"
            schemes[name] = {"type": "http", "scheme": scheme}
            security.append({name: []})
            credentials.append("header.authorization")
        elif n >= baseline.min_samples and headers.get("cookie", 0) >= n and session_cookies:
            cookie = session_cookies[0]
            name = f"cookie_{_SAFE_NAME.sub('_', cookie)}"
            schemes[name] = {"type": "apiKey", "in": "cookie", "name": cookie}
            credentials.append(f"cookie.{cookie}")
            op["x-apiward-session"] = {name: []}
        if security:
            op["security"] = security
        op["x-apiward"] = {"samples": n, "state": ep.get("state"), "clients": ep.get("clients", 0),
                           "credentials": credentials,
                           "sensitive_response": sorted(ep.get("sensitive", {}))}
        for stamp in ("first_seen", "last_seen"):
            if ep.get(stamp) is not None:
                op["x-apiward"][stamp] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ep[stamp]))
        paths.setdefault(template, {})[method.lower()] = op
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": data.get("created", "1"),
                 "description": "Discovered by `apiward learn` from observed traffic."},
        "paths": paths,
    }
    if schemes:
        doc["components"] = {"securitySchemes": schemes}
    if skipped:
        doc["x-apiward-skipped"] = skipped[:100]
    return doc


def _valid_template(template: str) -> bool:
    """Paths whose literal segments hold braces cannot be written as OpenAPI templates."""
    for segment in template.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1 and segment.count("}") == 1:
            continue
        if "{" in segment or "}" in segment:
            return False
    return True


def _op_id(method: str, template: str) -> str:
    words = [w.strip("{}") for w in template.split("/") if w]
    return _SAFE_NAME.sub("_", method.lower() + "_" + "_".join(words or ["root"]))
