"""Driving ``wrk`` (Debian: ``apt-get install -y wrk``) for closed-loop throughput, as the
ModSecurity figures of issue 2 were measured (2 threads, 50 connections)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from apiward.evaluation.loadgen import HttpTarget

INSTALL_HINT = "apt-get install -y wrk"
# wrk output is produced by a trusted local binary; these patterns are linear (no nested quantifiers).
_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_PCT = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def wrk_path() -> str | None:
    return shutil.which("wrk")


@dataclass(frozen=True, slots=True)
class WrkResult:
    rps: float
    non_2xx: int
    socket_errors: int
    p50: float | None  # seconds
    p99: float | None


def parse_output(text: str) -> WrkResult:
    rps = _RPS.search(text)
    if rps is None:
        raise ValueError(f"no Requests/sec in wrk output: {text[-300:]!r}")
    non2xx = _NON2XX.search(text)
    errors = _ERRORS.search(text)
    pct = {m.group(1): float(m.group(2)) * _UNIT[m.group(3)] for m in _PCT.finditer(text)}
    return WrkResult(
        rps=float(rps.group(1)),
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
        p50=pct.get("50"),
        p99=pct.get("99"),
    )


def _lua(target: HttpTarget) -> str:
    body = target.body.decode("utf-8").replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'wrk.method = "{target.method}"\n'
        f'wrk.body = "{body}"\n'
        f'wrk.headers["Content-Type"] = "{target.content_type}"\n'
    )


def run_wrk(target: HttpTarget, seconds: float, connections: int = 50, threads: int = 2) -> WrkResult:
    binary = wrk_path()
    if binary is None:
        raise FileNotFoundError(f"wrk is not installed ({INSTALL_HINT})")
    url = f"http://{target.host}:{target.port}{target.path}"
    with tempfile.TemporaryDirectory(prefix="apiward-wrk-") as tmp:
        argv = [binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        if target.method != "GET" or target.body:
            script = Path(tmp) / "request.lua"
            script.write_text(_lua(target))
            argv += ["-s", str(script)]
        done = subprocess.run(
            [*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return parse_output(done.stdout)
