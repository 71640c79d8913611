"""The ``authn`` stage (phase IDENTIFY): credentials -> ``ctx.identity``.

Order: a pre-set mTLS identity (from `mtls.MtlsIdentifier`, set by the gateway), then a bearer
JWT (``Authorization: Bearer`` or the configured cookie), then an API key header. A presented
credential that fails is never skipped in favour of another one.

Whether a failure blocks depends on the route: the policy (matched on the raw path with its own
templates, since the spec stage runs later) says ``auth: required|optional|none``. Required:
missing or bad credentials -> BLOCK 401 (category AUTHN). Optional / none: a bad credential is
logged and the request goes on anonymous.
"""

from __future__ import annotations

from collections.abc import Sequence

from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.identity.apikeys import ApiKeyVerifier
from apiward.identity.forwarding import TAG_WWW_AUTHENTICATE
from apiward.identity.policy import AuthMode, Policy
from apiward.identity.reloading import ReloadingFile
from apiward.identity.tokens import AuthResult, JwtVerifier
from apiward.pipeline import Phase
from apiward.settings import IdentitySettings

TAG_AUTHN = "authn"  # ok | missing | failed:<reason> | anonymous
TAG_SUBJECT = "identity.subject"
TAG_METHOD = "identity.method"
TAG_JWKS = "authn.jwks"


class AuthnStage:
    name = "authn"
    phase = Phase.IDENTIFY

    def __init__(
        self,
        settings: IdentitySettings,
        *,
        policy: ReloadingFile[Policy] | Policy | None = None,
        jwt: JwtVerifier | None = None,
        api_keys: ApiKeyVerifier | ReloadingFile[ApiKeyVerifier] | None = None,
    ) -> None:
        self._s = settings
        self._policy = policy
        self._jwt = jwt
        self._keys = api_keys
        self._cookie = settings.jwt.cookie
        self._key_header = settings.api_keys.header.lower()
        self.failures: dict[str, int] = {}  # reason -> count (metrics)

    def stats(self) -> dict[str, float]:
        """Counters for the gateway's metrics: failures by reason, JWKS health, reload errors."""
        out = {f"failures.{reason}": float(n) for reason, n in self.failures.items()}
        jwks = self._jwt.jwks if self._jwt is not None else None
        if jwks is not None:
            out["jwks_fetch_failures"] = float(jwks.failures)
            out["jwks_refreshes"] = float(jwks.refreshes)
            out["jwks_stale"] = 1.0 if jwks.status == "stale" else 0.0
        for name, holder in (("policy", self._policy), ("api_keys", self._keys)):
            if isinstance(holder, ReloadingFile):
                out[f"{name}_reloads"] = float(holder.reloads)
                out[f"{name}_reload_errors"] = float(holder.errors)
        return out

    def _auth_mode(self, request: RequestView) -> AuthMode:
        policy = self._policy
        if isinstance(policy, ReloadingFile):
            policy.poll()
            policy = policy.value
        if policy is None:
            return AuthMode.REQUIRED if self._s.require_auth else AuthMode.OPTIONAL
        return policy.auth_for(request.method, request.path)

    def _bearer(self, request: RequestView) -> str | None:
        value = request.header("authorization")
        if value is not None:
            scheme, _, token = value.strip().partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
        if self._cookie:
            return request.cookies.get(self._cookie)
        return None

    async def _authenticate(self, request: RequestView, ctx: Context) -> AuthResult | None:
        if ctx.identity is not None:
            if ctx.identity.method == "mtls" and self._s.mtls.enabled:
                return AuthResult(ctx.identity)
            ctx.identity = None  # nothing but mTLS may be pre-set
        token = self._bearer(request)
        if token is not None:
            if self._jwt is None:
                return AuthResult(None, "jwt_not_configured")
            return await self._jwt.verify(token)
        key = request.header(self._key_header)
        if key is not None:
            verifier = self._keys
            if isinstance(verifier, ReloadingFile):
                verifier.poll()
                verifier = verifier.value
            if verifier is None:
                return AuthResult(None, "api_keys_not_configured")
            return await verifier.verify(key.strip())
        return None

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        mode = self._auth_mode(request)
        result = await self._authenticate(request, ctx)
        findings: list[Finding] = []
        if result is not None and result.identity is not None:
            ident = result.identity
            ctx.identity = ident
            ctx.client_key = f"{ident.method}:{ident.subject}"
            ctx.tags[TAG_AUTHN] = "ok"
            ctx.tags[TAG_SUBJECT] = ident.subject
            ctx.tags[TAG_METHOD] = ident.method
            if result.stale_keys:
                ctx.tags[TAG_JWKS] = "stale"
                findings.append(
                    Finding(
                        stage=self.name,
                        category=Category.AUTHN,
                        location="header.authorization",
                        score=0.0,
                        evidence="verified with cached JWKS keys; the JWKS endpoint is failing",
                        rule="authn.jwks-stale",
                        action=Action.LOG,
                    )
                )
            return findings
        if result is None:
            ctx.tags[TAG_AUTHN] = "missing" if mode is AuthMode.REQUIRED else "anonymous"
            if mode is not AuthMode.REQUIRED:
                return findings
            reason, detail, location = "missing", "no credentials", "header.authorization"
        else:
            reason, detail = result.error, result.detail
            location = "header.authorization" if self._bearer(request) is not None else (
                f"header.{self._key_header}"
            )
            ctx.tags[TAG_AUTHN] = f"failed:{reason}"
        self.failures[reason] = self.failures.get(reason, 0) + 1
        required = mode is AuthMode.REQUIRED
        if required:
            ctx.tags[TAG_WWW_AUTHENTICATE] = (
                'Bearer realm="apiward"' if reason == "missing" else
                f'Bearer realm="apiward", error="invalid_token", error_description="{reason}"'
            )
        findings.append(
            Finding(
                stage=self.name,
                category=Category.AUTHN,
                location=location,
                score=1.0 if required else 0.3,
                evidence=f"{reason}: {detail}"[:160],
                rule=f"authn.{reason}",
                action=Action.BLOCK if required else Action.LOG,
                status=401 if required else None,
            )
        )
        return findings
