"""No analyser pattern backtracks catastrophically: adversarial runs of one character class,
wrapped in the syntax each grammar keys on, scan in bounded time (a ReDoS guard for the hot path).

Exponential patterns take seconds at a few dozen repeated characters and effectively forever at
hundreds; linear ones take milliseconds at thousands. The budget below is orders of magnitude
above the linear cost, so it fails only on the former, not on a slow machine."""

from __future__ import annotations

import itertools
import time

import pytest

from apiward.detectors.analysers import ANALYSERS
from apiward.http.normalize import normalize_value

RUNS = ("a", "A1", "1", " ", "'", '"', "(", ")", "/", ".", "%", "$", "<", "-", "_", "\\", "{", "&", "=", "\t", ";", "ab ")
OPENERS = ("", "(", "'", '"', "<", "${", "/", "`", "a=", "select ", "<a ", "{{", "../", "%", "$(", "://", "[")
CLOSERS = ("", "!", ")", "\x00", "'", ">", "(")
BUDGET_SECONDS = 2.0


def _values(n: int) -> list[str]:
    return [o + r * (n // len(r)) + c for r, o, c in itertools.product(RUNS, OPENERS, CLOSERS)]


@pytest.mark.parametrize("analyser", ANALYSERS, ids=[a.name for a in ANALYSERS])
@pytest.mark.parametrize("n", [64, 2000])
def test_adversarial_runs_scan_in_bounded_time(analyser, n: int) -> None:  # type: ignore[no-untyped-def]
    slowest = (0.0, "")
    for value in _values(n):
        text = normalize_value(value).analysed[-1]
        started = time.perf_counter()
        analyser.scan(text)
        spent = time.perf_counter() - started
        slowest = max(slowest, (spent, value[:40]))
    assert slowest[0] < BUDGET_SECONDS, f"{analyser.name}: {slowest[0]:.2f}s on {slowest[1]!r}..."


# multi-character units a grammar nests or repeats (a URL inside a URL's query, an element per
# tag): a rule that re-reads what follows each one must not multiply its work per repetition
UNITS = ("http://a.example/?u=", "https://a.example/r?next=", "<xsl:a ", "..%00/", "${", "{{", "&id", "; echo ",
         "\u4e0a ", "\\\\a.example\\", "'||'", "/**/union/**/")


@pytest.mark.parametrize("analyser", ANALYSERS, ids=[a.name for a in ANALYSERS])
def test_repeated_units_scan_in_bounded_time(analyser) -> None:  # type: ignore[no-untyped-def]
    slowest = (0.0, "")
    for unit in UNITS:
        for n in (400, 2000):
            value = unit * (n // len(unit)) + "x"
            text = normalize_value(value).analysed[-1]
            started = time.perf_counter()
            analyser.scan(text)
            slowest = max(slowest, (time.perf_counter() - started, value[:40]))
    assert slowest[0] < BUDGET_SECONDS, f"{analyser.name}: {slowest[0]:.2f}s on {slowest[1]!r}..."
