"""`apiward policy check | test | keygen` through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from apiward.cli import policy as policy_cli
from apiward.identity.apikeys import load_key_file

EXAMPLE = Path(__file__).resolve().parents[2] / "src/apiward/identity/examples/policy.yaml"


def app() -> typer.Typer:
    a = typer.Typer()
    policy_cli.register(a)

    @a.command("noop")
    def noop() -> None:  # a second command keeps typer from collapsing the group
        pass

    return a


def test_check_ok_and_error_location(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app(), ["policy", "check", str(EXAMPLE)])
    assert result.exit_code == 0 and "rules" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("routes:\n  - route: /a\n    when: path.a == = 1\n")
    result = runner.invoke(app(), ["policy", "check", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:3:11 (routes[0].when)" in result.output


def test_request_and_cases(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app(), ["policy", "test", str(EXAMPLE), "-r", "GET /api/users/2",
                                   "-i", '{"sub": "alice", "roles": ["customer"], "claims": {"uid": 1}}'])
    assert result.exit_code == 0 and "403" in result.output and "condition" in result.output
    cases = tmp_path / "cases.yaml"
    table = [
        {"request": "POST /api/login", "expect": "allow"},
        {"request": "GET /api/users/1", "identity": {"sub": "alice", "roles": ["customer"], "claims": {"uid": 1}},
         "expect": "allow"},
        {"request": "GET /api/users/2", "identity": {"sub": "alice", "roles": ["customer"], "claims": {"uid": 1}},
         "expect": "deny"},
        {"request": "GET /api/users", "identity": {"sub": "carol", "roles": ["admin"]}, "expect": "allow"},
        {"request": "GET /api/orders", "expect": "401"},
        {"request": "GET /secret", "identity": {"sub": "carol", "roles": ["admin"]}, "expect": "deny"},
    ]
    cases.write_text(yaml.safe_dump({"cases": table}))
    result = runner.invoke(app(), ["policy", "test", str(EXAMPLE), "--cases", str(cases)])
    assert result.exit_code == 0, result.output
    assert "6/6 cases as expected" in result.output
    table[0]["expect"] = "deny"
    cases.write_text(yaml.safe_dump({"cases": table}))
    result = runner.invoke(app(), ["policy", "test", str(EXAMPLE), "--cases", str(cases)])
    assert result.exit_code == 1 and "5/6 cases as expected" in result.output


def test_keygen_prints_key_once_and_stores_only_hash(tmp_path: Path) -> None:
    result = CliRunner().invoke(app(), ["policy", "keygen", "reports", "--subject", "svc"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    key = lines[0].split(": ", 1)[1].strip()
    entry_text = "\n".join(lines[2:])
    assert key not in entry_text
    path = tmp_path / "keys.yaml"
    path.write_text(entry_text)
    records = load_key_file(path)
    assert records.by_id["reports"].subject == "svc"


def test_shipped_example_cases_pass() -> None:
    cases = EXAMPLE.with_name("policy-cases.yaml")
    count = len(yaml.safe_load(cases.read_text())["cases"])
    assert count >= 12
    result = CliRunner().invoke(app(), ["policy", "test", str(EXAMPLE), "--cases", str(cases)])
    assert result.exit_code == 0, result.output
    assert f"{count}/{count} cases as expected" in result.output
