"""Security events: the record of one decided request, written off the hot path."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from apiward.core.finding import Finding


def new_event_id() -> str:
    """A time-ordered unique id (48-bit ms timestamp + 80 random bits, hex), sortable like ULID/UUIDv7."""
    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


@dataclass(frozen=True, slots=True)
class Event:
    """What the store, exporters and dashboard see. Values are redacted before they get here."""

    id: str
    timestamp: float  # unix seconds
    action: str  # Action value
    enforced: bool
    status: int  # status returned to the client
    method: str
    path: str
    client_ip: str
    route: str | None = None
    subject: str | None = None
    user_agent: str = ""
    upstream_status: int | None = None
    duration_ms: float = 0.0
    findings: tuple[Finding, ...] = ()
    sampled: bool = False  # True for allowed requests recorded by sampling
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "timestamp": self.timestamp,
            "action": self.action,
            "enforced": self.enforced,
            "status": self.status,
            "method": self.method,
            "path": self.path,
            "client_ip": self.client_ip,
            "route": self.route,
            "subject": self.subject,
            "user_agent": self.user_agent,
            "upstream_status": self.upstream_status,
            "duration_ms": round(self.duration_ms, 3),
            "findings": [f.to_dict() for f in self.findings],
            "sampled": self.sampled,
            "tags": dict(self.tags),
        }
