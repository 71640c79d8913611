"""Policy files: valid rules, matching, evaluation, and errors that name file:line:col + key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from apiward.core import Identity
from apiward.errors import ConfigError
from apiward.identity.condition import RequestEnv
from apiward.identity.policy import AuthMode, evaluate, load_policy, parse_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "src/apiward/identity/examples/policy.yaml"

POLICY = """\
version: 1
default:
  auth: required
routes:
  - route: /login
    methods: [POST]
    auth: none
  - route: /users/{user_id}/orders
    methods: [GET]
    roles: [customer, admin]
    scopes: [orders:read]
    when: path.user_id == identity.sub or "admin" in identity.roles
  - route: /tenants/{tenant}/reports
    when: identity.tenant == path.tenant
  - route: /admin/**
    roles: [admin]
  - route: /internal/**
    allow: false
  - route: /products/{id}
    methods: [GET]
    auth: optional
"""


def env(identity: Identity | None, params: dict[str, str], path: str = "/") -> RequestEnv:
    return RequestEnv(identity, params, {}, {}, "GET", path)


ALICE = Identity("7", "jwt", roles=frozenset({"customer"}), scopes=frozenset({"orders:read"}), tenant="acme")
ADMIN = Identity("1", "jwt", roles=frozenset({"admin"}), scopes=frozenset({"orders:read"}))
NOSCOPE = Identity("7", "jwt", roles=frozenset({"customer"}))

# (method, path, identity, expected: allow | 401 | 403 | no-rule)
CASES = [
    ("POST", "/login", None, "allow"),
    ("GET", "/login", None, "no-rule"),
    ("GET", "/users/7/orders", ALICE, "allow"),
    ("GET", "/users/8/orders", ALICE, "403"),  # BOLA stopped by the ABAC condition
    ("GET", "/users/8/orders", ADMIN, "allow"),
    ("GET", "/users/7/orders", NOSCOPE, "403"),
    ("GET", "/users/7/orders", None, "401"),
    ("GET", "/tenants/acme/reports", ALICE, "allow"),
    ("GET", "/tenants/other/reports", ALICE, "403"),
    ("DELETE", "/tenants/acme/reports", ALICE, "allow"),  # no methods: any
    ("GET", "/admin/users/1/delete", ADMIN, "allow"),
    ("GET", "/admin", ADMIN, "allow"),
    ("GET", "/admin/x", ALICE, "403"),
    ("GET", "/internal/metrics", ADMIN, "403"),
    ("GET", "/products/3", None, "allow"),
    ("GET", "/products/3", ALICE, "allow"),
    ("GET", "/products/3/extra", ALICE, "no-rule"),
    ("GET", "/nowhere", ADMIN, "no-rule"),
]


@pytest.mark.parametrize(("method", "path", "identity", "expected"), CASES)
def test_policy_truth_table(method: str, path: str, identity: Identity | None, expected: str) -> None:
    policy = parse_policy(POLICY, "policy.yaml")
    match = policy.match(method, path)
    if expected == "no-rule":
        assert match is None
        return
    assert match is not None
    decision = evaluate(match.rule, identity, env(identity, match.params, path))
    got = "allow" if decision.allowed else str(decision.status)
    assert got == expected, decision


def test_spec_template_preferred_and_auth_modes() -> None:
    policy = parse_policy(POLICY, "policy.yaml")
    m = policy.match("GET", "/users/7/orders", route="/users/{user_id}/orders")
    assert m is not None and m.params == {"user_id": "7"}
    assert policy.auth_for("POST", "/login") is AuthMode.NONE
    assert policy.auth_for("GET", "/products/1") is AuthMode.OPTIONAL
    assert policy.auth_for("GET", "/unknown") is AuthMode.REQUIRED


def test_example_policy_loads() -> None:
    policy = load_policy(EXAMPLE)
    assert len(policy.rules) >= 10
    assert policy.match("GET", "/api/users/2") is not None


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_policy(text, "p.yaml")
    return str(info.value)


def _with_rule(rule: str) -> str:
    return "version: 1\nroutes:\n  - route: /ok\n" + rule


# (policy text, expected substring of the error, including its location)
ERRORS = [
    ("routes: [\n", "p.yaml:2:1: invalid YAML"),
    ("", "empty policy"),
    ("- a\n- b\n", "p.yaml:1:1: expected a mapping"),
    ("version: 2\nroutes: []\n", "p.yaml:1:10 (version): only version 1"),
    ("routes: []\nextra: 1\n", "p.yaml:2:1 (extra): unknown key"),
    ("version: 1\n", "missing 'routes'"),
    ("routes: {a: 1}\n", "p.yaml:1:9 (routes): expected a list"),
    (_with_rule("  - methods: [GET]\n"), "p.yaml:4:5 (routes[1]): missing 'route'"),
    (_with_rule("  - route: users\n"), "p.yaml:4:12 (routes[1].route): route template must start with '/'"),
    (_with_rule("  - route: /a/{id\n"), "p.yaml:4:12 (routes[1].route): a parameter must be a whole segment"),
    (_with_rule("  - route: /a/**/b\n"), "(routes[1].route): '**' is only allowed as the last segment"),
    (_with_rule("  - route: /a\n    methods: [FETCH]\n"), "p.yaml:5:14 (routes[1].methods[0]): unknown HTTP method"),
    (_with_rule("  - route: /a\n    auth: maybe\n"), "p.yaml:5:11 (routes[1].auth): auth must be required"),
    (_with_rule("  - route: /a\n    allow: yes please\n"), "p.yaml:5:12 (routes[1].allow): expected true or false"),
    (_with_rule("  - route: /a\n    rolez: [x]\n"), "p.yaml:5:5 (routes[1].rolez): unknown key"),
    (_with_rule("  - route: /a\n    roles: 3\n"), "p.yaml:5:12 (routes[1].roles): expected a list of strings"),
    (_with_rule("  - route: /a\n    when: path.id = identity.sub\n"),
     "p.yaml:5:11 (routes[1].when): column 9: unexpected character '='"),
    (_with_rule("  - route: /a\n    when: body.x == 1\n"), "(routes[1].when): column 1: unknown name 'body'"),
    (_with_rule("  - route: /a\n    when: identity.password == 1\n"), "unknown identity attribute 'password'"),
    (_with_rule("  - route: /a\n    when: (path.a == 1\n"), "expected ')'"),
    (_with_rule("  - route: /a\n    when: path.a == 'x\n"), "column 11: unterminated string"),
    (_with_rule("  - route: /a\n    auth: none\n    roles: [admin]\n"), "(routes[1]): a public route"),
    (_with_rule("  - route: /ok\n"), "p.yaml:4:5 (routes[1]): * /ok is already defined at p.yaml:3:5"),
    ("routes:\n  - route: /a\n    route: /b\n", "p.yaml:3:5 (routes[0].route): duplicate key"),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_policy_errors_name_their_location(text: str, expected: str) -> None:
    assert expected in _error(text)


def test_error_table_ran() -> None:
    assert len(ERRORS) >= 20 and len(CASES) >= 15


def test_deep_nesting_refused() -> None:
    deep = "(" * 40 + "true" + ")" * 40
    text = _with_rule(f"  - route: /a\n    when: {yaml.safe_dump(deep).strip()}\n")
    assert "nested too deeply" in _error(text)
