"""Seeded generators of attack values (one per category) and of tricky benign values.

The grammars are written here from the structure of each injection language; no public payload
list or WAF test suite is used. `generate_attacks(seed, n)` and `generate_benign(seed, n)` are
deterministic: the same arguments give the same list.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from apiward.core import Category
from apiward.ml.generators import benign, documents, lookups, network, paths, queries, shell, sqli, xss
from apiward.ml.generators.base import Sample, rand_ident

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


def _in_context(rng: random.Random, sample: Sample) -> Sample:
    """Sometimes embed the payload in a carrier the parser leaves whole: a form-encoded or JSON
    body sent without its content type, a cookie string, a query string in a header."""
    roll = rng.random()
    if roll > 0.15:
        return sample
    name = rand_ident(rng)
    value = sample.value
    if roll < 0.06:
        text = f"{name}={quote_plus(value) if rng.random() < 0.5 else value}"
    elif roll < 0.09:
        text = f"{rand_ident(rng)}={rand_ident(rng)}&{name}={quote(value)}"
    elif roll < 0.12:
        text = json.dumps({name: value})
    else:
        text = f"{rand_ident(rng)}={rand_ident(rng)}; {name}={value}"
    return Sample(text, sample.category, sample.family)


def generate_attacks(seed: int, per_category: int | dict[Category, int]) -> list[Sample]:
    """Attack samples for every category, in a fixed order."""
    out: list[Sample] = []
    for category, gen in ATTACK_GENERATORS.items():
        n = per_category if isinstance(per_category, int) else per_category.get(category, 0)
        ctx = _rng(seed, "context:" + category.value)
        out.extend(_in_context(ctx, s) for s in gen(_rng(seed, category.value), n))
    return out


def generate_benign(seed: int, n: int) -> list[Sample]:
    return benign.generate(_rng(seed, "benign"), n)


__all__ = ["ATTACK_GENERATORS", "Sample", "generate_attacks", "generate_benign"]
