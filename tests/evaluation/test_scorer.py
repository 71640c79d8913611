"""How a gateway's answer is read in `--via` mode, and what is forwarded (truth tables)."""

from __future__ import annotations

import pytest

from apiward.evaluation.corpus import to_record
from apiward.evaluation.scorer import Outcome, classify_response, forward_headers

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("status", "content_type", "event_id", "outcome"),
    [
        (200, "application/json", False, Outcome.PASSED),
        (404, "application/json", False, Outcome.PASSED),  # the upstream's own 404
        (404, PROBLEM, False, Outcome.PASSED),  # an upstream problem without an event id
        (404, PROBLEM, True, Outcome.BLOCKED),  # the gateway answered (outside the spec)
        (401, PROBLEM, True, Outcome.BLOCKED),
        (403, "text/html", False, Outcome.BLOCKED),
        (403, PROBLEM, True, Outcome.BLOCKED),
        (429, PROBLEM, True, Outcome.THROTTLED),
        (400, PROBLEM, True, Outcome.REJECTED),
        (413, PROBLEM, False, Outcome.REJECTED),
        (431, PROBLEM, True, Outcome.REJECTED),
        (400, "application/json", False, Outcome.PASSED),
        (502, PROBLEM, True, Outcome.ERROR),
        (500, "text/plain", False, Outcome.ERROR),
    ],
)
def test_classify_response(status: int, content_type: str, event_id: bool, outcome: Outcome) -> None:
    assert classify_response(status, content_type, event_id) is outcome


def test_blocked_outcomes() -> None:
    assert {o for o in Outcome if o.blocked} == {Outcome.BLOCKED, Outcome.THROTTLED, Outcome.REJECTED}


def test_forward_headers_drop_host_hop_by_hop_and_length() -> None:
    record = to_record(0, {
        "method": "POST", "url": "/x", "label": "benign",
        "headers": {"Host": "a.example", "Connection": "keep-alive", "Content-Length": "5",
                    "Transfer-Encoding": "chunked", "Keep-Alive": "300", "TE": "trailers", "Upgrade": "h2c",
                    "Cookie": "sid=1", "User-Agent": "UA", "X-Evil": "a\r\nInjected: 1",
                    "Accept:text/html": "x", "X-Name": "caf\u00e9 ", "Range": " bytes=0-1 "},
    })
    assert record is not None
    assert forward_headers(record) == [
        (b"Cookie", b"sid=1"), (b"User-Agent", b"UA"), (b"X-Name", "caf\u00e9".encode()), (b"Range", b"bytes=0-1"),
    ]
