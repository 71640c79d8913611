"""Who the client is, and what the upstream is told about it.

`ProxyTrust` decides the client address from the TCP peer and, only when the peer is a trusted
proxy, from ``X-Forwarded-For`` (or, when that is absent, ``Forwarded``, RFC 7239). The list is
walked right to left past trusted proxies: the first untrusted hop is the client. Headers sent by
an untrusted peer are ignored entirely (and not passed on: the upstream gets a fresh chain), so a
client cannot spoof its address by sending ``X-Forwarded-For`` itself. An entry that is not an IP
address (``unknown``, an obfuscated ``_node`` or garbage) stops the walk at the nearest hop that a
trusted proxy vouched for.

`upstream_headers` turns the request headers into the headers sent upstream: hop-by-hop headers
(``Connection`` and every header it names, ``Keep-Alive``, ``TE``, ``Trailer``,
``Transfer-Encoding``, ``Upgrade``, ``Proxy-*``) removed; ``X-Forwarded-For``,
``X-Forwarded-Proto``, ``X-Forwarded-Host``, ``X-Real-IP`` and ``Forwarded`` (re)written.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

HOP_BY_HOP: frozenset[str] = frozenset(
    {
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
    }
)
HOP_BY_HOP_BYTES: frozenset[bytes] = frozenset(h.encode() for h in HOP_BY_HOP)
# Request headers the gateway rewrites or that the upstream client computes itself.
_REWRITTEN: frozenset[str] = frozenset(
    {
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-real-ip",
        "forwarded",
        "content-length",
        "expect",
        "host",
    }
)


@lru_cache(maxsize=4096)
def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _strip_host(token: str) -> str:
    """An address from a Forwarded ``for=`` value or an X-Forwarded-For item, without port/brackets."""
    token = token.strip().strip('"').strip()
    if token.startswith("["):  # [v6] or [v6]:port
        end = token.find("]")
        return token[1:end] if end > 0 else token
    if token.count(":") == 1:  # v4:port
        return token.split(":", 1)[0]
    return token


def forwarded_for(value: str) -> list[str]:
    """The ``for=`` addresses of a Forwarded header, in order (elements without ``for`` skipped)."""
    out: list[str] = []
    for element in value.split(","):
        for pair in element.split(";"):
            key, sep, val = pair.partition("=")
            if sep and key.strip().lower() == "for":
                out.append(_strip_host(val))
    return out


def _format_for(address: str) -> str:
    if ":" in address:  # IPv6 must be quoted and bracketed (RFC 7239 section 6)
        return f'"[{address}]"'
    return address


class ProxyTrust:
    """The trusted-proxies policy. Immutable; build it once from ``gateway.trusted_proxies``."""

    __slots__ = ("_networks",)

    def __init__(self, trusted: Sequence[str] = ()) -> None:
        self._networks: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(item, strict=False) for item in trusted
        )

    @property
    def enabled(self) -> bool:
        return bool(self._networks)

    def is_trusted(self, address: str) -> bool:
        if not self._networks:
            return False
        ip = _parse_ip(address)
        if ip is None:
            return False
        return any(ip in net for net in self._networks)

    def client_ip(self, peer: str, headers: Sequence[tuple[str, str]]) -> str:
        """The client address for a request from ``peer`` with these (lower-case) headers."""
        if not self._networks or not self.is_trusted(peer):
            return peer
        hops = self._hops(headers)
        if not hops:
            return peer
        client = peer
        for hop in reversed(hops):
            if _parse_ip(hop) is None:
                return client  # not an address: stop at the nearest vouched-for hop
            client = hop
            if not self.is_trusted(hop):
                return hop
        return client  # every hop is a trusted proxy: the leftmost is the best we know

    @staticmethod
    def _hops(headers: Sequence[tuple[str, str]]) -> list[str]:
        xff = [v for n, v in headers if n == "x-forwarded-for"]
        if xff:
            return [_strip_host(item) for item in ",".join(xff).split(",") if item.strip()]
        fwd = [v for n, v in headers if n == "forwarded"]
        if fwd:
            return forwarded_for(",".join(fwd))
        return []

    def upstream_headers(
        self,
        headers: Sequence[tuple[str, str]],
        peer: str,
        client_ip: str,
        scheme: str,
        *,
        preserve_host: bool = False,
    ) -> list[tuple[str, str]]:
        """Request headers for the upstream: hop-by-hop removed, forwarding headers (re)written."""
        connection_named: set[str] = set()
        for name, value in headers:
            if name == "connection":
                connection_named.update(t.strip().lower() for t in value.split(","))
        trusted_peer = self.is_trusted(peer)
        out: list[tuple[str, str]] = []
        xff: list[str] = []
        fwd: list[str] = []
        proto: str | None = None
        host: str | None = None
        forwarded_host: str | None = None
        for name, value in headers:
            if name in HOP_BY_HOP or name in connection_named or name.startswith("proxy-"):
                continue
            if name in _REWRITTEN:
                if name == "host":
                    host = value
                    if preserve_host:
                        out.append((name, value))
                elif trusted_peer:
                    if name == "x-forwarded-for":
                        xff.append(value)
                    elif name == "forwarded":
                        fwd.append(value)
                    elif name == "x-forwarded-proto" and proto is None:
                        proto = value
                    elif name == "x-forwarded-host" and forwarded_host is None:
                        forwarded_host = value
                continue
            out.append((name, value))
        forwarded_host = forwarded_host or host
        xff.append(peer)
        element = f"for={_format_for(peer)};proto={scheme}"
        if host and host.isprintable() and '"' not in host and "\\" not in host:
            element += f';host="{host}"'
        fwd.append(element)
        out.append(("x-forwarded-for", ", ".join(xff)))
        out.append(("x-forwarded-proto", proto or scheme))
        if forwarded_host:
            out.append(("x-forwarded-host", forwarded_host))
        out.append(("x-real-ip", client_ip))
        out.append(("forwarded", ", ".join(fwd)))
        return out
