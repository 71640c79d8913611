"""Loading specs: $refs (also recursive), translation of 3.0 keywords, and bad specs named by pointer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from apiward.errors import ConfigError
from apiward.learn.contract import Contract
from apiward.learn.spec import load_spec, spec_from_document
from apiward.settings import ApiSettings

DATA = Path(__file__).parent / "data"


def _doc(paths: dict, components: dict | None = None, version: str = "3.1.0") -> dict:
    doc = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths}
    if components:
        doc["components"] = components
    return doc


def _post(schema: dict) -> dict:
    return {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}},
                            "responses": {"200": {"description": "ok"}}}}}


def test_loads_fixture_with_refs() -> None:
    spec = load_spec(DATA / "shop.yaml")
    contract = Contract(spec, ApiSettings())
    assert spec.version == "3.0"
    assert spec.base_paths == ("/v1",)
    assert {o.route for o in contract.operations} >= {"GET /users", "POST /users", "GET /users/{id}", "DELETE /users/{id}"}


def test_recursive_ref_compiles_and_validates_deep_instances() -> None:
    components = {"schemas": {"Node": {"type": "object", "properties": {
        "v": {"type": "integer"}, "next": {"$ref": "#/components/schemas/Node"}}}}}
    spec = spec_from_document(_doc(_post({"$ref": "#/components/schemas/Node"}), components))
    contract = Contract(spec, ApiSettings())
    schema = contract.operations[0].body_rules[0].schema
    deep: dict = {"v": 1}
    for _ in range(30):
        deep = {"v": 1, "next": deep}
    assert schema.is_valid(deep)
    deep["next"]["next"]["v"] = "x"
    assert not schema.is_valid(deep)
    assert schema.errors(deep)[0].path == ("next", "next", "v")


def test_mutually_recursive_refs() -> None:
    components = {"schemas": {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}, "n": {"type": "integer"}}},
    }}
    spec = spec_from_document(_doc(_post({"$ref": "#/components/schemas/A"}), components))
    schema = Contract(spec, ApiSettings()).operations[0].body_rules[0].schema
    assert schema.is_valid({"b": {"a": {"b": {"n": 1}}}})
    assert not schema.is_valid({"b": {"a": {"b": {"n": "one"}}}})


def test_circular_ref_chain_on_parameters_is_an_error() -> None:
    doc = _doc({"/x": {"get": {"parameters": [{"$ref": "#/components/parameters/P"}], "responses": {}}}},
               {"parameters": {"P": {"$ref": "#/components/parameters/Q"}, "Q": {"$ref": "#/components/parameters/P"}}})
    with pytest.raises(ConfigError, match="circular"):
        Contract(spec_from_document(doc), ApiSettings())


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ({"openapi": "2.0", "paths": {}}, "/openapi"),
        ({"openapi": "3.1.0", "paths": []}, "/paths"),
        ({"openapi": "3.1.0", "paths": {"x": {}}}, "/paths/x"),
        (_doc(_post({"$ref": "#/components/schemas/Missing"})),
         "/paths/~1x/post/requestBody/content/application~1json/schema/$ref"),
        (_doc(_post({"$ref": "other.yaml#/X"})), "/paths/~1x/post/requestBody/content/application~1json/schema/$ref"),
        (_doc(_post({"type": "object", "properties": {"a": {"type": 5}}})),
         "/paths/~1x/post/requestBody/content/application~1json/schema/properties/a/type"),
        (_doc({"/x": {"get": {"parameters": [{"name": "a", "in": "body"}], "responses": {}}}}),
         "/paths/~1x/get/parameters/0/in"),
        (_doc({"/x": {"get": {"security": [{"nope": []}], "responses": {}}}}), "/paths/~1x/get/security/0"),
    ],
)
def test_invalid_spec_names_the_pointer(doc: dict, pointer: str) -> None:
    with pytest.raises(ConfigError) as info:
        Contract(spec_from_document(doc), ApiSettings())
    assert info.value.location == pointer


@pytest.mark.parametrize("pattern", [r"^(a)\1$", r"^(?=.*\d)\w+$", r"(?<!x)y"])
def test_patterns_that_need_backtracking_are_rejected(pattern: str) -> None:
    doc = _doc(_post({"type": "object", "properties": {"a": {"type": "string", "pattern": pattern}}}))
    with pytest.raises(ConfigError, match="linear-time") as info:
        Contract(spec_from_document(doc), ApiSettings())
    assert info.value.location.endswith("/properties/a/pattern")


def test_nested_quantifier_pattern_runs_in_linear_time() -> None:
    doc = _doc(_post({"type": "object", "properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}))
    schema = Contract(spec_from_document(doc), ApiSettings()).operations[0].body_rules[0].schema
    evil = {"a": "a" * 50_000 + "!"}
    assert not schema.is_valid(evil)  # RE2: no catastrophic backtracking
    assert not schema.slow_is_valid(evil)


def test_huge_and_deep_specs_are_refused(tmp_path: Path) -> None:
    deep: dict = {"type": "string"}
    for _ in range(100):
        deep = {"type": "object", "properties": {"a": deep}}
    with pytest.raises(ConfigError, match="deeper"):
        Contract(spec_from_document(_doc(_post(deep))), ApiSettings())
    big = tmp_path / "big.yaml"
    with big.open("w") as fh:
        fh.write("openapi: 3.1.0\npaths: {}\n# " + "x" * (17 << 20) + "\n")
    with pytest.raises(ConfigError, match="larger than"):
        load_spec(big)


def test_yaml_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ["openapi: 3.1.0", "info: {title: t, version: '1'}", "components:", "  x:",
             "    a0: &a0 {type: object, properties: {p: {type: string}}}"]
    for i in range(1, 25):
        refs = ", ".join(f"p{j}: *a{i - 1}" for j in range(4))
        lines.append(f"    a{i}: &a{i} {{type: object, properties: {{{refs}}}}}")
    lines += ["paths:", "  /x:", "    post:", "      requestBody:", "        content:",
              "          application/json:", "            schema: *a24", "      responses: {}"]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines))
    with pytest.raises(ConfigError, match="too large"):
        Contract(load_spec(path), ApiSettings())


def test_openapi_30_nullable_and_exclusive_bounds() -> None:
    schema = {"type": "object", "properties": {
        "a": {"type": "integer", "nullable": True, "minimum": 0, "exclusiveMinimum": True},
        "b": {"type": "string", "enum": ["x"], "nullable": True}}}
    spec = spec_from_document(_doc(_post(schema), version="3.0.3"))
    compiled = Contract(spec, ApiSettings()).operations[0].body_rules[0].schema
    assert compiled.is_valid({"a": None, "b": None})
    assert compiled.is_valid({"a": 1, "b": "x"})
    assert not compiled.is_valid({"a": 0})
    assert not compiled.is_valid({"b": "y"})


def test_spec_file_not_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_spec(bad)
    assert yaml.safe_load((DATA / "shop.yaml").read_text())["openapi"] == "3.0.3"


def test_unevaluated_properties_with_pattern_properties_is_refused() -> None:
    schema = {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "unevaluatedProperties": False}
    with pytest.raises(ConfigError, match="unevaluatedProperties") as info:
        Contract(spec_from_document(_doc(_post(schema))), ApiSettings())
    assert info.value.location.endswith("/unevaluatedProperties")
