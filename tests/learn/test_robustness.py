"""Hostile input never raises: log lines, values, and requests scored against a baseline."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

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
    assert stats.records + stats.skipped <= len([x for x in "\n".join(lines).split("\n") if x.strip()]) + 1


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
