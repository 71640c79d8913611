"""The reverse proxy end to end: real upstream, real gateway, real HTTP."""

from __future__ import annotations

import contextlib
import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from apiward.gateway.app import ProxyApp, create_app
from apiward.settings import Settings

from gateway_harness import BIG_CHUNK, MarkerStage, Running, running, settings_for


@pytest.fixture(scope="module")
def gateway(upstream: Running, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, ProxyApp]]:
    settings = settings_for(tmp_path_factory.mktemp("gw"), upstream.url,
                            gateway={"read_timeout": 1.0, "body_timeout": 1.0, "header_timeout": 1.0})
    app = create_app(settings, stages=[MarkerStage()])
    with running(app) as server:
        yield server, app


@pytest.fixture
def client(gateway: tuple[Running, ProxyApp]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway[0].url, timeout=10) as c:
        yield c


def echo(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return orjson.loads(response.content)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_methods_pass_through(client: httpx.Client, method: str) -> None:
    body = b'{"name": "widget"}' if method in ("POST", "PUT", "PATCH") else None
    doc = echo(client.request(method, "/items/7?sort=asc&tag=a&tag=b", content=body,
                              headers={"content-type": "application/json"} if body else {}))
    assert doc["method"] == method
    assert doc["raw_path"] == "/items/7" and doc["query"] == "sort=asc&tag=a&tag=b"
    assert doc["body_len"] == (len(body) if body else 0)


def test_head_has_no_body(client: httpx.Client) -> None:
    r = client.head("/anything")
    assert r.status_code == 200 and r.content == b""


def test_raw_target_not_reencoded(client: httpx.Client) -> None:
    doc = echo(client.get("/a/%2F..%2Fb/caf%C3%A9?x=%20y&z=%26"))
    assert doc["raw_path"] == "/a/%2F..%2Fb/caf%C3%A9" and doc["query"] == "x=%20y&z=%26"


@pytest.mark.parametrize("code", [200, 201, 204, 301, 302, 304, 400, 404, 418, 500, 503])
def test_status_codes_and_repeated_headers(client: httpx.Client, code: int) -> None:
    r = client.get(f"/status/{code}")
    assert r.status_code == code
    assert r.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"]
    assert r.headers.get_list("x-multi") == ["one", "two"]
    assert "x-private" not in r.headers  # named by the upstream's Connection header: hop-by-hop
    if code not in (204, 304):
        assert r.content == f"status {code}".encode()


def test_redirects_are_not_followed(client: httpx.Client) -> None:
    assert client.get("/status/302").status_code == 302


def test_headers_to_upstream(client: httpx.Client) -> None:
    doc = echo(client.get("/h", headers=[("x-custom", "1"), ("x-custom", "2"), ("connection", "keep-alive, x-hop"),
                                          ("x-hop", "drop"), ("keep-alive", "timeout=5"), ("te", "trailers"),
                                          ("proxy-authorization", "Basic x"), ("x-forwarded-for", "6.6.6.6"),
                                          ("authorization", "Bearer abc")]))
    headers = doc["headers"]
    names = [n for n, _ in headers]
    assert [v for n, v in headers if n == "x-custom"] == ["1", "2"]
    for hop in ("x-hop", "keep-alive", "te", "proxy-authorization"):
        assert hop not in names
    assert ["authorization", "Bearer abc"] in headers
    assert [v for n, v in headers if n == "x-forwarded-for"] == ["127.0.0.1"]  # spoofed chain dropped
    assert [v for n, v in headers if n == "x-forwarded-proto"] == ["http"]
    assert any(n == "forwarded" and v.startswith("for=127.0.0.1;proto=http") for n, v in headers)
    assert "user-agent" in names  # the client's, not one the upstream client added
    assert [v for n, v in headers if n == "user-agent"][0].startswith("python-httpx")


def test_utf8_header_bytes_reach_upstream_unchanged(gateway: tuple[Running, ProxyApp]) -> None:
    value = "café €".encode()
    with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
        s.sendall(b"GET /e HTTP/1.1\r\nHost: x\r\nX-U: " + value + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    doc = orjson.loads(data.split(b"\r\n\r\n", 1)[1])
    assert ["x-u", value.decode("latin-1")] in doc["headers"]  # the echo reads bytes as Latin-1


def test_chunked_response_passes(client: httpx.Client) -> None:
    r = client.get("/chunked")
    assert r.status_code == 200 and r.text == "part0;part1;part2;part3;part4;"
    assert r.headers.get("transfer-encoding") == "chunked"


def test_chunked_request_body(client: httpx.Client) -> None:
    parts = [b"alpha", b"beta" * 1000, b"gamma"]
    doc = echo(client.post("/upload", content=iter(parts)))
    assert doc["body_len"] == sum(map(len, parts))
    assert doc["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()


def test_binary_bodies_both_ways(client: httpx.Client) -> None:
    payload = bytes(range(256)) * 100
    doc = echo(client.post("/bin", content=payload, headers={"content-type": "application/octet-stream"}))
    assert doc["body_sha256"] == hashlib.sha256(payload).hexdigest()
    assert client.get("/binary").content == bytes(range(256)) * 4


def test_large_download_streams(client: httpx.Client) -> None:
    size = 20 * 1024 * 1024
    digest = hashlib.sha256()
    received = 0
    with client.stream("GET", f"/big?n={size}") as r:
        assert r.status_code == 200
        for chunk in r.iter_raw():
            received += len(chunk)
            digest.update(chunk)
    expected = hashlib.sha256()
    for _ in range(size // len(BIG_CHUNK)):
        expected.update(BIG_CHUNK)
    assert received == size and digest.hexdigest() == expected.hexdigest()


def test_client_leaving_a_download_stops_it(gateway: tuple[Running, ProxyApp]) -> None:
    import time

    counter = gateway[1].runtime.metrics.duration
    before = counter._sum.get(), sum(b.get() for b in counter._buckets)
    with httpx.Client(base_url=gateway[0].url) as c, c.stream("GET", f"/big?n={500 * 1024 * 1024}") as r:
        next(r.iter_raw())  # take the first bytes of 500 MB, then hang up
    deadline = time.monotonic() + 10
    while sum(b.get() for b in counter._buckets) == before[1]:  # the request is finished and counted
        assert time.monotonic() < deadline, "the gateway kept streaming to a client that left"
        time.sleep(0.01)  # polling a counter, not waiting for time to pass


def problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    doc = orjson.loads(r.content)
    assert set(doc) == {"type", "title", "status", "detail", "event_id"}
    assert doc["status"] == status
    return doc


def test_block_is_403_problem_with_event_id(client: httpx.Client) -> None:
    r = client.get("/search", params={"q": "x BLOCKME"})
    doc = problem(r, 403)
    assert doc["event_id"] and r.headers["x-apiward-event-id"] == doc["event_id"]
    assert doc["type"] == "urn:apiward:problem:blocked"
    assert "sqli" not in doc["detail"]  # the reason is not exposed by default


def test_block_in_json_body(client: httpx.Client) -> None:
    problem(client.post("/orders", json={"items": [{"sku": "BLOCKME"}]}), 403)


def test_head_block_has_no_body(client: httpx.Client) -> None:
    r = client.head("/x?q=BLOCKME")
    assert r.status_code == 403 and r.content == b""


def test_throttle_is_429_with_retry_after(client: httpx.Client) -> None:
    r = client.get("/THROTTLE")
    problem(r, 429)
    assert r.headers["retry-after"] == "7"


def test_unauthenticated_is_401(client: httpx.Client) -> None:
    problem(client.get("/PRIVATE"), 401)


def test_fail_closed_stage_error_is_503(client: httpx.Client) -> None:
    problem(client.get("/BOOM"), 503)


def test_logged_finding_passes(client: httpx.Client) -> None:
    echo(client.get("/SUSPECT"))


def test_body_over_limit_413_without_reading(client: httpx.Client, gateway: tuple[Running, ProxyApp]) -> None:
    limit = gateway[1].runtime.settings.limits.max_body_bytes
    doc = problem(client.post("/upload", content=b"x" * (limit + 1)), 413)
    assert doc["event_id"]
    # Declared length over the limit: refused before the body is sent (raw socket, body never sent).
    with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
        s.sendall(f"POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: {limit * 10}\r\n\r\n".encode())
        assert s.recv(65536).startswith(b"HTTP/1.1 413 ")


def test_chunked_body_over_limit_413(client: httpx.Client, gateway: tuple[Running, ProxyApp]) -> None:
    limit = gateway[1].runtime.settings.limits.max_body_bytes
    chunks = (b"y" * 65536 for _ in range(limit // 65536 + 2))
    problem(client.post("/upload", content=chunks), 413)


def test_upload_over_body_limit_passes(client: httpx.Client, gateway: tuple[Running, ProxyApp]) -> None:
    """A photo larger than max_body_bytes reaches the upstream whole (binary parts are not
    inspected); the same size of text is refused."""
    limit = gateway[1].runtime.settings.limits.max_body_bytes
    photo = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * (limit // 256 + 1000))[: limit + 300_000]
    body = (b"--b\r\nContent-Disposition: form-data; name=file; filename=IMG_0001.jpg\r\nContent-Type: image/jpeg"
            b"\r\n\r\n" + photo + b"\r\n--b--\r\n")
    doc = echo(client.post("/upload", content=body, headers={"content-type": "multipart/form-data; boundary=b"}))
    assert doc["body_sha256"] == hashlib.sha256(body).hexdigest()
    text = body.replace(photo, b"y" * len(photo))
    problem(client.post("/upload", content=text, headers={"content-type": "multipart/form-data; boundary=b"}), 413)


def test_huge_headers_431(client: httpx.Client) -> None:
    problem(client.get("/h", headers={"x-big": "a" * 40_000}), 431)


def test_long_url_414(client: httpx.Client) -> None:
    problem(client.get("/" + "a" * 55_000), 414)  # limits.max_url_bytes defaults to 48 KiB


def test_analytics_sized_url_passes(client: httpx.Client) -> None:
    # a 31 KB analytics beacon URL (product lists in the query) is real traffic
    query = "&".join(f"pr{i}nm=Product%20{i}&pr{i}pr={i}.99" for i in range(1200))
    assert len(query) > 30_000
    echo(client.get("/collect?" + query))


def test_invalid_json_is_inspected_raw_by_default(client: httpx.Client) -> None:
    echo(client.post("/orders", content=b'{"a": ', headers={"content-type": "application/json"}))
    problem(client.post("/orders", content=b'{"a": "BLOCKME', headers={"content-type": "application/json"}), 403)


def test_invalid_utf8_and_garbage_json(client: httpx.Client) -> None:
    r = client.post("/orders", content=b'{"a": "\xff\xfe"}', headers={"content-type": "application/json"})
    assert r.status_code in (200, 400)


def test_malformed_http_gets_400_and_server_survives(client: httpx.Client, gateway: tuple[Running, ProxyApp]) -> None:
    smuggling = (
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc",
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
    )
    for garbage in (b"\x00\x01\x02GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /\x7f HTTP/1.1\r\nHost\r\n\r\n",
                    *smuggling):
        with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
            s.sendall(garbage)
            assert s.recv(4096).startswith(b"HTTP/1.1 400")
    echo(client.get("/still-alive"))


def test_upgrade_request_refused(gateway: tuple[Running, ProxyApp]) -> None:
    with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
        s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                  b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        head = s.recv(4096)
    assert head.startswith(b"HTTP/1.1 501 ") and b"application/problem+json" in head


def test_slow_upstream_504(client: httpx.Client) -> None:
    doc = problem(client.get("/slow"), 504)
    assert doc["type"] == "urn:apiward:problem:gateway-timeout"


def test_upstream_stalling_mid_body_cuts_the_connection(client: httpx.Client, gateway: tuple[Running, ProxyApp]) -> None:
    errors = gateway[1].runtime.metrics.upstream_errors.labels("timeout")
    before = errors._value.get()
    with pytest.raises(httpx.RemoteProtocolError), client.stream("GET", "/stall") as r:
        assert r.status_code == 200
        r.read()  # headers were already sent: the only honest signal left is a cut connection
    assert errors._value.get() == before + 1


def test_slow_client_body_408(gateway: tuple[Running, ProxyApp]) -> None:
    with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
        s.sendall(b"POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-a-little")
        assert s.recv(4096).startswith(b"HTTP/1.1 408 ")


@pytest.mark.parametrize("partial", [b"", b"GET /slow-headers HTTP/1.1\r\nHost: x\r\nX-A: "])
def test_slow_headers_408_and_closed(gateway: tuple[Running, ProxyApp], partial: bytes) -> None:
    with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
        s.sendall(partial)
        answer = b""
        while chunk := s.recv(4096):  # the gateway closes the connection after its 408
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_endless_headers_431_and_closed(gateway: tuple[Running, ProxyApp]) -> None:
    with socket.create_connection(("127.0.0.1", gateway[0].port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        with contextlib.suppress(ConnectionError):  # the gateway may close while we still send
            for _ in range(200):  # up to 20 MB of headers, far past the cap
                s.sendall(b"X-Filler: " + b"a" * 100_000 + b"\r\n")
        while chunk := s.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_keep_alive_survives_header_deadline(gateway: tuple[Running, ProxyApp]) -> None:
    with httpx.Client(base_url=gateway[0].url) as c:  # the deadline is per request, not per connection
        for _ in range(3):
            echo(c.get("/again"))


def test_upstream_down_502(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    settings = settings_for(tmp_path, f"http://127.0.0.1:{dead}")
    app = create_app(settings, stages=[MarkerStage()])
    with running(app) as gw, httpx.Client(base_url=gw.url) as c:
        doc = problem(c.get("/x"), 502)
        assert doc["type"] == "urn:apiward:problem:bad-gateway"
        problem(c.get("/x?q=BLOCKME"), 403)  # inspection still decides first
    text = app.runtime.metrics.upstream_errors.labels("connect")._value.get()
    assert text >= 1


def _settings(tmp_path: Path, upstream: Running, **gateway: object) -> Settings:
    return settings_for(tmp_path, upstream.url, gateway=dict(gateway))
