"""Trusted-proxy truth table (after uvicorn's tests/middleware/test_proxy_headers.py)."""

from __future__ import annotations

import pytest

from apiward.gateway.forwarding import ProxyTrust, forwarded_for

CASES = [
    # (trusted, peer, headers, expected client)
    ((), "1.2.3.4", [("x-forwarded-for", "9.9.9.9")], "1.2.3.4"),  # nobody trusted: headers ignored
    (("10.0.0.0/8",), "1.2.3.4", [("x-forwarded-for", "9.9.9.9")], "1.2.3.4"),  # untrusted peer
    (("10.0.0.1",), "10.0.0.1", [], "10.0.0.1"),  # trusted peer, no header
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "9.9.9.9")], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "6.6.6.6, 9.9.9.9")], "9.9.9.9"),  # spoofed left part
    (("10.0.0.0/8",), "10.0.0.1", [("x-forwarded-for", "6.6.6.6, 9.9.9.9, 10.0.0.2")], "9.9.9.9"),
    (("10.0.0.0/8",), "10.0.0.1", [("x-forwarded-for", "10.0.0.3, 10.0.0.2")], "10.0.0.3"),  # all trusted
    (("10.0.0.0/8",), "10.0.0.1", [("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "9.9.9.9")], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "unknown, 9.9.9.9")], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "9.9.9.9, garbage")], "10.0.0.1"),  # junk from the last hop
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "9.9.9.9:1234")], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "[2001:db8::1]:80")], "2001:db8::1"),
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "2001:db8::1")], "2001:db8::1"),
    (("::1",), "::1", [("x-forwarded-for", "9.9.9.9")], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("forwarded", 'for=9.9.9.9;proto=https')], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("forwarded", 'for=6.6.6.6, for="[2001:db8::7]:4711"')], "2001:db8::7"),
    (("10.0.0.0/8",), "10.0.0.1", [("forwarded", "for=9.9.9.9, for=10.0.0.2;by=x")], "9.9.9.9"),
    (("10.0.0.1",), "10.0.0.1", [("forwarded", "for=_hidden")], "10.0.0.1"),
    (("10.0.0.1",), "10.0.0.1", [("forwarded", "proto=https")], "10.0.0.1"),
    (("10.0.0.1",), "10.0.0.1", [("x-forwarded-for", "9.9.9.9"), ("forwarded", "for=8.8.8.8")], "9.9.9.9"),
    (("0.0.0.0/0",), "5.5.5.5", [("x-forwarded-for", "9.9.9.9, 7.7.7.7")], "9.9.9.9"),  # trust everyone
    (("10.0.0.1",), "not-an-ip", [("x-forwarded-for", "9.9.9.9")], "not-an-ip"),  # unix socket peer etc.
]


@pytest.mark.parametrize(("trusted", "peer", "headers", "expected"), CASES)
def test_client_ip_truth_table(trusted: tuple[str, ...], peer: str, headers: list[tuple[str, str]], expected: str) -> None:
    assert ProxyTrust(trusted).client_ip(peer, headers) == expected


def test_truth_table_ran() -> None:
    assert len(CASES) >= 20


def test_forwarded_for_parsing() -> None:
    assert forwarded_for('for=1.1.1.1;proto=http, For="[::1]:80";by=x, proto=https') == ["1.1.1.1", "::1"]


def test_upstream_headers_untrusted_peer_fresh_chain() -> None:
    out = dict(ProxyTrust().upstream_headers(
        [("host", "api.example"), ("x-forwarded-for", "6.6.6.6"), ("forwarded", "for=6.6.6.6"),
         ("x-forwarded-proto", "https"), ("x-forwarded-host", "evil"), ("x-real-ip", "6.6.6.6")],
        "1.2.3.4", "1.2.3.4", "http"))
    assert out["x-forwarded-for"] == "1.2.3.4"
    assert out["x-forwarded-proto"] == "http"
    assert out["x-forwarded-host"] == "api.example"
    assert out["x-real-ip"] == "1.2.3.4"
    assert out["forwarded"] == 'for=1.2.3.4;proto=http;host="api.example"'
    assert "host" not in out


def test_upstream_headers_trusted_peer_appends() -> None:
    pairs = ProxyTrust(["10.0.0.0/8"]).upstream_headers(
        [("host", "h"), ("x-forwarded-for", "9.9.9.9"), ("forwarded", "for=9.9.9.9"),
         ("x-forwarded-proto", "https"), ("x-forwarded-host", "public.example")],
        "10.0.0.1", "9.9.9.9", "http", preserve_host=True)
    out = dict(pairs)
    assert out["x-forwarded-for"] == "9.9.9.9, 10.0.0.1"
    assert out["x-forwarded-proto"] == "https"
    assert out["x-forwarded-host"] == "public.example"
    assert out["x-real-ip"] == "9.9.9.9"
    assert out["forwarded"] == 'for=9.9.9.9, for=10.0.0.1;proto=http;host="h"'
    assert out["host"] == "h"


def test_upstream_headers_ipv6_peer_quoted() -> None:
    out = dict(ProxyTrust().upstream_headers([], "2001:db8::1", "2001:db8::1", "https"))
    assert out["forwarded"] == 'for="[2001:db8::1]";proto=https'


def test_hop_by_hop_removed() -> None:
    out = ProxyTrust().upstream_headers(
        [("connection", "close, X-Secret"), ("x-secret", "1"), ("keep-alive", "5"), ("te", "trailers"),
         ("trailer", "x"), ("transfer-encoding", "chunked"), ("upgrade", "h2c"), ("proxy-authorization", "x"),
         ("proxy-foo", "x"), ("content-length", "5"), ("x-keep", "yes")],
        "1.2.3.4", "1.2.3.4", "http")
    names = [n for n, _ in out]
    assert "x-keep" in names
    for gone in ("connection", "x-secret", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
                 "proxy-authorization", "proxy-foo", "content-length"):
        assert gone not in names
