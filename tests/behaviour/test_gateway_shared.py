"""Two real gateway processes (`apiward serve`) share one rate limit through the real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from behaviour_helpers import delete_prefix, unique_prefix

from apiward.behaviour.simulate import gateway_shared_trial


@pytest.fixture()
def prefix(redis_url: str) -> Iterator[str]:
    name = unique_prefix("gw")
    yield name
    delete_prefix(redis_url, name)


@pytest.mark.slow
def test_two_gateway_processes_share_one_limit(tmp_path: Path, redis_url: str, prefix: str) -> None:
    limit = 300
    result = gateway_shared_trial(tmp_path, redis_url, prefix, limit=limit, gateways=2)
    assert result["other_status"] == 0 and result["429_without_retry_after"] == 0, result
    assert result["throttled_429"] > 0
    ok = result["admitted"]
    assert limit * 0.99 <= ok <= (limit + result["refill_during_run"]) * 1.01 + 1, result
