"""What the gateway adds to and removes from messages on behalf of identity and rate limiting.

The gateway MUST, for every proxied request:

1. drop every client-supplied request header named ``x-apiward-*`` (`is_reserved`) -- whatever
   the client sends there is a forgery attempt; then
2. append ``upstream_headers(ctx, secret)`` (subject, method, roles, scopes, tenant, key id, and,
   when ``identity.forward_secret`` is set, an HMAC-SHA256 signature the upstream can verify).

and for every answer (passed-through or produced by apiward):

3. append ``response_headers(ctx)`` -- ``RateLimit-Policy`` / ``RateLimit`` (IETF
   draft-ietf-httpapi-ratelimit-headers structured fields), ``Retry-After`` on 429/503 from a limiter,
   and ``WWW-Authenticate`` on 401s from the authn stage.

The values come from ``ctx.identity`` and ``ctx.tags`` (keys in `TAG_*`), set by the stages.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

from apiward.core import Context

RESERVED_PREFIX = "x-apiward-"
SIGNATURE_HEADER = "x-apiward-identity-signature"

TAG_RATELIMIT_POLICY = "ratelimit.policy"
TAG_RATELIMIT = "ratelimit"
TAG_RETRY_AFTER = "ratelimit.retry_after"
TAG_WWW_AUTHENTICATE = "authn.www_authenticate"


def is_reserved(name: str) -> bool:
    return name.lower().startswith(RESERVED_PREFIX)


def strip_reserved(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n, v) for n, v in headers if not is_reserved(n)]


def _clean(value: str) -> str:
    # Header values we emit never carry CR/LF or other controls.
    return "".join(ch for ch in value if ch >= " " and ch != "\x7f")[:512]


def upstream_headers(
    ctx: Context, secret: bytes | None = None, now: float | None = None
) -> list[tuple[str, str]]:
    """Trusted identity headers for the upstream ([] when the request is anonymous)."""
    ident = ctx.identity
    if ident is None:
        return []
    fields = [
        ("x-apiward-subject", _clean(ident.subject)),
        ("x-apiward-auth-method", ident.method),
        ("x-apiward-roles", _clean(",".join(sorted(ident.roles)))),
        ("x-apiward-scopes", _clean(" ".join(sorted(ident.scopes)))),
        ("x-apiward-tenant", _clean(ident.tenant or "")),
        ("x-apiward-key-id", _clean(ident.key_id or "")),
        ("x-apiward-request-id", _clean(ctx.request_id)),
    ]
    out = [(n, v) for n, v in fields if v]
    if secret:
        stamp = str(int(now if now is not None else time.time()))
        out.append((SIGNATURE_HEADER, f"t={stamp},v1={sign(out, stamp, secret)}"))
    return out


def sign(headers: list[tuple[str, str]], stamp: str, secret: bytes) -> str:
    """HMAC-SHA256 over ``stamp`` and the headers, one ``name:value`` per line, in order given.
    The upstream recomputes it over the x-apiward-* headers it received (minus the signature)."""
    message = stamp + "\n" + "\n".join(f"{n}:{v}" for n, v in headers)
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def response_headers(ctx: Context) -> list[tuple[str, str]]:
    tags = ctx.tags
    out: list[tuple[str, str]] = []
    if TAG_RATELIMIT_POLICY in tags:
        out.append(("RateLimit-Policy", tags[TAG_RATELIMIT_POLICY]))
    if TAG_RATELIMIT in tags:
        out.append(("RateLimit", tags[TAG_RATELIMIT]))
    if TAG_RETRY_AFTER in tags:
        out.append(("Retry-After", tags[TAG_RETRY_AFTER]))
    if TAG_WWW_AUTHENTICATE in tags:
        out.append(("WWW-Authenticate", tags[TAG_WWW_AUTHENTICATE]))
    return out
