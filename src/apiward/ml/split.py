"""Which labelled development records the shipped model learns from, and which it is judged on.

`crs-regression` attacks are real payloads of the injection families; the model trains on a
fixed half of them and is reported on the other half (`apiward eval --holdout`). The half is a
function of each record's ``source`` tag (``crs-regression:<rule>:<test>``) alone, so training
and evaluation agree without sharing state, and a re-ordered or re-sampled file splits the same
way. Tests of one CRS rule are often variations of one payload, so the held-out half is not
independent of the trained one: the card says so next to its figures.
"""

from __future__ import annotations

import hashlib

TRAINED_PREFIXES: tuple[str, ...] = ("crs-regression:",)


def trained_on(source: str) -> bool:
    """True when a record with this ``source`` tag is in the model's training half."""
    if not source.startswith(TRAINED_PREFIXES):
        return False
    return hashlib.sha256(source.encode("utf-8")).digest()[0] % 2 == 0


__all__ = ["TRAINED_PREFIXES", "trained_on"]
