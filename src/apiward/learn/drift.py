"""Drift between a documented spec and observed traffic: shadow (undocumented) endpoints, and
documented endpoints nobody calls."""

from __future__ import annotations

from dataclasses import dataclass

from apiward.learn.baseline import GLOBAL, Baseline
from apiward.learn.contract import Contract
from apiward.learn.router import split_path


@dataclass(frozen=True)
class Drift:
    shadow: tuple[str, ...]  # observed "METHOD /template" the spec does not document
    unused: tuple[str, ...]  # documented operations never observed
    documented: tuple[str, ...]  # observed and documented (as "METHOD /spec-template")


def drift(contract: Contract, baseline: Baseline) -> Drift:
    shadow: list[str] = []
    seen: set[str] = set()
    for key in sorted(baseline.endpoints):
        if key == GLOBAL:
            continue
        method, template = key.split(" ", 1)
        # A learned template's {param} segments are matched like any concrete value.
        matched = contract.route_for(method, split_path(template))
        if matched is None:
            shadow.append(key)
        else:
            seen.add(matched)
    unused = sorted(op.route for op in contract.operations if op.route not in seen)
    return Drift(tuple(shadow), tuple(unused), tuple(sorted(seen)))
