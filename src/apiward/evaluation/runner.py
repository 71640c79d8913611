"""Running an evaluation: stream each file through a scorer, tallying as results arrive."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from apiward.evaluation.corpus import CorpusReader
from apiward.evaluation.report import FileResult
from apiward.evaluation.scorer import Scored, Scorer, score_all

# progress(done_bytes, total_bytes, records_done)
Progress = Callable[[int, int, int], None]


async def evaluate_file(
    path: Path,
    scorer: Scorer,
    *,
    limit: int | None = None,
    max_misses: int = 200,
    progress: Progress | None = None,
) -> FileResult:
    """Score every valid record of ``path``; raises CorpusError when the file cannot be read."""
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
    await score_all(scorer, reader, on_done)
    result.seconds = time.perf_counter() - started
    result.skipped = reader.skipped
    if progress is not None:
        progress(reader.size, reader.size, done)
    return result
