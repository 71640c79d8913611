"""The sample shop over real HTTP, and every answer checked against its own OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from demo_support import run_server
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from apiward.demo.shop import create_shop_app, spec_text

SPEC: dict[str, Any] = yaml.safe_load(spec_text())
REGISTRY: Registry = Registry().with_resource("urn:shop", Resource(SPEC, specification=DRAFT202012))


def conforms(response: httpx.Response, path: str, method: str = "get") -> None:
    """The response's status and body are documented for this operation."""
    operation = SPEC["paths"][path][method]
    documented = operation["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = SPEC["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in documented["content"], (path, response.status_code, media_type)
    schema = documented["content"][media_type]["schema"]
    if "$ref" in schema:
        schema = {"$ref": "urn:shop" + schema["$ref"]}
    else:
        schema = {"$ref": "urn:shop#/paths/" + path.replace("~", "~0").replace("/", "~1")
                  + f"/{method}/responses/{response.status_code}/content/"
                  + media_type.replace("/", "~1") + "/schema"}
    body = response.text if media_type == "application/yaml" else response.json()
    Draft202012Validator(schema, registry=REGISTRY).validate(body)


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    server, thread, port = run_server(create_shop_app())
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_public_routes(shop: str) -> None:
    with httpx.Client(base_url=shop) as c:
        for path, url in [("/", "/"), ("/health", "/health"), ("/openapi.yaml", "/openapi.yaml"),
                          ("/api/users", "/api/users"), ("/api/users/{user_id}", "/api/users/2"),
                          ("/api/products", "/api/products?category=kitchen&limit=1"),
                          ("/api/products/{product_id}", "/api/products/104"),
                          ("/api/search", "/api/search?q=MUG")]:
            r = c.get(url)
            assert r.status_code == 200, url
            conforms(r, path)
        assert c.get("/api/products?category=kitchen&limit=1").json()["total"] == 2
        assert [p["id"] for p in c.get("/api/search?q=MUG").json()["items"]] == [101]
        assert c.get("/api/users").json()["total"] == 3
        assert "password" not in c.get("/api/users/1").text


def test_errors_are_documented_problems(shop: str) -> None:
    with httpx.Client(base_url=shop) as c:
        cases = [("/api/users/{user_id}", c.get("/api/users/99"), 404),
                 ("/api/products/{product_id}", c.get("/api/products/1"), 404),
                 ("/api/search", c.get("/api/search?q="), 400),
                 ("/api/products", c.get("/api/products?limit=abc"), 400),
                 ("/api/me", c.get("/api/me"), 401),
                 ("/api/orders", c.get("/api/orders", headers={"authorization": "Bearer nope"}), 401)]
        for path, r, status in cases:
            assert r.status_code == status, path
            conforms(r, path)
        r = c.post("/api/login", json={"username": "alice", "password": "nope"})
        assert r.status_code == 401
        conforms(r, "/api/login", "post")
        r = c.post("/api/login", content=b"not json", headers={"content-type": "application/json"})
        assert r.status_code == 400
        conforms(r, "/api/login", "post")


def test_login_me_and_orders(shop: str) -> None:
    with httpx.Client(base_url=shop) as c:
        r = c.post("/api/login", json={"username": "alice", "password": "wonderland"})
        assert r.status_code == 200
        conforms(r, "/api/login", "post")
        auth = {"authorization": f"Bearer {r.json()['access_token']}"}
        me = c.get("/api/me", headers=auth)
        assert me.json()["username"] == "alice"
        conforms(me, "/api/me")
        order = c.post("/api/orders", headers=auth, json={"items": [{"product_id": 101, "quantity": 2},
                                                                    {"product_id": 105}], "note": "gift"})
        assert order.status_code == 201
        conforms(order, "/api/orders", "post")
        assert order.json()["total"] == 34.5
        oid = order.json()["id"]
        listed = c.get("/api/orders", headers=auth)
        assert [o["id"] for o in listed.json()["items"]] == [oid]
        conforms(listed, "/api/orders")
        got = c.get(f"/api/orders/{oid}", headers=auth)
        assert got.status_code == 200
        conforms(got, "/api/orders/{order_id}")
        bad = c.post("/api/orders", headers=auth, json={"items": [{"product_id": 9999}]})
        assert bad.status_code == 422
        conforms(bad, "/api/orders", "post")
        # another customer cannot read alice's order (no BOLA in the sample API itself)
        bob = c.post("/api/login", json={"username": "bob", "password": "builder"}).json()["access_token"]
        r = c.get(f"/api/orders/{oid}", headers={"authorization": f"Bearer {bob}"})
        assert r.status_code == 404


def test_spec_is_a_valid_openapi_31_document() -> None:
    assert SPEC["openapi"].startswith("3.1.")
    assert SPEC["info"]["title"] and SPEC["info"]["version"]
    # every component schema is a valid JSON Schema 2020-12 (the 3.1 dialect)
    for schema in SPEC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    # every $ref resolves
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(SPEC)
    assert refs
    resolver = REGISTRY.resolver()
    for ref in refs:
        assert ref.startswith("#/")
        resolver.lookup("urn:shop" + ref)
    operation_ids = []
    for path, item in SPEC["paths"].items():
        params = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        templated = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        for method, op in item.items():
            if method == "parameters":
                continue
            assert method in {"get", "post", "put", "patch", "delete"}
            operation_ids.append(op["operationId"])
            op_params = params | {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert op_params == templated, path
            assert op["responses"], path
            for parameter in op.get("parameters", []):
                Draft202012Validator.check_schema(parameter["schema"])
    assert len(operation_ids) == len(set(operation_ids))


def test_spec_and_app_document_the_same_routes() -> None:
    app = create_shop_app()
    routes = set()
    for route in app.routes:
        path = route.path.replace(":int}", "}")  # type: ignore[attr-defined]
        for method in route.methods - {"HEAD"}:  # type: ignore[attr-defined]
            routes.add((path, method.lower()))
    documented = {(p, m) for p, item in SPEC["paths"].items() for m in item if m != "parameters"}
    assert routes == documented
