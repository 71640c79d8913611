"""Events as table rows, and back: the one mapping both SQL back ends share.

The columns are the fields people filter and group on (time, action, client, route, the primary
finding's category / rule / location, status); the full findings and tags are kept as JSON so a
SIEM export or a hunting query sees everything the gateway saw. Paths and evidence are redacted
here, on the way in, whoever produced the event: the store never holds a secret it was handed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import orjson

from apiward.core import SEVERITY, Action, Category, Event, Finding
from apiward.store.redact import redact

COLUMNS: tuple[str, ...] = (
    "id",
    "ts",
    "action",
    "enforced",
    "status",
    "method",
    "path",
    "client_ip",
    "route",
    "subject",
    "user_agent",
    "upstream_status",
    "duration_ms",
    "category",
    "score",
    "rule",
    "location",
    "sampled",
    "findings",
    "tags",
)


class CountField(StrEnum):
    """Columns `EventStore.count_by` may group on (a closed set: never interpolate user text)."""

    ACTION = "action"
    CATEGORY = "category"
    ROUTE = "route"
    CLIENT_IP = "client_ip"
    METHOD = "method"
    STATUS = "status"
    SUBJECT = "subject"
    RULE = "rule"
    LOCATION = "location"
    PATH = "path"


def primary_finding(findings: Sequence[Finding]) -> Finding | None:
    """The finding that explains the event: one that carries its own action (authn failure,
    rate limit) before scored ones, then the highest score."""
    best: Finding | None = None
    best_key = (-1, -1.0)
    for finding in findings:
        key = (SEVERITY[finding.action] if finding.action is not None else -1, finding.score)
        if key > best_key:
            best, best_key = finding, key
    return best


def _redacted_finding(finding: Finding) -> dict[str, object]:
    data = finding.to_dict()
    data["evidence"] = redact(finding.evidence)
    return data


def event_row(event: Event) -> tuple[object, ...]:
    """The row for ``event`` in `COLUMNS` order; JSON columns as text."""
    top = primary_finding(event.findings)
    return (
        event.id,
        event.timestamp,
        event.action,
        event.enforced,
        event.status,
        event.method,
        redact(event.path),
        event.client_ip,
        event.route,
        event.subject,
        event.user_agent,
        event.upstream_status,
        event.duration_ms,
        top.category.value if top else None,
        max((f.score for f in event.findings), default=0.0),
        top.rule if top else None,
        top.location if top else None,
        event.sampled,
        orjson.dumps([_redacted_finding(f) for f in event.findings]).decode(),
        orjson.dumps(event.tags).decode(),
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    try:
        category = Category(str(data.get("category")))
    except ValueError:
        category = Category.INTERNAL  # written by a newer version; keep the event readable
    action = str(data.get("action"))
    return Finding(
        stage=str(data.get("stage", "")),
        category=category,
        location=str(data.get("location", "")),
        score=float(data.get("score", 0.0)),
        evidence=str(data.get("evidence", "")),
        rule=str(data.get("rule", "")),
        action=Action(action) if action in Action._value2member_map_ else None,
        status=data.get("status"),
        retry_after=data.get("retry_after"),
    )


def _json(value: object) -> Any:
    if isinstance(value, (str, bytes)):
        return orjson.loads(value)
    return value  # psycopg already decoded jsonb


def row_event(row: Sequence[Any]) -> Event:
    """The `Event` for a row selected in `COLUMNS` order."""
    values = dict(zip(COLUMNS, row))
    findings = tuple(_finding(item) for item in _json(values["findings"]) or ())
    return Event(
        id=values["id"],
        timestamp=float(values["ts"]),
        action=values["action"],
        enforced=bool(values["enforced"]),
        status=int(values["status"]),
        method=values["method"],
        path=values["path"],
        client_ip=values["client_ip"],
        route=values["route"],
        subject=values["subject"],
        user_agent=values["user_agent"] or "",
        upstream_status=values["upstream_status"],
        duration_ms=float(values["duration_ms"] or 0.0),
        findings=findings,
        sampled=bool(values["sampled"]),
        tags=dict(_json(values["tags"]) or {}),
    )
