"""Seeded generators of attack values (one per category) and of tricky benign values.

The grammars are written here from the structure of each injection language; no public payload
list or WAF test suite is used. `generate_attacks(seed, n)` and `generate_benign(seed, n)` are
deterministic: the same arguments give the same list.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from apiward.core import Category
from apiward.ml.generators import benign, documents, lookups, network, paths, queries, shell, sqli, xss
from apiward.ml.generators.base import Sample

Generator = Callable[[random.Random, int], list[Sample]]

ATTACK_GENERATORS: dict[Category, Generator] = {
    Category.SQLI: sqli.generate,
    Category.XSS: xss.generate,
    Category.TRAVERSAL: paths.generate,
    Category.CMDI: shell.generate,
    Category.LOG4SHELL: lookups.generate_log4shell,
    Category.SHELLSHOCK: shell.generate_shellshock,
    Category.XXE: documents.generate,
    Category.SSRF: network.generate_ssrf,
    Category.SSTI: lookups.generate_ssti,
    Category.NOSQLI: queries.generate_nosql,
    Category.LDAPI: queries.generate_ldap,
    Category.CRLF: network.generate_crlf,
}


def _rng(seed: int, name: str) -> random.Random:
    # An independent, reproducible stream per generator (str seeds hash deterministically).
    return random.Random(f"{seed}:{name}")


def generate_attacks(seed: int, per_category: int | dict[Category, int]) -> list[Sample]:
    """Attack samples for every category, in a fixed order."""
    out: list[Sample] = []
    for category, gen in ATTACK_GENERATORS.items():
        n = per_category if isinstance(per_category, int) else per_category.get(category, 0)
        out.extend(gen(_rng(seed, category.value), n))
    return out


def generate_benign(seed: int, n: int) -> list[Sample]:
    return benign.generate(_rng(seed, "benign"), n)


__all__ = ["ATTACK_GENERATORS", "Sample", "generate_attacks", "generate_benign"]
