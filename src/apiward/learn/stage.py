"""The SCHEMA-phase stage that enforces an OpenAPI contract (`SpecStage`, name ``spec``)."""

from __future__ import annotations

from collections.abc import Sequence

from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.errors import ConfigError
from apiward.learn.baseline import Baseline
from apiward.learn.contract import Contract
from apiward.learn.router import Router, split_path
from apiward.pipeline import Phase
from apiward.settings import RouteAction

# Tag set on the context when a route matched: other stages may read it (e.g. the detection stage).
ROUTE_TAG = "api.operation"


class SpecStage:
    """Matches the route (sets ``ctx.route`` to the path template and ``ctx.path_params``) and reports
    every contract violation as a SCHEMA finding (AUTHN for missing credentials). The route's action
    decides: BLOCK findings interrupt, LOG findings are recorded, IGNORE routes report nothing."""

    name = "spec"
    phase = Phase.SCHEMA

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        result = self.contract.check(request)
        if result.operation is not None:
            ctx.route = result.operation.template
            ctx.path_params = dict(result.path_params)
            if result.operation.operation_id:
                ctx.tags[ROUTE_TAG] = result.operation.operation_id
        if result.action is RouteAction.IGNORE or not result.violations:
            return ()
        block = result.action is RouteAction.BLOCK
        return tuple(
            Finding(
                stage=self.name,
                category=Category.AUTHN if v.rule == "spec.security" else Category.SCHEMA,
                location=v.location,
                score=1.0,
                evidence=v.message,
                rule=v.rule,
                action=Action.BLOCK if block else Action.LOG,
                status=v.status if block else None,
            )
            for v in result.violations
        )


# Tags BaselineStage leaves for later stages (the detection stage may read them):
# locations whose learned values normally contain markup (< and >): XSS evidence there weighs less;
MARKUP_TAG = "baseline.markup"
# locations that deviate from the baseline (score >= 0.5): attack evidence there weighs more.
ANOMALOUS_TAG = "baseline.anomalous"


class BaselineStage:
    """Scores each input against its endpoint's learned baseline: ANOMALY findings per location with
    the reason (unseen characters, type change, length, vocabulary, unknown / missing parameters).
    Scores go through the decision thresholds (``detection.thresholds.anomaly``)."""

    name = "baseline"
    phase = Phase.SCHEMA

    def __init__(self, baseline: Baseline, floor: float = 0.2, *, report_unknown: bool = True) -> None:
        """``report_unknown``: score requests to endpoints the baseline never saw (set False when
        a SpecStage runs: the spec decides which endpoints exist, and a documented endpoint that
        traffic never exercised is still learning, not anomalous)."""
        self.baseline = baseline
        self.floor = floor
        self.report_unknown = report_unknown
        self._router: Router[dict[str, str]] = Router()
        by_template: dict[str, dict[str, str]] = {}
        for method, template in baseline.templates():
            by_template.setdefault(template, {})[method] = f"{method} {template}"
        for template, methods in by_template.items():
            try:
                self._router.add(template, methods)
            except ConfigError:
                continue  # same shape, other parameter names: first wins

    def _endpoint(self, request: RequestView, ctx: Context) -> tuple[str | None, dict[str, str]]:
        if ctx.route is not None:
            key = f"{request.method} {ctx.route}"
            if key in self.baseline.endpoints:
                return key, ctx.path_params
        matched = self._router.match(split_path(request.raw_path))
        if matched is None:
            return None, {}
        methods, params, _ = matched
        return methods.get(request.method), params

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        endpoint, params = self._endpoint(request, ctx)
        deviations = self.baseline.score(endpoint, request, params, self.report_unknown)
        markup = self.baseline.markup_locations(endpoint)
        if markup:
            ctx.tags[MARKUP_TAG] = ",".join(markup)
        flagged = [d.location for d in deviations if d.score >= 0.5]
        if flagged:
            ctx.tags[ANOMALOUS_TAG] = ",".join(flagged)
        return tuple(
            Finding(
                stage=self.name,
                category=Category.ANOMALY,
                location=d.location,
                score=round(d.score, 4),
                evidence=d.reason,
                rule="baseline",
            )
            for d in deviations
            if d.score >= self.floor
        )
