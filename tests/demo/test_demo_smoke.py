"""`apiward demo` as a user runs it: start, see an attack refused (403 + event id) and a normal call
pass, find the event through the admin API, then Ctrl-C stops every process."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from demo_support import free_port

pytestmark = pytest.mark.slow


def _reader(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put("")


def _closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_demo_serves_blocks_and_stops(tmp_path: Path) -> None:
    api, gw, admin = free_port(), free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from apiward.cli.main import main; main()", "demo", "--dir", str(tmp_path / "d"),
         "--api", f"127.0.0.1:{api}", "--listen", f"127.0.0.1:{gw}", "--admin", f"127.0.0.1:{admin}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not any("demo is running" in line for line in seen):
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line, "demo exited before it was ready:\n" + "".join(seen)
            seen.append(line)
        output = "".join(seen)
        while "See the events" not in output:
            output += lines.get(timeout=10)
        token = re.search(r"admin token\s+(\S+)", output)
        assert token is not None, output
        assert f"http://127.0.0.1:{gw}" in output and f"http://127.0.0.1:{admin}/dashboard" in output
        assert "curl" in output

        with httpx.Client(base_url=f"http://127.0.0.1:{gw}", timeout=10) as client:
            ok = client.get("/api/products", params={"category": "kitchen", "limit": 2})
            assert ok.status_code == 200 and ok.json()["total"] == 2
            login = client.post("/api/login", json={"username": "alice", "password": "wonderland"})
            assert login.status_code == 200 and login.json()["token_type"] == "Bearer"
            # the gateway verifies the shop's JWTs and applies the demo's authorization policy
            alice = {"authorization": f"Bearer {login.json()['access_token']}"}
            assert client.get("/api/me", headers=alice).json()["username"] == "alice"
            assert client.get("/api/users/2", headers=alice).status_code == 403  # not her record
            assert client.get("/api/orders").status_code == 401
            forged = {"authorization": "Bearer " + login.json()["access_token"][:-4] + "AAAA"}
            assert client.get("/api/me", headers=forged).status_code == 401
            attack = client.get("/api/products", params={"category": "<script>alert(1)</script>"})
            assert attack.status_code == 403
            assert attack.headers["content-type"].startswith("application/problem+json")
            event_id = attack.json()["event_id"]
            assert event_id
            # valid for the spec, caught by detection
            sqli = client.get("/api/search", params={"q": "' OR 1=1 --"})
            assert sqli.status_code == 403 and sqli.json()["event_id"]
            assert client.get("/api/search", params={"q": "enamel mug"}).status_code == 200
        with httpx.Client(base_url=f"http://127.0.0.1:{admin}", timeout=10) as client:
            auth = {"authorization": f"Bearer {token.group(1)}"}
            assert client.get("/api/events").status_code == 401
            deadline = time.monotonic() + 30
            while True:  # events are written off the request path, in batches
                events = client.get("/api/events", headers=auth).json()
                listed = events.get("events", events) if isinstance(events, dict) else events
                if any(e["id"] == event_id for e in listed):
                    break
                assert time.monotonic() < deadline, events
                time.sleep(0.2)
            assert client.get("/dashboard/login").status_code == 200
            page = client.get(f"/dashboard/events/{event_id}", headers=auth)
            assert page.status_code == 200 and event_id in page.text and "query.category" in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0
    assert all(_closed(port) for port in (api, gw, admin))
