"""The apiward exception tree.

    ApiwardError                    base of everything apiward raises on purpose
    ├── ConfigError                 invalid settings, policy or spec; names the key / location
    ├── ModelError                  missing, corrupt or incompatible model artifact
    ├── RequestRejected             a request the parser refuses (too large, malformed); carries
    │                               the HTTP status and a problem title; becomes a problem+json reply
    ├── UpstreamError               the protected API failed
    │   ├── UpstreamUnavailable     connection refused / DNS / reset      -> 502
    │   └── UpstreamTimeout         no answer in time                     -> 504
    ├── StoreError                  the event store cannot be opened or written
    └── BackendUnavailable          Redis (or another shared backend) is unreachable

Blocks are values (`Verdict`), never exceptions. Third-party errors are translated at the
boundary: ``raise UpstreamTimeout(...) from exc``.
"""

from __future__ import annotations


class ApiwardError(Exception):
    """Base class of every error apiward raises on purpose."""


class ConfigError(ApiwardError):
    """Invalid configuration. ``location`` names the offending key (``detection.thresholds.sqli``)."""

    def __init__(self, message: str, location: str = "") -> None:
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class ModelError(ApiwardError):
    """A model artifact is missing, corrupt, or built for another feature schema / library version."""


class RequestRejected(ApiwardError):
    """The request cannot be inspected as sent; answered with ``status`` and a problem+json body."""

    def __init__(self, status: int, title: str, detail: str = "") -> None:
        self.status = status
        self.title = title
        self.detail = detail
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")


class UpstreamError(ApiwardError):
    """The protected API could not be reached or did not answer properly."""

    status = 502


class UpstreamUnavailable(UpstreamError):
    status = 502


class UpstreamTimeout(UpstreamError):
    status = 504


class StoreError(ApiwardError):
    """The event store failed."""


class BackendUnavailable(ApiwardError):
    """A shared backend (Redis) is unreachable; callers apply their configured fail mode."""
