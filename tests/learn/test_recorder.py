"""Learning mode: the gateway's observer learns only clean traffic, caps clients, writes a profile."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from apiward.core import Category, Context, Finding, RequestView
from apiward.gateway.stack import build_pipeline
from apiward.http.parse import corpus_request
from apiward.learn.baseline import Baseline
from apiward.learn.profile import api_stages
from apiward.learn.recorder import LearningObserver
from apiward.pipeline import Phase, ResponseInfo, Stage
from apiward.settings import ApiSettings, DetectionSettings, LimitSettings, Settings

LIMITS = LimitSettings()
OK = ResponseInfo(200, ())


class QuoteDetector:
    """A real (tiny) DETECT stage: flags any quote in the query."""

    name = "quotes"
    phase = Phase.DETECT

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        return tuple(Finding("quotes", Category.SQLI, f"query.{n}", 0.9) for n, v in request.query if "'" in v)


def _req(query: str) -> RequestView:
    return corpus_request({"method": "GET", "url": f"/items/42?{query}", "headers": {}, "data": ""}, LIMITS)


def test_learns_only_clean_traffic_and_writes_a_profile(tmp_path: Path) -> None:
    stages: list[Stage] = [QuoteDetector()]
    observer = LearningObserver(tmp_path / "learned", lambda: stages, flush_every=10_000, client_cap=40)

    async def run() -> None:
        for i in range(120):
            await observer.observe(_req(f"q=word{i % 9}"), Context(request_id=str(i), client_key=f"c{i % 6}"), OK)
        for i in range(30):  # attacks: the detector flags them, never learned
            await observer.observe(_req("q=x'--"), Context(request_id="a", client_key="evil"), OK)
        for i in range(10):  # failed upstream answers are not learned
            await observer.observe(_req("q=zzz"), Context(request_id="e", client_key="c1"), ResponseInfo(500, ()))
        for i in range(100):  # one client over its cap
            await observer.observe(_req("q=flood"), Context(request_id="f", client_key="flooder"), OK)
        await observer.flush()

    asyncio.run(run())
    assert observer.learned == 120 + 40 and observer.rejected == 40
    baseline = Baseline.load(tmp_path / "learned" / "baseline.json")
    endpoint = baseline.data["endpoints"]["GET /items/{id}"]
    assert endpoint["n"] == 160 and "'" not in endpoint["params"]["query.q"]["classes"]
    assert (tmp_path / "learned" / "openapi.yaml").is_file()
    # The snapshot is a profile: it loads as one, and the learned endpoint scores.
    (stage,) = [s for s in api_stages(ApiSettings(profile=tmp_path / "learned", profile_spec=False))]
    findings = asyncio.run(stage.inspect(_req("q=%3Cscript%3E"), Context(request_id="t")))
    assert findings and findings[0].location == "query.q"


def test_window_restarts_the_learner(tmp_path: Path) -> None:
    observer = LearningObserver(tmp_path / "w", lambda: (), window=1e-9)
    asyncio.run(observer.observe(_req("q=a"), Context(request_id="1"), OK))
    assert observer.learner.samples == 0  # snapshot written, new learner started
    assert (tmp_path / "w" / "baseline.json").is_file()


def test_build_pipeline_learning_mode(tmp_path: Path) -> None:
    settings = Settings(detection=DetectionSettings(enabled=False), api=ApiSettings(learn=True, learn_out=tmp_path / "l"))
    pipeline = build_pipeline(settings)
    assert [o.name for o in pipeline.observers] == ["baseline-learn"]
