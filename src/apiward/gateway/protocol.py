"""uvicorn's httptools protocol with a deadline and a size cap on request heads.

uvicorn closes idle keep-alive connections but sets no deadline on a request whose headers
trickle in (slowloris), and buffers headers of any size. `GuardedHttpToolsProtocol` arms a timer
when a connection opens and whenever a new request begins, and cancels it when the headers are
complete; if it fires first, the client gets ``408`` and the connection is closed. While a head
is incomplete it also counts the bytes received: past the cap the client gets ``431`` and the
connection is closed. Both come from the app (`ProxyApp` sets ``header_timeout`` from
``gateway.header_timeout`` and ``header_bytes_limit`` from ``limits.max_header_bytes`` +
``limits.max_url_bytes``), else the defaults below.
Selected with ``uvicorn.Config(http="apiward.gateway.protocol:GuardedHttpToolsProtocol")``.

`GuardedTlsHttpToolsProtocol` is the same plus the ASGI TLS extension from
`apiward.identity.mtls.TlsHttpToolsProtocol` (the verified client certificate in
``scope["extensions"]["tls"]``), used when TLS terminates here (``gateway.tls_cert``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from apiward.identity.mtls import TlsHttpToolsProtocol

DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_HEADER_BYTES = 64 * 1024
_SLACK = 16 * 1024  # the chunk that completes a head may carry the start of a body
_TIMEOUT_BODY = b"request headers not received in time\n"
_TOO_LARGE_BODY = b"request head too large\n"
_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY)
)
_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = float(getattr(self.app, "header_timeout", DEFAULT_HEADER_TIMEOUT))
        self._header_cap = int(getattr(self.app, "header_bytes_limit", DEFAULT_HEADER_BYTES)) + _SLACK
        self._header_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self._header_timeout, self._headers_late)

    def _disarm(self) -> None:
        self._head_bytes = 0
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        pending = self._header_timer is not None
        super().data_received(data)
        if pending and self._header_timer is not None:  # the head is still incomplete after this chunk
            self._head_bytes += len(data)
            if self._head_bytes > self._header_cap:
                self._disarm()
                if not self.transport.is_closing():
                    self.transport.write(_HEAD_TOO_LARGE)
                    self.transport.close()

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(_REQUEST_TIMEOUT)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()


class GuardedTlsHttpToolsProtocol(GuardedHttpToolsProtocol, TlsHttpToolsProtocol):
    """Header deadline and size cap, plus the client certificate chain in the scope (TLS only).
    MRO: Guarded -> Tls -> HttpTools, so each request first gets its scope (with the TLS
    extension), then the header timer is armed."""
