"""`apiward learn` and `apiward profile` through typer's CliRunner; build_pipeline with a profile."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from apiward.cli import learn as learn_cli
from apiward.core import Action, Context
from apiward.gateway.stack import build_pipeline
from apiward.http.parse import corpus_request
from apiward.learn.baseline import Baseline
from apiward.learn.contract import Contract
from apiward.learn.spec import load_spec
from apiward.settings import ApiSettings, DetectionSettings, LimitSettings, Settings

# The generic detector (and its model artifact) is another stage's business: these tests build
# the pipeline with only the API-awareness stages.
NO_DETECT = DetectionSettings(enabled=False)

LIMITS = LimitSettings()


def _app() -> typer.Typer:
    app = typer.Typer()
    learn_cli.register(app)
    return app


def _traffic(tmp_path: Path) -> tuple[Path, Path]:
    rng = random.Random(3)
    corpus = tmp_path / "traffic.jsonl"
    lines = []
    for i in range(120):
        uid = rng.randint(1, 5000)
        lines.append({"method": "GET", "url": f"/api/users/{uid}?fields=name", "headers": {"Authorization": "Bearer t"}, "data": ""})
        body = {"name": rng.choice(["ann", "bob", "cyd"]), "email": f"u{i}@example.com", "age": rng.randint(18, 90)}
        lines.append({"method": "POST", "url": "/api/users", "headers": {"Content-Type": "application/json", "Authorization": "Bearer t"},
                      "data": json.dumps(body)})
    corpus.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json at all\n")
    log = tmp_path / "access.log"
    log.write_text("".join(
        f'198.51.100.{i % 7} - - [10/Oct/2024:13:55:36 +0000] "GET /static/app.{i % 3}.js HTTP/1.1" 200 5 "-" "Mozilla"\n'
        for i in range(60)) + "garbage line\n")
    return corpus, log


def test_learn_writes_profile(tmp_path: Path) -> None:
    corpus, log = _traffic(tmp_path)
    out = tmp_path / "profile"
    result = CliRunner().invoke(_app(), ["learn", str(corpus), str(log), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped 2 unparseable" in result.output
    doc = yaml.safe_load((out / "openapi.yaml").read_text())
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {"/api/users/{id}", "/api/users", "/static/app.0.js", "/static/app.1.js", "/static/app.2.js"}
    get_user = doc["paths"]["/api/users/{id}"]["get"]
    params = {p["name"]: p for p in get_user["parameters"]}
    assert params["id"]["schema"]["type"] == "integer"
    assert get_user["security"] and get_user["x-apiward"]["credentials"] == ["header.authorization"]
    body = doc["paths"]["/api/users"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["email"]["format"] == "email"
    assert body["properties"]["age"]["type"] == "integer"
    assert body["additionalProperties"] is False and set(body["required"]) == {"name", "email", "age"}
    # The discovered spec loads and compiles like a hand-written one.
    Contract(load_spec(out / "openapi.yaml"), ApiSettings())
    baseline = Baseline.load(out / "baseline.json")
    assert baseline.data["version"] == 1 and baseline.endpoints["POST /api/users"].enforcing


def test_profile_show_promote_demote(tmp_path: Path) -> None:
    corpus, _ = _traffic(tmp_path)
    out = tmp_path / "p"
    runner = CliRunner()
    assert runner.invoke(_app(), ["learn", str(corpus), "--out", str(out), "--min-samples", "500"]).exit_code == 0
    shown = runner.invoke(_app(), ["profile", "show", str(out)])
    assert "GET /api/users/{id}" in shown.output and "learning" in shown.output
    result = runner.invoke(_app(), ["profile", "promote", str(out), "GET /api/users/{id}"])
    assert result.exit_code == 0 and "1 endpoint(s) now enforcing" in result.output
    assert Baseline.load(out / "baseline.json").data["endpoints"]["GET /api/users/{id}"]["state"] == "enforcing"
    assert runner.invoke(_app(), ["profile", "promote", str(out), "GET /nope"]).exit_code == 2
    assert runner.invoke(_app(), ["profile", "demote", str(out)]).exit_code == 0


def test_learn_missing_input_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["learn", str(tmp_path / "missing.log"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2


def test_build_pipeline_with_profile_and_spec(tmp_path: Path) -> None:
    corpus, _ = _traffic(tmp_path)
    out = tmp_path / "profile"
    assert CliRunner().invoke(_app(), ["learn", str(corpus), "--out", str(out)]).exit_code == 0
    pipeline = build_pipeline(Settings(detection=NO_DETECT, api=ApiSettings(profile=out)))
    assert [s.name for s in pipeline.stages][:2] == ["spec", "baseline"]

    def verdict(record: dict) -> object:
        record = {"headers": {"Authorization": "Bearer t"}, "data": "", **record}
        return asyncio.run(pipeline.inspect(corpus_request(record, LIMITS), Context(request_id="r")))

    assert verdict({"method": "GET", "url": "/api/users/42?fields=name"}).action is Action.ALLOW
    blocked = verdict({"method": "GET", "url": "/api/users/42?fields=name%27%20OR%201=1"})
    assert blocked.action is Action.BLOCK and blocked.cause.location == "query.fields"
    assert verdict({"method": "GET", "url": "/api/admin"}).cause.rule == "spec.unknown-path"
    assert verdict({"method": "POST", "url": "/api/users", "headers": {"Content-Type": "application/json", "Authorization": "Bearer t"},
                    "data": '{"name": "ann", "email": "a@example.com", "age": 30, "is_admin": true}'}).cause.rule == "spec.additionalProperties"
    spec_only = build_pipeline(Settings(detection=NO_DETECT, api=ApiSettings(spec=out / "openapi.yaml")))
    assert [s.name for s in spec_only.stages][:1] == ["spec"] and "baseline" not in [s.name for s in spec_only.stages]


def test_drift_and_sensitive_responses(tmp_path: Path) -> None:
    har = {"log": {"entries": [
        {"request": {"method": "GET", "url": f"https://api.example.com/api/users/{i}", "headers": []},
         "response": {"status": 200, "content": {"text": json.dumps({"id": i, "email": f"u{i}@example.com"})}}}
        for i in range(1, 40)
    ] + [
        {"request": {"method": "GET", "url": "https://api.example.com/internal/debug", "headers": []},
         "response": {"status": 200, "content": {"text": "ok"}}}
    ]}}
    path = tmp_path / "s.har"
    path.write_text(json.dumps(har))
    out = tmp_path / "p"
    runner = CliRunner()
    assert runner.invoke(_app(), ["learn", str(path), "--out", str(out)]).exit_code == 0
    doc = yaml.safe_load((out / "openapi.yaml").read_text())
    assert doc["paths"]["/api/users/{id}"]["get"]["x-apiward"]["sensitive_response"] == ["email"]
    spec = tmp_path / "documented.yaml"
    spec.write_text(yaml.safe_dump({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/api/users/{user_id}": {"get": {"responses": {}}}, "/api/orders": {"get": {"responses": {}}}}}))
    result = runner.invoke(_app(), ["profile", "drift", str(out), "--spec", str(spec)])
    assert result.exit_code == 1
    assert "shadow (undocumented): GET /internal/debug" in result.output
    assert "documented, never observed: GET /api/orders" in result.output
    # Learning again keeps the previous version beside the new one.
    assert runner.invoke(_app(), ["learn", str(path), "--out", str(out)]).exit_code == 0
    assert list(out.glob("baseline-*.json")) and list(out.glob("openapi-*.yaml"))


def test_profile_without_its_spec(tmp_path: Path) -> None:
    corpus, _ = _traffic(tmp_path)
    out = tmp_path / "profile"
    assert CliRunner().invoke(_app(), ["learn", str(corpus), "--out", str(out)]).exit_code == 0
    pipeline = build_pipeline(Settings(detection=NO_DETECT, api=ApiSettings(profile=out, profile_spec=False)))
    names = [s.name for s in pipeline.stages]
    assert "baseline" in names and "spec" not in names


def test_json_types_decide_discovered_schemas(tmp_path: Path) -> None:
    corpus = tmp_path / "j.jsonl"
    rows = []
    for i in range(150):
        body = {"version": f"{i % 3}.1", "count": i, "ratio": i / 7, "ok": bool(i % 2), "note": None if i % 5 else "x",
                "items": [{"sku": f"S{i}"}, {"sku": "T1"}]}
        rows.append({"method": "POST", "url": "/v1/things", "headers": {"Content-Type": "application/json"}, "data": json.dumps(body)})
    corpus.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "p"
    assert CliRunner().invoke(_app(), ["learn", str(corpus), "--out", str(out)]).exit_code == 0
    doc = yaml.safe_load((out / "openapi.yaml").read_text())
    schema = doc["paths"]["/v1/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    props = schema["properties"]
    assert props["version"]["type"] == "string"  # "0.1" is a JSON string, not a number
    assert props["count"]["type"] == "integer" and props["ratio"]["type"] == "number"
    assert props["ok"]["type"] == "boolean" and props["note"]["type"] == ["string", "null"]
    assert props["items"]["type"] == "array" and props["items"]["items"]["properties"]["sku"]["type"] == "string"
    contract = Contract(load_spec(out / "openapi.yaml"), ApiSettings())
    ok = corpus_request(rows[7], LIMITS)
    assert contract.check(ok).violations == ()


def test_hostile_paths_never_break_discovery(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    paths = ["/x/%7Bid%7D", "/x/%7B", "/x/%7D%7B", "/a//b", "/%00", "/%ff%fe", "/" + "y/" * 200, "/ok"]
    log.write_text("".join(f'192.0.2.1 - - [d] "GET {p} HTTP/1.1" 200 1 "-" "ua"\n' for p in paths * 3))
    out = tmp_path / "p"
    result = CliRunner().invoke(_app(), ["learn", str(log), "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((out / "openapi.yaml").read_text())
    assert "/ok" in doc["paths"] and not any("{" in p and "}" not in p for p in doc["paths"])
    Contract(load_spec(out / "openapi.yaml"), ApiSettings())


def test_new_endpoints_since_a_date(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    lines = [f'192.0.2.1 - - [10/Oct/2024:13:55:{i:02d} +0000] "GET /old HTTP/1.1" 200 1 "-" "ua"\n' for i in range(5)]
    lines += [f'192.0.2.1 - - [12/Oct/2024:08:00:{i:02d} +0000] "GET /new HTTP/1.1" 200 1 "-" "ua"\n' for i in range(5)]
    log.write_text("".join(lines))
    out = tmp_path / "p"
    runner = CliRunner()
    assert runner.invoke(_app(), ["learn", str(log), "--out", str(out)]).exit_code == 0
    baseline = Baseline.load(out / "baseline.json")
    assert baseline.endpoints_since(1728518400.0) == ["GET /new", "GET /old"]  # since 2024-10-10 UTC
    assert baseline.endpoints_since(1728604800.0) == ["GET /new"]  # since 2024-10-11 UTC
    shown = runner.invoke(_app(), ["profile", "show", str(out), "--since", "2024-10-11"])
    assert "GET /new" in shown.output and "GET /old" not in shown.output
    doc = yaml.safe_load((out / "openapi.yaml").read_text())
    assert doc["paths"]["/new"]["get"]["x-apiward"]["first_seen"] == "2024-10-12T08:00:00Z"
