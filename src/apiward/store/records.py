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


# Column bounds, applied after redaction (cutting first could leave half a secret unmasked).
EVIDENCE_MAX = 2048
PATH_MAX = 8192
USER_AGENT_MAX = 512


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def storable(text: str) -> str:
    """``text`` as both back ends can store it: NUL shown as the four characters ``\\x00``
    (PostgreSQL refuses NUL in text and jsonb) and lone surrogates as U+FFFD (not encodable as
    UTF-8). Attack payloads carry both; one such event must not fail its whole batch."""
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _optional(text: str | None) -> str | None:
    return None if text is None else storable(text)


def _redacted_finding(finding: Finding) -> dict[str, object]:
    data = finding.to_dict()
    data["evidence"] = storable(_bounded(redact(finding.evidence), EVIDENCE_MAX))
    data["location"] = storable(finding.location)
    data["rule"] = storable(finding.rule)
    data["stage"] = storable(finding.stage)
    return data


def event_row(event: Event) -> tuple[object, ...]:
    """The row for ``event`` in `COLUMNS` order; JSON columns as text."""
    top = primary_finding(event.findings)
    return (
        storable(event.id),
        event.timestamp,
        storable(event.action),
        event.enforced,
        event.status,
        storable(event.method),
        storable(_bounded(redact(event.path), PATH_MAX)),
        storable(event.client_ip),
        _optional(event.route),
        _optional(event.subject),
        storable(_bounded(event.user_agent, USER_AGENT_MAX)),
        event.upstream_status,
        event.duration_ms,
        top.category.value if top else None,
        max((f.score for f in event.findings), default=0.0),
        _optional(top.rule) if top else None,
        _optional(top.location) if top else None,
        event.sampled,
        orjson.dumps([_redacted_finding(f) for f in event.findings]).decode(),
        orjson.dumps({storable(str(k)): storable(str(v)) for k, v in event.tags.items()}).decode(),
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


_FILTERS: tuple[tuple[str, str], ...] = (
    ("since", "ts >= {}"),
    ("until", "ts < {}"),
    ("action", "action = {}"),
    ("before_id", "id < {}"),
    ("after_id", "id > {}"),
    ("client_ip", "client_ip = {}"),
    ("category", "category = {}"),
    ("route", "route = {}"),
)


def event_query(mark: str, limit: int, filters: Mapping[str, object]) -> tuple[str, list[object]]:
    """The statement and parameters of `EventStore.query` in a driver's placeholder style
    (``?`` for sqlite3, ``%s`` for psycopg): the given filters AND-ed, newest first, or oldest
    first from ``after_id``; ``limit`` is already clamped by the caller."""
    clauses: list[str] = []
    params: list[object] = []
    for name, clause in _FILTERS:
        value = filters.get(name)
        if value is not None:
            clauses.append(clause.format(mark))
            params.append(value)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    order = "ASC" if filters.get("after_id") is not None else "DESC"
    params.append(limit)
    return f"SELECT {', '.join(COLUMNS)} FROM events{where} ORDER BY id {order} LIMIT {mark}", params
