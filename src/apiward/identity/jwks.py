"""JSON Web Key Sets from a URL (cached, rotated) or a file.

* Keys are fetched once at start-up (lazily on the first token) and refreshed in the background
  after ``ttl``; a token is never held up by a routine refresh.
* A token with an unknown ``kid`` triggers one refresh, at most once per ``min_refresh`` seconds
  (so forged kids cannot make apiward hammer the identity provider).
* When the endpoint is down, cached keys keep working for ``max_stale`` seconds after the last
  good fetch; `status` says ``stale`` and ``failures`` counts, so events and metrics show it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from apiward.errors import ApiwardError, ConfigError

log = logging.getLogger(__name__)

_MAX_JWKS_BYTES = 512 * 1024


class JwksUnavailable(ApiwardError):
    """No usable key set (never fetched, or older than its lifetime)."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A verification key and the ``alg`` its JWK declares (None: any of its family)."""

    key_type: str  # kty: RSA | EC | OKP
    key: Any  # the cryptography public key
    alg: str | None


@dataclass(frozen=True, slots=True)
class KeySet:
    keys: dict[str, SigningKey]  # kid -> key; keys without kid are stored under ""
    fetched_at: float  # the cache's clock (time.monotonic)


def parse_jwks(data: bytes | str, origin: str) -> dict[str, SigningKey]:
    """Parse a JWKS document; unusable keys are skipped (logged), an empty result is an error."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ConfigError(f"JWKS is not JSON: {exc}", origin) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
        raise ConfigError("JWKS must be an object with a 'keys' list", origin)
    keys: dict[str, SigningKey] = {}
    for index, raw in enumerate(doc["keys"]):
        if not isinstance(raw, dict):
            continue
        if raw.get("use", "sig") != "sig" or raw.get("kty") == "oct":
            continue  # encryption keys and symmetric keys never verify signatures here
        try:
            key = PyJWK(raw)
        except PyJWKError as exc:
            log.warning("%s: skipping key %d: %s", origin, index, exc)
            continue
        alg = raw.get("alg")
        keys[str(raw.get("kid", ""))] = SigningKey(
            str(raw.get("kty")), key.key, alg if isinstance(alg, str) else None
        )
    if not keys:
        raise ConfigError("JWKS has no usable signing keys", origin)
    return keys


class JwksCache:
    """Key lookup for JWT verification. One per authn stage; no module state."""

    def __init__(
        self,
        *,
        url: str | None = None,
        file: Path | None = None,
        ttl: float = 300.0,
        min_refresh: float = 30.0,
        max_stale: float = 86400.0,
        timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if (url is None) == (file is None):
            raise ConfigError("exactly one of jwks_url / jwks_file is required", "identity.jwt")
        self._url = url
        self._file = file
        self._ttl = ttl
        self._min_refresh = min_refresh
        self._max_stale = max_stale
        self._timeout = timeout
        self._clock = clock
        self._set: KeySet | None = None
        self._file_mtime: float | None = None
        self._last_attempt = -1e18
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self.failures = 0  # failed fetches (metrics)
        self.refreshes = 0  # successful fetches
        self.last_error = ""
        if file is not None:
            self._load_file()

    # -- status -------------------------------------------------------------------------
    @property
    def status(self) -> str:
        """``fresh`` | ``stale`` (serving cached keys while the source fails) | ``empty``."""
        if self._set is None:
            return "empty"
        if self.last_error and self._url is not None:
            return "stale"
        return "fresh"

    # -- lookup -------------------------------------------------------------------------
    async def key(self, kid: str | None) -> SigningKey | None:
        """The key for ``kid`` or None (unknown). Raises JwksUnavailable when nothing usable."""
        now = self._clock()
        current = self._usable(now)
        if current is None:
            await self._refresh(force=True)
            current = self._usable(self._clock())
            if current is None:
                raise JwksUnavailable(self.last_error or "no key set")
        elif now - current.fetched_at > self._ttl:
            self._refresh_in_background()
        found = self._pick(current, kid)
        if found is None and kid is not None and now - self._last_attempt >= self._min_refresh:
            await self._refresh(force=False)
            current = self._usable(self._clock()) or current
            found = self._pick(current, kid)
        return found

    @staticmethod
    def _pick(keys: KeySet, kid: str | None) -> SigningKey | None:
        if kid is not None:
            return keys.keys.get(kid)
        if len(keys.keys) == 1:
            return next(iter(keys.keys.values()))
        return keys.keys.get("")

    def _usable(self, now: float) -> KeySet | None:
        if self._set is None:
            return None
        if self._url is not None and now - self._set.fetched_at > self._max_stale:
            return None
        return self._set

    # -- refresh ------------------------------------------------------------------------
    def _refresh_in_background(self) -> None:
        if self._background is None or self._background.done():
            self._background = asyncio.get_running_loop().create_task(self._refresh(force=False))

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = self._clock()
            if force and self._usable(now) is not None:
                return  # another request loaded the keys while this one waited
            # Without usable keys every token fails anyway: still at most one fetch per 5 s.
            interval = min(self._min_refresh, 5.0) if force else self._min_refresh
            if now - self._last_attempt < interval:
                return
            self._last_attempt = now
            try:
                if self._file is not None:
                    await asyncio.to_thread(self._load_file)
                else:
                    keys = await self._fetch()
                    self._set = KeySet(keys, self._clock())
                self.refreshes += 1
                self.last_error = ""
            except (ConfigError, JwksUnavailable) as exc:
                self.failures += 1
                self.last_error = str(exc)
                log.warning("JWKS refresh failed (%s); serving %s keys", exc, self.status)

    async def _fetch(self) -> dict[str, SigningKey]:
        url = self._url
        if url is None:
            raise JwksUnavailable("no JWKS URL configured")
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                resp = await client.get(url, headers={"accept": "application/json"})
        except httpx.HTTPError as exc:
            raise JwksUnavailable(f"JWKS fetch failed: {type(exc).__name__}") from exc
        if resp.status_code != 200:
            raise JwksUnavailable(f"JWKS fetch returned HTTP {resp.status_code}")
        if len(resp.content) > _MAX_JWKS_BYTES:
            raise JwksUnavailable("JWKS document too large")
        return parse_jwks(resp.content, url)

    def _load_file(self) -> None:
        path = self._file
        if path is None:
            raise ConfigError("no JWKS file configured", "identity.jwt.jwks_file")
        try:
            mtime = os.stat(path).st_mtime
            if self._set is not None and mtime == self._file_mtime:
                self._set = KeySet(self._set.keys, self._clock())
                return
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read JWKS file: {exc.strerror}", str(path)) from exc
        self._set = KeySet(parse_jwks(data, str(path)), self._clock())
        self._file_mtime = mtime

    def keys_snapshot(self) -> dict[str, Any]:
        return {"status": self.status, "kids": sorted(self._set.keys) if self._set else []}
