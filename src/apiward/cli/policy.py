"""`apiward policy`: check a policy file, test requests against it offline, make API keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from apiward.core import Identity
from apiward.errors import ConfigError
from apiward.identity.apikeys import generate_key, hash_key, hash_low_entropy_key
from apiward.identity.condition import RequestEnv
from apiward.identity.policy import Policy, evaluate, load_policy

policy_app = typer.Typer(help="Authorization policies and API keys.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")


def _load(path: Path, err: Console) -> Policy:
    try:
        return load_policy(path)
    except ConfigError as exc:
        err.print(f"[red]error[/red] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from exc


def _identity(data: Any) -> Identity | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("identity must be a mapping (sub, roles, scopes, tenant, method, key_id, claims)")
    claims = data.get("claims") or {}
    if not isinstance(claims, dict):
        raise ValueError("identity.claims must be a mapping")
    sub = data.get("sub", data.get("subject"))
    if sub is None:
        raise ValueError("identity.sub is required")
    return Identity(
        subject=str(sub),
        method=str(data.get("method", "jwt")),
        roles=frozenset(map(str, data.get("roles") or ())),
        scopes=frozenset(map(str, data.get("scopes") or ())),
        tenant=None if data.get("tenant") is None else str(data["tenant"]),
        key_id=data.get("key_id"),
        claims=tuple((str(k), v) for k, v in claims.items() if isinstance(v, (str, int, float, bool))),
    )


def decide_case(policy: Policy, request: str, identity: Identity | None,
                headers: dict[str, str] | None = None, route: str | None = None) -> tuple[str, str]:
    """('allow' | '401' | '403', explanation) for ``"METHOD /path?query"``."""
    method, _, target = request.strip().partition(" ")
    if not target.startswith("/"):
        raise ValueError(f"request must look like 'GET /path', got {request!r}")
    path, _, query = target.strip().partition("?")
    match = policy.match(method.upper(), path, route)
    if match is None:
        return "403", "no rule (deny by default)"
    params: dict[str, str] = {}
    for pair in query.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            params[key] = value
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    decision = evaluate(match.rule, identity, RequestEnv(identity, match.params, params, hdrs, method.upper(), path))
    where = f"{match.rule.name} @ {match.rule.where}"
    if decision.allowed:
        return "allow", where
    return str(decision.status), f"{decision.reason}: {where}"


def _normalise_expect(value: Any) -> str:
    text = str(value).lower()
    return {"deny": "403", "forbidden": "403", "unauthenticated": "401", "allowed": "allow", "200": "allow"}.get(
        text, text
    )


@policy_app.command("check")
def check_command(policy: Annotated[Path, typer.Argument(help="Policy YAML file.")]) -> None:
    """Validate a policy; errors name file:line:column and the key."""
    out, err = Console(), Console(stderr=True)
    loaded = _load(policy, err)
    out.print(f"ok: {len(loaded.rules)} rules, default auth {loaded.default_auth.value}")


@policy_app.command("test")
def test_command(
    policy: Annotated[Path, typer.Argument(help="Policy YAML file.")],
    request: Annotated[list[str] | None, typer.Option("--request", "-r", help="'METHOD /path?query'")] = None,
    identity: Annotated[
        str | None, typer.Option("--identity", "-i", help='JSON, e.g. {"sub":"7","roles":["customer"]}')
    ] = None,
    route: Annotated[str | None, typer.Option("--route", help="OpenAPI template, as the spec stage sets it.")] = None,
    cases: Annotated[Path | None, typer.Option("--cases", help="YAML table of cases with expectations.")] = None,
) -> None:
    """Decide requests offline. With --cases, exit 1 when any case disagrees with its `expect`."""
    out, err = Console(), Console(stderr=True)
    loaded = _load(policy, err)
    rows: list[tuple[str, str, str, str, bool]] = []
    try:
        if cases is not None:
            doc = yaml.safe_load(cases.read_text(encoding="utf-8"))
            items = doc.get("cases") if isinstance(doc, dict) else doc
            if not isinstance(items, list):
                raise ValueError("cases file must be a list (or {cases: [...]})")
            for i, case in enumerate(items):
                if not isinstance(case, dict) or "request" not in case or "expect" not in case:
                    raise ValueError(f"case {i}: needs 'request' and 'expect'")
                ident = _identity(case.get("identity"))
                got, why = decide_case(loaded, case["request"], ident, case.get("headers"), case.get("route"))
                expect = _normalise_expect(case["expect"])
                rows.append((case["request"], ident.subject if ident else "-", got, why, got == expect))
        ident = _identity(json.loads(identity)) if identity else None
        for req in request or ():
            got, why = decide_case(loaded, req, ident, None, route)
            rows.append((req, ident.subject if ident else "-", got, why, True))
    except (ValueError, OSError, yaml.YAMLError) as exc:
        err.print(f"[red]error[/red] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from exc
    if not rows:
        err.print("nothing to test: pass --request or --cases")
        raise typer.Exit(2)
    table = Table("request", "identity", "decision", "why", "ok")
    for req, sub, got, why, ok in rows:
        table.add_row(req, sub, got, why, "yes" if ok else "[red]NO[/red]")
    out.print(table)
    failed = sum(1 for r in rows if not r[4])
    if cases is not None:
        out.print(f"{len(rows) - failed}/{len(rows)} cases as expected")
    if failed:
        raise typer.Exit(1)


@policy_app.command("keygen")
def keygen_command(
    key_id: Annotated[str, typer.Argument(help="Key id (shown in events; not secret).")],
    subject: Annotated[str, typer.Option("--subject", help="Identity subject for the key.")] = "",
    secret: Annotated[
        str | None, typer.Option("--low-entropy-secret", help="Hash this human-chosen secret with scrypt.")
    ] = None,
) -> None:
    """Print a new API key (once) and the keys.yaml entry that stores only its hash."""
    out = Console()
    if secret is not None:
        key, digest = f"{key_id}.{secret}", hash_low_entropy_key(secret)
    else:
        key = generate_key(key_id)
        digest = hash_key(key)
    entry = {"id": key_id, "hash": digest, "subject": subject or key_id, "roles": [], "scopes": []}
    out.print(f"key (shown once): {key}", highlight=False, soft_wrap=True)
    out.print("keys.yaml entry:", highlight=False)
    out.print(yaml.safe_dump({"keys": [entry]}, sort_keys=False).rstrip(), highlight=False, soft_wrap=True)
