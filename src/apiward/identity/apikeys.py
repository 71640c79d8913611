"""Opaque API keys, stored hashed, scoped, revocable; loaded from a YAML file.

File format (see examples/keys.yaml)::

    keys:
      - id: reporting            # shown in events as the key id, never the key itself
        hash: "sha256:<hex>"     # SHA-256 of a high-entropy key (`apiward policy keygen`)
        subject: svc-reporting
        roles: [service]
        scopes: [orders:read]
        tenant: acme
        revoked: false
        expires: 2030-01-01T00:00:00Z   # optional

Low-entropy (human-chosen) keys must use ``hash: "scrypt$<n>$<r>$<p>$<salt-b64>$<hash-b64>"`` and
be presented as ``<id>.<secret>``; scrypt runs in a worker thread, at most two at a time, and
results are cached (bounded) so a valid key costs one scrypt per cache lifetime.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import yaml

from apiward.core import Identity
from apiward.errors import ConfigError
from apiward.identity.tokens import AuthResult

_CACHE_SIZE = 4096
_CACHE_TTL = 300.0
_MAX_KEY_CHARS = 512


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: str
    algorithm: str  # "sha256" | "scrypt"
    digest: bytes
    subject: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    tenant: str | None = None
    revoked: bool = False
    expires: float | None = None  # unix seconds
    scrypt_params: tuple[int, int, int, bytes] | None = None  # n, r, p, salt

    def identity(self) -> Identity:
        return Identity(
            subject=self.subject,
            method="api_key",
            roles=self.roles,
            scopes=self.scopes,
            tenant=self.tenant,
            key_id=self.id,
        )


def hash_key(key: str) -> str:
    """The ``hash:`` value for a high-entropy key."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def hash_low_entropy_key(secret: str, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def generate_key(key_id: str) -> str:
    """A new high-entropy key (256 bits), prefixed so leaked keys are recognisable."""
    return f"awk_{key_id}_{secrets.token_urlsafe(32)}"


def _parse_time(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.timestamp()
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ConfigError("expires must be an ISO-8601 time or unix seconds", where) from exc
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()
    raise ConfigError("expires must be an ISO-8601 time or unix seconds", where)


def _strings(value: object, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("must be a list of strings", where)
    return frozenset(value)


def _required_string(raw: dict[str, object], name: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise ConfigError("required string", f"{where}.{name}")
    return value


def _parse_record(raw: object, where: str) -> ApiKeyRecord:
    if not isinstance(raw, dict):
        raise ConfigError("each key must be a mapping", where)
    unknown = set(raw) - {"id", "hash", "subject", "roles", "scopes", "tenant", "revoked", "expires"}
    if unknown:
        raise ConfigError(f"unknown key {sorted(unknown)[0]!r}", where)
    key_id = _required_string(raw, "id", where)
    spec = _required_string(raw, "hash", where)
    subject = _required_string(raw, "subject", where)
    params = None
    if spec.startswith("sha256:"):
        try:
            digest = bytes.fromhex(spec[7:])
        except ValueError as exc:
            raise ConfigError("sha256 hash must be hex", f"{where}.hash") from exc
        if len(digest) != 32:
            raise ConfigError("sha256 hash must be 64 hex digits", f"{where}.hash")
        algorithm = "sha256"
    elif spec.startswith("scrypt$"):
        parts = spec.split("$")
        try:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt = base64.urlsafe_b64decode(parts[4])
            digest = base64.urlsafe_b64decode(parts[5])
        except (IndexError, ValueError) as exc:
            raise ConfigError("scrypt hash must be scrypt$n$r$p$salt$hash", f"{where}.hash") from exc
        algorithm, params = "scrypt", (n, r, p, salt)
    else:
        raise ConfigError("hash must start with 'sha256:' or 'scrypt$'", f"{where}.hash")
    tenant = raw.get("tenant")
    if tenant is not None and not isinstance(tenant, str):
        raise ConfigError("must be a string", f"{where}.tenant")
    revoked = raw.get("revoked", False)
    if not isinstance(revoked, bool):
        raise ConfigError("must be true or false", f"{where}.revoked")
    return ApiKeyRecord(
        id=key_id,
        algorithm=algorithm,
        digest=digest,
        subject=subject,
        roles=_strings(raw.get("roles"), f"{where}.roles"),
        scopes=_strings(raw.get("scopes"), f"{where}.scopes"),
        tenant=tenant,
        revoked=revoked,
        expires=_parse_time(raw.get("expires"), f"{where}.expires"),
        scrypt_params=params,
    )


@dataclass(frozen=True, slots=True)
class KeyFile:
    by_digest: dict[bytes, ApiKeyRecord]  # sha256 records
    by_id: dict[str, ApiKeyRecord]


def load_key_file(path: Path) -> KeyFile:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read key file: {exc.strerror}", str(path)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", str(path)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
        raise ConfigError("must be a mapping with a 'keys' list", str(path))
    by_digest: dict[bytes, ApiKeyRecord] = {}
    by_id: dict[str, ApiKeyRecord] = {}
    for index, raw in enumerate(doc["keys"]):
        record = _parse_record(raw, f"{path}: keys[{index}]")
        if record.id in by_id:
            raise ConfigError(f"duplicate key id {record.id!r}", f"{path}: keys[{index}].id")
        by_id[record.id] = record
        if record.algorithm == "sha256":
            by_digest[record.digest] = record
    return KeyFile(by_digest, by_id)


class ApiKeyVerifier:
    def __init__(self, keys: KeyFile | None = None) -> None:
        self.keys = keys or KeyFile({}, {})
        self._scrypt_cache: OrderedDict[bytes, tuple[str, float]] = OrderedDict()  # bounded LRU
        self._scrypt_slots = asyncio.Semaphore(2)

    def _check(self, record: ApiKeyRecord) -> AuthResult:
        if record.revoked:
            return AuthResult(None, "revoked", f"key {record.id}")
        if record.expires is not None and time.time() > record.expires:
            return AuthResult(None, "expired", f"key {record.id}")
        return AuthResult(record.identity())

    async def verify(self, key: str) -> AuthResult:
        if len(key) > _MAX_KEY_CHARS:
            return AuthResult(None, "oversized", f"{len(key)} chars")
        digest = hashlib.sha256(key.encode()).digest()
        record = self.keys.by_digest.get(digest)
        if record is not None:
            return self._check(record)
        key_id, dot, secret = key.partition(".")
        record = self.keys.by_id.get(key_id) if dot else None
        if record is None or record.scrypt_params is None:
            return AuthResult(None, "unknown_key")
        cached = self._scrypt_cache.get(digest)
        now = time.monotonic()
        if cached is not None and now - cached[1] < _CACHE_TTL:
            self._scrypt_cache.move_to_end(digest)
            return self._check(record) if cached[0] == record.id else AuthResult(None, "unknown_key")
        if self._scrypt_slots.locked():
            return AuthResult(None, "busy", "too many concurrent low-entropy key checks")
        n, r, p, salt = record.scrypt_params
        async with self._scrypt_slots:
            computed = await asyncio.to_thread(
                hashlib.scrypt, secret.encode(), salt=salt, n=n, r=r, p=p, dklen=len(record.digest)
            )
        ok = hmac.compare_digest(computed, record.digest)
        self._scrypt_cache[digest] = (record.id if ok else "", now)
        if len(self._scrypt_cache) > _CACHE_SIZE:
            self._scrypt_cache.popitem(last=False)
        return self._check(record) if ok else AuthResult(None, "unknown_key")
