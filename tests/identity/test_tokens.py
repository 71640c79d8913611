"""JWT verification: forged, expired, malformed, oversized tokens, alg confusion, clock skew."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from identity_helpers import HS_SECRET, ServerThread, jwk_of, pem_public
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apiward.identity.jwks import JwksCache
from apiward.identity.tokens import JwtVerifier
from apiward.settings import JwtSettings


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture()
def jwks_file(tmp_path: Path, rsa_key: Any, ec_key: Any) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk_of(rsa_key, "r1", "RS256"), jwk_of(ec_key, "e1")]}))
    return path


def verifier(jwks_file: Path | None = None, **kw: Any) -> JwtVerifier:
    settings = JwtSettings(
        algorithms=kw.pop("algorithms", ("RS256", "ES256", "HS256")),
        jwks_file=jwks_file,
        hs_secret=HS_SECRET.decode(),
        **kw,
    )
    return JwtVerifier(settings)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_rs256_es256_hs256(jwks_file: Path, rsa_key: Any, ec_key: Any, claims: Any) -> None:
    v = verifier(jwks_file)
    for key, alg, kid in ((rsa_key, "RS256", "r1"), (ec_key, "ES256", "e1"), (HS_SECRET, "HS256", None)):
        token = jwt.encode(claims(), key, algorithm=alg, headers={"kid": kid} if kid else None)
        result = run(v.verify(token))
        assert result.error == "", (alg, result)
        ident = result.identity
        assert ident is not None and ident.subject == "alice" and ident.method == "jwt"
        assert ident.roles == {"customer"} and ident.scopes == {"orders:read"} and ident.tenant == "acme"
        assert ("uid", 1) in ident.claims


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "malformed"),
        ("abc", "malformed"),
        ("a.b", "malformed"),
        ("a.b.c.d", "malformed"),
        ("!!!.###.$$$", "malformed"),
        ("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "bad_signature"),  # signature checked first
        ("ééé.b.c", "malformed"),
    ],
)
def test_malformed_tokens(jwks_file: Path, token: str, reason: str) -> None:
    assert run(verifier(jwks_file).verify(token)).error == reason


def test_oversized_token_refused_before_parsing(jwks_file: Path, claims: Any) -> None:
    token = jwt.encode(claims(pad="x" * 10_000), HS_SECRET, algorithm="HS256")
    result = run(verifier(jwks_file).verify(token))
    assert result.error == "oversized" and result.identity is None


def test_alg_none_is_refused_even_when_unsigned(jwks_file: Path, claims: Any) -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims()).encode())
    for token in (f"{header}.{payload}.", f"{header}.{payload}.AAAA"):
        assert run(verifier(jwks_file).verify(token)).error == "alg_not_allowed"
    for alg in ("None", "NONE", "nOnE"):
        h = b64(json.dumps({"alg": alg}).encode())
        assert run(verifier(jwks_file).verify(f"{h}.{payload}.")).error == "alg_not_allowed"


def test_none_cannot_be_configured() -> None:
    with pytest.raises(ValueError):
        JwtSettings(algorithms=("none",))


def test_weak_or_masked_hs_secrets_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from apiward.errors import ConfigError

    with pytest.raises(ValueError, match="32 bytes"):
        JwtSettings(algorithms=("HS256",), hs_secret="short")
    with pytest.raises(ValueError, match="masked"):
        JwtSettings(algorithms=("HS256",), hs_secret="**********")
    monkeypatch.setenv("APIWARD_JWT_SECRET", "short")
    with pytest.raises(ConfigError, match="32 bytes"):
        JwtVerifier(JwtSettings(algorithms=("HS256",)))


def test_hs_rs_confusion_refused(jwks_file: Path, rsa_key: Any, claims: Any) -> None:
    """The classic attack: sign HS256 with the RSA public key as the HMAC secret."""
    public_pem = pem_public(rsa_key)
    header = b64(json.dumps({"alg": "HS256", "kid": "r1", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims(sub="attacker", roles=["admin"])).encode())
    import hashlib
    import hmac

    sig = b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    forged = f"{header}.{payload}.{sig}"
    # HS is allowed here but only with the configured shared secret: the signature fails.
    assert run(verifier(jwks_file).verify(forged)).error == "bad_signature"
    # With only RS256 allowed, HS256 is refused outright.
    assert run(verifier(jwks_file, algorithms=("RS256",)).verify(forged)).error == "alg_not_allowed"


def test_rs_token_with_ec_kid_refused(jwks_file: Path, rsa_key: Any, claims: Any) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "e1"})
    assert run(verifier(jwks_file).verify(token)).error == "alg_not_allowed"


def test_declared_jwk_alg_is_pinned(jwks_file: Path, rsa_key: Any, claims: Any) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="PS256", headers={"kid": "r1"})
    v = verifier(jwks_file, algorithms=("RS256", "PS256"))
    assert run(v.verify(token)).error == "alg_not_allowed"  # key r1 declares RS256


def test_forged_signature_and_tampered_payload(jwks_file: Path, rsa_key: Any, claims: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(), other, algorithm="RS256", headers={"kid": "r1"})
    assert run(verifier(jwks_file).verify(forged)).error == "bad_signature"
    good = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "r1"})
    h, p, s = good.split(".")
    tampered = b64(json.dumps(claims(sub="root", roles=["admin"])).encode())
    assert run(verifier(jwks_file).verify(f"{h}.{tampered}.{s}")).error == "bad_signature"


def test_unknown_kid(jwks_file: Path, rsa_key: Any, claims: Any) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "nope"})
    assert run(verifier(jwks_file).verify(token)).error == "unknown_kid"


@pytest.mark.parametrize(
    ("offsets", "reason"),
    [
        ({"exp": -10}, ""),  # expired 10 s ago: inside the 30 s skew
        ({"exp": -120}, "expired"),
        ({"nbf": 20}, ""),  # not valid for 20 s: inside the skew
        ({"nbf": 120}, "not_yet_valid"),
        ({"iat": 20}, ""),
        ({"iat": 600}, "not_yet_valid"),  # issued in the future (client clock far ahead)
    ],
)
def test_clock_skew(jwks_file: Path, claims: Any, offsets: dict[str, int], reason: str) -> None:
    now = int(time.time())
    values = {k: now + v for k, v in offsets.items()}
    token = jwt.encode(claims(**values), HS_SECRET, algorithm="HS256")
    assert run(verifier(jwks_file, leeway=30).verify(token)).error == reason


def test_required_claims_issuer_audience_max_age(jwks_file: Path, claims: Any) -> None:
    v = verifier(jwks_file, issuer="https://idp.example", audience=("shop",), max_age=60)
    ok = jwt.encode(claims(iss="https://idp.example", aud="shop"), HS_SECRET, algorithm="HS256")
    assert run(v.verify(ok)).error == ""
    cases = {
        "bad_issuer": claims(iss="https://evil.example", aud="shop"),
        "bad_audience": claims(iss="https://idp.example", aud="other"),
        "missing_claim": claims(iss="https://idp.example", aud="shop", exp=None),
        "expired": claims(iss="https://idp.example", aud="shop", iat=int(time.time()) - 3600),
    }
    for reason, payload in cases.items():
        token = jwt.encode(payload, HS_SECRET, algorithm="HS256")
        assert run(v.verify(token)).error == reason, reason
    no_aud = jwt.encode(claims(iss="https://idp.example"), HS_SECRET, algorithm="HS256")
    assert run(v.verify(no_aud)).error == "missing_claim"


# -- JWKS from a URL ----------------------------------------------------------------------
class JwksServer:
    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.up = True
        self.hits = 0

        async def jwks(request: Request) -> Response:
            self.hits += 1
            if not self.up:
                return Response("down", status_code=503)
            return JSONResponse({"keys": self.keys})

        self.app = Starlette(routes=[Route("/jwks.json", jwks)])


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_jwks_url_cache_rotation_and_outage(rsa_key: Any, claims: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = JwksServer([jwk_of(rsa_key, "k1")])
    clock = FakeClock()

    async def scenario(url: str) -> None:
        cache = JwksCache(url=url, ttl=60, min_refresh=10, max_stale=3600, clock=clock)
        v = JwtVerifier(JwtSettings(algorithms=("RS256",), jwks_url=url), jwks=cache)
        t1 = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
        assert (await v.verify(t1)).error == ""
        assert server.hits == 1
        assert (await v.verify(t1)).error == ""
        assert server.hits == 1  # cached

        # Rotation: a token with a new kid triggers one refresh.
        server.keys = [jwk_of(rsa_key, "k1"), jwk_of(new_key, "k2")]
        clock.now += 11
        t2 = jwt.encode(claims(), new_key, algorithm="RS256", headers={"kid": "k2"})
        assert (await v.verify(t2)).error == ""
        assert server.hits == 2
        # Unknown kids are rate limited: no fetch storm.
        bogus = jwt.encode(claims(), new_key, algorithm="RS256", headers={"kid": "zz"})
        for _ in range(20):
            assert (await v.verify(bogus)).error == "unknown_kid"
        assert server.hits == 2

        # Outage: the endpoint fails; cached keys keep working within their lifetime.
        server.up = False
        clock.now += 120  # past the TTL -> background refresh, which fails
        assert (await v.verify(t1)).error == ""
        await asyncio.sleep(0)
        if cache._background is not None:
            await cache._background
        assert cache.status == "stale" and cache.failures >= 1
        result = await v.verify(t2)
        assert result.error == "" and result.stale_keys
        # Beyond max_stale the keys are no longer trusted.
        clock.now += 3600
        assert (await v.verify(t1)).error == "jwks_unavailable"
        # Recovery.
        server.up = True
        clock.now += 11
        assert (await v.verify(t1)).error == ""
        assert cache.status == "fresh"

    with ServerThread(server.app) as srv:
        asyncio.run(scenario(srv.url + "/jwks.json"))


def test_jwks_endpoint_never_reachable(claims: Any, rsa_key: Any) -> None:
    with ServerThread(Starlette()) as srv:
        url = srv.url + "/jwks.json"  # 404
    v = JwtVerifier(JwtSettings(algorithms=("RS256",), jwks_url=url, jwks_timeout=0.5))
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
    result = run(v.verify(token))
    assert result.error == "jwks_unavailable" and result.identity is None


def test_jwks_concurrent_first_use_fetches_once_and_outage_is_not_hammered(rsa_key: Any, claims: Any) -> None:
    server = JwksServer([jwk_of(rsa_key, "k1")])
    clock = FakeClock()

    async def scenario(url: str) -> None:
        cache = JwksCache(url=url, ttl=60, min_refresh=30, max_stale=3600, clock=clock)
        v = JwtVerifier(JwtSettings(algorithms=("RS256",), jwks_url=url), jwks=cache)
        token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
        results = await asyncio.gather(*(v.verify(token) for _ in range(20)))
        assert all(r.error == "" for r in results)
        assert server.hits == 1
        server.up = False
        clock.now += 4000  # keys past their lifetime, endpoint down
        results = [await v.verify(token) for _ in range(50)]
        assert {r.error for r in results} == {"jwks_unavailable"}
        assert server.hits == 2  # one attempt, not fifty

    with ServerThread(server.app) as srv:
        asyncio.run(scenario(srv.url + "/jwks.json"))
