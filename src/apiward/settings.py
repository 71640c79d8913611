"""Configuration: nested, frozen, validated at load; unknown keys are errors naming the key.

One section per domain. Defaults are the production defaults documented in the README; every
failure mode is a setting here (`gateway.fail_mode`, `limits.*`, `ratelimit.redis_failure`, ...).
"""

from __future__ import annotations

import ipaddress
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from apiward.core import Category, Mode
from apiward.errors import ConfigError
from apiward.pipeline import FailMode


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return value


class DecisionStyle(StrEnum):
    """The request shape the decision endpoint expects (see `apiward.gateway.decision`)."""

    NGINX = "nginx"  # auth_request
    ENVOY = "envoy"  # ext_authz HTTP service


class GatewaySettings(_Section):
    upstream: str | None = None  # http(s)://host:port of the protected API
    listen: str = "127.0.0.1:8080"
    admin: str = "127.0.0.1:8081"
    mode: Mode = Mode.BLOCK
    # Worker processes sharing the listen port; 0 = one per CPU core (the default).
    workers: int = Field(default=0, ge=0, le=64)
    # Peers whose X-Forwarded-For / Forwarded headers are believed (IPs or CIDRs). Empty: nobody.
    trusted_proxies: tuple[str, ...] = ()
    connect_timeout: float = Field(default=5.0, gt=0)  # upstream TCP connect
    read_timeout: float = Field(default=30.0, gt=0)  # upstream silence while answering -> 504
    pool_size: int = Field(default=256, ge=1)  # pooled keep-alive upstream connections per worker
    upstream_keepalive: float = Field(default=4.0, gt=0)  # idle pooled connection lifetime (s)
    # What an internal error in an inspection stage does: closed blocks (503), open passes + counts.
    fail_mode: FailMode = FailMode.CLOSED
    # Add uvicorn's own Server header to answers (the upstream's Server header always passes).
    server_header: bool = False
    # Send the client's Host upstream (default: the upstream's host; the original in X-Forwarded-Host).
    preserve_host: bool = False
    # Put the reason ("sqli in query.id") in the problem detail; off: attackers learn nothing.
    expose_reason: bool = False
    # Client timeouts: headers must arrive within header_timeout and the whole body within
    # body_timeout (408 either way); idle keep-alive closes after
    # keep_alive_timeout; open connections above max_connections get 503 from uvicorn.
    body_timeout: float = Field(default=30.0, gt=0)
    header_timeout: float = Field(default=10.0, gt=0)  # request headers complete within (slowloris)
    # (75 s, nginx's default: longer than the idle expiry of clients' connection pools, httpx's 5 s
    # among them; a server that closes at the same moment a client reuses the connection resets
    # that client's request: 1 of 95,166 replayed requests at 5 s)
    keep_alive_timeout: float = Field(default=75.0, gt=0)
    max_connections: int | None = Field(default=None, ge=1)
    graceful_timeout: float = Field(default=10.0, gt=0)  # shutdown: finish in-flight, flush events
    # Bytes of the upstream answer that response observers see (the rest streams unbuffered).
    response_prefix_bytes: int = Field(default=4096, ge=0, le=1 << 20)
    # Decision endpoint: which proxy calls it. nginx: the request being authorised is named by
    # X-Original-Method / X-Original-URI (nginx sets them; required). envoy: it is the check
    # request itself, after decision_path_prefix (Envoy's path_prefix) is stripped; X-Original-*
    # headers are then ordinary client headers and never redirect inspection.
    decision_style: DecisionStyle = DecisionStyle.NGINX
    decision_path_prefix: str = ""
    # How often each worker copies its stages' counters (auth failures, rate-limit backend errors,
    # ...) into the metrics; they are also copied at shutdown and before an in-process scrape.
    stats_interval: float = Field(default=5.0, gt=0)
    # TLS termination at the proxy listener (PEM files). With client_ca, clients may present a
    # certificate (verified against it; required with client_cert_required) and, when
    # identity.mtls.enabled, it becomes their identity.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    client_ca: Path | None = None
    client_cert_required: bool = False
    # TLS to an https:// upstream. Its certificate is verified against the system trust store, or
    # against upstream_ca (PEM bundle) for an internal CA; upstream_verify: false turns
    # verification off (a lab upstream with a self-signed certificate; logged as a warning at
    # start-up). upstream_client_cert/key: the certificate presented to an upstream requiring mTLS.
    upstream_ca: Path | None = None
    upstream_verify: bool = True
    upstream_client_cert: Path | None = None
    upstream_client_key: Path | None = None

    _check_listen = field_validator("listen", "admin")(lambda v: _host_port(v))

    @field_validator("upstream")
    @classmethod
    def _check_upstream(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/") if v else v

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            ipaddress.ip_network(item, strict=False)
        return v

    @model_validator(mode="after")
    def _check_tls(self) -> GatewaySettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        if self.client_ca is not None and self.tls_cert is None:
            raise ValueError("client_ca needs tls_cert and tls_key (TLS terminated here)")
        if self.client_cert_required and self.client_ca is None:
            raise ValueError("client_cert_required needs client_ca")
        if (self.upstream_client_cert is None) != (self.upstream_client_key is None):
            raise ValueError("upstream_client_cert and upstream_client_key go together")
        if self.upstream_ca is not None and not self.upstream_verify:
            raise ValueError("upstream_ca is unused with upstream_verify: false; set one or the other")
        tls_upstream = (self.upstream_ca is not None or not self.upstream_verify
                        or self.upstream_client_cert is not None)
        if tls_upstream and self.upstream is not None and not self.upstream.startswith("https://"):
            raise ValueError("upstream_ca / upstream_verify / upstream_client_cert need an https:// upstream")
        return self


class MalformedBody(StrEnum):
    """What the parser does with a body that does not parse as its declared type (invalid JSON
    under ``application/json``, broken multipart, invalid XML, undecodable content encoding)."""

    # The raw text becomes one body field: detectors still see every byte, nothing bypasses
    # inspection, and applications that are lenient about their input keep working.
    INSPECT_RAW = "inspect_raw"
    # Refuse with 400: the strict choice for APIs whose clients never send broken bodies.
    REJECT = "reject"


class LimitSettings(_Section):
    """Parser limits. Over-limit requests are refused (413 / 414 / 431 / 400 problem+json),
    never half-inspected: a truncated inspection is a bypass."""

    # The most body text that is inspected; a body with more is refused (413).
    max_body_bytes: int = Field(default=1 << 20, ge=0)
    # Uploads (bodies of an opaque type, multipart bodies) may be this large as long as their text
    # stays within max_body_bytes: binary file content is not inspected anyway, and refusing a 2 MB
    # photo breaks real traffic (wcp-legit-dev: a 1.7 MB multipart file upload). Bounds the memory a
    # request holds while it is buffered for inspection.
    max_upload_bytes: int = Field(default=16 << 20, ge=0)
    # Nesting depth of JSON containers (and XML elements). orjson refuses more than 1024.
    max_json_depth: int = Field(default=32, ge=1, le=1024)
    # Every field counts: path segments, query, cookies, headers, body leaves and reported keys,
    # multipart parts. Bounds the work of every later stage. Real browser traffic carries large
    # telemetry JSON: of the 95,167 benign wcp-legit-dev requests, 14 hold 2,100-4,400 fields
    # (2000 refused them all); 5000 refuses none of them.
    max_fields: int = Field(default=5000, ge=1)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    # Analytics beacons send 8-12 KB URLs, and a Universal Analytics event with its product list
    # 31 KB (wcp-legit-dev: 9 URLs over 8 KB, the longest 31,684 bytes). Refusing them blocks real
    # traffic the upstream accepts; the upstream's own limit still applies behind the gateway.
    # uvicorn's httptools server answers a bare 400 past 64 KiB, so the default stays below it.
    max_url_bytes: int = Field(default=48 * 1024, ge=256)
    # Bodies of these media types (prefix match) are passed uninspected up to max_upload_bytes
    # (uploads) -- unless the content is plainly text (valid UTF-8, no NUL), which a real
    # image or archive never is: then it is inspected as text, so a mislabelled body is no bypass.
    opaque_types: tuple[str, ...] = ("application/octet-stream", "image/", "video/", "audio/")
    malformed_body: MalformedBody = MalformedBody.INSPECT_RAW


class Exclusion(_Section):
    """Skip categories for a location on a route, to turn a false positive into a rule."""

    route: str = "*"  # glob over the request path or the OpenAPI template
    location: str = "*"  # glob over the finding location, e.g. body.comment
    categories: tuple[Category, ...] = ()  # empty: all


class DetectionSettings(_Section):
    enabled: bool = True
    model: Path | None = None  # None: the shipped model in models/
    block_threshold: float = Field(default=0.5, gt=0, le=1)
    log_threshold: float = Field(default=0.2, ge=0, le=1)
    thresholds: dict[Category, float] = Field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()
    # Extra header names (besides the structural ones: content-length, accept-encoding, ...)
    # whose values are not inspected because the protected API never reads them.
    skip_headers: tuple[str, ...] = ()
    # The trained model (models/). Off: lexical analysers only (an explicit choice, never a
    # fallback: a missing or corrupt model file is a start-up error while this is on).
    use_model: bool = True
    # Model probability at which a finding WITHOUT lexical evidence of its category may block;
    # below it, model-only findings are logged (and still raise weak lexical evidence).
    model_alone: float = Field(default=0.95, ge=0, le=1)


class EventSettings(_Section):
    store: str = "sqlite:///apiward-events.db"  # or postgresql://...
    queue_size: int = Field(default=10_000, ge=1)
    batch_size: int = Field(default=200, ge=1)
    flush_interval: float = Field(default=0.5, gt=0)
    sample_allowed: float = Field(default=0.01, ge=0, le=1)
    retention_days: int = Field(default=30, ge=1)


class AdminSettings(_Section):
    # Bearer token for /api/* and the dashboard; from APIWARD_ADMIN_TOKEN when not set here.
    token: SecretStr | None = None


class RouteAction(StrEnum):
    """What a spec violation on a route does: block the request, only log it, or ignore the route."""

    BLOCK = "block"
    LOG = "log"
    IGNORE = "ignore"


class RouteRule(_Section):
    """Per-route override. ``route`` is ``[METHOD ]TEMPLATE`` (``GET /users/{id}``); a trailing ``*``
    matches by prefix (``/internal/*``); unknown paths are matched on the request path."""

    route: str
    action: RouteAction


class ApiSettings(_Section):
    """Positive security: OpenAPI enforcement and learned profiles (see learn/)."""

    spec: Path | None = None  # hand-written OpenAPI 3.0/3.1 spec to enforce
    profile: Path | None = None  # directory written by `apiward learn` (openapi.yaml + baseline.json)
    default_action: RouteAction = RouteAction.BLOCK
    routes: tuple[RouteRule, ...] = ()
    # Flag query parameters the spec does not declare (a closed contract; mass-assignment guard).
    reject_unknown_query: bool = True
    max_findings: int = Field(default=5, ge=1, le=100)  # schema findings reported per request
    # Enforce the profile's discovered openapi.yaml (when no `spec` is given); False: baselines only.
    profile_spec: bool = True
    # Score requests against the profile's learned baselines (ANOMALY findings, thresholds apply).
    baseline: bool = True
    # Endpoints / parameters need this many (client-capped) samples before their baseline scores.
    baseline_min_samples: int = Field(default=30, ge=1)
    # Learning mode: the gateway learns from clean traffic (answered < 400, no baseline deviation,
    # nothing from the generic detector) and writes a profile directory to `learn_out`.
    learn: bool = False
    learn_out: Path = Path("apiward-learned")
    learn_sample: float = Field(default=1.0, gt=0, le=1)  # share of clean requests learned
    learn_window: float = Field(default=86_400.0, gt=0)  # seconds a learner lives (then restarts)
    learn_client_cap: int = Field(default=200, ge=1)  # samples per client and endpoint


_JWT_ALGORITHMS = frozenset(
    {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
     "ES256", "ES384", "ES512", "EdDSA"}
)


class JwtSettings(_Section):
    """JWT bearer tokens. Enabled when a key source is set (``jwks_url``, ``jwks_file`` or an HS secret)."""

    # Pinned allow-list; ``none`` is never accepted. HS* keys are only the shared secret, never a
    # public key (no HS/RS confusion).
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    jwks_url: str | None = None
    jwks_file: Path | None = None
    hs_secret: SecretStr | None = None  # shared secret for HS*; else from the env var below
    hs_secret_env: str = "APIWARD_JWT_SECRET"
    issuer: str | None = None
    audience: tuple[str, ...] = ()
    leeway: float = Field(default=30.0, ge=0, le=600)  # clock skew tolerated on exp/nbf/iat
    max_age: float | None = Field(default=None, gt=0)  # tokens older than this (iat) are refused
    required_claims: tuple[str, ...] = ("exp", "sub")
    max_token_bytes: int = Field(default=8192, ge=256, le=65536)
    jwks_ttl: float = Field(default=300.0, gt=0)  # refresh (in the background) after this
    jwks_min_refresh: float = Field(default=30.0, ge=0)  # unknown kid: at most one fetch per interval
    jwks_max_stale: float = Field(default=86400.0, gt=0)  # cached keys' lifetime when the URL is down
    jwks_timeout: float = Field(default=2.0, gt=0)
    roles_claim: str = "roles"
    scopes_claim: str = "scope"  # space-separated string or list; ``scp`` is read too
    tenant_claim: str = "tenant"
    cookie: str | None = None  # also read the token from this cookie

    @field_validator("algorithms")
    @classmethod
    def _check_algorithms(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for alg in v:
            if alg not in _JWT_ALGORITHMS:
                raise ValueError(f"algorithm {alg!r} is not allowed (choose from {sorted(_JWT_ALGORITHMS)})")
        if not v:
            raise ValueError("at least one algorithm is required")
        return v

    @field_validator("hs_secret")
    @classmethod
    def _check_secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None:
            return v
        text = v.get_secret_value()
        if set(text) == {"*"}:
            raise ValueError("the secret is masked (lost when settings were serialised); use hs_secret_env")
        if len(text.encode()) < 32:
            raise ValueError("an HS* secret needs at least 32 bytes (RFC 7518 3.2)")
        return v

    def secret(self) -> bytes | None:
        if self.hs_secret is not None:
            return self.hs_secret.get_secret_value().encode()
        value = os.environ.get(self.hs_secret_env)
        return value.encode() if value else None

    @property
    def configured(self) -> bool:
        return bool(self.jwks_url or self.jwks_file or self.secret())


class ApiKeySettings(_Section):
    """Opaque API keys, stored hashed in a YAML file (see identity/examples/keys.yaml)."""

    file: Path | None = None
    header: str = "x-api-key"


class CertSubject(StrEnum):
    CN = "cn"
    SAN_DNS = "san_dns"
    SAN_EMAIL = "san_email"
    SAN_URI = "san_uri"


class MtlsSettings(_Section):
    """Client-certificate identity when TLS terminates at apiward (serve --client-ca)."""

    enabled: bool = False
    subject: CertSubject = CertSubject.CN
    tenant_from_ou: bool = False


class IdentitySettings(_Section):
    """Authentication and authorization (see identity/)."""

    enabled: bool = False
    jwt: JwtSettings = JwtSettings()
    api_keys: ApiKeySettings = ApiKeySettings()
    mtls: MtlsSettings = MtlsSettings()
    # Authorization policy (YAML, see identity/examples/policy.yaml); hot-reloaded on change.
    policy: Path | None = None
    # Deny routes that the policy does not name (deny by default). False: log them only.
    enforce: bool = True
    # Without a policy file: whether every route needs a valid credential.
    require_auth: bool = True
    reload_interval: float = Field(default=2.0, gt=0)
    # HMAC key that signs the X-Apiward-* identity headers forwarded to the upstream.
    forward_secret: SecretStr | None = None

    @field_validator("forward_secret")
    @classmethod
    def _check_forward_secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and set(v.get_secret_value()) <= {"*"}:
            raise ValueError("the secret is masked or empty (lost when settings were serialised)")
        return v


class RateAlgorithm(StrEnum):
    TOKEN_BUCKET = "token_bucket"
    SLIDING_WINDOW = "sliding_window"


class RateScope(StrEnum):
    IP = "ip"
    IDENTITY = "identity"
    API_KEY = "api_key"
    ROUTE = "route"
    GLOBAL = "global"


class BackendFailure(StrEnum):
    OPEN = "open"  # local in-memory limits take over; counted, tagged, reported
    CLOSED = "closed"  # requests under a shared limit are refused with 503


class RateLimitRule(_Section):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    scope: RateScope = RateScope.IP
    algorithm: RateAlgorithm = RateAlgorithm.TOKEN_BUCKET
    limit: int = Field(gt=0)  # requests per period
    period: float = Field(default=60.0, gt=0)  # seconds
    burst: int | None = Field(default=None, gt=0)  # token bucket capacity (default: limit)
    routes: tuple[str, ...] = ()  # path templates / globs; empty: every route
    methods: tuple[str, ...] = ()  # empty: every method


class RateLimitSettings(_Section):
    """Rate limits (see behaviour/)."""

    enabled: bool = False
    redis_url: str | None = None  # None: in-memory limits (one process)
    redis_failure: BackendFailure = BackendFailure.OPEN
    redis_timeout: float = Field(default=0.05, gt=0)
    redis_retry_interval: float = Field(default=2.0, gt=0)  # how long Redis stays marked down
    key_prefix: str = "apiward:rl:"
    max_keys: int = Field(default=100_000, ge=1)  # in-memory backend / fallback
    rules: tuple[RateLimitRule, ...] = (RateLimitRule(name="per-ip", limit=600, period=60.0, burst=100),)

    @field_validator("rules")
    @classmethod
    def _unique_rules(cls, v: tuple[RateLimitRule, ...]) -> tuple[RateLimitRule, ...]:
        names = [r.name for r in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate rule names: {dupes}")
        return v


class LoginRoute(_Section):
    """How to read a login attempt and its outcome."""

    route: str = "/login"
    method: str = "POST"
    username: str = "body.username"  # field location of the account name
    password: str | None = "body.password"  # only a keyed hash of it is kept (spraying)
    success_status: tuple[int, ...] = (200, 201, 204)
    failure_status: tuple[int, ...] = (400, 401, 403)
    # JSON field of the response body whose presence/truthiness means success (e.g. "token").
    success_json: str | None = None


class BehaviourThresholds(_Section):
    brute_force_account: int = Field(default=10, ge=2)  # failures on one account per window
    brute_force_source: int = Field(default=6, ge=2)  # failures from one source on one account
    spray_accounts: int = Field(default=5, ge=2)  # distinct accounts failing with one password
    stuffing_accounts: int = Field(default=4, ge=2)  # distinct accounts from one source / device
    stuffing_failure_ratio: float = Field(default=0.7, gt=0, le=1)
    ato_failures: int = Field(default=5, ge=1)  # failures on the account before a success
    bola_distinct_ids: int = Field(default=30, ge=2)  # object ids per identity per route
    bola_sequential: int = Field(default=8, ge=3)  # consecutive ids walked
    bola_denied_ratio: float = Field(default=0.5, gt=0, le=1)
    bola_min_requests: int = Field(default=10, ge=1)
    scan_404: int = Field(default=20, ge=2)
    scan_paths: int = Field(default=80, ge=2)
    flood_factor: float = Field(default=5.0, gt=1)  # endpoint rate over its learned baseline
    flood_min_rate: float = Field(default=20.0, gt=0)  # req/s on an endpoint before "flood" applies
    client_rate: float = Field(default=10.0, gt=0)  # req/s of one client that counts as scraping
    travel_kmh: float = Field(default=1000.0, gt=0)  # faster between two logins: impossible travel


class RouteBehaviour(_Section):
    """Per-route overrides (route template, optional methods)."""

    route: str
    methods: tuple[str, ...] = ()
    enforce: bool = True  # False: learn from this route, never refuse on it (health checks, webhooks)
    track_objects: bool = True  # False: ids on this route are not BOLA signals (public catalogues)
    bola_distinct_ids: int | None = Field(default=None, ge=2)
    bola_sequential: int | None = Field(default=None, ge=3)


class RiskActions(_Section):
    """Risk (0..100) to actions. Risk decays with ``half_life``."""

    log: float = 20.0
    tighten: float = 40.0  # the client's rate-limit cost is multiplied by ``tighten_factor``
    tighten_factor: int = Field(default=4, ge=1)
    throttle: float = 60.0  # 429
    block: float = 80.0  # 403 for ``block_ttl`` seconds
    block_ttl: float = Field(default=900.0, gt=0)
    half_life: float = Field(default=600.0, gt=0)
    # Account-takeover signals on a login answer with this status (step-up) instead of a block,
    # and this WWW-Authenticate challenge (RFC 9470 step-up by default).
    step_up_status: int = Field(default=401, ge=400, le=499)
    step_up_challenge: str = (
        'Bearer error="insufficient_user_authentication", '
        'error_description="additional authentication required"'
    )


class BehaviourSettings(_Section):
    """Behavioural abuse detection (see behaviour/detectors)."""

    enabled: bool = False
    login_routes: tuple[LoginRoute, ...] = ()
    window: float = Field(default=600.0, gt=0)  # sliding window of the detectors
    max_keys: int = Field(default=50_000, ge=100)  # per tracker; least recently used go first
    thresholds: BehaviourThresholds = BehaviourThresholds()
    routes: tuple[RouteBehaviour, ...] = ()
    risk: RiskActions = RiskActions()
    # CSV of cidr,latitude,longitude for impossible-travel detection (None: off).
    geo_file: Path | None = None
    # Share blocks between gateways through Redis (None: ratelimit.redis_url when that is set).
    redis_url: str | None = None
    share_blocks: bool = True
    share_interval: float = Field(default=1.0, gt=0)
    key_prefix: str = "apiward:bl:"
    # HTTP libraries and tools: logging in with one is a weak credential-stuffing signal (capped).
    login_tool_user_agents: tuple[str, ...] = (
        "python-requests", "okhttp", "go-http-client", "curl/", "wget/", "libwww-perl", "node-fetch",
        "axios/", "aiohttp", "httpx", "java/", "apache-httpclient", "scrapy", "headlesschrome",
    )
    scanner_user_agents: tuple[str, ...] = (
        "sqlmap", "nikto", "nuclei", "zgrab", "masscan", "nmap", "dirbuster", "gobuster",
        "ffuf", "wfuzz", "acunetix", "nessus", "openvas", "w3af", "arachni", "feroxbuster",
    )


class Settings(_Section):
    gateway: GatewaySettings = GatewaySettings()
    limits: LimitSettings = LimitSettings()
    detection: DetectionSettings = DetectionSettings()
    events: EventSettings = EventSettings()
    admin: AdminSettings = AdminSettings()
    api: ApiSettings = ApiSettings()
    identity: IdentitySettings = IdentitySettings()
    ratelimit: RateLimitSettings = RateLimitSettings()
    behaviour: BehaviourSettings = BehaviourSettings()

    def admin_token(self) -> str | None:
        if self.admin.token is not None:
            return self.admin.token.get_secret_value()
        return os.environ.get("APIWARD_ADMIN_TOKEN") or None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is not None:
            out[key] = value
    return out


def _error_location(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"])


def build_settings(data: dict[str, Any]) -> Settings:
    """Validate a settings mapping; the first error becomes a ConfigError naming its key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            msg = "unknown key"
        raise ConfigError(msg, _error_location(first)) from exc


def load_settings(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Read YAML (if given), apply overrides (nested dicts, e.g. from CLI flags), validate."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config file: {exc.strerror}", str(path)) from exc
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {exc}", str(path)) from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError("top level must be a mapping", str(path))
        data = loaded
    if overrides:
        data = _merge(data, overrides)
    return build_settings(data)
