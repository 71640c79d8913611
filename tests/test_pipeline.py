from collections.abc import Sequence

import pytest

from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.pipeline import FailMode, Phase, Pipeline

REQ = RequestView(method="GET", path="/", raw_path="/", query_string="", headers=(), client_ip="127.0.0.1")


class Boom:
    name = "boom"
    phase = Phase.DETECT

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        raise RuntimeError("bug")


class Deny:
    name = "deny"
    phase = Phase.IDENTIFY

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        return [Finding("deny", Category.AUTHN, "header.authorization", 1.0, action=Action.BLOCK, status=401)]


def run(pipeline: Pipeline):
    import asyncio

    return asyncio.run(pipeline.inspect(REQ, Context("r1")))


def test_stage_error_fails_closed_by_default() -> None:
    errors: list[str] = []
    v = run(Pipeline([Boom()], on_error=lambda name, exc: errors.append(name)))
    assert v.interrupts and v.status == 503 and v.cause is not None
    assert v.cause.category is Category.INTERNAL and errors == ["boom"]


def test_stage_error_fail_open_logs() -> None:
    v = run(Pipeline([Boom()], fail_mode=FailMode.OPEN))
    assert not v.interrupts and v.action is Action.LOG


def test_short_circuit_on_explicit_block() -> None:
    v = run(Pipeline([Boom(), Deny()]))
    assert v.status == 401 and [f.stage for f in v.findings] == ["deny"]


def test_duplicate_stage_names_rejected() -> None:
    with pytest.raises(ValueError):
        Pipeline([Deny(), Deny()])
