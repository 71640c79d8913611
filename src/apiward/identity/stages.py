"""Builds the identity stages from settings (called by gateway/stack.build_pipeline)."""

from __future__ import annotations

from apiward.identity.apikeys import ApiKeyVerifier, load_key_file
from apiward.identity.authn import AuthnStage
from apiward.identity.authz import AuthzStage
from apiward.identity.policy import Policy, load_policy
from apiward.identity.reloading import ReloadingFile
from apiward.identity.tokens import JwtVerifier
from apiward.settings import IdentitySettings


def build_identity_stages(settings: IdentitySettings) -> tuple[AuthnStage, AuthzStage | None]:
    """Validates everything now (bad policy / key file / JWKS file -> ConfigError at start-up)."""
    policy: ReloadingFile[Policy] | None = None
    if settings.policy is not None:
        policy = ReloadingFile(settings.policy, load_policy, settings.reload_interval)
    keys: ReloadingFile[ApiKeyVerifier] | None = None
    if settings.api_keys.file is not None:
        keys = ReloadingFile(
            settings.api_keys.file,
            lambda p: ApiKeyVerifier(load_key_file(p)),
            settings.reload_interval,
        )
    jwt = JwtVerifier(settings.jwt) if settings.jwt.configured else None
    authn = AuthnStage(settings, policy=policy, jwt=jwt, api_keys=keys)
    authz = AuthzStage(policy, enforce=settings.enforce) if policy is not None else None
    return authn, authz
