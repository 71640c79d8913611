"""Training: generated attacks + real benign traffic -> calibrated per-category linear model.

Pipeline (`train`):

1. benign values: the field values of ``wcp-legit-dev`` (grouped by recorded site; every value
   the stage asks the model about, the rest sampled) and of ``csic2010-train``, deduplicated;
   plus the tricky-benign generator;
2. attack values: the grammar generators, ``attacks_per_category`` per category, and the
   payload-carrying values (`apiward.ml.labelling`) of the ``crs-regression`` attacks in the
   training half (`apiward.ml.split`), weighted ``real_attack_weight`` times a generated one;
3. site-held-out validation: sites are split into ``folds`` groups; for each, a model trained
   without those sites' values scores their requests (a request is a false positive when any of
   the values the stage would ask the model about reaches the threshold of any category) ->
   per-site TNR, and the per-category thresholds for the false-positive budget;
4. the final model on all data; Platt calibration per category on a held-out 10 % slice (of
   attacks and of benign values seen once: a value seen in several requests is always fitted);
5. reporting on the held-out half of ``crs-regression`` and on ``csic2010-dev`` (request-level
   labels; csic2010-dev is never trained on).

Everything is seeded; the same data and seed give the same model.
"""

from __future__ import annotations

import datetime as _dt
import platform
import random
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from apiward.core import Category
from apiward.errors import ApiwardError
from apiward.ml.corpus import CorpusStats, RequestValues, file_digest, request_values
from apiward.ml.features import N_BUCKETS, featurize_views, to_csr, value_views
from apiward.ml.generators import ATTACK_GENERATORS, generate_attacks, generate_benign
from apiward.ml.labelling import carrier_values, model_reads
from apiward.ml.model import MODEL_FILENAME, AttackModel
from apiward.ml.split import trained_on

CATEGORIES: tuple[Category, ...] = tuple(ATTACK_GENERATORS)
BENIGN = "benign"
WCP = "wcp-legit-dev.jsonl.gz"
CSIC_TRAIN = "csic2010-train.jsonl.gz"
CSIC_DEV = "csic2010-dev.jsonl.gz"
CRS = "crs-regression.jsonl.gz"
INJECTION_FAMILIES = ("sqli", "xss", "rce", "lfi", "rfi", "java", "php", "generic")
CHUNK = 2000
ATTACK_SHARE = 0.5  # total attack weight relative to total benign weight
MAX_LOG_COUNT = 9.0
MODEL_ALONE_LEVELS = (0.5, 0.7, 0.8, 0.9, 0.95)  # reported: see `detection.model_alone`


@dataclass(frozen=True)
class TrainConfig:
    data_dir: Path
    out_dir: Path
    seed: int = 1
    attacks_per_category: int = 8000
    generated_benign: int = 40000
    max_benign_values: int = 160000  # real-traffic values in the final model (`_sample_read_first`)
    folds: int = 3
    fold_max_benign: int = 60000
    fold_attacks_per_category: int = 3000
    threshold: float = 0.5
    target_fpr: float = 0.002  # request-level, site-held-out: sets the per-category thresholds
    max_log_odds: float = 4.0  # no category threshold above p = 0.982 (before the shift)
    alpha: float = 1e-5
    epochs: int = 6
    hidden: int = 32
    wcp_limit: int | None = None
    csic_limit: int | None = None
    eval_limit: int | None = None
    n_jobs: int = 2
    fold_dir: Path | None = None  # keep the site-fold models here (for `apiward eval --fold-models`)
    real_attacks: bool = True  # learn from the crs-regression training half too
    real_attack_weight: float = 4.0  # one real payload counts as this many generated ones


@dataclass
class TrainResult:
    model_path: Path
    card_path: Path
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


Log = Callable[[str], None]


def _silent(_: str) -> None:
    return None


# -- data ------------------------------------------------------------------------------------


def _load(path: Path, limit: int | None) -> tuple[list[RequestValues], CorpusStats]:
    stats = CorpusStats()
    if not path.is_file():
        return [], stats
    reqs = list(request_values(path, limit=limit, stats=stats))
    stats.digest = file_digest(path)
    return reqs, stats


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _matrix(values: Sequence[str]) -> Any:
    from scipy import sparse

    blocks = [to_csr(featurize_views([value_views(v) for v in values[i : i + CHUNK]])) for i in range(0, len(values), CHUNK)]
    return sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, N_BUCKETS))


# -- fitting ---------------------------------------------------------------------------------


def _fit(
    values: Sequence[str],
    labels: Sequence[str],
    config: TrainConfig,
    log: Log,
    counts_of: Mapping[str, int] | None = None,
    boosted: Collection[str] = (),
) -> AttackModel:
    """A one-hidden-layer network (softmax over benign + categories) + Platt calibration per
    category on a held-out slice.

    Values are deduplicated, so a benign value weighs ``1 + ln(occurrences)`` (capped): ``*/*``
    seen in thousands of requests must count for more than a one-off token. Each attack
    category's total weight is ``ATTACK_SHARE`` of the benign total, split evenly; a ``boosted``
    attack value (a real payload) weighs ``real_attack_weight`` times a generated one."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(config.seed)
    n = len(values)
    occurrences = counts_of or {}
    # A benign value seen in several requests is always fitted, never only calibrated on: one left
    # to the calibration slice is never learned as benign, however many requests send it
    order = rng.permutation(n)
    n_cal = max(n // 10, 1)
    eligible = np.array([labels[i] != BENIGN or occurrences.get(values[i], 1) < 2 for i in order])
    cal_idx = np.sort(order[eligible][:n_cal])
    fit_idx = np.setdiff1d(np.arange(n), cal_idx, assume_unique=True)
    classes = [BENIGN] + [c.value for c in CATEGORIES]
    code = {c: i for i, c in enumerate(classes)}
    y = np.array([code[label] for label in labels], dtype=np.int64)
    t0 = time.monotonic()
    X = _matrix(values)
    log(f"  features: {X.shape[0]} values, {X.nnz} non-zeros in {time.monotonic() - t0:.1f}s")
    sample_weight = np.ones(n, dtype=np.float64)
    for i, (v, label) in enumerate(zip(values, labels)):
        if label == BENIGN:
            sample_weight[i] = 1.0 + min(np.log(max(occurrences.get(v, 1), 1)), MAX_LOG_COUNT)
    counts = Counter(y[fit_idx].tolist())
    benign_total = float(sample_weight[fit_idx][y[fit_idx] == 0].sum())
    for c in range(1, len(classes)):
        per_value = ATTACK_SHARE * benign_total / (len(classes) - 1) / max(counts.get(c, 1), 1)
        sample_weight[y == c] = per_value
    if boosted:
        for i, (v, label) in enumerate(zip(values, labels)):
            if label != BENIGN and v in boosted:
                sample_weight[i] *= config.real_attack_weight
    t0 = time.monotonic()
    clf = MLPClassifier(
        hidden_layer_sizes=(config.hidden,),
        alpha=config.alpha,
        batch_size=min(1024, len(fit_idx)),
        learning_rate_init=2e-3,
        max_iter=config.epochs,
        random_state=config.seed,
        shuffle=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[fit_idx], y[fit_idx], sample_weight=sample_weight[fit_idx])
    log(f"  MLP ({config.hidden} hidden): {len(fit_idx)} values, {len(classes)} classes, {config.epochs} epochs in {time.monotonic() - t0:.1f}s")
    if list(clf.classes_) != list(range(len(classes))):
        raise ApiwardError(f"training data lacks some classes: {sorted(set(y.tolist()))}")
    w1 = clf.coefs_[0].astype(np.float32)
    model = AttackModel(
        CATEGORIES,
        np.ascontiguousarray(w1[:N_BUCKETS]),
        np.ascontiguousarray(w1[N_BUCKETS:]),
        clf.intercepts_[0].astype(np.float32),
        clf.coefs_[1].astype(np.float32),
        clf.intercepts_[1].astype(np.float32),
        np.vstack([np.ones(len(CATEGORIES)), np.zeros(len(CATEGORIES))]).astype(np.float32),
        thresholds={c: config.threshold for c in CATEGORIES},
        cache_size=0,
    )
    cal_values = [values[i] for i in cal_idx]
    z = np.vstack([model.logits(featurize_views([value_views(v) for v in cal_values[i : i + CHUNK]])) for i in range(0, len(cal_values), CHUNK)])
    for j, cat in enumerate(CATEGORIES):
        target = (y[cal_idx] == code[cat.value]).astype(np.int64)
        if target.min() == target.max():
            continue
        platt = LogisticRegression(C=1e4, max_iter=1000).fit(z[:, j].reshape(-1, 1), target, sample_weight=sample_weight[cal_idx])
        model.calibration[:, j] = (platt.coef_[0, 0], platt.intercept_[0])
    return model


def _score_values(model: AttackModel, values: Sequence[str]) -> np.ndarray:
    """(values, categories) probabilities, in chunks."""
    out = np.empty((len(values), len(model.categories)), dtype=np.float32)
    for i in range(0, len(values), CHUNK):
        out[i : i + CHUNK] = model.scores(featurize_views([value_views(v) for v in values[i : i + CHUNK]]))
    return out


def _request_max(model: AttackModel, requests: Sequence[RequestValues]) -> np.ndarray:
    """(requests, categories): the highest calibrated log-odds of each category over a request's
    values (log-odds, not probabilities: float32 probabilities saturate at 1.0)."""
    uniq = _unique(v for r in requests for v in r.values)
    index = {v: i for i, v in enumerate(uniq)}
    k = len(model.categories)
    logits = np.empty((len(uniq), k), dtype=np.float32)
    for i in range(0, len(uniq), CHUNK):
        z = model.logits(featurize_views([value_views(v) for v in uniq[i : i + CHUNK]]))
        logits[i : i + CHUNK] = z * model.calibration[0] + model.calibration[1]
    out = np.full((len(requests), k), -np.inf, dtype=np.float32)
    for i, r in enumerate(requests):
        if r.values:
            out[i] = logits[[index[v] for v in r.values]].max(axis=0)
    return out


def _request_flags(model: AttackModel, requests: Sequence[RequestValues], thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per request: flagged (some category reaches its log-odds threshold) and the most-over category."""
    margin = _request_max(model, requests) - thresholds
    return (margin >= 0).any(axis=1), margin.argmax(axis=1)


def _logit(p: float) -> float:
    p = min(max(p, 1e-7), 1 - 1e-7)
    return float(np.log(p / (1 - p)))


def _shift_to_operating_point(model: AttackModel, thresholds: np.ndarray, operating: float) -> None:
    """Move each category's Platt intercept so that its chosen log-odds threshold maps to
    ``operating`` (the stage's default block threshold): one number to configure, per-category
    false-positive control."""
    shift = {c.value: _logit(operating) - float(t) for c, t in zip(model.categories, thresholds)}
    for j, c in enumerate(model.categories):
        model.calibration[1, j] += shift[c.value]
    model.thresholds = {c: operating for c in model.categories}
    model.header["platt_shift"] = shift


def choose_thresholds(oof: np.ndarray, target_fpr: float, floor: float, ceiling: float = np.inf) -> np.ndarray:
    """Per-category log-odds thresholds (>= floor) from held-out benign request scores.

    The false-positive budget (target_fpr of the requests) is shared: each category first gets an
    equal part; categories that stay under their part at the floor give the rest to the others.
    No threshold goes above ``ceiling``: a handful of odd benign values (a lone ``'``) must not
    switch a category off; they are left to exclusions and to the stage's analysers.
    """
    n, k = oof.shape
    budget = int(target_fpr * n)
    at_floor = (oof >= floor).sum(axis=0)
    out = np.full(k, floor, dtype=np.float64)
    needy = [j for j in range(k) if at_floor[j] > budget // k]
    spare = budget - int(sum(at_floor[j] for j in range(k) if j not in needy))
    for j in needy:
        allowed = max(spare // len(needy), 0)
        col = np.sort(oof[:, j])[::-1]
        out[j] = min(max(floor, float(np.nextafter(col[min(allowed, n - 1)], np.inf))), ceiling)
    return out


# -- the whole run ---------------------------------------------------------------------------


def _save_folds(config: TrainConfig, fold_models: Sequence[tuple[AttackModel, list[str]]], thresholds: np.ndarray) -> None:
    """Each fold's model, shifted to the operating point like the final one, with the sites it
    never saw: `apiward eval --fold-models` scores every wcp-legit-dev request through the whole
    stage with the model that did not train on its site (the stage-level site-held-out TNR)."""
    assert config.fold_dir is not None
    config.fold_dir.mkdir(parents=True, exist_ok=True)
    for k, (model, held_out) in enumerate(fold_models):
        _shift_to_operating_point(model, thresholds, config.threshold)
        model.save(config.fold_dir / f"fold-{k}.npz", {"seed": config.seed, "held_out_groups": held_out, "fold": k})


def _sample(rng: random.Random, values: list[str], n: int) -> list[str]:
    if len(values) <= n:
        return list(values)
    return rng.sample(values, n)


def _sample_read_first(rng: random.Random, values: list[str], n: int, reads: Mapping[str, bool]) -> list[str]:
    """``n`` of ``values``: every value the stage asks the model about first, then a random sample
    of the plain ones. The stage asks about one distinct real-traffic value in ten (28,360 of
    271,408 in wcp-legit-dev); a uniform sample kept fewer than half of them, so the model never
    learned most of the benign values it is asked to judge."""
    read = [v for v in values if reads.get(v, True)]
    if len(read) >= n:
        return rng.sample(read, n)
    plain = [v for v in values if not reads.get(v, True)]
    return read + _sample(rng, plain, n - len(read))


def train(config: TrainConfig, log: Log = _silent) -> TrainResult:
    started = time.monotonic()
    rng = random.Random(config.seed)
    data = config.data_dir
    log(f"reading {data}")
    wcp, wcp_stats = _load(data / WCP, config.wcp_limit)
    csic, csic_stats = _load(data / CSIC_TRAIN, config.csic_limit)
    log(f"  {WCP}: {len(wcp)} requests ({wcp_stats.rejected} refused by the parser), {len(wcp_stats.groups)} sites")
    log(f"  {CSIC_TRAIN}: {len(csic)} requests")
    csic_values = _unique(v for r in csic for v in r.values)
    occurrences: Counter[str] = Counter(v for r in wcp for v in r.values)
    occurrences.update(v for r in csic for v in r.values)
    # Validation scores a request by the values the stage would send to the model (not the
    # plain ids, words and URLs it decides without it), so thresholds spend the false-positive
    # budget where the model is asked.
    reads = {v: model_reads(v) for v in _unique(v for r in wcp for v in r.values)}
    asked = [RequestValues(r.label, r.category, r.group, tuple(v for v in r.values if reads[v])) for r in wcp]
    log(f"  {sum(reads.values())} of {len(reads)} distinct real-traffic values go to the model")
    site_values: dict[str, list[str]] = defaultdict(list)
    for r in wcp:
        site_values[r.group].extend(r.values)
    real_pairs: list[tuple[str, str]] = []
    crs_stats = CorpusStats()
    if config.real_attacks:
        crs, crs_stats = _load(data / CRS, config.eval_limit)
        crs_train = [r for r in crs if trained_on(r.group)]
        known_benign = set(occurrences)
        known_benign.update(v for r in crs if r.label != "attack" for v in r.values)
        real_pairs = carrier_values(crs_train, known_benign, CATEGORIES)
        log(f"  {CRS}: {sum(r.label == 'attack' for r in crs_train)} attacks in the training half, "
            f"{len(real_pairs)} payload values")
    real_values = {v for v, _ in real_pairs}
    attacks = generate_attacks(config.seed, config.attacks_per_category)
    gen_benign = generate_benign(config.seed, config.generated_benign)
    attack_pairs = list({(s.value, s.category): None for s in attacks if s.value not in real_values})
    gen_benign_values = _unique(s.value for s in gen_benign)
    attack_values = {v for v, _ in attack_pairs} | real_values
    log(f"  generated: {len(attack_pairs)} distinct attack values, {len(gen_benign_values)} tricky benign values")

    def dataset(benign_real: list[str], n_attacks: int | None) -> tuple[list[str], list[str]]:
        pairs = attack_pairs
        if n_attacks is not None:
            per: dict[str, int] = Counter()
            kept = []
            for v, c in attack_pairs:
                if per[c] < n_attacks:
                    per[c] += 1
                    kept.append((v, c))
            pairs = kept
        pairs = pairs + real_pairs
        benign = [v for v in _unique(benign_real + gen_benign_values) if v not in attack_values]
        return [v for v, _ in pairs] + benign, [c for _, c in pairs] + [BENIGN] * len(benign)

    metrics: dict[str, Any] = {}
    thresholds = np.full(len(CATEGORIES), _logit(config.threshold))
    # Site-held-out folds.
    sites = sorted(site_values)
    if config.folds > 1 and len(sites) >= config.folds:
        shuffled = sites[:]
        random.Random(config.seed).shuffle(shuffled)
        fold_of = {s: i % config.folds for i, s in enumerate(shuffled)}
        per_site: dict[str, dict[str, float]] = {}
        oof_parts: list[np.ndarray] = []
        oof_groups: list[str] = []
        fp_categories: Counter[str] = Counter()
        fold_models: list[tuple[AttackModel, list[str]]] = []
        for k in range(config.folds):
            t0 = time.monotonic()
            train_vals = _unique(v for s in sites if fold_of[s] != k for v in site_values[s])
            train_vals = _sample_read_first(rng, train_vals, config.fold_max_benign, reads) + csic_values
            values, labels = dataset(train_vals, config.fold_attacks_per_category)
            fold_counts = Counter(v for s in sites if fold_of[s] != k for v in site_values[s])
            fold_counts.update(v for r in csic for v in r.values)
            model = _fit(values, labels, config, log, fold_counts, real_values)
            held = [r for r in asked if fold_of[r.group] == k]
            best = _request_max(model, held)
            oof_parts.append(best)
            fold_models.append((model, sorted(s for s in sites if fold_of[s] == k)))
            oof_groups.extend(r.group for r in held)
            log(f"fold {k + 1}/{config.folds}: {len(held)} held-out requests, TNR at {config.threshold}: "
                f"{1 - (best >= _logit(config.threshold)).any(axis=1).mean():.4%} ({time.monotonic() - t0:.0f}s)")
        oof = np.vstack(oof_parts)
        floor = _logit(config.threshold)
        thresholds = choose_thresholds(oof, config.target_fpr, floor, config.max_log_odds)
        log("thresholds (probability): " + ", ".join(f"{c.value} {1 / (1 + np.exp(-t)):.6f}" for c, t in zip(CATEGORIES, thresholds)))
        if config.fold_dir is not None:
            _save_folds(config, fold_models, thresholds)
        margin = oof - thresholds
        flags = (margin >= 0).any(axis=1)
        # the stage lets the model block on its own only from `detection.model_alone` up (a
        # probability on the shifted scale, where the threshold is 0.5): the held-out TNR there
        alone = {q: 1.0 - float((margin >= _logit(q)).any(axis=1).mean()) for q in MODEL_ALONE_LEVELS}
        cats = margin.argmax(axis=1)
        flags_default = (oof >= floor).any(axis=1)
        by_site: dict[str, list[bool]] = defaultdict(list)
        for g, f, c in zip(oof_groups, flags, cats):
            by_site[g].append(bool(f))
            if f:
                fp_categories[CATEGORIES[c].value] += 1
        for s, fl in by_site.items():
            per_site[s] = {"requests": len(fl), "false_positives": int(sum(fl)), "tnr": 1.0 - sum(fl) / len(fl)}
        total_fp = int(flags.sum())
        total = len(flags)
        tnrs = sorted(v["tnr"] for v in per_site.values())
        metrics["site_held_out"] = {
            "folds": config.folds,
            "sites": len(per_site),
            "requests": total,
            "false_positives": total_fp,
            "tnr": 1.0 - total_fp / max(total, 1),
            "tnr_at_default_threshold": 1.0 - float(flags_default.mean()),
            "tnr_at_model_alone": {str(q): t for q, t in alone.items()},
            "thresholds": {c.value: float(1 / (1 + np.exp(-t))) for c, t in zip(CATEGORIES, thresholds)},
            "thresholds_log_odds": {c.value: float(t) for c, t in zip(CATEGORIES, thresholds)},
            "site_tnr_min": tnrs[0] if tnrs else None,
            "site_tnr_median": tnrs[len(tnrs) // 2] if tnrs else None,
            "sites_below_99_5": sum(1 for t in tnrs if t < 0.995),
            "false_positive_categories": dict(fp_categories.most_common()),
            "per_site": per_site,
        }
    # Final model.
    log("final model")
    all_wcp = _unique(v for r in wcp for v in r.values)
    benign_real = _sample_read_first(rng, all_wcp, config.max_benign_values, reads) + csic_values
    values, labels = dataset(benign_real, None)
    model = _fit(values, labels, config, log, occurrences, real_values)
    _shift_to_operating_point(model, thresholds, config.threshold)
    # Generated hold-out: fresh seeds, never seen in training.
    fresh = generate_attacks(config.seed + 1000, 500)
    fresh_benign = generate_benign(config.seed + 1000, 5000)
    probs = _score_values(model, [s.value for s in fresh])
    gen_metrics: dict[str, Any] = {}
    for j, cat in enumerate(CATEGORIES):
        rows = [i for i, s in enumerate(fresh) if s.category == cat.value]
        hit = probs[rows].max(axis=1) >= config.threshold
        own = probs[rows, j] >= config.threshold
        gen_metrics[cat.value] = {"samples": len(rows), "tpr_any": float(hit.mean()), "tpr_own_category": float(own.mean())}
    bprobs = _score_values(model, [s.value for s in fresh_benign]).max(axis=1)
    gen_metrics["tricky_benign"] = {"samples": len(fresh_benign), "tnr": float((bprobs < config.threshold).mean())}
    metrics["generated_fresh_seed"] = gen_metrics
    # Request-level reporting corpora.
    for name in (CRS, CSIC_DEV):
        reqs, _ = _load(data / name, config.eval_limit)
        if config.real_attacks:
            reqs = [r for r in reqs if not trained_on(r.group)]  # the held-out half only
        if not reqs:
            continue
        flags, _cats = _request_flags(model, reqs, np.full(len(CATEGORIES), _logit(config.threshold)))
        table: dict[str, dict[str, float]] = {}
        by: dict[tuple[str, str], list[bool]] = defaultdict(list)
        for r, f in zip(reqs, flags):
            by[(r.label, r.category)].append(bool(f))
        for (label, cat), fl in sorted(by.items()):
            key = f"{label}:{cat}"
            table[key] = {"requests": len(fl), "flagged": int(sum(fl)), "rate": sum(fl) / len(fl)}
        att = [f for r, f in zip(reqs, flags) if r.label == "attack"]
        ben = [f for r, f in zip(reqs, flags) if r.label != "attack"]
        inj = [f for r, f in zip(reqs, flags) if r.label == "attack" and r.category in INJECTION_FAMILIES]
        metrics[name] = {
            "tpr": sum(att) / max(len(att), 1),
            "tnr": 1 - sum(ben) / max(len(ben), 1),
            "attacks": len(att),
            "benign": len(ben),
            "injection_tpr": sum(inj) / max(len(inj), 1) if inj else None,
            "by_category": table,
        }
        log(f"{name}: TPR {metrics[name]['tpr']:.2%}, TNR {metrics[name]['tnr']:.2%}")
    import numpy
    import scipy
    import sklearn

    header = {
        "trained_at": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "seed": config.seed,
        "operating_point": {"threshold": config.threshold, "meaning": "block when a category's calibrated probability >= threshold"},
        "libraries": {"numpy": numpy.__version__, "scikit-learn": sklearn.__version__, "scipy": scipy.__version__, "python": platform.python_version()},
        "data": {
            WCP: {"sha256": wcp_stats.digest, "requests": len(wcp), "sites": len(wcp_stats.groups), "limit": config.wcp_limit},
            CSIC_TRAIN: {"sha256": csic_stats.digest, "requests": len(csic), "limit": config.csic_limit},
            **({CRS: {"sha256": crs_stats.digest, "requests": crs_stats.records, "payload_values": len(real_pairs),
                      "split": "training half: sha256(source)[0] even (apiward.ml.split)"}} if config.real_attacks else {}),
        },
        "training_values": {"total": len(values), "benign": labels.count(BENIGN), "attack": len(values) - labels.count(BENIGN),
                            "real_attack": len(real_pairs), "per_category": dict(Counter(labels))},
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in config.__dict__.items() if k not in ("data_dir", "out_dir")},
        "metrics": {k: ({kk: vv for kk, vv in v.items() if kk != "per_site"} if isinstance(v, dict) else v) for k, v in metrics.items()},
    }
    model_path = model.save(config.out_dir / MODEL_FILENAME, header)
    seconds = time.monotonic() - started
    from apiward.ml.card import write_card

    card_path = write_card(config.out_dir / "MODEL_CARD.md", model.header, metrics, seconds)
    log(f"wrote {model_path} ({model_path.stat().st_size} bytes) and {card_path} in {seconds:.0f}s")
    return TrainResult(model_path=model_path, card_path=card_path, metrics=metrics, seconds=seconds)
