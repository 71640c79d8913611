"""Per-endpoint baselines: what each parameter normally looks like, and how far a request deviates.

Learning (`BaselineLearner`) accumulates, per endpoint and input location: presence, value kinds,
length distribution, character classes, a vocabulary while it stays small, numeric ranges, plus the
request-level parameter and header sets. `BaselineLearner.finish` freezes it into a `Baseline`
(JSON-serialisable, versioned) whose `score` returns an anomaly score per location with a reason.

Poisoning resistance: the learner takes only requests the caller marks clean (the generic detector
passed them), caps each client's contribution per endpoint, and a profile only scores once it has
``min_samples``; a character class counts as normal only after it was seen twice.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiward.core import BodyKind, RequestView, Source
from apiward.http.fieldlist import name_segment
from apiward.errors import ConfigError
from apiward.learn.infer import CONTROL, UNICODE, char_classes, kind_of
from apiward.learn.sensitive import sensitive_kinds

FORMAT = "apiward-baseline"
VERSION = 1
MAX_VOCAB = 64  # distinct values kept per parameter while learning; beyond that: high cardinality
MAX_PARAMS_PER_ENDPOINT = 512
MAX_LENGTH_BUCKETS = 512
# Headers whose values are scored (others are only part of the header set).
SCORED_HEADERS = frozenset({"user-agent", "accept", "accept-language", "accept-encoding", "accept-charset",
                            "content-type", "referer", "origin", "host", "x-requested-with"})
# Classes by how much their sudden appearance means: quoting, markup, shell and code syntax.
_DANGER = frozenset("'\"`<>;|&$(){}[]\\%" + CONTROL)
_MEDIUM = frozenset("=*!^~#")
_ALPHANUM = frozenset("aA0")
GLOBAL = "*"  # pseudo-endpoint for headers and cookies, which are shared by all endpoints
# Headers and cookies differ by client and session: their deviations are weaker evidence.
GLOBAL_WEIGHT = 0.6


def location_key(source: Source, name: str) -> str:
    """Location used by baselines: array indexes folded (``items[3].sku`` -> ``items[].sku``)."""
    if "[" in name:
        out = []
        i = 0
        while i < len(name):
            ch = name[i]
            if ch == "[":
                j = name.find("]", i)
                if j > i and name[i + 1 : j].isdigit():
                    out.append("[]")
                    i = j + 1
                    continue
            out.append(ch)
            i += 1
        name = "".join(out)
    return f"{source.value}.{name}"


def request_locations(request: RequestView, path_params: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(location, value) for every learnable input of a request: path parameters, query, body
    fields (not JSON object keys), cookies, and scored headers."""
    out: list[tuple[str, str]] = []
    for name, value in (path_params or {}).items():
        out.append((f"path.{name}", value))
    for f in request.fields:
        if f.source is Source.PATH:
            continue
        if f.source is Source.HEADER and f.name not in SCORED_HEADERS:
            continue
        if f.source is Source.BODY and "#key" in f.name:
            continue
        out.append((location_key(f.source, f.name), f.value))
    return out


def json_types(doc: object, limit: int = 4096) -> dict[str, str]:
    """JSON type of each leaf of a parsed body, keyed like `request_locations` (``body.a[].b``):
    the flattened fields are strings, but a discovered schema must say ``"3"`` or ``3``."""
    out: dict[str, str] = {}
    stack: list[tuple[object, str]] = [(doc, "")]
    while stack and len(out) < limit:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                segment = name_segment(key)
                stack.append((value, f"{path}.{segment}" if path else segment))
        elif isinstance(node, list):
            for value in node[:64]:
                stack.append((value, f"{path}[0]"))
        else:
            kind = ("null" if node is None else "boolean" if isinstance(node, bool) else "integer"
                    if isinstance(node, int) else "number" if isinstance(node, float) else "string")
            out[location_key(Source.BODY, path)] = kind
    return out


def _is_global(location: str) -> bool:
    return location.startswith(("header.", "cookie."))


# --- learning ----------------------------------------------------------------------------------


@dataclass
class _ParamStats:
    n: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    lengths: Counter[int] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    vocab: Counter[str] | None = field(default_factory=Counter)
    num_min: float | None = None
    num_max: float | None = None
    # Up to 2 distinct sources (client keys; each anonymous sample is its own) per class: one
    # client alone cannot make a character class normal however many requests it sends.
    class_sources: dict[str, set[str]] = field(default_factory=dict)
    json: Counter[str] = field(default_factory=Counter)  # JSON types, for body leaves of JSON bodies

    def add(self, value: str, client: str | None = None) -> None:
        self.n += 1
        source = client or f"#{self.n}"
        kind = kind_of(value)
        self.kinds[kind] += 1
        length = len(value)
        if length < MAX_LENGTH_BUCKETS or length in self.lengths or len(self.lengths) < MAX_LENGTH_BUCKETS:
            self.lengths[length] += 1
        for c in char_classes(value):
            self.classes[c] += 1
            sources = self.class_sources.setdefault(c, set())
            if len(sources) < 2:
                sources.add(source)
        if self.vocab is not None:
            if value in self.vocab or len(self.vocab) < MAX_VOCAB:
                self.vocab[value] += 1
            else:
                self.vocab = None
        if kind in ("int", "float"):
            number = float(value)
            self.num_min = number if self.num_min is None else min(self.num_min, number)
            self.num_max = number if self.num_max is None else max(self.num_max, number)

    def freeze(self) -> dict[str, Any]:
        lengths = sorted(self.lengths.elements()) if self.n <= 5000 else _expand_quantiles(self.lengths)
        out: dict[str, Any] = {
            "n": self.n,
            "kinds": dict(self.kinds),
            "length": {
                "min": min(self.lengths) if self.lengths else 0,
                "p01": _quantile(lengths, 0.01),
                "p50": _quantile(lengths, 0.5),
                "p99": _quantile(lengths, 0.99),
                "max": max(self.lengths) if self.lengths else 0,
            },
            "classes": dict(self.classes),
            "class_sources": {c: len(v) for c, v in self.class_sources.items()},
        }
        if self.json:
            out["json"] = dict(self.json)
        if self.vocab is not None:
            out["vocab"] = dict(self.vocab)
        if self.num_min is not None:
            out["range"] = [self.num_min, self.num_max]
        return out


def _expand_quantiles(hist: Counter[int]) -> list[int]:
    # Bounded expansion for big samples: scale counts down to ~5000 points.
    total = sum(hist.values())
    factor = max(1, total // 5000)
    out: list[int] = []
    for length in sorted(hist):
        out.extend([length] * max(1, hist[length] // factor))
    return out


def _quantile(sorted_values: list[int], q: float) -> int:
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


@dataclass
class _EndpointStats:
    n: int = 0
    params: dict[str, _ParamStats] = field(default_factory=dict)
    presence: Counter[str] = field(default_factory=Counter)
    param_sets: Counter[str] = field(default_factory=Counter)
    headers: Counter[str] = field(default_factory=Counter)
    clients: Counter[str] = field(default_factory=Counter)
    media: Counter[str] = field(default_factory=Counter)
    auth: Counter[str] = field(default_factory=Counter)
    sensitive: Counter[str] = field(default_factory=Counter)  # kinds of sensitive data in responses
    repeated: Counter[str] = field(default_factory=Counter)  # requests that sent a location twice
    first_seen: float | None = None
    last_seen: float | None = None


class BaselineLearner:
    """Accumulates observations; `finish` returns the frozen `Baseline`.

    ``client_cap``: most samples one client may contribute per endpoint (poisoning resistance;
    samples without a client key are uncapped, e.g. an offline corpus without addresses).
    The client counter itself is bounded by ``max_clients`` per endpoint.
    """

    def __init__(self, min_samples: int = 30, client_cap: int = 200, max_clients: int = 100_000) -> None:
        self.min_samples = min_samples
        self.client_cap = client_cap
        self.max_clients = max_clients
        self._endpoints: dict[str, _EndpointStats] = {}
        self.skipped_client_cap = 0
        self.samples = 0

    def observe(self, endpoint: str, request: RequestView, path_params: dict[str, str] | None = None,
                client: str | None = None, response_text: str = "", timestamp: float | None = None) -> bool:
        """Learn one clean request on ``endpoint`` ("METHOD /template"). False when capped."""
        stats = self._endpoints.setdefault(endpoint, _EndpointStats())
        if client:
            seen = stats.clients.get(client, 0)
            if seen >= self.client_cap or (seen == 0 and len(stats.clients) >= self.max_clients):
                self.skipped_client_cap += 1
                return False
            stats.clients[client] = seen + 1
        self.samples += 1
        stats.n += 1
        if timestamp is not None:
            stats.first_seen = timestamp if stats.first_seen is None else min(stats.first_seen, timestamp)
            stats.last_seen = timestamp if stats.last_seen is None else max(stats.last_seen, timestamp)
        glob = self._endpoints.setdefault(GLOBAL, _EndpointStats())
        glob.n += 1
        names: set[str] = set()
        repeated: set[str] = set()
        types = json_types(request.json) if request.body_kind is BodyKind.JSON else {}
        for location, value in request_locations(request, path_params):
            target = glob if _is_global(location) else stats
            if location not in target.params:
                if len(target.params) >= MAX_PARAMS_PER_ENDPOINT:
                    continue
                target.params[location] = _ParamStats()
            target.params[location].add(value, client)
            if types and location in types:
                target.params[location].json[types[location]] += 1
            if target is stats:
                if location in names and location not in repeated:
                    repeated.add(location)
                    stats.repeated[location] += 1
                names.add(location)
        for location in names:
            stats.presence[location] += 1
        stats.param_sets["&".join(sorted(n for n in names if n.startswith(("query.", "body."))))] += 1
        header_names = {name for name, _ in request.headers}
        for name in header_names:
            stats.headers[name] += 1
        if request.body and len(stats.media) < 16:
            stats.media[request.content_type.split(";")[0].strip().lower() or "application/octet-stream"] += 1
        authorization = request.header("authorization")
        if authorization and len(stats.auth) < 8:
            stats.auth[authorization.split(" ", 1)[0].lower()] += 1
        if response_text:
            for kind in sensitive_kinds(response_text):
                stats.sensitive[kind] += 1
        return True

    def finish(self) -> "Baseline":
        endpoints: dict[str, Any] = {}
        for key, stats in self._endpoints.items():
            endpoints[key] = {
                "n": stats.n,
                "state": "enforcing" if stats.n >= self.min_samples else "learning",
                "clients": len(stats.clients),
                "params": {loc: p.freeze() for loc, p in stats.params.items()},
                "presence": dict(stats.presence),
                "param_sets": dict(stats.param_sets.most_common(32)),
                "headers": dict(stats.headers),
                "media": dict(stats.media),
                "auth": dict(stats.auth),
                "sensitive": dict(stats.sensitive),
                "repeated": dict(stats.repeated),
                "first_seen": stats.first_seen,
                "last_seen": stats.last_seen,
            }
        data = {
            "format": FORMAT,
            "version": VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "min_samples": self.min_samples,
            "samples": self.samples,
            "endpoints": endpoints,
        }
        return Baseline(data)


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deviation:
    location: str
    score: float
    reason: str


def _combine(scores: Iterable[float]) -> float:
    keep = 1.0
    for s in scores:
        keep *= 1.0 - s
    return 1.0 - keep


def confidence(n: int, singletons: int = 0, floor: float = 0.005, span: float = 0.045) -> float:
    """How sure n observations make us that something unseen is rare: the rule-of-three upper
    bound of its rate, (singletons + 3) / n, mapped to 1 below ``floor`` and 0 above ``floor+span``.
    With 600+ clean samples a never-seen trait is fully anomalous; with 60 it means nothing."""
    if n <= 0:
        return 0.0
    bound = (singletons + 3) / n
    return max(0.0, min(1.0, 1.0 - (bound - floor) / span))


def _describe(classes: Iterable[str]) -> str:
    names = {"a": "a-z", "A": "A-Z", "0": "0-9", " ": "space", CONTROL: "control", UNICODE: "non-ASCII"}
    return " ".join(names.get(c, c) for c in sorted(classes))


@dataclass(frozen=True, slots=True)
class ParamModel:
    """Frozen profile of one parameter, with what scoring needs precomputed."""

    n: int
    dominant_kind: str
    kind_share: float
    kinds: frozenset[str]
    len_min: int
    len_max: int
    len_p99: int
    normal_classes: frozenset[str]
    vocab: frozenset[str] | None  # closed vocabulary (saturated), else None
    num_range: tuple[float, float] | None
    markup: bool
    conf: float  # confidence that a never-seen trait is anomalous (see `confidence`)
    conf_danger: float  # the same for quoting / markup / code characters (they are rare in data)
    conf_vocab: float

    @classmethod
    def from_dict(cls, d: dict[str, Any], scope_global: bool = False) -> "ParamModel":
        n = int(d["n"])
        kinds: dict[str, int] = d.get("kinds", {})
        dominant, top = max(kinds.items(), key=lambda kv: kv[1]) if kinds else ("string", 0)
        classes: dict[str, int] = d.get("classes", {})
        need = 2 if n >= 50 else 1
        sources: dict[str, int] = d.get("class_sources", {})
        normal = frozenset(c for c, k in classes.items() if k >= need and sources.get(c, need) >= need)
        vocab = d.get("vocab")
        closed: frozenset[str] | None = None
        conf_vocab = 0.0
        # Headers and cookies vary by client and session: no closed vocabularies there.
        if vocab and not scope_global:
            singletons = sum(1 for v in vocab.values() if v == 1)
            # Good-Turing: the chance that the next value is unseen is ~ singletons / n.
            # Numbers are identifiers or quantities, not enumerations: their range is learned instead.
            numeric = all(kind_of(v) in ("int", "float") for v in vocab)
            if not numeric and len(vocab) <= 32 and n >= 20 * len(vocab) and singletons / n < 0.002:
                closed = frozenset(vocab)
                conf_vocab = confidence(n, singletons)
        rng = d.get("range")
        length = d.get("length", {})
        return cls(
            n=n,
            dominant_kind=dominant,
            kind_share=top / n if n else 0.0,
            kinds=frozenset(kinds),
            len_min=int(length.get("min", 0)),
            len_max=int(length.get("max", 0)),
            len_p99=int(length.get("p99", 0)),
            normal_classes=normal,
            vocab=closed,
            num_range=(float(rng[0]), float(rng[1])) if rng else None,
            markup=classes.get("<", 0) >= max(2, n // 100) and classes.get(">", 0) >= max(2, n // 100),
            conf=confidence(n),
            conf_danger=max(0.5, confidence(n, floor=0.01, span=0.09)),
            conf_vocab=conf_vocab,
        )

    def score(self, value: str) -> tuple[float, str]:
        parts: list[tuple[float, str]] = []
        if self.vocab is not None and value in self.vocab:
            return 0.0, ""
        classes = char_classes(value)
        unseen = classes - self.normal_classes
        if unseen:
            danger = unseen & _DANGER
            if danger:
                weight = 0.9 * self.conf_danger
            else:
                weight = (0.75 if unseen & _MEDIUM else 0.6) * self.conf
            if len(unseen) > 1:
                weight = min(0.98, weight + 0.05 * (len(unseen) - 1))
            parts.append((weight, f"characters [{_describe(unseen)}] never seen here"))
        kind = kind_of(value)
        if self.kind_share >= 0.999 and kind != self.dominant_kind and kind not in self.kinds:
            if self.dominant_kind != "string":
                parts.append((0.8 * self.conf, f"{kind} where {self.dominant_kind} was always seen"))
        length = len(value)
        span = max(self.len_max, 8)
        if length > self.len_max + max(4, self.len_max // 4):
            parts.append((min(0.9, 0.55 + 0.35 * (length - self.len_max) / span) * max(0.5, self.conf),
                          f"length {length} above the longest seen ({self.len_max})"))
        elif self.len_min >= 4 and length < self.len_min // 2:
            parts.append((0.5 * self.conf, f"length {length} below the shortest seen ({self.len_min})"))
        if self.vocab is not None:
            parts.append((0.7 * self.conf_vocab, f"value outside the {len(self.vocab)} known values"))
        if self.num_range is not None and kind in ("int", "float"):
            lo, hi = self.num_range
            # Relative margin too: time stamps and counters grow past any learned maximum.
            margin = max(1.0, (hi - lo) * 0.5, abs(hi) * 0.1, abs(lo) * 0.1)
            number = float(value)
            if number < lo - margin or number > hi + margin:
                parts.append((0.45 * self.conf, f"number outside the seen range [{lo:g}, {hi:g}]"))
        parts = [p for p in parts if p[0] > 0.0]
        if not parts:
            return 0.0, ""
        parts.sort(reverse=True)
        return _combine(p for p, _ in parts), "; ".join(r for _, r in parts)


@dataclass(frozen=True)
class EndpointModel:
    key: str
    n: int
    enforcing: bool
    params: dict[str, ParamModel]
    required: frozenset[str]  # locations present in (nearly) every request
    known: frozenset[str]
    headers: frozenset[str]
    conf_new: float  # confidence that a never-seen parameter is anomalous
    conf_missing: float  # confidence that a missing always-present parameter is anomalous
    param_sets: frozenset[str]  # the parameter combinations seen, when they are few and stable
    conf_structure: float


class Baseline:
    """A frozen, versioned baseline. ``data`` is the JSON document; models are built at load."""

    def __init__(self, data: dict[str, Any], min_samples: int | None = None) -> None:
        if data.get("format") != FORMAT:
            raise ConfigError("not an apiward baseline file", "format")
        if data.get("version") != VERSION:
            raise ConfigError(f"unsupported baseline version {data.get('version')!r} (expected {VERSION})", "version")
        self.data = data
        self.min_samples = int(min_samples if min_samples is not None else data.get("min_samples", 30))
        self.endpoints: dict[str, EndpointModel] = {}
        for key, ep in data.get("endpoints", {}).items():
            n = int(ep["n"])
            presence: dict[str, int] = ep.get("presence", {})
            params = {
                loc: ParamModel.from_dict(p, key == GLOBAL)
                for loc, p in ep.get("params", {}).items()
                if int(p["n"]) >= self.min_samples
            }
            rare_params = sum(1 for c in presence.values() if c == 1)
            sets: dict[str, int] = ep.get("param_sets", {})
            covered = sum(sets.values()) >= 0.999 * n if n else False
            rare_sets = sum(1 for c in sets.values() if c == 1)
            self.endpoints[key] = EndpointModel(
                key=key,
                n=n,
                enforcing=ep.get("state") == "enforcing" and n >= self.min_samples,
                params=params,
                required=frozenset(loc for loc, c in presence.items() if n >= self.min_samples and c >= 0.999 * n),
                known=frozenset(ep.get("params", {})) | frozenset(presence),
                headers=frozenset(h for h, c in ep.get("headers", {}).items() if c >= 2),
                conf_new=confidence(n, rare_params),
                conf_missing=confidence(n),
                param_sets=frozenset(sets) if covered else frozenset(),
                conf_structure=confidence(n, rare_sets) if covered else 0.0,
            )
        self.global_model = self.endpoints.get(GLOBAL)
        counts = [m.n for k, m in self.endpoints.items() if k != GLOBAL]
        self.conf_endpoints = confidence(sum(counts), sum(1 for c in counts if c == 1))

    def templates(self) -> list[tuple[str, str]]:
        return [tuple(k.split(" ", 1)) for k in self.endpoints if k != GLOBAL]  # type: ignore[misc]

    def score(self, endpoint: str | None, request: RequestView, path_params: dict[str, str],
              report_unknown: bool = True) -> list[Deviation]:
        """Deviations of one request from the baseline of ``endpoint`` (None: unknown endpoint,
        reported when ``report_unknown``: a spec, when there is one, owns that decision)."""
        out: list[Deviation] = []
        model = self.endpoints.get(endpoint) if endpoint else None
        if model is None:
            if not report_unknown or self.conf_endpoints <= 0:
                return []
            return [Deviation("path", 0.9 * self.conf_endpoints, "endpoint never seen in the baseline")]
        glob = self.global_model
        seen: set[str] = set()
        if model.enforcing and model.conf_structure > 0:
            # Request-level structure (weak alone: recorded, never blocking by itself).
            names = "&".join(sorted({location_key(f.source, f.name) for f in request.fields
                                     if f.source in (Source.QUERY, Source.BODY) and "#key" not in f.name}))
            if names not in model.param_sets:
                out.append(Deviation("query" if not request.body else "body", 0.3 * model.conf_structure,
                                     "combination of parameters never seen on this endpoint"))
            for name, _ in request.headers:
                if name not in model.headers and name not in seen:
                    seen.add(name)
                    out.append(Deviation(f"header.{name}", 0.25 * model.conf_structure,
                                         "header never sent to this endpoint"))
            seen.clear()
        for location, value in request_locations(request, path_params):
            if _is_global(location):
                pm = glob.params.get(location) if glob is not None else None
                if pm is not None:
                    s, why = pm.score(value)
                    if s > 0:
                        out.append(Deviation(location, s * GLOBAL_WEIGHT, why))
                continue
            if not model.enforcing:
                continue
            seen.add(location)
            pm = model.params.get(location)
            if pm is None:
                if location not in model.known and model.conf_new > 0:
                    out.append(Deviation(location, 0.9 * model.conf_new, "parameter never seen on this endpoint"))
                continue
            s, why = pm.score(value)
            if s > 0:
                out.append(Deviation(location, s, why))
        if model.enforcing and model.conf_missing > 0:
            for location in model.required - seen:
                if location.startswith(("query.", "body.", "path.")):
                    # Structure is the spec's to enforce (learned specs mark these required);
                    # here a missing parameter only adds to the record, it never blocks alone.
                    out.append(Deviation(location, 0.45 * model.conf_missing,
                                         "parameter present in every learned request is missing"))
        return out

    def endpoints_since(self, since: float) -> list[str]:
        """Endpoints first seen at or after ``since`` (unix seconds); untimed sources never count."""
        return sorted(
            key for key, ep in self.data.get("endpoints", {}).items()
            if key != GLOBAL and ep.get("first_seen") is not None and ep["first_seen"] >= since
        )

    def markup_locations(self, endpoint: str | None) -> list[str]:
        model = self.endpoints.get(endpoint) if endpoint else None
        if model is None:
            return []
        return [loc for loc, p in model.params.items() if p.markup]

    def promote(self, endpoints: Iterable[str] | None = None, state: str = "enforcing") -> list[str]:
        """Set endpoints (all when None) to ``enforcing`` or ``learning``; returns those changed."""
        changed = []
        for key, ep in self.data["endpoints"].items():
            if endpoints is not None and key not in endpoints:
                continue
            if ep.get("state") != state:
                ep["state"] = state
                changed.append(key)
        return changed

    def to_json(self) -> str:
        return json.dumps(self.data, indent=1, sort_keys=True, ensure_ascii=False)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, min_samples: int | None = None) -> "Baseline":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read baseline: {exc.strerror}", str(path)) from exc
        except ValueError as exc:
            raise ConfigError(f"baseline is not valid JSON: {exc}", str(path)) from exc
        if not isinstance(data, dict):
            raise ConfigError("baseline must be a JSON object", str(path))
        try:
            return cls(data, min_samples)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"malformed baseline: {exc}", str(path)) from exc
