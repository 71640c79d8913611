"""Hostile input never raises: log lines, values, and requests scored against a baseline."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiward.core import Context
from apiward.errors import ApiwardError
from apiward.http.parse import corpus_request
from apiward.learn.baseline import BaselineLearner
from apiward.learn.infer import char_classes, kind_of
from apiward.learn.sensitive import sensitive_kinds
from apiward.learn.stage import BaselineStage
from apiward.learn.traffic import ReadStats, parse_combined, read_traffic
from apiward.settings import LimitSettings

LIMITS = LimitSettings()
TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_values_never_raise(value: str) -> None:
    kind_of(value)
    char_classes(value)
    sensitive_kinds(value)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, st.builds(lambda a, b: f'1.2.3.4 - - [{a}] "GET /{b} HTTP/1.1" 200 5 "-" "{a}"', TEXT, TEXT)))
def test_log_lines_never_raise(line: str) -> None:
    parse_combined(line, LIMITS)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT, max_size=20))
def test_garbage_files_are_counted(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "garbage.log"
    path.write_text("\n".join(lines), encoding="utf-8")
    stats = ReadStats()
    list(read_traffic([str(path)], LIMITS, stats))
    text = "\n".join(lines)
    non_blank = len([x for x in text.split("\n") if x.strip()])  # LF is the only line break
    counted = stats.records + stats.skipped + stats.attacks
    if text.lstrip().startswith(("{", "[")):  # JSON / JSON lines / HAR: one count per record or document
        assert counted <= max(non_blank, 1)
    else:  # an access log: every non-blank line is a record or a counted skip, exactly once
        assert counted == non_blank


LOG_LINE = '10.0.0.{n} - - [10/Oct/2023:13:55:36 +0000] "GET {path} HTTP/1.1" 200 5 "-" "{agent}"'


def test_lone_carriage_return_cannot_forge_a_log_record(tmp_path: Path) -> None:
    """A CR inside an attacker-controlled field (here the User-Agent) is data, not a line break."""
    forged = LOG_LINE.format(n=2, path="/admin/forged", agent="x")
    path = tmp_path / "access.log"
    path.write_bytes((LOG_LINE.format(n=1, path="/a", agent="ua\r" + forged) + "\n").encode())
    stats = ReadStats()
    seen = list(read_traffic([str(path)], LIMITS, stats))
    assert stats.records + stats.skipped == 1
    assert all(obs.request.path != "/admin/forged" for obs in seen)


def test_crlf_line_endings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    lines = [LOG_LINE.format(n=i, path=f"/p{i}", agent="curl/8") for i in range(3)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    stats = ReadStats()
    seen = list(read_traffic([str(path)], LIMITS, stats))
    assert (stats.records, stats.skipped) == (3, 0)
    assert [obs.request.path for obs in seen] == ["/p0", "/p1", "/p2"]
    assert all(obs.request.header("user-agent") == "curl/8" for obs in seen)


def _stage() -> BaselineStage:
    learner = BaselineLearner(min_samples=5)
    for i in range(50):
        learner.observe("GET /p", corpus_request({"method": "GET", "url": f"/p?a={i}&b=x", "headers": {}, "data": ""}, LIMITS))
        learner.observe("POST /p", corpus_request({"method": "POST", "url": "/p", "headers": {"Content-Type": "application/json"},
                                                   "data": json.dumps({"u": {"n": f"n{i}"}, "l": [1, 2]})}, LIMITS))
    return BaselineStage(learner.finish())


STAGE = _stage()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["GET", "POST"]), TEXT, TEXT)
def test_scoring_hostile_requests_never_raises(method: str, query: str, body: str) -> None:
    from urllib.parse import quote

    record = {"method": method, "url": "/p?" + quote(query, safe="=&"), "headers": {"Content-Type": "application/json"}, "data": body}
    try:
        request = corpus_request(record, LIMITS)
    except ApiwardError:
        return
    for finding in asyncio.run(STAGE.inspect(request, Context(request_id="h"))):
        assert 0.0 <= finding.score <= 1.0 and finding.evidence
