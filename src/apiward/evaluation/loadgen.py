"""An HTTP/1.1 load generator on raw asyncio streams (keep-alive connections, pre-built requests).

Two shapes:
- `closed_loop`: N connections each sending back-to-back for a duration -> throughput (the
  fallback when ``wrk`` is not installed; a Python client saturates sooner than wrk does).
- `fixed_rate`: an open-loop schedule at R requests/s over a pool of connections -> latency
  percentiles. Latency is measured from the *scheduled* send time, so a stall shows up as latency
  instead of silently lowering the rate (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HttpTarget:
    host: str
    port: int
    method: str = "GET"
    path: str = "/"
    body: bytes = b""
    content_type: str = "application/json"

    def request_bytes(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"host: {self.host}:{self.port}",
                 "user-agent: apiward-bench/1", "accept: application/json"]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines += [f"content-type: {self.content_type}", f"content-length: {len(self.body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


class ProtocolError(Exception):
    """The server's answer could not be framed."""


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length or chunked body); return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {status_line[:80]!r}")
    status = int(parts[1])
    lower = rest.lower()
    marker = lower.find(b"content-length:")
    if marker >= 0:
        end = lower.find(b"\r\n", marker)
        length = int(lower[marker + 15 : end].strip())
        if length:
            await reader.readexactly(length)
    elif b"transfer-encoding: chunked" in lower:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif status >= 200 and status not in (204, 304):
        raise ProtocolError("response without Content-Length on a keep-alive connection")
    return status


@dataclass(slots=True)
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # seconds

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
        return ordered[rank]

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def _connect(target: HttpTarget) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(target.host, target.port, limit=1 << 20)


async def closed_loop(target: HttpTarget, connections: int, seconds: float) -> LoadResult:
    """Each connection sends the next request as soon as the previous answer arrived."""
    request = target.request_bytes()
    result = LoadResult()
    deadline = time.perf_counter() + seconds

    async def one_connection() -> None:
        reader, writer = await _connect(target)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                result.count(await read_response(reader))
                result.requests += 1
        except (OSError, asyncio.IncompleteReadError, ProtocolError, ValueError):
            result.errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


async def fixed_rate(
    target: HttpTarget, rate: float, seconds: float, connections: int = 50, warmup: float = 0.5
) -> LoadResult:
    """Send ``rate`` requests/s for ``seconds`` (after ``warmup``) over up to ``connections``
    keep-alive connections; latencies are from each request's scheduled time to its answer."""
    request = target.request_bytes()
    result = LoadResult()
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    opened: list[asyncio.StreamWriter] = []
    for _ in range(min(connections, 8)):
        conn = await _connect(target)
        opened.append(conn[1])
        idle.put_nowait(conn)
    interval = 1.0 / rate
    total = int(rate * (seconds + warmup))
    measured_from = int(rate * warmup)
    tasks: set[asyncio.Task[None]] = set()

    async def send(n: int, scheduled: float) -> None:
        if idle.empty() and len(opened) < connections:
            conn = await _connect(target)
            opened.append(conn[1])
        else:
            conn = await idle.get()
        reader, writer = conn
        try:
            writer.write(request)
            status = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ProtocolError, ValueError):
            result.errors += 1
            writer.close()
            try:
                idle.put_nowait(await _connect(target))
            except OSError:
                pass
            return
        if n >= measured_from:
            result.latencies.append(time.perf_counter() - scheduled)
            result.requests += 1
            result.count(status)
        idle.put_nowait(conn)

    loop_start = time.perf_counter()
    for n in range(total):
        scheduled = loop_start + n * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(n, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    result.seconds = max(1e-9, time.perf_counter() - loop_start - warmup)
    for writer in opened:
        writer.close()
    return result
