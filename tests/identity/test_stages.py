"""authn + authz stages in a real Pipeline: 401 only where auth is required, deny by default,
API keys (hashed, revoked, expired), mTLS pre-set identity, hot reload, forwarded headers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from identity_helpers import HS_SECRET, make_request

from apiward.core import Action, Category, Context, Identity, Mode
from apiward.errors import ConfigError
from apiward.identity import forwarding
from apiward.identity.apikeys import generate_key, hash_key, hash_low_entropy_key
from apiward.identity.stages import build_identity_stages
from apiward.pipeline import Pipeline
from apiward.settings import ApiKeySettings, IdentitySettings, JwtSettings, MtlsSettings

POLICY = """\
version: 1
routes:
  - {route: /login, methods: [POST], auth: none}
  - {route: /products, methods: [GET], auth: optional}
  - route: /users/{user_id}
    methods: [GET]
    when: path.user_id == identity.sub or "admin" in identity.roles
  - route: /reports
    scopes: [reports:read]
"""


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Any]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    good, revoked, expired = generate_key("svc"), generate_key("old"), generate_key("exp")
    keys = tmp_path / "keys.yaml"
    keys.write_text(
        "keys:\n"
        f"  - {{id: svc, hash: '{hash_key(good)}', subject: svc-reports, scopes: [reports:read], tenant: t1}}\n"
        f"  - {{id: old, hash: '{hash_key(revoked)}', subject: svc-old, revoked: true}}\n"
        f"  - {{id: exp, hash: '{hash_key(expired)}', subject: svc-exp, expires: 2001-01-01T00:00:00Z}}\n"
        f"  - {{id: human, hash: '{hash_low_entropy_key('hunter2', n=2**10)}', subject: legacy}}\n"
    )
    return {"policy": policy, "keys": keys, "good": good, "revoked": revoked, "expired": expired}


def pipeline(files: dict[str, Any], mode: Mode = Mode.BLOCK, **kw: Any) -> Pipeline:
    settings = IdentitySettings(
        enabled=True,
        policy=files["policy"],
        jwt=JwtSettings(algorithms=("HS256",), hs_secret=HS_SECRET.decode(), audience=("shop",)),
        api_keys=ApiKeySettings(file=files["keys"]),
        reload_interval=0.01,
        **kw,
    )
    authn, authz = build_identity_stages(settings)
    assert authz is not None
    return Pipeline([authn, authz], mode=mode)


def token(sub: str = "7", roles: tuple[str, ...] = ("customer",), **extra: Any) -> str:
    now = int(time.time())
    claims = {"sub": sub, "roles": list(roles), "aud": "shop", "iat": now, "exp": now + 60, **extra}
    return jwt.encode(claims, HS_SECRET, algorithm="HS256")


def bearer(tok: str) -> dict[str, str]:
    return {"authorization": f"Bearer {tok}"}


def run(p: Pipeline, method: str, target: str, headers: dict[str, str] | None = None,
        ctx: Context | None = None) -> tuple[Any, Context]:
    ctx = ctx or Context("req-1")
    verdict = asyncio.run(p.inspect(make_request(method, target, headers), ctx))
    return verdict, ctx


def test_truth_table(files: dict[str, Any]) -> None:
    p = pipeline(files)
    expired = token(exp=int(time.time()) - 3600)
    cases = [
        ("POST", "/login", None, 200, None),
        ("POST", "/login", bearer("garbage"), 200, None),  # bad token on a public route: logged only
        ("GET", "/products", None, 200, None),
        ("GET", "/products", bearer(expired), 200, None),
        ("GET", "/users/7", bearer(token()), 200, None),
        ("GET", "/users/8", bearer(token()), 403, "authz.condition"),
        ("GET", "/users/8", bearer(token("1", ("admin",))), 200, None),
        ("GET", "/users/7", None, 401, "authn.missing"),
        ("GET", "/users/7", bearer(expired), 401, "authn.expired"),
        ("GET", "/users/7", bearer("a.b.c"), 401, "authn.malformed"),
        ("GET", "/users/7", {"authorization": "Basic dXNlcjpwYXNz"}, 401, "authn.missing"),
        ("GET", "/users/7", bearer(token(aud="other")), 401, "authn.bad_audience"),
        ("GET", "/nowhere", bearer(token()), 403, "authz.no-rule"),
        ("DELETE", "/users/7", bearer(token()), 403, "authz.no-rule"),
        ("GET", "/reports", {"x-api-key": files["good"]}, 200, None),
        ("GET", "/reports", bearer(token()), 403, "authz.scope"),
        ("GET", "/reports", {"x-api-key": files["revoked"]}, 401, "authn.revoked"),
        ("GET", "/reports", {"x-api-key": files["expired"]}, 401, "authn.expired"),
        ("GET", "/reports", {"x-api-key": "awk_svc_guessed"}, 401, "authn.unknown_key"),
    ]
    for method, target, headers, status, rule in cases:
        verdict, ctx = run(p, method, target, headers)
        got = verdict.status if verdict.interrupts else 200
        assert got == status, (method, target, headers, verdict)
        if rule is not None:
            assert verdict.cause is not None and verdict.cause.rule == rule, (target, verdict.cause)
        if status == 401:
            assert verdict.cause.category is Category.AUTHN
            assert "Bearer" in ctx.tags[forwarding.TAG_WWW_AUTHENTICATE]
    assert len(cases) == 19


def test_identity_and_route_are_set_for_later_stages(files: dict[str, Any]) -> None:
    verdict, ctx = run(pipeline(files), "GET", "/users/7", bearer(token()))
    assert not verdict.interrupts
    assert ctx.identity is not None and ctx.identity.subject == "7" and ctx.identity.roles == {"customer"}
    assert ctx.route == "/users/{user_id}" and ctx.path_params == {"user_id": "7"}
    assert ctx.client_key == "jwt:7" and ctx.tags["authn"] == "ok"


def test_low_entropy_api_key_with_scrypt(files: dict[str, Any]) -> None:
    p = pipeline(files)
    policy = files["policy"]
    policy.write_text(POLICY + "  - {route: /legacy, methods: [GET]}\n")
    os.utime(policy, (time.time() + 5, time.time() + 5))

    async def scenario() -> list[Any]:
        out = []
        await p.stages[1]._policy.check()
        for key in ("human.hunter2", "human.hunter2", "human.wrong"):
            out.append(await p.inspect(make_request("GET", "/legacy", {"x-api-key": key}), Context("r")))
        return out

    ok, cached, bad = asyncio.run(scenario())
    assert not ok.interrupts and not cached.interrupts
    assert bad.interrupts and bad.cause.rule == "authn.unknown_key"


def test_monitor_mode_reports_without_blocking(files: dict[str, Any]) -> None:
    verdict, _ = run(pipeline(files, mode=Mode.MONITOR), "GET", "/users/7")
    assert verdict.action is Action.BLOCK and not verdict.enforced and not verdict.interrupts
    assert [f.rule for f in verdict.findings] == ["authn.missing"]  # authz does not repeat it


def test_enforce_off_logs_unknown_routes(files: dict[str, Any]) -> None:
    verdict, _ = run(pipeline(files, enforce=False), "GET", "/nowhere", bearer(token()))
    assert verdict.action is Action.LOG and verdict.findings[0].rule == "authz.no-rule"


def test_mtls_identity_is_accepted_only_when_enabled(files: dict[str, Any]) -> None:
    ident = Identity("device-42", "mtls", key_id="abcd")
    verdict, ctx = run(pipeline(files, mtls=MtlsSettings(enabled=True)), "GET", "/users/device-42",
                       ctx=Context("r", identity=ident))
    assert not verdict.interrupts and ctx.identity == ident
    verdict, ctx = run(pipeline(files), "GET", "/users/device-42", ctx=Context("r", identity=ident))
    assert verdict.interrupts and verdict.status == 401 and ctx.identity is None
    forged = Identity("admin", "jwt", roles=frozenset({"admin"}))
    verdict, ctx = run(pipeline(files, mtls=MtlsSettings(enabled=True)), "GET", "/users/1",
                       ctx=Context("r", identity=forged))
    assert verdict.status == 401 and ctx.identity is None  # only mTLS may be pre-set


def test_policy_hot_reload_keeps_old_version_on_error(files: dict[str, Any]) -> None:
    p = pipeline(files)
    authz = p.stages[1]
    holder = authz._policy

    async def scenario() -> None:
        assert (await p.inspect(make_request("GET", "/new", bearer(token())), Context("r"))).status == 403
        files["policy"].write_text(POLICY + "  - {route: /new, methods: [GET]}\n")
        os.utime(files["policy"], (time.time() + 10, time.time() + 10))
        assert await holder.check() is True
        assert not (await p.inspect(make_request("GET", "/new", bearer(token())), Context("r"))).interrupts
        files["policy"].write_text("routes:\n  - route: nope\n")
        os.utime(files["policy"], (time.time() + 20, time.time() + 20))
        assert await holder.check() is False
        assert holder.errors == 1 and "routes[0].route" in holder.last_error
        assert not (await p.inspect(make_request("GET", "/new", bearer(token())), Context("r"))).interrupts

    asyncio.run(scenario())


def test_bad_files_fail_at_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("routes:\n  - route: /x\n    when: path.a ==\n")
    with pytest.raises(ConfigError, match=r"p.yaml:3:11 \(routes\[0\].when\)"):
        build_identity_stages(IdentitySettings(enabled=True, policy=bad))
    keys = tmp_path / "k.yaml"
    keys.write_text("keys:\n  - {id: a, hash: 'md5:abc', subject: s}\n")
    with pytest.raises(ConfigError, match=r"keys\[0\].hash"):
        build_identity_stages(IdentitySettings(enabled=True, api_keys=ApiKeySettings(file=keys)))


def test_forwarded_headers_and_reserved_stripping() -> None:
    ctx = Context("rid-1", identity=Identity("7", "jwt", roles=frozenset({"b", "a"}), tenant="acme\r\nX: y"))
    headers = forwarding.upstream_headers(ctx, secret=b"k", now=1_700_000_000)
    names = [n for n, _ in headers]
    assert names[:3] == ["x-apiward-subject", "x-apiward-auth-method", "x-apiward-roles"]
    values = dict(headers)
    assert values["x-apiward-roles"] == "a,b" and values["x-apiward-tenant"] == "acmeX: y"
    signed = [h for h in headers if h[0] != forwarding.SIGNATURE_HEADER]
    stamp, sig = values[forwarding.SIGNATURE_HEADER].split(",")
    message = "1700000000\n" + "\n".join(f"{n}:{v}" for n, v in signed)
    assert sig == "v1=" + hmac.new(b"k", message.encode(), hashlib.sha256).hexdigest()
    assert forwarding.upstream_headers(Context("r")) == []
    client = [("X-Apiward-Subject", "admin"), ("accept", "*/*"), ("x-apiward-roles", "admin")]
    assert forwarding.strip_reserved(client) == [("accept", "*/*")]
    ctx.tags.update({forwarding.TAG_RATELIMIT_POLICY: '"ip";q=10;w=60', forwarding.TAG_RETRY_AFTER: "3"})
    assert dict(forwarding.response_headers(ctx)) == {"RateLimit-Policy": '"ip";q=10;w=60', "Retry-After": "3"}


def test_example_config_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    from apiward.gateway.stack import build_pipeline
    from apiward.settings import load_settings

    examples = Path(__file__).resolve().parents[2] / "src/apiward/identity/examples"
    monkeypatch.chdir(examples)
    monkeypatch.setenv("APIWARD_JWT_SECRET", HS_SECRET.decode())
    p = build_pipeline(load_settings(Path("apiward.yaml"), {"detection": {"enabled": False}}))
    assert [s.name for s in p.stages][:4] == ["authn", "authz", "behaviour", "ratelimit"]
    shop_token = jwt.encode({"sub": "alice", "uid": 1, "role": "customer", "aud": "shop",
                             "iat": int(time.time()), "exp": int(time.time()) + 60}, HS_SECRET, algorithm="HS256")

    async def scenario() -> None:
        own = await p.inspect(make_request("GET", "/api/users/1", bearer(shop_token)), Context("r"))
        other = await p.inspect(make_request("GET", "/api/users/2", bearer(shop_token)), Context("r"))
        key = await p.inspect(make_request("GET", "/api/users", {"x-api-key": "awk_reporting_example-not-a-secret"}),
                              Context("r"))
        assert not own.interrupts and other.status == 403 and not key.interrupts

    asyncio.run(scenario())
    assert json.dumps([s.name for s in p.stages])


def test_demo_settings_protect_the_shop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo shop's own tokens pass the gateway's JWT + policy; other users' records do not."""
    import httpx

    from apiward.demo.shop import create_shop_app
    from apiward.gateway.stack import build_pipeline
    from apiward.identity.demo import JWT_SECRET_ENV, demo_settings
    from apiward.settings import build_settings

    monkeypatch.setenv(JWT_SECRET_ENV, HS_SECRET.decode())
    pipe = build_pipeline(build_settings({**demo_settings(), "detection": {"enabled": False}}))
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=create_shop_app(secret=HS_SECRET))
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as shop:
            answer = await shop.post("/api/login", json={"username": "alice", "password": "wonderland"})
        shop_token = answer.json()["access_token"]
        cases = [
            ("GET", "/api/users/1", bearer(shop_token), False),
            ("GET", "/api/users/2", bearer(shop_token), True),  # alice reading bob: 403 at the gateway
            ("GET", "/api/me", None, True),
            ("GET", "/api/orders", bearer(shop_token), False),
            ("GET", "/api/products", None, False),
            ("GET", "/api/users", bearer(shop_token), True),  # admin only
            ("DELETE", "/api/orders/1", bearer(shop_token), True),  # not in the policy
        ]
        for method, target, headers, blocked in cases:
            verdict = await pipe.inspect(make_request(method, target, headers), Context("r"))
            assert verdict.interrupts is blocked, (method, target, verdict)

    asyncio.run(scenario())


def test_spec_route_with_other_parameter_names(files: dict[str, Any]) -> None:
    """The spec stage set ctx.route/path_params with its own names; the policy uses its own."""
    p = pipeline(files)
    for sub, blocked in (("7", False), ("8", True)):
        ctx = Context("r", route="/users/{id}", path_params={"id": "7"})
        verdict = asyncio.run(p.inspect(make_request("GET", "/users/7", bearer(token(sub))), ctx))
        assert verdict.interrupts is blocked, (sub, verdict)
        assert ctx.route == "/users/{id}"  # the spec's template is kept
