"""Fixtures of the gateway tests (helpers live in gateway_harness)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gateway_harness import Running, running, upstream_app


@pytest.fixture(scope="module")
def upstream() -> Iterator[Running]:
    with running(upstream_app, lifespan="off") as server:
        yield server
