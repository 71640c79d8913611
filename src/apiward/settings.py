"""Configuration: nested, frozen, validated at load; unknown keys are errors naming the key.

One section per domain. Defaults are the production defaults documented in the README; every
failure mode is a setting here (`gateway.fail_mode`, `limits.*`, `ratelimit.redis_failure`, ...).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

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


class GatewaySettings(_Section):
    upstream: str | None = None  # http(s)://host:port of the protected API
    listen: str = "127.0.0.1:8080"
    admin: str = "127.0.0.1:8081"
    mode: Mode = Mode.BLOCK
    workers: int = Field(default=1, ge=1, le=64)
    # Peers whose X-Forwarded-For / Forwarded headers are believed (IPs or CIDRs). Empty: nobody.
    trusted_proxies: tuple[str, ...] = ()
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0)
    pool_size: int = Field(default=256, ge=1)
    # What an internal error in an inspection stage does: closed blocks (503), open passes + counts.
    fail_mode: FailMode = FailMode.CLOSED
    # Response headers added to upstream answers that the gateway passes.
    server_header: bool = False

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


class LimitSettings(_Section):
    """Parser limits. Over-limit requests are refused (413 / 400 problem+json), never half-inspected."""

    max_body_bytes: int = Field(default=1 << 20, ge=0)
    max_json_depth: int = Field(default=32, ge=1)
    max_fields: int = Field(default=1000, ge=1)  # query + form + JSON leaves + multipart parts
    max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    max_url_bytes: int = Field(default=8192, ge=256)
    # Bodies of these media types are passed uninspected up to max_body_bytes (uploads).
    opaque_types: tuple[str, ...] = ("application/octet-stream", "image/", "video/", "audio/")


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


class ApiSettings(_Section):
    """Positive security: OpenAPI enforcement and learned profiles (see learn/)."""

    spec: Path | None = None
    profile: Path | None = None


class IdentitySettings(_Section):
    """Authentication and authorization (see identity/)."""

    enabled: bool = False


class RateLimitSettings(_Section):
    """Rate limits (see behaviour/)."""

    enabled: bool = False
    redis_url: str | None = None


class Settings(_Section):
    gateway: GatewaySettings = GatewaySettings()
    limits: LimitSettings = LimitSettings()
    detection: DetectionSettings = DetectionSettings()
    events: EventSettings = EventSettings()
    admin: AdminSettings = AdminSettings()
    api: ApiSettings = ApiSettings()
    identity: IdentitySettings = IdentitySettings()
    ratelimit: RateLimitSettings = RateLimitSettings()

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
