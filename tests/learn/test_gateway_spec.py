"""`apiward serve --spec`: the real gateway (uvicorn on an ephemeral port) enforces a spec in front
of a real upstream; blocked requests get problem+json with an event id."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from apiward.gateway.app import create_app
from apiward.gateway.threaded import bound_port, start_in_thread
from apiward.settings import build_settings

DATA = Path(__file__).parent / "data"


async def _upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    body = json.dumps({"path": scope["path"]}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


@contextlib.contextmanager
def _serve(app: Any) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server, thread = start_in_thread(config, timeout=15)
    try:
        yield f"http://127.0.0.1:{bound_port(server)}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("gw")
    with _serve(_upstream) as upstream:
        settings = build_settings({
            "gateway": {"upstream": upstream},
            "detection": {"enabled": False},
            "events": {"store": f"sqlite:///{tmp / 'events.db'}"},
            "api": {"spec": str(DATA / "shop.yaml")},
        })
        with _serve(create_app(settings)) as url:
            yield url


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    [
        ("GET", "/v1/users/12", {"Authorization": "Bearer t"}, None, 200),
        ("POST", "/v1/users", {"Authorization": "Bearer t"}, {"name": "a", "email": "a@example.com"}, 200),
        ("GET", "/v1/users/12%27%20OR%201=1", {"Authorization": "Bearer t"}, None, 403),
        ("POST", "/v1/users", {"Authorization": "Bearer t"}, {"name": "a", "email": "a@example.com", "isAdmin": True}, 403),
        ("GET", "/v1/users/12", {}, None, 401),
        ("GET", "/v1/secret", {"Authorization": "Bearer t"}, None, 404),
        ("PATCH", "/v1/users/12", {"Authorization": "Bearer t"}, None, 405),
    ],
)
def test_gateway_enforces_spec(gateway: str, method: str, path: str, headers: dict[str, str], body: Any, status: int) -> None:
    response = httpx.request(method, gateway + path, headers=headers, json=body, timeout=10)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["path"] == path.split("?")[0]
    else:
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == status and problem["event_id"]
