"""The benchmark's parts (not the benchmark: that is `apiward bench`): the fast upstream, the
asyncio load generator against it, wrk output parsing, the 1 KB body, the report rendering."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from apiward.cli.bench import SECTION, figures, markdown, write_section
from apiward.evaluation.bench import BenchReport, json_body_1k, upstream_process
from apiward.evaluation.loadgen import HttpTarget, LoadResult, closed_loop, fixed_rate
from apiward.evaluation.wrk import parse_output

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8080/api/products?q=1
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.12ms    2.01ms  40.00ms   90.00%
    Req/Sec     3.10k   200.00     3.50k    70.00%
  Latency Distribution
     50%    7.90ms
     75%    8.80ms
     90%   10.10ms
     99%   15.50ms
  31000 requests in 5.00s, 6.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:   6200.50
Transfer/sec:      1.20MB
"""


def test_wrk_output_is_parsed() -> None:
    res = parse_output(WRK_OUTPUT)
    assert res.rps == 6200.5 and res.non_2xx == 12 and res.socket_errors == 3
    assert res.p50 == pytest.approx(0.0079) and res.p99 == pytest.approx(0.0155)
    with pytest.raises(ValueError):
        parse_output("wrk: connection refused")


def test_json_body_is_about_1kb_of_json() -> None:
    body = json_body_1k()
    assert 1000 <= len(body) <= 1100
    assert orjson.loads(body)["items"]


def test_percentiles() -> None:
    res = LoadResult(latencies=[i / 1000 for i in range(1, 101)])
    assert res.percentile(50) == pytest.approx(0.050)
    assert res.percentile(99) == pytest.approx(0.099)
    assert LoadResult().percentile(50) is None


def test_load_generator_against_the_fast_upstream() -> None:
    with upstream_process() as port:
        get = HttpTarget("127.0.0.1", port, "GET", "/api/products?q=mug")
        post = HttpTarget("127.0.0.1", port, "POST", "/api/orders", json_body_1k())
        closed = asyncio.run(closed_loop(post, connections=4, seconds=0.3))
        assert closed.requests > 0 and closed.errors == 0 and set(closed.statuses) == {200}
        fixed = asyncio.run(fixed_rate(get, rate=200, seconds=0.5, connections=4, warmup=0.1))
        assert fixed.errors == 0 and set(fixed.statuses) == {200}
        assert fixed.requests == 100 and len(fixed.latencies) == 100


def test_results_section_is_replaced_and_other_sections_kept(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    write_section(path, f"{SECTION}\n\nfirst\n")
    assert path.read_text() == f"# apiward benchmark results\n\n{SECTION}\n\nfirst\n"
    path.write_text(path.read_text() + "\n## Abuse protection\n\nkept\n")
    write_section(path, f"{SECTION}\n\nsecond\n")
    text = path.read_text()
    assert "first" not in text and "second" in text and "## Abuse protection\n\nkept\n" in text
    assert text.index(SECTION) < text.index("## Abuse protection")
    other = tmp_path / "OTHER.md"
    other.write_text("\n## Abuse protection\n\nkept\n")
    write_section(other, f"{SECTION}\n\nnew\n")
    assert other.read_text() == f"{SECTION}\n\nnew\n\n## Abuse protection\n\nkept\n"


def test_report_renders_every_figure() -> None:
    report = BenchReport(
        machine={"nproc": 2, "cpu": "test cpu", "date": "today", "platform": "linux", "python": "3.11"},
        command="apiward bench --quick",
        inspection={"benign": {"rps_parse_and_inspect_median": 9000.0, "rps_stream": 6000.0}, "pipeline_build_seconds": 0.5,
                    "rss_pipeline_bytes": 120e6},
        throughput={"inspection_on": {"get": {"rps_median": 4000.0}, "post": {"rps_median": 1000.0}}},
        latency={"inspection_on": {"added_p50_ms": 0.4, "added_p99_ms": 6.0, "p50_ms": 1.0}},
        notes=["a note"],
    )
    rows = {what: value for what, value, _, _ in figures(report)}
    assert rows["proxy GET req/s, inspection on (50 conn.)"] == 4000.0
    md = markdown(report)
    assert "`apiward bench --quick`" in md and "test cpu" in md and "- a note" in md
    assert "| 4,000 | >= 3,500 | met |" in md
    assert "| 1,000 | >= 1,300 | MISSED |" in md
    assert "| 6.00 ms | < 5 ms | MISSED |" in md and "| 0.40 ms | < 1 ms | met |" in md
    # the inspection target is judged on the stream (each request once), not on the warm replay
    assert "| 6,000 | >= 5,000 | met |" in md and "| 9,000 |  |" in md
