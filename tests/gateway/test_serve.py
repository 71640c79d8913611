"""`apiward serve`: worker processes + admin listener end to end, and config errors (exit code 2)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from gateway_harness import Running
from typer.testing import CliRunner

from apiward.cli.main import _register, app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cli() -> CliRunner:
    _register()
    return CliRunner()


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["--upstream", "http://127.0.0.1:1", "--mode", "bogus"], "gateway.mode"),
        (["--upstream", "ftp://x"], "gateway.upstream"),
        (["--upstream", "http://127.0.0.1:1", "--listen", "nowhere"], "gateway.listen"),
        (["--upstream", "http://127.0.0.1:1", "--workers", "-1"], "gateway.workers"),
        ([], "gateway.upstream"),
    ],
)
def test_invalid_flags_exit_2_naming_the_key(cli: CliRunner, args: list[str], key: str) -> None:
    result = cli.invoke(app, ["serve", *args])
    assert result.exit_code == 2, result.output
    assert key in result.output


def test_invalid_config_file_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "apiward.yaml"
    config.write_text("gateway:\n  upstream: http://127.0.0.1:1\n  timeout_typo: 3\n")
    result = cli.invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 2 and "gateway.timeout_typo" in result.output and "unknown key" in result.output
    config.write_text("limits:\n  max_body_bytes: -5\n")
    result = cli.invoke(app, ["serve", "--config", str(config), "--upstream", "http://127.0.0.1:1"])
    assert result.exit_code == 2 and "limits.max_body_bytes" in result.output


@pytest.mark.slow
def test_serve_two_workers_end_to_end(upstream: Running, tmp_path: Path) -> None:
    listen, admin = free_port(), free_port()
    config = tmp_path / "apiward.yaml"
    config.write_text(yaml.safe_dump({
        "gateway": {"upstream": "http://127.0.0.1:1", "keep_alive_timeout": 2},
        "detection": {"enabled": False},  # this test is about processes, not detection
        "events": {"store": f"sqlite:///{tmp_path}/events.db", "sample_allowed": 1.0},
    }))
    env = {k: v for k, v in os.environ.items() if k not in ("APIWARD_ADMIN_TOKEN", "PROMETHEUS_MULTIPROC_DIR")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from apiward.cli.main import main; main()", "serve", "--config", str(config),
         "--upstream", upstream.url, "--listen", f"127.0.0.1:{listen}", "--admin", f"127.0.0.1:{admin}",
         "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
    )
    output = ""
    try:
        assert proc.stdout is not None
        while "admin token written to" not in output:  # the banner comes before the servers start
            line = proc.stdout.readline()
            assert line, f"serve exited early:\n{output}"
            output += line
        token_file = Path(re.search(r"admin token written to (\S+)", output).group(1))  # type: ignore[union-attr]
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        assert token not in output

        deadline = time.monotonic() + 60
        with httpx.Client(timeout=5) as c:
            while True:  # readiness: both workers started, store and upstream reachable
                try:
                    if c.get(f"http://127.0.0.1:{admin}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, output
                time.sleep(0.05)  # polling readiness
            for i in range(20):
                r = c.get(f"http://127.0.0.1:{listen}/items?i={i}")
                assert r.status_code == 200 and r.json()["query"] == f"i={i}"
            metrics = c.get(f"http://127.0.0.1:{admin}/metrics").text
            counts = re.findall(r'apiward_requests_total\{action="(\w+)",enforced="true"\} (\S+)', metrics)
            assert sum(float(n) for _, n in counts) == 20, counts  # aggregated over the worker processes
            assert c.get(f"http://127.0.0.1:{admin}/api/events").status_code == 401
            authed = c.get(f"http://127.0.0.1:{admin}/api/events", headers={"authorization": f"Bearer {token}"})
            assert authed.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
        output += rest
    assert proc.returncode == 0, output
    assert not token_file.exists()
    # Graceful shutdown flushed the sampled events of both workers.
    import asyncio

    from apiward.store import open_store

    async def count() -> int:
        store = open_store(f"sqlite:///{tmp_path}/events.db")
        await store.open()
        try:
            return len(await store.query(since=None, action=None, limit=100, before_id=None))
        finally:
            await store.close()

    assert asyncio.run(count()) == 20


@pytest.mark.slow
def test_serve_exits_non_zero_when_the_store_cannot_open(upstream: Running, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    config = tmp_path / "apiward.yaml"
    config.write_text(yaml.safe_dump({"events": {"store": f"sqlite:///{blocker}/events.db"},
                                      "detection": {"enabled": False}}))
    proc = subprocess.run(
        [sys.executable, "-c", "from apiward.cli.main import main; main()", "serve", "--config", str(config),
         "--upstream", upstream.url, "--listen", f"127.0.0.1:{free_port()}", "--admin", f"127.0.0.1:{free_port()}",
         "--workers", "1"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "failed to start" in proc.stderr


def test_serve_reports_a_busy_admin_port(upstream: Running, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "apiward.yaml"
        config.write_text(yaml.safe_dump({"events": {"store": f"sqlite:///{tmp_path}/e.db"},
                                          "detection": {"enabled": False}}))
        proc = subprocess.run(
            [sys.executable, "-c", "from apiward.cli.main import main; main()", "serve", "--config", str(config),
             "--upstream", upstream.url, "--listen", f"127.0.0.1:{free_port()}", "--admin", f"127.0.0.1:{port}",
             "--workers", "1"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )
    assert proc.returncode == 1 and "gateway.admin" in proc.stderr, proc.stderr


def test_worker_that_cannot_be_built_fails_its_lifespan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn then exits the worker with its start-up-failure code instead of restarting it forever."""
    import asyncio

    from apiward.gateway.server import SETTINGS_ENV, StartupFailure, worker_app

    bad = tmp_path / "settings.json"
    bad.write_text('{"gateway": {"upstream": "http://127.0.0.1:1", "no_such_key": 1}}')
    monkeypatch.setenv(SETTINGS_ENV, str(bad))
    app = worker_app()
    assert isinstance(app, StartupFailure)
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "lifespan.startup"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert sent[0]["type"] == "lifespan.startup.failed" and "gateway.no_such_key" in sent[0]["message"]


def test_settings_json_keeps_secrets_and_round_trips(tmp_path: Path) -> None:
    from apiward.gateway.server import settings_json, write_private
    from apiward.settings import build_settings

    secret = "s3cret-" + "x" * 40
    settings = build_settings({
        "identity": {"enabled": True, "jwt": {"algorithms": ["HS256"], "hs_secret": secret},
                     "forward_secret": "forward-secret-123"},
        "admin": {"token": "admin-token-abc"},
        "detection": {"thresholds": {"sqli": 0.4}},
        "api": {"spec": str(tmp_path / "spec.yaml")},
    })
    data = settings_json(settings)
    assert b"*****" not in data and b"admin-token-abc" not in data  # workers never need the admin token
    import orjson

    from apiward.settings import build_settings as rebuild

    back = rebuild(orjson.loads(data))
    assert back.identity.jwt.secret() == secret.encode()
    assert back.identity.forward_secret is not None
    assert back.identity.forward_secret.get_secret_value() == "forward-secret-123"
    assert back == settings.model_copy(update={"admin": back.admin})
    target = tmp_path / "settings.json"
    write_private(target, data)
    assert target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):  # never written through an existing file or link
        write_private(target, data)


@pytest.mark.slow
def test_serve_config_file_hs_secret_reaches_workers(upstream: Running, tmp_path: Path) -> None:
    """identity.jwt.hs_secret written in the config file verifies tokens in both workers; the
    secret is never printed; the settings file is private and removed at exit."""
    import jwt

    secret = "config-file-secret-" + "k" * 32
    listen, admin = free_port(), free_port()
    run_tmp = tmp_path / "tmp"
    run_tmp.mkdir()
    config = tmp_path / "apiward.yaml"
    config.write_text(yaml.safe_dump({
        "gateway": {"upstream": upstream.url, "keep_alive_timeout": 2, "stats_interval": 0.2},
        "detection": {"enabled": False},
        "events": {"store": f"sqlite:///{tmp_path}/events.db"},
        "identity": {"enabled": True, "require_auth": True,
                     "jwt": {"algorithms": ["HS256"], "hs_secret": secret}},
    }))
    env = {k: v for k, v in os.environ.items()
           if k not in ("APIWARD_ADMIN_TOKEN", "PROMETHEUS_MULTIPROC_DIR", "APIWARD_JWT_SECRET")}
    env["TMPDIR"] = str(run_tmp)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from apiward.cli.main import main; main()", "serve", "--config", str(config),
         "--listen", f"127.0.0.1:{listen}", "--admin", f"127.0.0.1:{admin}", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
    )
    output = ""
    token = jwt.encode({"sub": "alice", "exp": int(time.time()) + 600}, secret, algorithm="HS256")
    forged = jwt.encode({"sub": "alice", "exp": int(time.time()) + 600}, "*" * 10 + "x" * 30, algorithm="HS256")
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=5) as c:
            while True:
                try:
                    if c.get(f"http://127.0.0.1:{admin}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.05)  # polling readiness
            run_dirs = list(run_tmp.glob("apiward-run-*"))
            assert len(run_dirs) == 1
            assert run_dirs[0].stat().st_mode & 0o777 == 0o700
            assert (run_dirs[0] / "settings.json").stat().st_mode & 0o777 == 0o600
            # Ready means both workers started: a masked secret would have failed their start-up.
            for _ in range(10):  # fresh connections, spread over the workers by the kernel
                with httpx.Client(timeout=5) as fresh:
                    r = fresh.get(f"http://127.0.0.1:{listen}/items", headers={"authorization": f"Bearer {token}"})
                    assert r.status_code == 200, r.text
                    assert fresh.get(f"http://127.0.0.1:{listen}/items").status_code == 401
                    bad = fresh.get(f"http://127.0.0.1:{listen}/items", headers={"authorization": f"Bearer {forged}"})
                    assert bad.status_code == 401
            # Stage counters reach the metrics, summed over the worker processes.
            pattern = r'apiward_auth_failures_total\{reason="(\w+)"\} (\S+)'
            while True:
                found = dict(re.findall(pattern, c.get(f"http://127.0.0.1:{admin}/metrics").text))
                if found.get("missing") == "10.0" and found.get("bad_signature") == "10.0":
                    break
                assert time.monotonic() < deadline, found
                time.sleep(0.05)  # polling for the workers' next statistics copy
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
        output += rest
    assert proc.returncode == 0, output
    assert secret not in output
    assert not list(run_tmp.glob("apiward-run-*"))  # the settings file went with the run directory
