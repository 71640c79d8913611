"""Harness for gateway tests. Real servers: uvicorn on ephemeral 127.0.0.1 ports, each in a thread with its
own event loop, waited for by readiness (``server.started``), stopped by the test."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import uvicorn

from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.gateway.threaded import start_in_thread
from apiward.pipeline import Phase
from apiward.settings import Settings, build_settings
from apiward.types import Receive, Scope, Send

BIG_CHUNK = bytes(range(256)) * 256  # 64 KiB


class Running:
    def __init__(self, server: uvicorn.Server, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running(app: Any, **options: Any) -> Iterator[Running]:
    """Serve ``app`` until the block ends. Waits until uvicorn reports it is listening."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", loop="uvloop",
        http=options.pop("http", "apiward.gateway.protocol:GuardedHttpToolsProtocol"), ws="none", proxy_headers=False, date_header=False, server_header=False,
        lifespan=options.pop("lifespan", "on"), timeout_graceful_shutdown=2, **options,
    )
    server, thread = start_in_thread(config, timeout=15)
    try:
        yield Running(server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


async def upstream_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The protected API of the tests: echoes, statuses, repeated headers, streams, slowness."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path: str = scope["path"]
    method = scope["method"]
    if path.startswith("/status/"):
        code = int(path.rsplit("/", 1)[1])
        headers = [(b"set-cookie", b"a=1; Path=/"), (b"set-cookie", b"b=2; HttpOnly"), (b"x-multi", b"one"),
                   (b"x-multi", b"two"), (b"connection", b"x-private"), (b"x-private", b"secret")]
        if code not in (204, 304):
            payload = f"status {code}".encode()
            headers.append((b"content-length", str(len(payload)).encode()))
        else:
            payload = b""
        await send({"type": "http.response.start", "status": code, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return
    if path == "/chunked":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for i in range(5):
            await send({"type": "http.response.body", "body": f"part{i};".encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/big":
        size = int(dict(p.split("=") for p in scope["query_string"].decode().split("&"))["n"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")]})
        sent = 0
        while sent < size:
            chunk = BIG_CHUNK[: size - sent]
            sent += len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/stall":  # answers, then stops mid-body
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"first part;", "more_body": True})
        await asyncio.sleep(10)
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/slow":
        await asyncio.sleep(10)  # the upstream being slow is the point; the gateway times out first
    if path == "/binary":
        data = bytes(range(256)) * 4
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})
        return
    doc = {
        "method": method,
        "raw_path": scope["raw_path"].decode("latin-1"),
        "query": scope["query_string"].decode("latin-1"),
        "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in scope["headers"]],
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body_len": len(body),
    }
    payload = orjson.dumps(doc)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else payload})


class MarkerStage:
    """A real stage for the tests: reacts to markers in the path, query or body."""

    name = "marker"
    phase = Phase.DETECT

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        target = request.target
        if "BOOM" in target:
            raise RuntimeError("stage bug")
        if "THROTTLE" in target:
            return [Finding(self.name, Category.RATE_LIMIT, "path", 1.0, rule="t", action=Action.THROTTLE,
                            retry_after=7)]
        if "PRIVATE" in target:
            return [Finding(self.name, Category.AUTHN, "header.authorization", 1.0, action=Action.BLOCK, status=401)]
        if "SUSPECT" in target:
            return [Finding(self.name, Category.SQLI, "query.q", 0.3, evidence="SUSPECT")]
        for f in request.fields:
            if "BLOCKME" in f.value:
                return [Finding(self.name, Category.SQLI, f.location, 0.97,
                                evidence=f"{f.value[:40]} password=hunter2")]
        return []


def settings_for(tmp_path: Path, upstream: str | None = None, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {"events": {"store": f"sqlite:///{tmp_path}/events.db", "flush_interval": 0.05}}
    if upstream:
        data["gateway"] = {"upstream": upstream}
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value}
    return build_settings(data)
