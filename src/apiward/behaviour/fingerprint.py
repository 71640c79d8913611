"""Client attributes the detectors key on: device fingerprint, network, object ids in paths."""

from __future__ import annotations

import hashlib
import ipaddress

from apiward.core import RequestView

_FINGERPRINT_HEADERS = ("user-agent", "accept", "accept-language", "accept-encoding", "sec-ch-ua",
                        "sec-ch-ua-platform", "sec-ch-ua-mobile")


def device_fingerprint(request: RequestView) -> str:
    """A coarse device/tool fingerprint: client headers and the order of header names. Stable for
    one browser or tool, different between tools that share an IP or rotate IPs."""
    h = hashlib.blake2b(digest_size=8)
    for name in _FINGERPRINT_HEADERS:
        h.update((request.header(name) or "").encode("utf-8", "replace")[:256])
        h.update(b"\x00")
    order = [n for n, _ in request.headers if n not in ("cookie", "authorization", "content-length")]
    h.update(",".join(order[:32]).encode())
    return h.hexdigest()


def network_of(ip: str) -> str:
    """/24 for IPv4, /48 for IPv6; the address itself when unparsable."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _is_id(segment: str) -> bool:
    if segment.isdigit():
        return True
    n = len(segment)
    if n == 36 and segment.count("-") == 4:
        return all(c in "0123456789abcdefABCDEF-" for c in segment)
    if n >= 16 and all(c in "0123456789abcdefABCDEF" for c in segment):
        return True
    return False


def route_and_ids(path: str, route: str | None, params: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The route key and the object ids in the path. With a template (spec or policy) the ids
    are its parameters; without, numeric / UUID / long-hex segments are taken as ids."""
    if route is not None:
        return route, tuple(params.values())
    parts = [p for p in path.split("/") if p][:16]
    ids = tuple(p for p in parts if _is_id(p))
    key = "/" + "/".join("{id}" if _is_id(p) else p[:48] for p in parts)
    return key, ids
