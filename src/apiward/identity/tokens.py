"""JWT verification: pinned algorithms, typed keys, claims with skew, size limits.

Refused before any cryptography: tokens over ``max_token_bytes``, anything not shaped
``header.payload.signature``, ``alg`` outside the allow-list (``none`` is never on it). The key is
chosen by the algorithm family: HS* verifies only with the configured shared secret, RS*/PS*
only with RSA keys from the JWKS, ES* with EC keys, EdDSA with OKP keys -- so a public key can
never be used as an HMAC secret (HS/RS confusion).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from jwt import exceptions as jwt_errors

from apiward.core import Identity
from apiward.errors import ConfigError
from apiward.identity.jwks import JwksCache, JwksUnavailable
from apiward.settings import JwtSettings

_KTY_FOR_PREFIX = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_MAX_CLAIMS = 32
_MAX_CLAIM_CHARS = 256


@dataclass(frozen=True, slots=True)
class AuthResult:
    """Outcome of checking one credential. ``error`` is a stable machine reason
    (``expired``, ``bad_signature``, ...) and empty on success."""

    identity: Identity | None
    error: str = ""
    detail: str = ""
    stale_keys: bool = False  # verified with cached keys while the JWKS source is failing


def _fail(error: str, detail: str = "") -> AuthResult:
    return AuthResult(None, error, detail)


_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt_errors.ExpiredSignatureError, "expired"),
    (jwt_errors.ImmatureSignatureError, "not_yet_valid"),
    (jwt_errors.InvalidIssuedAtError, "bad_iat"),
    (jwt_errors.InvalidAudienceError, "bad_audience"),
    (jwt_errors.InvalidIssuerError, "bad_issuer"),
    (jwt_errors.MissingRequiredClaimError, "missing_claim"),
    (jwt_errors.InvalidSignatureError, "bad_signature"),
    (jwt_errors.InvalidAlgorithmError, "alg_not_allowed"),
    (jwt_errors.InvalidKeyError, "bad_key"),
    (jwt_errors.DecodeError, "malformed"),
    (jwt_errors.InvalidTokenError, "invalid"),
)


def _reason(exc: Exception) -> str:
    for kind, reason in _ERRORS:
        if isinstance(exc, kind):
            return reason
    return "invalid"


def _string_set(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, (list, tuple)):
        return frozenset(str(v) for v in value if isinstance(v, (str, int)))
    return frozenset()


def _scalar_claims(payload: dict[str, object]) -> tuple[tuple[str, object], ...]:
    out: list[tuple[str, object]] = []
    for key, value in payload.items():
        if len(out) >= _MAX_CLAIMS or len(key) > 64:
            continue
        if isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= _MAX_CLAIM_CHARS):
            out.append((key, value))
    return tuple(out)


class JwtVerifier:
    def __init__(self, settings: JwtSettings, jwks: JwksCache | None = None) -> None:
        self._s = settings
        self._secret = settings.secret()
        if self._secret is not None and len(self._secret) < 32:
            raise ConfigError(
                f"an HS* secret needs at least 32 bytes (RFC 7518 3.2); ${settings.hs_secret_env} is shorter",
                "identity.jwt.hs_secret_env",
            )
        self._jwks = jwks
        if jwks is None and (settings.jwks_url or settings.jwks_file):
            self._jwks = JwksCache(
                url=settings.jwks_url,
                file=settings.jwks_file,
                ttl=settings.jwks_ttl,
                min_refresh=settings.jwks_min_refresh,
                max_stale=settings.jwks_max_stale,
                timeout=settings.jwks_timeout,
            )
        self._allowed = frozenset(settings.algorithms)
        self._audience = list(settings.audience) or None
        self._options: dict[str, object] = {
            "require": list(settings.required_claims),
            "verify_aud": bool(settings.audience),
        }

    @property
    def jwks(self) -> JwksCache | None:
        return self._jwks

    async def verify(self, token: str) -> AuthResult:
        s = self._s
        if len(token) > s.max_token_bytes:
            return _fail("oversized", f"{len(token)} bytes > {s.max_token_bytes}")
        if token.count(".") != 2 or not token.isascii():
            return _fail("malformed", "not a compact JWS")
        try:
            header = jwt.get_unverified_header(token)
        except jwt_errors.InvalidTokenError:
            return _fail("malformed", "unreadable header")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._allowed or alg.lower() == "none":
            return _fail("alg_not_allowed", f"alg {str(alg)[:16]!r}")
        kid = header.get("kid")
        if kid is not None and (not isinstance(kid, str) or len(kid) > 256):
            return _fail("malformed", "bad kid")
        stale = False
        key: object
        if alg.startswith("HS"):
            if self._secret is None:
                return _fail("alg_not_allowed", "no shared secret configured for HS*")
            key = self._secret
        else:
            if self._jwks is None:
                return _fail("alg_not_allowed", "no JWKS configured for asymmetric algorithms")
            try:
                jwk = await self._jwks.key(kid)
            except JwksUnavailable as exc:
                return _fail("jwks_unavailable", str(exc))
            if jwk is None:
                return _fail("unknown_kid", f"kid {str(kid)[:64]!r}")
            if jwk.key_type != _KTY_FOR_PREFIX.get(alg[:2]) or (jwk.alg and jwk.alg != alg):
                return _fail("alg_not_allowed", f"alg {alg} does not fit key {jwk.key_type}")
            key = jwk.key
            stale = self._jwks.status == "stale"
        try:
            payload = jwt.decode(
                token,
                key,  # type: ignore[arg-type]
                algorithms=[alg],
                audience=self._audience,
                issuer=s.issuer,
                leeway=s.leeway,
                options=self._options,  # type: ignore[arg-type]
            )
        except jwt_errors.InvalidTokenError as exc:
            return _fail(_reason(exc), str(exc)[:120])
        if s.max_age is not None:
            iat = payload.get("iat")
            if not isinstance(iat, (int, float)):
                return _fail("missing_claim", "iat required by max_age")
            if time.time() - iat > s.max_age + s.leeway:
                return _fail("expired", "token older than max_age")
        sub = payload.get("sub")
        if sub is None and "sub" not in s.required_claims:
            sub = payload.get("client_id") or payload.get("azp")
        if not isinstance(sub, (str, int)) or isinstance(sub, bool) or str(sub) == "":
            return _fail("missing_claim", "sub")
        scopes = _string_set(payload.get(s.scopes_claim)) | _string_set(payload.get("scp"))
        tenant = payload.get(s.tenant_claim)
        identity = Identity(
            subject=str(sub),
            method="jwt",
            roles=_string_set(payload.get(s.roles_claim)),
            scopes=scopes,
            tenant=str(tenant) if isinstance(tenant, (str, int)) else None,
            key_id=kid if isinstance(kid, str) else None,
            claims=_scalar_claims(payload),
        )
        return AuthResult(identity, stale_keys=stale)
