"""RFC 9457 problem details: the only shape in which the gateway answers on its own behalf.

Header lists and titles are built once; a reply costs one ``orjson.dumps`` and two sends.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from apiward.types import Send

PROBLEM_TYPE = "application/problem+json"
EVENT_ID_HEADER = b"x-apiward-event-id"

_BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-type", PROBLEM_TYPE.encode()),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
)

# status -> (type URI, title)
_KINDS: dict[int, tuple[str, str]] = {
    400: ("urn:apiward:problem:bad-request", "Bad request"),
    401: ("urn:apiward:problem:unauthenticated", "Authentication required"),
    403: ("urn:apiward:problem:blocked", "Request blocked"),
    404: ("urn:apiward:problem:not-found", "Not found"),
    408: ("urn:apiward:problem:request-timeout", "Request timeout"),
    413: ("urn:apiward:problem:too-large", "Content too large"),
    414: ("urn:apiward:problem:uri-too-long", "URI too long"),
    429: ("urn:apiward:problem:throttled", "Too many requests"),
    431: ("urn:apiward:problem:headers-too-large", "Request header fields too large"),
    501: ("urn:apiward:problem:not-implemented", "Not implemented"),
    502: ("urn:apiward:problem:bad-gateway", "Bad gateway"),
    503: ("urn:apiward:problem:unavailable", "Inspection unavailable"),
    504: ("urn:apiward:problem:gateway-timeout", "Gateway timeout"),
}


def problem_kind(status: int) -> tuple[str, str]:
    """The ``type`` URI and default ``title`` for a status."""
    return _KINDS.get(status, ("about:blank", "Error"))


def problem_body(status: int, detail: str, event_id: str | None, title: str | None = None) -> bytes:
    kind, default_title = problem_kind(status)
    doc: dict[str, object] = {
        "type": kind,
        "title": title or default_title,
        "status": status,
        "detail": detail,
        "event_id": event_id,
    }
    return orjson.dumps(doc)


def problem_headers(
    body: bytes,
    event_id: str | None,
    retry_after: float | None = None,
    extra: Sequence[tuple[bytes, bytes]] = (),
) -> list[tuple[bytes, bytes]]:
    headers = list(_BASE_HEADERS)
    headers.append((b"content-length", str(len(body)).encode()))
    if event_id:
        headers.append((EVENT_ID_HEADER, event_id.encode()))
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, int(retry_after + 0.999))).encode()))
    headers.extend(extra)
    return headers


async def send_problem(
    send: Send,
    status: int,
    detail: str,
    event_id: str | None = None,
    *,
    title: str | None = None,
    retry_after: float | None = None,
    extra_headers: Sequence[tuple[bytes, bytes]] = (),
    head: bool = False,
) -> None:
    """Answer with a problem+json document (no body for HEAD, as HTTP requires)."""
    body = problem_body(status, detail, event_id, title)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": problem_headers(body, event_id, retry_after, extra_headers),
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})
