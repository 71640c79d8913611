"""A minimal, fast HTTP/1.1 upstream for benchmarks: answers every request with a small JSON body.

Raw asyncio protocol (uvloop when available), keep-alive, Content-Length and chunked request
bodies; it does the least work possible so that a benchmark measures the gateway, not the upstream.
Run it as ``python -m apiward.evaluation.upstream HOST PORT``.
"""

from __future__ import annotations

import asyncio
import signal

BODY = b'{"ok":true,"items":[{"id":1,"name":"mug","price":12.5},{"id":2,"name":"kettle","price":54.0}]}'
HEAD_RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
)
RESPONSE = HEAD_RESPONSE + BODY
_MAX_HEAD = 64 * 1024


class UpstreamProtocol(asyncio.Protocol):
    """Parses just enough HTTP/1.1 to find request boundaries, then answers RESPONSE."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self._one():
            pass
        if len(self.buffer) > _MAX_HEAD + (1 << 24) and self.transport is not None:
            self.transport.close()

    def _one(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).lower()
        start = end + 4
        length = 0
        chunked = b"\r\ntransfer-encoding: chunked" in head
        # the header at the start of a line: "x-goog-upload-header-content-length:" is another one
        marker = head.find(b"\r\ncontent-length:")
        if marker >= 0:
            line_end = head.find(b"\r\n", marker + 2)
            length = int(head[marker + 17 : line_end if line_end >= 0 else None].strip() or 0)
        if chunked:
            done = self.buffer.find(b"\r\n0\r\n\r\n", start - 2)
            if done < 0:
                return False
            consumed = done + 7
        else:
            if len(self.buffer) < start + length:
                return False
            consumed = start + length
        del self.buffer[:consumed]
        if self.transport is not None:
            self.transport.write(HEAD_RESPONSE if head.startswith(b"head ") else RESPONSE)
        return True


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(UpstreamProtocol, host, port, backlog=1024, reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def run(host: str, port: int) -> None:
    try:
        import uvloop

        uvloop.run(serve(host, port))
    except ImportError:
        asyncio.run(serve(host, port))


if __name__ == "__main__":
    import sys

    run(sys.argv[1], int(sys.argv[2]))
