"""Spec enforcement: every class of violation is caught, valid requests pass (data/shop_cases.yaml),
plus the bundled demo API's spec with valid traffic generated from the spec itself."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from apiward.core import Action, Category, Context
from apiward.http.parse import corpus_request
from apiward.learn.contract import Contract
from apiward.learn.spec import load_spec
from apiward.learn.stage import SpecStage
from apiward.settings import ApiSettings, LimitSettings, RouteAction, RouteRule

from .instances import from_schema

DATA = Path(__file__).parent / "data"
DEMO_SPEC = Path(__file__).resolve().parents[2] / "src" / "apiward" / "demo" / "openapi.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "shop_cases.yaml").read_text())
LIMITS = LimitSettings()


def _record(case: dict[str, Any]) -> dict[str, Any]:
    headers = dict(case.get("headers") or {})
    if case.get("auth"):
        headers["Authorization"] = "Bearer t0ken"
    data = case.get("data", "")
    if "json" in case:
        headers["Content-Type"] = "application/json"
        data = json.dumps(case["json"])
    return {"method": case["method"], "url": case["url"], "headers": headers, "data": data}


@pytest.fixture(scope="module")
def shop() -> Contract:
    return Contract(load_spec(DATA / "shop.yaml"), ApiSettings())


def test_cases_ran() -> None:
    assert len(CASES) >= 40
    assert sum(1 for c in CASES if c["expect"]) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shop_case(shop: Contract, case: dict[str, Any]) -> None:
    result = shop.check(corpus_request(_record(case), LIMITS))
    rules = sorted({v.rule for v in result.violations})
    assert rules == sorted(case["expect"]), [(v.location, v.rule, v.message) for v in result.violations]


def test_violation_location_and_message_carry_no_value(shop: Contract) -> None:
    case = {"method": "POST", "url": "/v1/users", "auth": True,
            "json": {"name": "a", "email": "secret-token-123", "age": -5}}
    violations = shop.check(corpus_request(_record(case), LIMITS)).violations
    assert {(v.location, v.rule) for v in violations} == {("body.email", "spec.format"), ("body.age", "spec.minimum")}
    assert all("secret-token" not in v.message for v in violations)


def _inspect(stage: SpecStage, record: dict[str, Any]) -> tuple[Context, list]:
    ctx = Context(request_id="t")
    findings = asyncio.run(stage.inspect(corpus_request(record, LIMITS), ctx))
    return ctx, list(findings)


def test_stage_sets_route_and_params_and_blocks() -> None:
    stage = SpecStage(Contract(load_spec(DATA / "shop.yaml"), ApiSettings()))
    ctx, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/users/7", "auth": True}))
    assert (ctx.route, ctx.path_params, findings) == ("/users/{id}", {"id": "7"}, [])
    assert ctx.tags["api.operation"] == "getUser"
    _, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/users/x'", "auth": True}))
    (f,) = findings
    assert (f.stage, f.category, f.location, f.rule, f.action) == ("spec", Category.SCHEMA, "path.id", "spec.type", Action.BLOCK)
    _, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/users/7"}))
    assert findings[0].category is Category.AUTHN and findings[0].status == 401


def test_per_route_actions() -> None:
    settings = ApiSettings(
        default_action=RouteAction.LOG,
        routes=(RouteRule(route="GET /users/{id}", action=RouteAction.BLOCK),
                RouteRule(route="/files/*", action=RouteAction.IGNORE)),
    )
    stage = SpecStage(Contract(load_spec(DATA / "shop.yaml"), settings))
    _, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/users/x", "auth": True}))
    assert findings[0].action is Action.BLOCK
    _, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/users?limit=x", "auth": True}))
    assert findings[0].action is Action.LOG
    _, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/files/A1.json"}))
    assert findings == []
    _, findings = _inspect(stage, _record({"method": "GET", "url": "/v1/nowhere"}))
    assert findings[0].rule == "spec.unknown-path" and findings[0].action is Action.LOG


# --- the demo API's spec ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo() -> Contract:
    if not DEMO_SPEC.is_file():
        pytest.skip("demo spec not present")
    return Contract(load_spec(DEMO_SPEC), ApiSettings())


def _valid_request(draw: Any, contract: Contract) -> dict[str, Any]:
    op = draw(st.sampled_from(contract.operations))
    defs = contract.spec.schemas.defs
    path = op.template
    query = []
    for p in op.parameters:
        if p.schema is None:
            continue
        if p.where == "query" and not p.required and not draw(st.booleans()):
            continue
        value = draw(from_schema(p.schema.schema, defs))
        text = json.dumps(value) if not isinstance(value, str) else value
        if isinstance(value, bool):
            text = "true" if value else "false"
        from urllib.parse import quote
        if p.where == "path":
            path = path.replace("{" + p.name + "}", quote(text, safe=""))
        elif p.where == "query":
            query.append(f"{p.name}={quote(text, safe='')}")
    headers = {"Authorization": "Bearer abc"} if op.security else {}
    data = ""
    if op.body_rules:
        rule = op.body_rules[0]
        headers["Content-Type"] = rule.media
        data = json.dumps(draw(from_schema(rule.schema.schema, defs)))
    url = path + ("?" + "&".join(query) if query else "")
    return {"method": op.method, "url": url, "headers": headers, "data": data}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_demo_valid_traffic_passes(demo: Contract, data: st.DataObject) -> None:
    record = _valid_request(data.draw, demo)
    result = demo.check(corpus_request(record, LIMITS))
    assert result.violations == (), (record, result.violations)


@pytest.mark.parametrize(
    ("record", "rule"),
    [
        ({"method": "GET", "url": "/api/products?limit=0"}, "spec.minimum"),
        ({"method": "GET", "url": "/api/products?category=weapons"}, "spec.enum"),
        ({"method": "GET", "url": "/api/products?limit=1%20OR%201=1"}, "spec.type"),
        ({"method": "GET", "url": "/api/products?admin=1"}, "spec.unknown-parameter"),
        ({"method": "GET", "url": "/api/search"}, "spec.required"),
        ({"method": "GET", "url": "/api/users/abc"}, "spec.type"),
        ({"method": "DELETE", "url": "/api/users/1"}, "spec.unknown-method"),
        ({"method": "GET", "url": "/api/admin"}, "spec.unknown-path"),
        ({"method": "GET", "url": "/api/orders"}, "spec.security"),
        ({"method": "POST", "url": "/api/login", "headers": {"Content-Type": "application/json"},
          "data": '{"username": "a", "password": "b", "role": "admin"}'}, "spec.additionalProperties"),
        ({"method": "POST", "url": "/api/login", "headers": {"Content-Type": "application/json"},
          "data": '{"username": "a\' OR 1=1--", "password": "b"}'}, "spec.pattern"),
        ({"method": "POST", "url": "/api/login", "headers": {"Content-Type": "application/xml"},
          "data": "<a/>"}, "spec.content-type"),
    ],
)
def test_demo_violations(demo: Contract, record: dict[str, Any], rule: str) -> None:
    record = {"headers": {}, "data": "", **record}
    result = demo.check(corpus_request(record, LIMITS))
    assert rule in {v.rule for v in result.violations}
