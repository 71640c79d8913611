"""A `RequestView` from a few words, for stage tests that do not go through HTTP."""

from __future__ import annotations

from apiward.core import RequestView
from apiward.http.parse import build_request_view
from apiward.settings import LimitSettings


def make_request(
    method: str = "GET",
    target: str = "/",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    client_ip: str = "203.0.113.7",
) -> RequestView:
    """Parsed with the default limits; a body without a content type is sent as JSON."""
    path, _, query = target.partition("?")
    pairs = list((headers or {}).items())
    if body and not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("content-type", "application/json"))
    return build_request_view(method, path, query, pairs, client_ip, body, LimitSettings())
