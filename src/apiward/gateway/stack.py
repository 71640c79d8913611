"""The one place where the inspection pipeline is assembled from settings.

Every stage of every domain is constructed here, in phase order, so the whole stack can be read
in one screen. The gateway, the ASGI middleware, the decision endpoint and `apiward eval` all call
`build_pipeline`, so they inspect exactly alike.
"""

from __future__ import annotations

from apiward.core import Category, DecisionPolicy
from apiward.pipeline import ErrorHook, Pipeline, ResponseObserver, Stage
from apiward.settings import Settings


def decision_policy(settings: Settings) -> DecisionPolicy:
    det = settings.detection
    return DecisionPolicy(
        block_threshold=det.block_threshold,
        log_threshold=det.log_threshold,
        thresholds={Category(k): v for k, v in det.thresholds.items()},
    )


def build_pipeline(settings: Settings, on_error: ErrorHook | None = None) -> Pipeline:
    """``on_error`` is told of every stage that raises (the gateway counts them in its metrics)."""
    stages: list[Stage] = []
    observers: list[ResponseObserver] = []
    # Phase IDENTIFY / AUTHZ: identity/ (authentication, authorization policy)
    if settings.identity.enabled:
        from apiward.identity.stages import build_identity_stages

        authn, authz = build_identity_stages(settings.identity)
        stages.append(authn)
        if authz is not None:
            stages.append(authz)
    # Phase SCHEMA: learn/ (OpenAPI enforcement, learned baselines)
    if settings.api.spec is not None or settings.api.profile is not None or settings.api.learn:
        from apiward.learn.profile import api_stages, learning_observer  # files read only when configured

        stages.extend(api_stages(settings.api))
        if settings.api.learn:  # learning mode: its clean check runs the DETECT stages appended below
            observers.append(learning_observer(settings.api, settings.detection.log_threshold, lambda: stages))
    # Phase BEHAVIOUR: behaviour/ (rate limits, abuse detectors) + response observers
    if settings.behaviour.enabled:  # before ratelimit: it sets the risk-tightened cost
        from apiward.behaviour.engine import BehaviourEngine, BehaviourStage, OutcomeObserver
        from apiward.behaviour.sharing import SharedBlocklist

        bs = settings.behaviour
        shared_url = bs.redis_url or settings.ratelimit.redis_url
        shared = SharedBlocklist(shared_url, prefix=bs.key_prefix, interval=bs.share_interval) if (
            bs.share_blocks and shared_url
        ) else None
        engine = BehaviourEngine(bs, shared=shared)
        stages.append(BehaviourStage(engine))
        observers.append(OutcomeObserver(engine))
    if settings.ratelimit.enabled:
        from apiward.behaviour.limiter import RateLimitStage

        stages.append(RateLimitStage(settings.ratelimit))
    # Phase DETECT: detectors/ (decoding, lexical analysis, ML model)
    if settings.detection.enabled:
        from apiward.detectors.stage import DetectionStage, load_model  # loads the model (ModelError)

        stages.append(DetectionStage(settings.detection, load_model(settings.detection)))
    return Pipeline(
        stages,
        observers,
        policy=decision_policy(settings),
        mode=settings.gateway.mode,
        fail_mode=settings.gateway.fail_mode,
        on_error=on_error,
    )
