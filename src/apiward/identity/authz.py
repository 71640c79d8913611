"""The ``authz`` stage (phase AUTHZ): the policy decides; routes it does not name are denied
(``identity.enforce``; when off, they are logged instead)."""

from __future__ import annotations

from collections.abc import Sequence

from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.identity.authn import TAG_AUTHN
from apiward.identity.forwarding import TAG_WWW_AUTHENTICATE
from apiward.identity.policy import Policy, evaluate, request_env
from apiward.identity.reloading import ReloadingFile
from apiward.pipeline import Phase

TAG_RULE = "authz.rule"


class AuthzStage:
    name = "authz"
    phase = Phase.AUTHZ

    def __init__(self, policy: ReloadingFile[Policy] | Policy, *, enforce: bool = True) -> None:
        self._policy = policy
        self._enforce = enforce
        self.denials: dict[str, int] = {}  # reason -> count (metrics)

    def stats(self) -> dict[str, float]:
        """Counters for the gateway's metrics: denials by reason."""
        return {f"denials.{reason}": float(n) for reason, n in self.denials.items()}

    @property
    def policy(self) -> Policy:
        holder = self._policy
        return holder.value if isinstance(holder, ReloadingFile) else holder

    def _finding(self, category: Category, status: int, rule: str, evidence: str, enforce: bool) -> Finding:
        self.denials[rule] = self.denials.get(rule, 0) + 1
        return Finding(
            stage=self.name,
            category=category,
            location="path",
            score=1.0 if enforce else 0.3,
            evidence=evidence[:160],
            rule=f"authz.{rule}",
            action=Action.BLOCK if enforce else Action.LOG,
            status=status if enforce else None,
        )

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        if isinstance(self._policy, ReloadingFile):
            self._policy.poll()
        policy = self.policy
        match = policy.match(request.method, request.path, ctx.route)
        if match is None:
            return (
                self._finding(
                    Category.AUTHZ, 403, "no-rule", f"{request.method} {request.path[:100]} is not in the policy",
                    self._enforce,
                ),
            )
        if ctx.route is None:
            ctx.route = match.template
        if not ctx.path_params and match.params:
            ctx.path_params = dict(match.params)
        ctx.tags[TAG_RULE] = match.rule.name
        # The policy's own parameter names: from its template match (the spec may name them differently).
        env = request_env(
            ctx.identity, match.params or ctx.path_params, request.method, request.path,
            dict(request.query), request.header_map,
        )
        decision = evaluate(match.rule, ctx.identity, env)
        if decision.allowed:
            return ()
        if decision.status == 401:
            if ctx.tags.get(TAG_AUTHN, "").startswith(("missing", "failed")):
                return ()  # authn already reported it (in monitor mode the pipeline goes on)
            ctx.tags.setdefault(TAG_WWW_AUTHENTICATE, 'Bearer realm="apiward"')
            return (
                self._finding(
                    Category.AUTHN, 401, "unauthenticated", f"{match.rule.name} needs an identity", True
                ),
            )
        evidence = f"{match.rule.name} ({match.rule.where}): {decision.reason}"
        return (self._finding(Category.AUTHZ, 403, decision.reason, evidence, True),)
