"""Per-request mutable state that stages hand to later stages: identity, matched route, tags."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Identity:
    """Who made the request, as established by authentication (JWT, API key, mTLS)."""

    subject: str
    method: str  # "jwt" | "api_key" | "mtls"
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    tenant: str | None = None
    key_id: str | None = None
    claims: tuple[tuple[str, object], ...] = ()


@dataclass(slots=True)
class Context:
    """Short-lived state of one transaction. Stages may set ``identity``, ``route`` (the OpenAPI
    path template, e.g. ``/users/{id}``), ``path_params`` and ``tags``; nothing else is shared."""

    request_id: str
    identity: Identity | None = None
    route: str | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    client_key: str = ""  # stable key for per-client state (ip, or identity when known)
    tags: dict[str, str] = field(default_factory=dict)
