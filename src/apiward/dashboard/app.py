"""The dashboard: a few server-rendered, read-only pages over the event store, for the admin listener.

``create_dashboard(store, token)`` returns an ASGI app meant to be mounted (Starlette ``Mount``) at
``/dashboard``; links are built from the mount's ``root_path``. Sign-in is the admin token, posted
once and exchanged for a signed, HttpOnly, SameSite=Strict session cookie (an ``Authorization:
Bearer`` header works too). Every page is read-only; the only POSTs (sign in / out) also check
``Origin`` when the browser sends it. Pages carry a strict CSP (no scripts at all), no caching,
no framing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from apiward.core import Event
from apiward.dashboard import pages
from apiward.dashboard.session import COOKIE_NAME, SessionSigner
from apiward.store import CountField, EventStore

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # no-referrer would make browsers send `Origin: null`
    "cache-control": "no-store",
}
LATEST_BLOCKED = 50
_MAX_FORM_BYTES = 4096


def _counts(rows: Sequence[tuple[str | None, int]]) -> dict[str, int]:
    return {("-" if value is None else str(value)): int(n) for value, n in rows}


async def _find_event(store: EventStore, event_id: str) -> Event | None:
    # Event ids are fixed-length, time-ordered hex: the newest id below ``event_id + "0"`` is
    # ``event_id`` itself when it exists.
    if not event_id or len(event_id) > 64 or not all(c in "0123456789abcdef" for c in event_id):
        return None
    found = await store.query(since=None, action=None, limit=1, before_id=event_id + "0")
    return found[0] if found and found[0].id == event_id else None


def create_dashboard(store: EventStore, token: str | None) -> Starlette:
    """The dashboard app. Without an admin token it refuses every request (503): an admin page
    with no credential is never served open."""
    signer = SessionSigner(token) if token else None
    css = resources.files("apiward.dashboard").joinpath("static", "dashboard.css").read_bytes()

    def base(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def html(body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)

    def authenticated(request: Request) -> bool:
        if signer is None:
            return False
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credential and signer.check_token(credential.strip()):
            return True
        return signer.valid(request.cookies.get(COOKIE_NAME))

    def same_origin(request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return origin is None
        return urlsplit(origin).netloc == request.headers.get("host", "")

    def to_login(request: Request) -> Response:
        return RedirectResponse(f"{base(request)}/login", status_code=303, headers=SECURITY_HEADERS)

    def unavailable() -> Response:
        return html("<h1>Dashboard disabled: set an admin token (APIWARD_ADMIN_TOKEN).</h1>", 503)

    async def login_form(request: Request) -> Response:
        if signer is None:
            return unavailable()
        if authenticated(request):
            return RedirectResponse(f"{base(request)}/", status_code=303, headers=SECURITY_HEADERS)
        return html(pages.login_page(base(request)))

    async def login(request: Request) -> Response:
        if signer is None:
            return unavailable()
        if not same_origin(request):
            return html(pages.login_page(base(request), "Cross-site sign-in refused."), 403)
        body = await request.body()
        if len(body) > _MAX_FORM_BYTES:
            return html(pages.login_page(base(request), "Request too large."), 413)
        presented = parse_qs(body.decode("utf-8", "replace")).get("token", [""])[0]
        if not presented or not signer.check_token(presented):
            return html(pages.login_page(base(request), "Wrong token."), 401)
        response = RedirectResponse(f"{base(request)}/", status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(
            COOKIE_NAME,
            signer.issue(),
            max_age=int(signer.ttl),
            path=base(request) or "/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(request: Request) -> Response:
        response = to_login(request)
        response.delete_cookie(COOKIE_NAME, path=base(request) or "/", httponly=True, samesite="strict")
        return response

    async def overview(request: Request) -> Response:
        if not authenticated(request):
            return unavailable() if signer is None else to_login(request)
        now = time.time()
        summaries: list[pages.Summary] = []
        for label, seconds in (("Last hour", 3600), ("Last 24 hours", 86400)):
            summaries.append(
                pages.Summary(
                    label=label,
                    by_action=_counts(await store.count_by(CountField.ACTION, since=now - seconds)),
                    by_category=_counts(await store.count_by(CountField.CATEGORY, since=now - seconds)),
                )
            )
        blocked: list[Event] = []
        for action in ("block", "throttle"):
            blocked += await store.query(since=None, action=action, limit=LATEST_BLOCKED, before_id=None)
        blocked = sorted(blocked, key=lambda e: e.id, reverse=True)[:LATEST_BLOCKED]
        return html(pages.overview_page(base(request), summaries, blocked))

    async def event(request: Request) -> Response:
        if not authenticated(request):
            return unavailable() if signer is None else to_login(request)
        found = await _find_event(store, request.path_params["event_id"])
        if found is None:
            return html(pages.not_found_page(base(request)), 404)
        return html(pages.event_page(base(request), found))

    async def stylesheet(request: Request) -> Response:
        return Response(css, media_type="text/css", headers={"cache-control": "max-age=3600",
                                                              "x-content-type-options": "nosniff"})

    routes = [
        Route("/", overview),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/events/{event_id}", event),
        Route("/static/dashboard.css", stylesheet),
    ]
    return Starlette(routes=routes)
