"""The request head as the gateway needs it, read from the ASGI scope in one pass."""

from __future__ import annotations

from dataclasses import dataclass

from apiward.types import Scope


@dataclass(slots=True)
class RequestHead:
    method: str
    raw_path: str  # percent-encoded, as received
    query: str
    target: str  # raw_path?query
    headers: list[tuple[str, str]]  # lower-case names, values read as Latin-1 (byte-preserving)
    peer: str  # TCP peer address ("" for unix sockets)
    scheme: str
    user_agent: str = ""
    content_length: int | None = None
    chunked: bool = False
    upgrade: bool = False

    @classmethod
    def from_scope(cls, scope: Scope) -> RequestHead:
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        headers: list[tuple[str, str]] = []
        user_agent = ""
        length: int | None = None
        chunked = upgrade = False
        for name, value in raw_headers:
            text = value.decode("latin-1")
            key = name.decode("latin-1")
            headers.append((key, text))
            if key == "user-agent":
                user_agent = text
            elif key == "content-length":
                # The HTTP server has validated the syntax; the body read is bounded regardless.
                length = int(value) if value.isdigit() else None
            elif key == "transfer-encoding":
                chunked = True
            elif key == "upgrade":
                upgrade = True
        raw_path = (scope.get("raw_path") or scope["path"].encode("utf-8")).decode("latin-1")
        query = scope["query_string"].decode("latin-1")
        client = scope.get("client")
        return cls(
            method=scope["method"],
            raw_path=raw_path,
            query=query,
            target=f"{raw_path}?{query}" if query else raw_path,
            headers=headers,
            peer=client[0] if client else "",
            scheme=scope.get("scheme", "http"),
            user_agent=user_agent,
            content_length=length,
            chunked=chunked,
            upgrade=upgrade,
        )
