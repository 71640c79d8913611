"""Dashboard sessions: a stateless, signed, expiring cookie derived from the admin token.

No server-side session table (several admin workers may serve the dashboard): the cookie is
``<expiry>.<nonce>.<mac>`` with an HMAC-SHA256 keyed from the admin token, so rotating the token
logs every session out.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

COOKIE_NAME = "apiward_session"
SESSION_SECONDS = 8 * 3600


class SessionSigner:
    def __init__(self, token: str, ttl: float = SESSION_SECONDS) -> None:
        self._key = hashlib.sha256(b"apiward-dashboard-session\x00" + token.encode()).digest()
        self._token = token.encode()
        self.ttl = ttl

    def check_token(self, candidate: str) -> bool:
        """Constant-time comparison of a presented admin token."""
        return hmac.compare_digest(candidate.encode(), self._token)

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        payload = f"{int(time.time() + self.ttl)}.{os.urandom(12).hex()}"
        return f"{payload}.{self._mac(payload)}"

    def valid(self, cookie: str | None) -> bool:
        if not cookie or len(cookie) > 200:
            return False
        payload, _, mac = cookie.rpartition(".")
        expiry, _, _nonce = payload.partition(".")
        if not expiry.isdigit() or not hmac.compare_digest(mac, self._mac(payload)):
            return False
        return int(expiry) > time.time()
