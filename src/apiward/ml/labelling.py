"""Value-level labels for request-level attack records.

`crs-regression` labels a whole request ("this request is a sqli attack"); the model learns per
value. The carrier of the payload is found by elimination: of an attack request's field values,
those never seen in legitimate traffic (the benign requests of the same corpus, wcp-legit-dev,
csic2010-train), not bare numbers, and of the kind the detection stage sends to the model (code
syntax or lexical evidence: see `apiward.detectors.stage`). A request whose values are all ordinary (the attack is in
the method, the protocol or a header's presence) yields nothing.

Each carrier's category is what the lexical analysers say it is when they recognise it (a
``${jndi:`` lookup in a "java" test is log4shell), else the CRS family's nearest model category.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from apiward.core import Category
from apiward.ml.corpus import RequestValues

# CRS rule families -> the model category their payloads belong to when no analyser knows better.
FAMILY_CATEGORY: dict[str, Category] = {
    "sqli": Category.SQLI,
    "xss": Category.XSS,
    "rce": Category.CMDI,
    "php": Category.CMDI,  # PHP code injection runs code, as the php analyser reports it
    "lfi": Category.TRAVERSAL,
    "rfi": Category.SSRF,  # a remote URL the server fetches and includes
    "java": Category.SSTI,  # expression languages, deserialisation gadgets
    "generic": Category.SSTI,  # Node.js / prototype pollution / templates
}
MIN_CHARS = 2
CERTAIN = 0.5  # an analyser hit that names the category (the block threshold)


def model_reads(value: str) -> bool:
    """Whether the detection stage asks the model about this value: not a fast-path value (plain,
    inert), and code syntax or some lexical evidence in it (`apiward.detectors.stage`)."""
    from apiward.detectors.analysers import inert, plain, scan_value
    from apiward.detectors.stage import MODEL_SYNTAX

    if plain(value) or inert(value) or value.isspace():
        return False
    return MODEL_SYNTAX.search(value) is not None or bool(scan_value(value))


def carrier_values(
    requests: Iterable[RequestValues],
    benign_values: Collection[str],
    categories: Sequence[Category],
) -> list[tuple[str, str]]:
    """(value, model category) for the payload-carrying values of the attack requests, in order,
    without duplicates."""
    from apiward.detectors.analysers import scan_value

    known = set(categories)
    out: dict[tuple[str, str], None] = {}
    for request in requests:
        default = FAMILY_CATEGORY.get(request.category)
        if request.label != "attack" or default is None:
            continue
        for value in request.values:
            if len(value) < MIN_CHARS or value.isdigit() or value in benign_values:
                continue
            if not model_reads(value):
                continue
            found = scan_value(value)
            category = default
            hits = [h for h in found if h.category in known and h.score >= CERTAIN]
            if hits:
                category = max(hits, key=lambda h: h.score).category
            out[(value, category.value)] = None
    return list(out)


__all__ = ["FAMILY_CATEGORY", "carrier_values", "model_reads"]
