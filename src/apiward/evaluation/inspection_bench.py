"""In-process inspection benchmark: parse + inspect corpus requests through `build_pipeline` on one
core, as medians of several runs over a warm pipeline (the sample replayed: its values are
remembered), and once through a fresh pipeline (``rps_parse_and_inspect_cold``: every value
analysed for the first time); pipeline build (model load) time; resident memory.

Also one pass of a fresh pipeline over a stream of ``STREAM`` (default 20,000) distinct benign
requests (``rps_stream``): the steady state of new traffic, caches filled only by what it repeats.

Runs in a child process (``python -m apiward.evaluation.inspection_bench OUT.json DATA_DIR N RUNS [STREAM]``)
so it can be pinned to one CPU and so its RSS is that of a process holding just the pipeline.
The result is written as JSON to OUT.json.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from apiward.evaluation.corpus import CorpusReader

BENIGN_FILE = "wcp-legit-dev.jsonl.gz"
ATTACK_FILE = "crs-regression.jsonl.gz"
SEED = 20240601


def sample(path: Path, n: int, label: str, seed: int = SEED) -> list[dict[str, Any]]:
    """A fixed, seeded uniform sample (reservoir) of ``n`` records with ``label``."""
    rng = random.Random(seed)
    reservoir: list[dict[str, Any]] = []
    seen = 0
    for record in CorpusReader(path):
        if record.label != label:
            continue
        seen += 1
        if len(reservoir) < n:
            reservoir.append(dict(record.data))
        else:
            j = rng.randrange(seen)
            if j < n:
                reservoir[j] = dict(record.data)
    return reservoir


def _proc_status(key: str) -> int | None:
    """VmRSS / VmHWM of this process in bytes (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


async def _run_once(pipeline: Any, corpus_request: Any, limits: Any, records: list[dict[str, Any]]) -> float:
    from apiward.core import Context
    from apiward.errors import RequestRejected

    started = time.perf_counter()
    for i, record in enumerate(records):
        try:
            view = corpus_request(record, limits)
        except RequestRejected:
            continue
        await pipeline.inspect(view, Context(request_id=str(i), client_key=view.client_ip))
    return time.perf_counter() - started


async def _inspect_only(pipeline: Any, views: list[Any]) -> float:
    from apiward.core import Context

    started = time.perf_counter()
    for i, view in enumerate(views):
        await pipeline.inspect(view, Context(request_id=str(i), client_key=view.client_ip))
    return time.perf_counter() - started


def measure(data_dir: Path, n: int, runs: int, stream_n: int = 20000) -> dict[str, Any]:
    from apiward.errors import RequestRejected
    from apiward.gateway.stack import build_pipeline
    from apiward.http.parse import corpus_request
    from apiward.settings import Settings

    result: dict[str, Any] = {"sample_size": n, "runs": runs, "seed": SEED}
    rss_before = _proc_status("VmRSS")
    settings = Settings()
    started = time.perf_counter()
    pipeline = build_pipeline(settings)
    result["pipeline_build_seconds"] = time.perf_counter() - started
    result["stages"] = [stage.name for stage in pipeline.stages]
    result["rss_before_pipeline_bytes"] = rss_before
    result["rss_pipeline_bytes"] = _proc_status("VmRSS")

    sets = {
        "benign": sample(data_dir / BENIGN_FILE, n, "benign"),
        "attack": sample(data_dir / ATTACK_FILE, n, "attack"),
    }
    for name, records in sets.items():
        # one pass of a fresh pipeline (empty value / field / model caches): every value of the
        # sample is analysed for the first time, as new traffic is; the timed runs below replay
        # the sample through a warm pipeline (values seen before are remembered)
        cold = build_pipeline(settings)
        cold_seconds = asyncio.run(_run_once(cold, corpus_request, settings.limits, records))
        del cold
        asyncio.run(_run_once(pipeline, corpus_request, settings.limits, records[: min(200, len(records))]))
        times = [asyncio.run(_run_once(pipeline, corpus_request, settings.limits, records)) for _ in range(runs)]
        views = []
        for record in records:
            try:
                views.append(corpus_request(record, settings.limits))
            except RequestRejected:
                pass
        for stage in pipeline.stage_seconds:
            pipeline.stage_seconds[stage] = 0.0
        only = [asyncio.run(_inspect_only(pipeline, views)) for _ in range(runs)]
        inspected = max(1, len(views) * runs)
        parse_times = []
        for _ in range(runs):
            started = time.perf_counter()
            for record in records:
                try:
                    corpus_request(record, settings.limits)
                except RequestRejected:
                    pass
            parse_times.append(time.perf_counter() - started)
        result[name] = {
            "parse_only_rps_median": statistics.median(len(records) / t for t in parse_times),
            "stage_us_per_request": {
                stage: round(seconds / inspected * 1e6, 1) for stage, seconds in pipeline.stage_seconds.items()
            },
            "records": len(records),
            "rps_parse_and_inspect": [len(records) / t for t in times],
            "rps_parse_and_inspect_median": statistics.median(len(records) / t for t in times),
            "rps_inspect_only_median": statistics.median(len(views) / t for t in only) if views else None,
            "rps_parse_and_inspect_cold": len(records) / cold_seconds,
        }
    # A stream: many distinct requests, each seen once, through a fresh pipeline -- caches fill
    # only from what real traffic repeats (headers, cookies, common parameters), not from replay.
    # Drawn from all sites at random, so less repetitive than one protected API's traffic.
    stream = sample(data_dir / BENIGN_FILE, stream_n, "benign", seed=SEED + 1)
    fresh = build_pipeline(settings)
    # as a gateway worker after its start-up (`apiward.gateway.server.worker_app`): the heap built
    # so far is frozen, out of the cyclic collector's full passes (here it also holds the warm
    # pipeline's full caches and the samples, which a worker does not have to walk)
    gc.collect()
    gc.freeze()
    stream_seconds = asyncio.run(_run_once(fresh, corpus_request, settings.limits, stream))
    gc.unfreeze()
    del fresh
    result["benign"]["stream_records"] = len(stream)
    result["benign"]["rps_stream"] = len(stream) / stream_seconds
    result["rss_after_bytes"] = _proc_status("VmRSS")
    result["rss_peak_bytes"] = _proc_status("VmHWM")
    return result


def main(argv: list[str]) -> None:
    import logging

    logging.getLogger("python_multipart").setLevel(logging.ERROR)  # malformed parts are expected
    out, data_dir, n, runs = Path(argv[0]), Path(argv[1]), int(argv[2]), int(argv[3])
    stream_n = int(argv[4]) if len(argv) > 4 else 20000
    try:
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    out.write_bytes(orjson.dumps(measure(data_dir, n, runs, stream_n)))


if __name__ == "__main__":
    main(sys.argv[1:])
