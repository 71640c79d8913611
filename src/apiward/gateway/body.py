"""Reading a request body with a bound: never more than the limit in memory, never forever."""

from __future__ import annotations

import asyncio
from apiward.errors import RequestRejected
from apiward.types import Receive


class ClientGone(Exception):
    """The client disconnected before its request was read; there is nobody to answer."""


def too_large(limit: int) -> RequestRejected:
    return RequestRejected(413, "Content too large", f"request body exceeds {limit} bytes")


async def read_body(receive: Receive, limit: int, timeout: float) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``limit`` bytes (chunked bodies are
    counted as they arrive) and with 408 when it has not fully arrived within ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            body: bytes = message.get("body", b"")
            if not message.get("more_body", False):
                if len(body) > limit:
                    raise too_large(limit)
                return body
            chunks = [body]
            size = len(body)
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError:
        raise RequestRejected(408, "Request timeout", f"body not received within {timeout:g}s") from None
