"""Profiles: the directory `apiward learn` writes (``openapi.yaml`` + ``baseline.json``), how it
is learned from traffic, and how the SCHEMA-phase stages are built from `ApiSettings`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from apiward.errors import ConfigError
from apiward.learn.baseline import Baseline, BaselineLearner
from apiward.learn.contract import Contract
from apiward.learn.discovery import build_openapi
from apiward.learn.recorder import LearningObserver
from apiward.learn.router import split_path
from apiward.learn.spec import load_spec, spec_from_document
from apiward.learn.stage import BaselineStage, SpecStage
from apiward.learn.template import PathTemplater
from apiward.learn.traffic import Observation, ReadStats, read_traffic
from apiward.pipeline import Stage
from apiward.settings import ApiSettings, LimitSettings

SPEC_FILE = "openapi.yaml"
BASELINE_FILE = "baseline.json"
MAX_OBSERVATIONS = 2_000_000


@dataclass(frozen=True)
class LearnReport:
    stats: ReadStats
    endpoints: int
    enforcing: int
    samples: int
    capped: int
    spec_path: Path
    baseline_path: Path


def _path_params(template: str, segments: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part, value in zip(template.strip("/").split("/"), segments):
        if part.startswith("{") and part.endswith("}"):
            out[part[1:-1]] = value
    return out


def learn_baseline(observations: Iterable[Observation] | Callable[[], Iterable[Observation]],
                   min_samples: int = 30, client_cap: int = 200) -> Baseline:
    """Two passes: path templates first, then statistics. Given a callable, each pass reads the
    traffic afresh (memory holds statistics only); an iterable is materialised (bounded)."""
    if callable(observations):
        source = observations
    else:
        kept: list[Observation] = []
        for obs in observations:
            if len(kept) >= MAX_OBSERVATIONS:
                break
            kept.append(obs)
        source = lambda: kept  # noqa: E731 - the list is read twice
    templater = PathTemplater()
    for obs in source():
        templater.add(split_path(obs.request.raw_path))
    templater.finish()
    learner = BaselineLearner(min_samples=min_samples, client_cap=client_cap)
    for obs in source():
        segments = split_path(obs.request.raw_path)
        template = templater.template(segments)
        learner.observe(f"{obs.request.method} {template}", obs.request, _path_params(template, segments), obs.client,
                        obs.response_text, obs.timestamp)
    baseline = learner.finish()
    baseline.data["capped"] = learner.skipped_client_cap
    return baseline


def learn_profile(sources: list[str], out: Path, *, min_samples: int = 30, client_cap: int = 200,
                  limits: LimitSettings | None = None) -> LearnReport:
    stats = ReadStats()
    passes = 0

    def read() -> Iterable[Observation]:
        nonlocal passes
        passes += 1  # the first pass (templates) counts into a throw-away ReadStats
        return read_traffic(sources, limits or LimitSettings(), stats if passes == 2 else ReadStats())

    baseline = learn_baseline(read, min_samples, client_cap)
    doc = build_openapi(baseline)
    # The discovered spec must load and compile like any hand-written one.
    Contract(spec_from_document(doc, "discovered"), ApiSettings())
    out.mkdir(parents=True, exist_ok=True)
    spec_path, baseline_path = out / SPEC_FILE, out / BASELINE_FILE
    if baseline_path.is_file():  # keep the previous version beside the new one
        try:
            previous = Baseline.load(baseline_path)
            stamp = str(previous.data.get("created", "old")).replace(":", "")
            baseline_path.replace(out / f"baseline-{stamp}.json")
            if spec_path.is_file():
                spec_path.replace(out / f"openapi-{stamp}.yaml")
        except ConfigError:
            pass  # not ours or corrupt: overwritten below
    spec_path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    baseline.save(baseline_path)
    enforcing = sum(1 for k, m in baseline.endpoints.items() if k != "*" and m.enforcing)
    return LearnReport(stats, len(baseline.endpoints) - (1 if "*" in baseline.endpoints else 0), enforcing,
                       int(baseline.data.get("samples", 0)), int(baseline.data.get("capped", 0)), spec_path, baseline_path)


def api_stages(settings: ApiSettings) -> list[Stage]:
    """SpecStage (spec from ``api.spec``, else the profile's discovered spec) and, with a
    profile, BaselineStage. Errors in either file are ConfigErrors at start-up."""
    stages: list[Stage] = []
    spec_path = settings.spec
    baseline: Baseline | None = None
    if settings.profile is not None:
        if not settings.profile.is_dir():
            raise ConfigError("profile directory not found", "api.profile")
        if spec_path is None and settings.profile_spec and (settings.profile / SPEC_FILE).is_file():
            spec_path = settings.profile / SPEC_FILE
        if settings.baseline and (settings.profile / BASELINE_FILE).is_file():
            baseline = Baseline.load(settings.profile / BASELINE_FILE, settings.baseline_min_samples)
    contract = Contract(load_spec(spec_path), settings) if spec_path is not None else None
    if contract is not None:
        stages.append(SpecStage(contract))
    if baseline is not None:
        stages.append(BaselineStage(baseline, report_unknown=contract is None))
    return stages


def learning_observer(settings: ApiSettings, log_threshold: float, detectors: Callable[[], Sequence[Stage]]) -> LearningObserver:
    """The learning-mode observer; ``detectors`` returns the pipeline's stages (its DETECT ones
    decide what is clean), read at observe time because they are built after this one."""
    return LearningObserver(
        settings.learn_out,
        detectors,
        log_threshold=log_threshold,
        sample=settings.learn_sample,
        window=settings.learn_window,
        min_samples=settings.baseline_min_samples,
        client_cap=settings.learn_client_cap,
    )
