"""End to end: the demo shop behind a real `apiward serve` with `demo_settings()` -- the shop's own
JWTs pass, the policy stops reading other users' records, missing tokens get 401, and repeated
failed logins are throttled by the behaviour stage."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml

from apiward.demo.shop import create_shop_app
from apiward.identity.demo import JWT_SECRET_ENV, demo_settings

SECRET = "e2e-secret-0123456789abcdef0123456789"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_demo_shop_behind_gateway(tmp_path: Path) -> None:
    shop = uvicorn.Server(uvicorn.Config(create_shop_app(secret=SECRET.encode()), host="127.0.0.1", port=0,
                                         log_level="warning", lifespan="off"))
    thread = threading.Thread(target=shop.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not shop.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.005)
    upstream = f"http://127.0.0.1:{shop.servers[0].sockets[0].getsockname()[1]}"
    listen, admin = f"127.0.0.1:{_port()}", f"127.0.0.1:{_port()}"
    config = {
        **demo_settings(),
        "gateway": {"upstream": upstream, "listen": listen, "admin": admin, "workers": 1},
        "events": {"store": f"sqlite:///{tmp_path / 'events.db'}"},
        "detection": {"enabled": False},
        "admin": {"token": "e2e-admin"},
    }
    path = tmp_path / "apiward.yaml"
    path.write_text(yaml.safe_dump(config))
    log = tmp_path / "gateway.log"
    proc = subprocess.Popen([str(Path(sys.executable).with_name("apiward")), "serve", "--config", str(path)],
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"), cwd=tmp_path,
                            env={**os.environ, JWT_SECRET_ENV: SECRET})
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"http://{admin}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)
        gw = f"http://{listen}"
        with httpx.Client(base_url=gw, timeout=10) as c:
            assert c.get("/api/products").status_code == 200  # public
            assert c.get("/api/me").status_code == 401  # required, missing
            assert "Bearer" in c.get("/api/me").headers.get("www-authenticate", "Bearer")
            token = c.post("/api/login", json={"username": "alice", "password": "wonderland"}).json()["access_token"]
            auth = {"authorization": f"Bearer {token}"}
            assert c.get("/api/me", headers=auth).json()["username"] == "alice"
            assert c.get("/api/users/1", headers=auth).status_code == 200
            denied = c.get("/api/users/2", headers=auth)  # alice reading bob: stopped at the gateway
            assert denied.status_code == 403
            assert denied.headers["content-type"].startswith("application/problem+json")
            assert denied.json().get("event_id")
            assert c.get("/api/users", headers=auth).status_code == 403  # admin only
            forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
            assert c.get("/api/me", headers={"authorization": f"Bearer {forged}"}).status_code == 401
            # brute force on bob from one client that rotates a spoofed X-Forwarded-For (the peer is
            # not a trusted proxy, so the header is ignored): stopped long before 60 attempts
            statuses = [c.post("/api/login", json={"username": "bob", "password": f"guess{i}"},
                               headers={"x-forwarded-for": f"10.77.{i}.1"}).status_code
                        for i in range(60)]
            assert statuses[0] == 401 and statuses[-1] in (403, 429), statuses
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shop.should_exit = True
        thread.join(timeout=10)
