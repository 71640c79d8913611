"""The authorization policy: routes (method + path template) -> requirements. Deny by default.

File format (see examples/policy.yaml)::

    version: 1
    default:
      auth: required          # for routes the policy names without `auth`: required|optional|none
    routes:
      - route: /login
        methods: [POST]
        auth: none            # public
      - route: /api/users/{user_id}/orders
        methods: [GET]
        roles: [customer, admin]        # any of these roles
        scopes: [orders:read]           # all of these scopes
        when: path.user_id == identity.sub or "admin" in identity.roles
      - route: /internal/**
        allow: false                    # explicit deny

Validated at load: every error names the file, line and column and the key path
(``policy.yaml:14:11 (routes[2].when): column 9: unexpected '='``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from apiward.core import Identity
from apiward.errors import ConfigError
from apiward.identity.condition import (
    Condition,
    ConditionError,
    RequestEnv,
    compile_condition,
)
from apiward.identity.routes import RouteTable, RouteTemplate

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "*"})
_RULE_KEYS = frozenset({"route", "methods", "auth", "roles", "scopes", "when", "allow", "description"})


class AuthMode(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Rule:
    route: str
    methods: frozenset[str]
    auth: AuthMode
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    condition: Condition | None = None
    allow: bool = True
    where: str = ""  # file:line of the rule, shown in findings

    @property
    def name(self) -> str:
        methods = ",".join(sorted(self.methods)) or "*"
        return f"{methods} {self.route}"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    status: int = 200  # 401 (authenticate) or 403 (forbidden) when not allowed
    reason: str = ""  # machine reason: no-rule, denied, role, scope, condition, unauthenticated
    rule: Rule | None = None


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    template: str
    params: dict[str, str]


class Policy:
    def __init__(self, rules: list[Rule], default_auth: AuthMode, source: str = "") -> None:
        self.rules = tuple(rules)
        self.default_auth = default_auth
        self.source = source
        self._table: RouteTable[Rule] = RouteTable(
            (RouteTemplate.parse(r.route), [m for m in r.methods if m != "*"], r) for r in rules
        )

    def match(self, method: str, path: str, route: str | None = None) -> Match | None:
        """Prefer the spec's template (``ctx.route``) when the policy names it exactly; else
        match the raw path against the policy's own templates."""
        if route is not None:
            hit = self._table.lookup_template(method, route)
            if hit is not None:
                found = self._table.lookup(method, path)
                params = found[2] if found is not None and found[0] is hit[0] else {}
                return Match(hit[0], hit[1].text, params)
        found = self._table.lookup(method, path)
        if found is None:
            return None
        return Match(found[0], found[1].text, found[2])

    def auth_for(self, method: str, path: str) -> AuthMode:
        found = self._table.lookup(method, path)
        return found[0].auth if found is not None else self.default_auth


def evaluate(rule: Rule, identity: Identity | None, env: RequestEnv) -> Decision:
    if not rule.allow:
        return Decision(False, 403, "denied", rule)
    if rule.auth is AuthMode.NONE:
        return Decision(True, rule=rule)
    needs_identity = rule.auth is AuthMode.REQUIRED or bool(rule.roles or rule.scopes)
    if identity is None:
        if needs_identity:
            return Decision(False, 401, "unauthenticated", rule)
    else:
        if rule.roles and not (identity.roles & rule.roles):
            return Decision(False, 403, "role", rule)
        if rule.scopes and not rule.scopes <= identity.scopes:
            return Decision(False, 403, "scope", rule)
    if rule.condition is not None and not rule.condition.evaluate(env):
        return Decision(False, 403 if identity is not None else 401, "condition", rule)
    return Decision(True, rule=rule)


# -- loading with exact locations ----------------------------------------------------------
class _Doc:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def where(self, node: yaml.Node, path: str) -> str:
        mark = node.start_mark
        return f"{self.origin}:{mark.line + 1}:{mark.column + 1} ({path})" if path else (
            f"{self.origin}:{mark.line + 1}:{mark.column + 1}"
        )

    def fail(self, node: yaml.Node, path: str, message: str) -> ConfigError:
        return ConfigError(message, self.where(node, path))

    def mapping(self, node: yaml.Node, path: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, "expected a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, path, "keys must be strings")
            if key.value in out:
                raise self.fail(key, f"{path}.{key.value}".lstrip("."), "duplicate key")
            out[key.value] = (key, value)
        return out

    def string(self, node: yaml.Node, path: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.fail(node, path, "expected a string")
        return str(node.value)

    def boolean(self, node: yaml.Node, path: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            raise self.fail(node, path, "expected true or false")
        return node.value.lower() in ("true", "yes", "on")

    def strings(self, node: yaml.Node, path: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return [str(node.value)]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, path, "expected a list of strings")
        return [self.string(item, f"{path}[{i}]") for i, item in enumerate(node.value)]


def _auth_mode(doc: _Doc, node: yaml.Node, path: str) -> AuthMode:
    value = doc.string(node, path)
    try:
        return AuthMode(value)
    except ValueError:
        raise doc.fail(node, path, "auth must be required, optional or none") from None


def _rule(doc: _Doc, node: yaml.Node, path: str, default_auth: AuthMode) -> Rule:
    fields = doc.mapping(node, path)
    for name, (key, _value) in fields.items():
        if name not in _RULE_KEYS:
            raise doc.fail(key, f"{path}.{name}", f"unknown key (expected one of {sorted(_RULE_KEYS)})")
    if "route" not in fields:
        raise doc.fail(node, path, "missing 'route'")
    route_node = fields["route"][1]
    route = doc.string(route_node, f"{path}.route")
    try:
        RouteTemplate.parse(route)
    except ValueError as exc:
        raise doc.fail(route_node, f"{path}.route", str(exc)) from None
    methods: frozenset[str] = frozenset()
    if "methods" in fields:
        mnode = fields["methods"][1]
        names = [m.upper() for m in doc.strings(mnode, f"{path}.methods")]
        for i, m in enumerate(names):
            if m not in _METHODS:
                raise doc.fail(mnode, f"{path}.methods[{i}]", f"unknown HTTP method {m!r}")
        methods = frozenset(names) if "*" not in names else frozenset()
    auth = _auth_mode(doc, fields["auth"][1], f"{path}.auth") if "auth" in fields else default_auth
    roles = frozenset(doc.strings(fields["roles"][1], f"{path}.roles")) if "roles" in fields else frozenset()
    scopes = (
        frozenset(doc.strings(fields["scopes"][1], f"{path}.scopes")) if "scopes" in fields else frozenset()
    )
    allow = doc.boolean(fields["allow"][1], f"{path}.allow") if "allow" in fields else True
    condition = None
    if "when" in fields:
        wnode = fields["when"][1]
        text = doc.string(wnode, f"{path}.when")
        try:
            condition = compile_condition(text)
        except ConditionError as exc:
            raise doc.fail(wnode, f"{path}.when", str(exc)) from None
    if auth is AuthMode.NONE and (roles or scopes):
        raise doc.fail(node, path, "a public route (auth: none) cannot require roles or scopes")
    return Rule(route, methods, auth, roles, scopes, condition, allow, doc.where(node, ""))


def parse_policy(text: str, origin: str = "<policy>") -> Policy:
    doc = _Doc(origin)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{origin}:{mark.line + 1}:{mark.column + 1}" if mark else origin
        raise ConfigError(f"invalid YAML: {exc.problem}", where) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", origin) from exc
    if root is None:
        raise ConfigError("empty policy", origin)
    top = doc.mapping(root, "")
    for name, (key, _v) in top.items():
        if name not in ("version", "default", "routes"):
            raise doc.fail(key, name, "unknown key (expected version, default, routes)")
    if "version" in top:
        vnode = top["version"][1]
        if not isinstance(vnode, yaml.ScalarNode) or vnode.value != "1":
            raise doc.fail(vnode, "version", "only version 1 is supported")
    default_auth = AuthMode.REQUIRED
    if "default" in top:
        dflt = doc.mapping(top["default"][1], "default")
        for name, (key, _v) in dflt.items():
            if name != "auth":
                raise doc.fail(key, f"default.{name}", "unknown key (expected auth)")
        if "auth" in dflt:
            default_auth = _auth_mode(doc, dflt["auth"][1], "default.auth")
    if "routes" not in top:
        raise doc.fail(root, "", "missing 'routes'")
    rnode = top["routes"][1]
    if not isinstance(rnode, yaml.SequenceNode):
        raise doc.fail(rnode, "routes", "expected a list of rules")
    rules = [_rule(doc, item, f"routes[{i}]", default_auth) for i, item in enumerate(rnode.value)]
    seen: dict[tuple[str, str], str] = {}
    for i, r in enumerate(rules):
        for m in r.methods or {"*"}:
            if (r.route, m) in seen:
                raise doc.fail(
                    rnode.value[i], f"routes[{i}]", f"{m} {r.route} is already defined at {seen[(r.route, m)]}"
                )
            seen[(r.route, m)] = r.where
    return Policy(rules, default_auth, origin)


def load_policy(path: Path) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read policy: {exc.strerror}", str(path)) from exc
    return parse_policy(text, str(path))


def request_env(
    identity: Identity | None,
    params: Mapping[str, str],
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
) -> RequestEnv:
    return RequestEnv(identity, params, query, headers, method, path)
