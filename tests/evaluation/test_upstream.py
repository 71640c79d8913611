"""The benchmark upstream frames requests by their own Content-Length, not a lookalike header."""

from __future__ import annotations

from apiward.evaluation.upstream import RESPONSE, UpstreamProtocol


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        pass


def _answers(*chunks: bytes) -> int:
    proto = UpstreamProtocol()
    transport = _Transport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    for chunk in chunks:
        proto.data_received(chunk)
    return len(transport.written)


def test_lookalike_length_header_is_not_the_body_length() -> None:
    # a resumable upload start names the file's length in its own header; the body is 3 bytes
    head = (b"POST /upload HTTP/1.1\r\nhost: x\r\nx-goog-upload-header-content-length: 999999\r\n"
            b"content-length: 3\r\n\r\n")
    assert _answers(head + b"a=1" + head + b"a=1") == 2


def test_body_split_across_reads_is_awaited() -> None:
    head = b"POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\n"
    assert _answers(head + b"ab") == 0
    assert _answers(head + b"ab", b"cde") == 1
    assert RESPONSE.startswith(b"HTTP/1.1 200")


def test_chunked_request() -> None:
    assert _answers(b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n") == 1
