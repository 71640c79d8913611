"""`apiward bench`: the figures of issue 2, measured on this machine, as medians of several runs.

(a) in-process inspection throughput on one core (benign mix from wcp-legit-dev, CRS attacks),
    pipeline build / model load time, resident memory — in a pinned child process;
(b) proxy throughput (closed loop, 50 connections: wrk when installed, else a Python generator)
    for a GET with a query string and a 1 KB JSON POST, through the gateway with inspection on
    (the default configuration) and off, and direct to the upstream; p50/p99 latency at a fixed
    moderate rate (open loop), from which the latency the gateway *adds* is derived.

Everything runs as child processes on 127.0.0.1 ephemeral ports and is stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import yaml

from apiward.errors import ApiwardError
from apiward.evaluation.loadgen import HttpTarget, closed_loop, fixed_rate
from apiward.evaluation.wrk import INSTALL_HINT, run_wrk, wrk_path

GET_PATH = "/api/products?category=kitchen&q=enamel+mug&page=2&sort=price&limit=20"
POST_PATH = "/api/orders"

# Issue 2's targets for the gateway with inspection on, default configuration.
TARGETS: dict[str, float] = {
    "get_rps": 3500.0,
    "post_rps": 1300.0,
    "added_p50_ms": 1.0,
    "added_p99_ms": 5.0,
    "inspect_benign_rps": 5000.0,
}


class BenchError(ApiwardError):
    """The benchmark could not run (missing data, a process that would not start)."""


def json_body_1k() -> bytes:
    """A realistic ~1 KB JSON order (fixed content)."""
    items = [
        {"product_id": 100 + i, "sku": f"SKU-{1000 + i}", "quantity": 1 + i % 3, "gift": i % 2 == 0,
         "note": "leave at the door, ring twice"}
        for i in range(6)
    ]
    doc: dict[str, Any] = {
        "customer": {"id": 42, "email": "jane.doe@example.com", "name": "Jane Doe"},
        "shipping": {"street": "12 Rue de la Paix", "city": "Paris", "zip": "75002", "country": "FR"},
        "items": items,
        "coupon": "SPRING-2025",
    }
    body = orjson.dumps(doc)
    pad = 1024 - len(body) - len(',"comment":""')
    if pad > 0:
        doc["comment"] = "x" * pad
    return orjson.dumps(doc)


@dataclass(frozen=True, slots=True)
class BenchPlan:
    data_dir: Path
    quick: bool = False
    connections: int = 50
    rate: float = 1000.0
    workers: int = 0  # 0: one per CPU

    @property
    def runs(self) -> int:
        return 3

    @property
    def seconds(self) -> float:
        return 3.0 if self.quick else 5.0

    @property
    def latency_seconds(self) -> float:
        return 3.0 if self.quick else 5.0

    @property
    def sample_size(self) -> int:
        return 1000 if self.quick else 3000

    @property
    def stream_size(self) -> int:
        return 3000 if self.quick else 20000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while True:
            if proc.poll() is not None:
                raise BenchError(f"process for {url} exited with status {proc.returncode}")
            try:
                if client.get(url).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"{url} not ready after {timeout:.0f}s")
            time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def upstream_process() -> Iterator[int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "apiward.evaluation.upstream", "127.0.0.1", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_child_env(),
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/", proc)
        yield port
    finally:
        _stop(proc)


@contextmanager
def gateway_process(upstream_port: int, inspection: bool, workers: int, tmp: Path) -> Iterator[int]:
    port, admin = _free_port(), _free_port()
    name = "on" if inspection else "off"
    config = tmp / f"gateway-{name}.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "gateway": {
                    "upstream": f"http://127.0.0.1:{upstream_port}",
                    "listen": f"127.0.0.1:{port}",
                    "admin": f"127.0.0.1:{admin}",
                    "workers": workers,
                },
                "detection": {"enabled": inspection},
                "events": {"store": f"sqlite:///{tmp / f'events-{name}.db'}"},
            }
        )
    )
    log = open(tmp / f"gateway-{name}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-c", "from apiward.cli.main import main; main()", "serve", "--config", str(config)],
        stdout=log, stderr=subprocess.STDOUT, env=_child_env(),
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/", proc)
        yield port
    except BenchError as exc:
        log.flush()
        tail = (tmp / f"gateway-{name}.log").read_text(errors="replace")[-1500:]
        raise BenchError(f"{exc}\n--- gateway log ---\n{tail}") from exc
    finally:
        _stop(proc)
        log.close()


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass(slots=True)
class BenchReport:
    machine: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    inspection: dict[str, Any] = field(default_factory=dict)
    throughput: dict[str, dict[str, Any]] = field(default_factory=dict)
    latency: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "command": self.command,
            "inspection": self.inspection,
            "throughput": self.throughput,
            "latency": self.latency,
            "added_latency": self.added_latency(),
            "targets": TARGETS,
            "notes": self.notes,
        }

    def added_latency(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name in ("inspection_on", "inspection_off"):
            for q in ("p50_ms", "p99_ms"):
                out[f"{name}_{q}"] = self.latency.get(name, {}).get(f"added_{q}")
        return out


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_generator": "wrk" if wrk_path() else "python (install wrk: " + INSTALL_HINT + ")",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run_inspection(plan: BenchPlan, tmp: Path) -> dict[str, Any]:
    out = tmp / "inspection.json"
    done = subprocess.run(
        [sys.executable, "-m", "apiward.evaluation.inspection_bench", str(out), str(plan.data_dir),
         str(plan.sample_size), str(plan.runs), str(plan.stream_size)],
        capture_output=True, text=True, env=_child_env(), timeout=1800, check=False,
    )
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"inspection benchmark failed: {done.stderr.strip()[-1500:]}")
    result: dict[str, Any] = orjson.loads(out.read_bytes())
    return result


def _throughput(plan: BenchPlan, target: HttpTarget) -> dict[str, Any]:
    runs: list[float] = []
    non_2xx = errors = 0
    tool = "wrk" if wrk_path() else "python"
    for _ in range(plan.runs):
        if tool == "wrk":
            res = run_wrk(target, plan.seconds, connections=plan.connections)
            runs.append(res.rps)
            non_2xx += res.non_2xx
            errors += res.socket_errors
        else:
            py = asyncio.run(closed_loop(target, plan.connections, plan.seconds))
            runs.append(py.rps)
            non_2xx += sum(n for s, n in py.statuses.items() if not 200 <= s < 400)
            errors += py.errors
    return {"tool": tool, "rps_runs": runs, "rps_median": _median(runs), "non_2xx": non_2xx, "errors": errors}


def _latency(plan: BenchPlan, target: HttpTarget, direct: HttpTarget) -> dict[str, Any]:
    """Latency at a fixed rate through ``target``, each run paired with a run straight to the
    upstream (``direct``) just before it, so the *added* latency is taken within one time window
    (the median of the per-pair differences) and background load on the machine cancels out."""
    runs: dict[str, list[float]] = {k: [] for k in ("p50", "p99", "direct_p50", "direct_p99", "rps")}
    errors = 0
    for _ in range(plan.runs):
        base = asyncio.run(fixed_rate(direct, plan.rate, plan.latency_seconds, connections=plan.connections))
        res = asyncio.run(fixed_rate(target, plan.rate, plan.latency_seconds, connections=plan.connections))
        errors += res.errors
        values = (res.percentile(50), res.percentile(99), base.percentile(50), base.percentile(99))
        if any(v is None for v in values):
            continue
        for key, value in zip(("p50", "p99", "direct_p50", "direct_p99"), values, strict=True):
            runs[key].append(float(value) * 1000)  # type: ignore[arg-type]
        runs["rps"].append(res.rps)
    added_p50 = [a - b for a, b in zip(runs["p50"], runs["direct_p50"], strict=True)]
    added_p99 = [a - b for a, b in zip(runs["p99"], runs["direct_p99"], strict=True)]
    return {
        "rate": plan.rate,
        "p50_ms_runs": runs["p50"],
        "p99_ms_runs": runs["p99"],
        "direct_p50_ms_runs": runs["direct_p50"],
        "direct_p99_ms_runs": runs["direct_p99"],
        "p50_ms": _median(runs["p50"]),
        "p99_ms": _median(runs["p99"]),
        "direct_p50_ms": _median(runs["direct_p50"]),
        "direct_p99_ms": _median(runs["direct_p99"]),
        "added_p50_ms": _median(added_p50),
        "added_p99_ms": _median(added_p99),
        "achieved_rps_median": _median(runs["rps"]),
        "errors": errors,
    }


def run_bench(plan: BenchPlan, command: str, log: Callable[[str], None] = lambda _: None) -> BenchReport:
    for name in ("wcp-legit-dev.jsonl.gz", "crs-regression.jsonl.gz"):
        if not (plan.data_dir / name).is_file():
            raise BenchError(
                f"{plan.data_dir / name} not found: pass --data DIR (the development data, see README)"
            )
    report = BenchReport(machine=machine_info(), command=command)
    workers = plan.workers or (os.cpu_count() or 1)
    get_body = b""
    post_body = json_body_1k()
    with tempfile.TemporaryDirectory(prefix="apiward-bench-") as tmpdir:
        tmp = Path(tmpdir)
        log("in-process inspection (one core) ...")
        report.inspection = run_inspection(plan, tmp)
        with upstream_process() as up:
            for name, inspection in (("inspection_on", True), ("inspection_off", False)):
                with gateway_process(up, inspection, workers, tmp) as gw:
                    get = HttpTarget("127.0.0.1", gw, "GET", GET_PATH, get_body)
                    post = HttpTarget("127.0.0.1", gw, "POST", POST_PATH, post_body)
                    log(f"gateway ({name.replace('_', ' ')}, {workers} workers): throughput ...")
                    report.throughput[name] = {"get": _throughput(plan, get), "post": _throughput(plan, post)}
                    log(f"gateway ({name.replace('_', ' ')}): latency at {plan.rate:.0f} req/s ...")
                    report.latency[name] = _latency(plan, get, HttpTarget("127.0.0.1", up, "GET", GET_PATH))
            log("direct to the upstream ...")
            direct_get = HttpTarget("127.0.0.1", up, "GET", GET_PATH)
            report.throughput["direct"] = {
                "get": _throughput(plan, direct_get),
                "post": _throughput(plan, HttpTarget("127.0.0.1", up, "POST", POST_PATH, post_body)),
            }
    report.machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report.notes.append(
        f"{plan.runs} runs each; throughput {plan.seconds:.0f}s per run at {plan.connections} connections; "
        f"latency open-loop at {plan.rate:.0f} req/s for {plan.latency_seconds:.0f}s per run, each gateway run "
        "paired with a run straight to the upstream just before it; added latency = median over runs of "
        "(gateway - direct); "
        f"gateway with {workers} worker processes; load generator, upstream and gateway share the machine."
    )
    if not shutil.which("wrk"):
        report.notes.append(f"wrk not installed, Python load generator used ({INSTALL_HINT}).")
    return report
