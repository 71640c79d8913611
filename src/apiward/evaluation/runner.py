"""Running an evaluation: stream each file through a scorer, tallying as results arrive."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from apiward.evaluation.corpus import CorpusReader, CorpusRecord
from apiward.evaluation.report import FileResult
from apiward.evaluation.scorer import Scored, Scorer, score_all
from apiward.ml.split import trained_on

# progress(done_bytes, total_bytes, records_done)
Progress = Callable[[int, int, int], None]


async def evaluate_file(
    path: Path,
    scorer: Scorer,
    *,
    limit: int | None = None,
    max_misses: int = 200,
    progress: Progress | None = None,
    holdout: bool = False,
    transform: Callable[[CorpusRecord], CorpusRecord] | None = None,
) -> FileResult:
    """Score every valid record of ``path``; raises CorpusError when the file cannot be read.
    With ``holdout``, records the shipped model trained on (`apiward.ml.split`) are left out;
    ``transform`` rewrites each record before it is scored (`replay_headers`)."""
    reader = CorpusReader(Path(path), limit=limit)
    result = FileResult(path=Path(path), max_misses=max_misses)
    done = 0

    def on_done(scored: Scored) -> None:
        nonlocal done
        result.add(scored)
        done += 1
        if progress is not None and done % 64 == 0:
            progress(reader.position, reader.size, done)

    started = time.perf_counter()
    records: Iterable[CorpusRecord] = reader
    if holdout:
        records = (r for r in records if not trained_on(r.source))
    if transform is not None:
        records = map(transform, records)
    await score_all(scorer, records, on_done)
    result.seconds = time.perf_counter() - started
    result.skipped = reader.skipped
    if progress is not None:
        progress(reader.size, reader.size, done)
    return result
