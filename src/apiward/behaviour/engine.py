"""Behavioural abuse detection: state, detectors, and the adaptive policy.

One `BehaviourEngine` per pipeline holds every tracker (each a `BoundedTTLMap`: TTL + size cap).
`BehaviourStage` (phase BEHAVIOUR) enforces before the upstream sees a request; `OutcomeObserver`
learns from the upstream's answers. Detectors:

* login (routes configured in ``behaviour.login_routes``; outcome from status / JSON field):
  brute force on one account (per account and per source+account failures), password spraying
  (one password hash failing on many accounts), credential stuffing (one source or one device
  fingerprint across many accounts with a high failure ratio, rotating IPs included), account
  takeover (success after a failure burst -> step-up; new device + new network -> logged);
* BOLA / enumeration: distinct object ids per actor per route, sequential id walking, 403/404 ratio;
* scanning: 404 bursts, many distinct paths, scanner user-agents (capped: a risk signal only);
* volume: per-endpoint rate against a learned EWMA baseline (floods) and per-client rate (scraping).

Signals add risk (0..100, reasons kept, exponential decay) to the client ip, the identity and, on
login routes, the device. The adaptive policy (``behaviour.risk``) maps risk to log / tighten
(rate-limit cost x factor) / 429 / block for a TTL. Accounts under attack are protected by a
step-up answer for sources the account has never succeeded from -- never a lockout of known
devices. With Redis configured, blocks and login-failure counts (per account, per source and
account) are shared by the fleet (`sharing.SharedBlocklist`); the other trackers are per process.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from apiward.behaviour.fingerprint import device_fingerprint, network_of, route_and_ids
from apiward.behaviour.geo import GeoTable, distance_km
from apiward.behaviour.keyed import BoundedTTLMap, Clock
from apiward.behaviour.risk import RiskAction, RiskBook
from apiward.behaviour.sharing import SharedBlocklist
from apiward.behaviour.windows import Buckets, DistinctSet
from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.identity.forwarding import TAG_RETRY_AFTER, TAG_WWW_AUTHENTICATE
from apiward.identity.routes import RouteTable, RouteTemplate
from apiward.pipeline import Phase, ResponseInfo
from apiward.settings import BehaviourSettings, LoginRoute, RouteBehaviour

TAG_RISK = "risk.score"
TAG_RISK_REASONS = "risk.reasons"
TAG_RISK_COST = "risk.cost"
TAG_DEVICE = "device"  # the device fingerprint (events show it; the observer reuses it)
_KNOWN_TTL = 30 * 86400.0
_VOLUME_INTERVAL = 10.0  # seconds per rate sample
_EWMA_ALPHA = 0.1
_WARMUP_INTERVALS = 6


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    account: str
    password: str  # keyed hash, never the password
    config: LoginRoute


@dataclass(slots=True)
class _Volume:
    interval: int = -1
    count: float = 0.0
    baseline: float = 0.0
    samples: int = 0


@dataclass(slots=True)
class _Walk:
    last: int | None = None
    run: int = 0


class BehaviourEngine:
    def __init__(
        self,
        settings: BehaviourSettings,
        clock: Clock = time.monotonic,
        shared: SharedBlocklist | None = None,
    ) -> None:
        self.s = settings
        self._clock = clock
        t = settings.thresholds
        self.t = t
        n, w = settings.max_keys, settings.window
        self.shared = shared
        self.geo = GeoTable.load(settings.geo_file) if settings.geo_file is not None else None
        self.last_login: BoundedTTLMap[str, tuple[float, float, float]] = BoundedTTLMap(n, _KNOWN_TTL, clock)
        # Fleet-wide login failure counts (from Redis via the observer), and failures waiting to be sent.
        self.fleet_acct_fail: BoundedTTLMap[str, int] = BoundedTTLMap(n, w, clock)
        self._pending_failures: list[tuple[str, str, bool]] = []
        self.risk = RiskBook(settings.risk, n, clock, on_block=shared.publish if shared is not None else None)
        self._pw_key = os.urandom(16)  # per-process key: password hashes are not portable
        self._logins: RouteTable[LoginRoute] = RouteTable(
            (RouteTemplate.parse(r.route), (r.method,), r) for r in settings.login_routes
        )
        self._scanner_uas = tuple(u.lower() for u in settings.scanner_user_agents)
        self._tool_uas = tuple(u.lower() for u in settings.login_tool_user_agents)
        self._routes: RouteTable[RouteBehaviour] = RouteTable(
            (RouteTemplate.parse(r.route), r.methods, r) for r in settings.routes
        )
        # login trackers
        self.acct_fail: BoundedTTLMap[str, Buckets] = BoundedTTLMap(n, w, clock)
        self.src_acct_fail: BoundedTTLMap[tuple[str, str], Buckets] = BoundedTTLMap(n, w, clock)
        self.src_accounts: BoundedTTLMap[str, DistinctSet] = BoundedTTLMap(n, w, clock)
        self.src_attempts: BoundedTTLMap[str, tuple[Buckets, Buckets]] = BoundedTTLMap(n, w, clock)
        self.dev_accounts: BoundedTTLMap[str, DistinctSet] = BoundedTTLMap(n, 6 * w, clock)
        self.dev_attempts: BoundedTTLMap[str, tuple[Buckets, Buckets]] = BoundedTTLMap(n, 6 * w, clock)
        self.dev_successes: BoundedTTLMap[str, DistinctSet] = BoundedTTLMap(n, 6 * w, clock)
        self.pw_accounts: BoundedTTLMap[str, DistinctSet] = BoundedTTLMap(n, 6 * w, clock)
        self.sprayed: BoundedTTLMap[str, bool] = BoundedTTLMap(n, settings.risk.block_ttl, clock)
        self.known: BoundedTTLMap[str, DistinctSet] = BoundedTTLMap(n, _KNOWN_TTL, clock)
        # BOLA / scanning / volume trackers
        self.bola_ids: BoundedTTLMap[tuple[str, str], DistinctSet] = BoundedTTLMap(n, w, clock)
        self.bola_walk: BoundedTTLMap[tuple[str, str], _Walk] = BoundedTTLMap(n, w, clock)
        self.bola_outcomes: BoundedTTLMap[tuple[str, str], tuple[Buckets, Buckets]] = BoundedTTLMap(n, w, clock)
        self.scan_404: BoundedTTLMap[str, Buckets] = BoundedTTLMap(n, w, clock)
        self.scan_paths: BoundedTTLMap[str, DistinctSet] = BoundedTTLMap(n, w, clock)
        self.route_volume: BoundedTTLMap[str, _Volume] = BoundedTTLMap(min(n, 10_000), 7 * 86400.0, clock)
        self.client_volume: BoundedTTLMap[tuple[str, str], Buckets] = BoundedTTLMap(n, 6 * _VOLUME_INTERVAL, clock)
        self.client_rate: BoundedTTLMap[str, Buckets] = BoundedTTLMap(n, 60.0, clock)
        self.counters: dict[str, int] = {}

    # -- helpers --------------------------------------------------------------------------
    def _count(self, name: str) -> None:
        self.counters[name] = self.counters.get(name, 0) + 1

    def _signal(self, keys: Sequence[str], reason: str, amount: float) -> None:
        self._count(f"signal.{reason}")
        for key in keys:
            self.risk.add(key, reason, amount)

    def login_attempt(self, request: RequestView) -> LoginAttempt | None:
        if not len(self._logins):
            return None
        hit = self._logins.lookup(request.method, request.path)
        if hit is None:
            return None
        cfg = hit[0]
        account = password = None
        for f in request.fields:
            loc = f.location
            if loc == cfg.username:
                account = f.value.strip().lower()[:256]
            elif cfg.password is not None and loc == cfg.password:
                password = hmac.new(self._pw_key, f.value.encode(), hashlib.sha256).hexdigest()[:24]
        if not account:
            return None
        return LoginAttempt(account, password or "", cfg)

    def route_override(self, request: RequestView, ctx: Context) -> RouteBehaviour | None:
        if not len(self._routes):
            return None
        if ctx.route is not None:
            hit = self._routes.lookup_template(request.method, ctx.route)
            if hit is not None:
                return hit[0]
        found = self._routes.lookup(request.method, request.path)
        return found[0] if found is not None else None

    def account_failures(self, account: str, now: float) -> float:
        local = self.acct_fail.get(account)
        return max(local.total(now) if local is not None else 0.0, float(self.fleet_acct_fail.get(account) or 0))

    def drain_failures(self) -> list[tuple[str, str, bool]]:
        """Login failures observed since the last call: (account, source ip, known device)."""
        out, self._pending_failures = self._pending_failures, []
        return out

    def apply_fleet_failures(self, account: str, ip: str, known: bool, on_account: int,
                             from_source: int) -> list[Finding]:
        """Fold fleet-wide counts in; signal what only the fleet view shows (local counts already did
        their own signalling)."""
        now = self._clock()
        t = self.t
        self.fleet_acct_fail.set(account, on_account)
        local = self.src_acct_fail.get((ip, account))
        local_source = local.total(now) if local is not None else 0.0
        out: list[Finding] = []
        if known:
            return out
        if from_source >= t.brute_force_source > local_source:
            self._signal((f"ip:{ip}",), "brute_force", 25.0)
            out.append(self._finding("behaviour.brute_force",
                                     f"{from_source} failures on one account across gateways", from_source * 5,
                                     Action.LOG))
        local_account = self.acct_fail.get(account)
        if on_account >= t.brute_force_account > (local_account.total(now) if local_account else 0.0):
            self._signal((f"ip:{ip}",), "brute_force_account", 10.0)
        return out

    def popular_device(self, device: str, now: float) -> bool:
        """A fingerprint many different accounts log in with successfully is a common browser, not a
        tool: on it, device-level stuffing signals would hit real users, so they are not used."""
        ok = self.dev_successes.get(device)
        good = ok.count(now) if ok is not None else 0
        if good < 3:
            return False
        failing = self.dev_accounts.get(device)
        bad = failing.count(now) if failing is not None else 0
        return good >= 0.2 * bad

    def _known(self, account: str, device: str, net: str) -> bool:
        seen = self.known.get(account)
        return seen is not None and (("d", device) in seen or ("n", net) in seen)

    @staticmethod
    def _finding(rule: str, evidence: str, score: float, action: Action, status: int | None = None,
                 retry_after: float | None = None, location: str = "") -> Finding:
        return Finding(
            stage="behaviour",
            category=Category.SCANNER if rule.startswith("behaviour.scan") else Category.ABUSE,
            location=location,
            score=min(score / 100.0, 1.0),
            evidence=evidence[:200],
            rule=rule,
            action=action,
            status=status,
            retry_after=retry_after,
        )

    # -- request side (enforcement) ---------------------------------------------------------
    def inspect(self, request: RequestView, ctx: Context) -> list[Finding]:
        override = self.route_override(request, ctx)
        found = self._inspect(request, ctx)
        if override is not None and not override.enforce and found:
            self._count("route_not_enforced")
            return [replace(f, action=Action.LOG, status=None, retry_after=None) for f in found]
        return found

    def _inspect(self, request: RequestView, ctx: Context) -> list[Finding]:
        now = self._clock()
        ip = request.client_ip
        device = device_fingerprint(request)
        ctx.tags[TAG_DEVICE] = device
        ip_key, dev_key = f"ip:{ip}", f"dev:{device}"
        sub_key = f"sub:{ctx.identity.subject}" if ctx.identity is not None else None
        attempt = self.login_attempt(request)
        net = network_of(ip)
        known = attempt is not None and self._known(attempt.account, device, net)
        # Device state only counts on logins to accounts this device / network has never used.
        device_counts = attempt is not None and not known and not self.popular_device(device, now)
        if self.shared is not None:
            self.shared.poll()

        for key in (ip_key, sub_key, dev_key if device_counts else None):
            if key is None:
                continue
            reason = self.risk.blocked(key)
            if reason is None and self.shared is not None:
                reason = self.shared.blocked(key)
            if reason is None:
                continue
            if key is dev_key:
                # A fingerprint can be shared by real users: device evidence only ever asks for step-up.
                return [self._step_up(ctx, "behaviour.device_step_up", f"device flagged: {reason}",
                                      attempt.config.username if attempt else "")]
            self._count("enforced.block")
            return [self._finding("behaviour.blocked", f"{key.split(':')[0]} blocked: {reason}", 100.0,
                                  Action.BLOCK, 403)]

        ua = (request.header("user-agent") or "").lower()
        if ua and any(s in ua for s in self._scanner_uas):
            self._signal((ip_key,), "scanner_user_agent", 5.0)

        self._volume(request, ctx, ip, ip_key, now)

        if attempt is not None:
            if not known and ua and any(s in ua for s in self._tool_uas):
                self._signal((ip_key, dev_key), "login_tool_user_agent", 10.0)
            if not known and attempt.password and self.sprayed.get(attempt.password):
                self._signal((ip_key, dev_key), "password_spraying", 20.0)
                self._count("enforced.block")
                return [self._finding("behaviour.password_spraying",
                                      "password sprayed across many accounts", 90.0, Action.BLOCK, 403,
                                      location=attempt.config.password or "")]
            if not known and self.account_failures(attempt.account, now) >= self.t.brute_force_account:
                return [self._step_up(ctx, "behaviour.account_protected",
                                      "account under attack: step-up required for unknown devices",
                                      attempt.config.username)]

        states = [self.risk.state(ip_key)]
        if sub_key is not None:
            states.append(self.risk.state(sub_key))
        worst = max(states, key=lambda s: s.score)
        if device_counts:
            device_state = self.risk.state(dev_key)
            if device_state.score >= self.s.risk.throttle and device_state.score > worst.score:
                return [self._step_up(ctx, "behaviour.device_step_up",
                                      f"device risk {device_state.score:.0f}: {device_state.explain()}",
                                      attempt.config.username if attempt else "")]
            if device_state.score > worst.score:
                worst = device_state
        if worst.score <= 0:
            return []
        ctx.tags[TAG_RISK] = f"{worst.score:.0f}"
        ctx.tags[TAG_RISK_REASONS] = worst.explain()
        action = self.risk.action(worst.score)
        a = self.s.risk
        if action is RiskAction.BLOCK:
            self._count("enforced.block")
            return [self._finding("behaviour.risk", f"risk {worst.score:.0f}: {worst.explain()}", worst.score,
                                  Action.BLOCK, 403)]
        if action is RiskAction.THROTTLE:
            self._count("enforced.throttle")
            retry = self.risk.seconds_until_below(worst.score, a.throttle)
            ctx.tags[TAG_RETRY_AFTER] = str(int(retry + 0.999))
            return [self._finding("behaviour.risk", f"risk {worst.score:.0f}: {worst.explain()}", worst.score,
                                  Action.THROTTLE, 429, retry_after=retry)]
        if action is RiskAction.TIGHTEN:
            self._count("enforced.tighten")
            ctx.tags[TAG_RISK_COST] = str(a.tighten_factor)
        if action in (RiskAction.TIGHTEN, RiskAction.LOG):
            return [self._finding("behaviour.risk", f"risk {worst.score:.0f}: {worst.explain()}", worst.score,
                                  Action.LOG)]
        return []

    def _step_up(self, ctx: Context, rule: str, evidence: str, location: str) -> Finding:
        self._count("enforced.step_up")
        ctx.tags[TAG_WWW_AUTHENTICATE] = self.s.risk.step_up_challenge
        return self._finding(rule, evidence, 70.0, Action.CHALLENGE, self.s.risk.step_up_status, location=location)

    def _volume(self, request: RequestView, ctx: Context, ip: str, ip_key: str, now: float) -> None:
        t = self.t
        rate = self.client_rate.setdefault(ip, lambda: Buckets(60.0)).add(now) / 60.0
        if rate >= t.client_rate:
            self._signal((ip_key,), "high_volume", 2.0)
        route, _ids = route_and_ids(request.path, ctx.route, ctx.path_params)
        interval = int(now // _VOLUME_INTERVAL)
        vol = self.route_volume.setdefault(route, _Volume)
        if vol.interval != interval:
            if vol.interval >= 0:
                observed = vol.count / _VOLUME_INTERVAL
                gap = interval - vol.interval - 1  # idle intervals count as zero
                for _ in range(min(gap, 50)):
                    vol.baseline *= 1 - _EWMA_ALPHA
                if vol.samples == 0:
                    vol.baseline = observed
                elif observed <= max(vol.baseline * t.flood_factor, t.flood_min_rate):
                    vol.baseline += _EWMA_ALPHA * (observed - vol.baseline)  # floods don't teach
                vol.samples += 1
            vol.interval, vol.count = interval, 0.0
        vol.count += 1
        mine = self.client_volume.setdefault((route, ip), lambda: Buckets(_VOLUME_INTERVAL)).add(now)
        if vol.samples < _WARMUP_INTERVALS:
            return
        current = vol.count / _VOLUME_INTERVAL
        if current >= max(t.flood_min_rate, t.flood_factor * vol.baseline) and mine / _VOLUME_INTERVAL >= (
            0.2 * current
        ):
            self._signal((ip_key,), "flood", 3.0)

    # -- response side (learning) -----------------------------------------------------------
    def observe(self, request: RequestView, ctx: Context, response: ResponseInfo) -> list[Finding]:
        now = self._clock()
        ip = request.client_ip
        findings: list[Finding] = []
        attempt = self.login_attempt(request)
        if attempt is not None:
            findings.extend(self._login_outcome(attempt, request, ctx, response, now))
        actor = f"sub:{ctx.identity.subject}" if ctx.identity is not None else f"ip:{ip}"
        findings.extend(self._bola(request, ctx, actor, response.status, now))
        findings.extend(self._scan(request, ip, response.status, now))
        return findings

    def _login_success(self, attempt: LoginAttempt, response: ResponseInfo) -> bool | None:
        cfg = attempt.config
        if response.status in cfg.failure_status:
            return False
        if response.status not in cfg.success_status:
            return None
        if cfg.success_json is None:
            return True
        try:
            doc = json.loads(response.body_prefix)
        except ValueError:
            return True  # truncated / not JSON: the status decides
        return isinstance(doc, dict) and bool(doc.get(cfg.success_json))

    def _login_outcome(self, attempt: LoginAttempt, request: RequestView, ctx: Context,
                       response: ResponseInfo, now: float) -> list[Finding]:
        success = self._login_success(attempt, response)
        if success is None:
            return []
        t = self.t
        ip = request.client_ip
        device = ctx.tags.get(TAG_DEVICE) or device_fingerprint(request)
        net = network_of(ip)
        ip_key, dev_key = f"ip:{ip}", f"dev:{device}"
        account = attempt.account
        known = self._known(account, device, net)
        out: list[Finding] = []
        src = self.src_attempts.setdefault(ip, lambda: (Buckets(self.s.window), Buckets(self.s.window)))
        dev = self.dev_attempts.setdefault(device, lambda: (Buckets(6 * self.s.window), Buckets(6 * self.s.window)))
        src_total, dev_total = src[0].add(now), dev[0].add(now)
        if success:
            src_fail, dev_fail = src[1].total(now), dev[1].total(now)
            failures = self.account_failures(account, now)
            own = self.src_acct_fail.get((ip, account))
            own_failures = own.total(now) if own is not None else 0.0
            history = self.known.get(account)
            if failures >= t.ato_failures and not known:
                amount = 60.0 if own_failures >= 3 else 40.0
                self._signal((ip_key, f"sub:{account}"), "ato_success_after_failures", amount)
                out.append(self._finding("behaviour.ato_success_after_failures",
                                         f"login success after {failures:.0f} failures on the account",
                                         amount, Action.LOG, location=attempt.config.username))
            elif history is not None and not known and history.count(now) > 0:
                self._signal((f"sub:{account}",), "ato_new_device_network", 25.0)
                out.append(self._finding("behaviour.ato_new_device_network",
                                         "login from a new device on a new network", 25.0, Action.LOG,
                                         location=attempt.config.username))
            self.dev_successes.setdefault(device, lambda: DistinctSet(6 * self.s.window)).add(now, account)
            out.extend(self._travel(account, ip, now, attempt))
            if failures < t.ato_failures or known:
                seen = self.known.setdefault(account, lambda: DistinctSet(_KNOWN_TTL, cap=32))
                seen.add(now, ("d", device))
                seen.add(now, ("n", net))
        else:
            src_fail = src[1].add(now)
            dev_fail = dev[1].add(now)
            # Distinct accounts that FAILED: a popular browser fingerprint (or an office NAT) has
            # many accounts logging in successfully, which must not look like stuffing.
            src_accounts = self.src_accounts.setdefault(ip, lambda: DistinctSet(self.s.window)).add(now, account)
            dev_accounts = self.dev_accounts.setdefault(
                device, lambda: DistinctSet(6 * self.s.window)
            ).add(now, account)
            acct_failures = self.acct_fail.setdefault(account, lambda: Buckets(self.s.window)).add(now)
            if self.shared is not None and len(self._pending_failures) < 64:
                self._pending_failures.append((account, ip, known))
            mine = self.src_acct_fail.setdefault((ip, account), lambda: Buckets(self.s.window)).add(now)
            if mine >= t.brute_force_source and not known:
                self._signal((ip_key, dev_key), "brute_force", 25.0)
                out.append(self._finding("behaviour.brute_force", f"{mine:.0f} failures on one account",
                                         mine * 5, Action.LOG, location=attempt.config.username))
            if acct_failures >= t.brute_force_account and not known:
                self._signal((ip_key,), "brute_force_account", 10.0)
            if attempt.password:
                sprayed = self.pw_accounts.setdefault(
                    attempt.password, lambda: DistinctSet(6 * self.s.window)
                ).add(now, account)
                if sprayed >= t.spray_accounts:
                    self.sprayed.set(attempt.password, True)
                    self._signal((ip_key, dev_key), "password_spraying", 25.0)
                    out.append(self._finding("behaviour.password_spraying",
                                             f"one password failing on {sprayed} accounts", 80.0, Action.LOG,
                                             location=attempt.config.password or ""))
            if src_accounts >= t.stuffing_accounts and src_fail / src_total >= t.stuffing_failure_ratio:
                self._signal((ip_key,), "credential_stuffing", 25.0)
                out.append(self._finding("behaviour.credential_stuffing",
                                         f"{src_accounts} failing accounts from one source, "
                                         f"{src_fail / src_total:.0%} failing", 80.0, Action.LOG))
            if (
                dev_accounts >= 2 * t.stuffing_accounts
                and dev_fail / dev_total >= t.stuffing_failure_ratio
                and not self.popular_device(device, now)
            ):
                self._signal((dev_key,), "credential_stuffing_device", 25.0)
                out.append(self._finding("behaviour.credential_stuffing",
                                         f"{dev_accounts} failing accounts from one device fingerprint, "
                                         f"{dev_fail / dev_total:.0%} failing", 80.0, Action.LOG))
        return out

    def _travel(self, account: str, ip: str, now: float, attempt: LoginAttempt) -> list[Finding]:
        if self.geo is None:
            return []
        here = self.geo.locate(ip)
        if here is None:
            return []
        before = self.last_login.get(account)
        self.last_login.set(account, (here[0], here[1], now))
        if before is None:
            return []
        km = distance_km((before[0], before[1]), here)
        hours = max(now - before[2], 1.0) / 3600.0
        if km < 500 or km / hours <= self.t.travel_kmh:
            return []
        self._signal((f"sub:{account}",), "ato_impossible_travel", 40.0)
        return [self._finding("behaviour.ato_impossible_travel",
                              f"{km:.0f} km in {hours * 60:.0f} min ({km / hours:.0f} km/h)", 60.0, Action.LOG,
                              location=attempt.config.username)]

    def _bola(self, request: RequestView, ctx: Context, actor: str, status: int, now: float) -> list[Finding]:
        route, ids = route_and_ids(request.path, ctx.route, ctx.path_params)
        if not ids:
            return []
        override = self.route_override(request, ctx)
        if override is not None and not override.track_objects:
            return []
        t = self.t
        distinct_limit = (override.bola_distinct_ids if override else None) or t.bola_distinct_ids
        sequential_limit = (override.bola_sequential if override else None) or t.bola_sequential
        key = (actor, route)
        object_id = ids[-1][:64]
        distinct = self.bola_ids.setdefault(key, lambda: DistinctSet(self.s.window, cap=4 * distinct_limit)).add(
            now, object_id
        )
        walk = self.bola_walk.setdefault(key, _Walk)
        if object_id.isdigit() and len(object_id) < 19:
            value = int(object_id)
            walk.run = walk.run + 1 if walk.last is not None and abs(value - walk.last) == 1 else 0
            walk.last = value
        outcomes = self.bola_outcomes.setdefault(key, lambda: (Buckets(self.s.window), Buckets(self.s.window)))
        total = outcomes[0].add(now)
        denied = outcomes[1].add(now) if status in (401, 403, 404) else outcomes[1].total(now)
        out: list[Finding] = []
        if distinct >= distinct_limit:
            self._signal((actor,), "bola_enumeration", 15.0)
            out.append(self._finding("behaviour.bola_enumeration", f"{distinct} distinct ids on {route}",
                                     60.0, Action.LOG, location="path"))
        if walk.run >= sequential_limit:
            self._signal((actor,), "bola_sequential", 20.0)
            out.append(self._finding("behaviour.bola_sequential", f"{walk.run} consecutive ids on {route}",
                                     70.0, Action.LOG, location="path"))
        if total >= t.bola_min_requests and denied / total >= t.bola_denied_ratio:
            self._signal((actor,), "bola_denied_ratio", 10.0)
            out.append(self._finding("behaviour.bola_denied_ratio",
                                     f"{denied:.0f}/{total:.0f} denied on {route}", 50.0, Action.LOG,
                                     location="path"))
        return out

    def _scan(self, request: RequestView, ip: str, status: int, now: float) -> list[Finding]:
        t = self.t
        ip_key = f"ip:{ip}"
        out: list[Finding] = []
        paths = self.scan_paths.setdefault(ip, lambda: DistinctSet(self.s.window, cap=2 * t.scan_paths)).add(
            now, request.path[:256]
        )
        if status == 404:
            burst = self.scan_404.setdefault(ip, lambda: Buckets(self.s.window)).add(now)
            if burst >= t.scan_404:
                self._signal((ip_key,), "scan_404_burst", 10.0)
                out.append(self._finding("behaviour.scan_404_burst", f"{burst:.0f} not-found answers", 50.0,
                                         Action.LOG))
        if paths >= t.scan_paths:
            self._signal((ip_key,), "scan_many_paths", 5.0)
            out.append(self._finding("behaviour.scan_many_paths", f"{paths} distinct paths", 40.0, Action.LOG))
        return out

    def stats(self) -> dict[str, float]:
        out = {k: float(v) for k, v in self.counters.items()}
        out["risk_keys"] = float(len(self.risk))
        if self.shared is not None:
            out.update({f"shared_{k}": float(v) for k, v in self.shared.counters.items()})
            out["shared_blocked_keys"] = float(len(self.shared))
        return out


class BehaviourStage:
    """Enforcement (phase BEHAVIOUR). Construct before the ratelimit stage: it sets ``risk.cost``."""

    name = "behaviour"
    phase = Phase.BEHAVIOUR

    def __init__(self, engine: BehaviourEngine) -> None:
        self.engine = engine

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        return self.engine.inspect(request, ctx)


class OutcomeObserver:
    """Learns from the upstream's answers (login outcomes, 403/404s, object ids)."""

    name = "behaviour.outcomes"

    def __init__(self, engine: BehaviourEngine) -> None:
        self.engine = engine

    async def observe(self, request: RequestView, ctx: Context, response: ResponseInfo) -> Sequence[Finding]:
        engine = self.engine
        findings = engine.observe(request, ctx, response)
        shared = engine.shared
        if shared is None:
            return findings
        for account, ip, known in engine.drain_failures():  # drained before any await: this request's
            counts = await shared.record_login_failure(account, ip, engine.s.window)
            if counts is not None:
                findings.extend(engine.apply_fleet_failures(account, ip, known, *counts))
        return findings
