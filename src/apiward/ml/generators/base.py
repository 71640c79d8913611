"""Building blocks shared by the generators: the sample record and seeded mutations.

Every generator is a pure function of a `random.Random`: the same seed gives the same values.
Mutations model what attackers do to slip past filters (case, whitespace, comments, encodings);
they are applied to the payload as the application would receive it after one URL decoding.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sample:
    """One generated value: its text, its category (``benign`` or a `Category` value) and the
    generator family it came from (used to hold whole families out when validating)."""

    value: str
    category: str
    family: str


Family = Callable[[random.Random], str]


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def random_case(rng: random.Random, text: str) -> str:
    """Flip the case of letters at random (``SeLeCt``)."""
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def case_variant(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.55:
        return text
    if roll < 0.75:
        return text.upper()
    if roll < 0.85:
        return text.lower()
    return random_case(rng, text)


def percent_encode(text: str, all_chars: bool = False) -> str:
    """Percent-encode specials (or every byte) of a UTF-8 string."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if all_chars or not (ch.isalnum() or ch in "-_.~"):
            out.append(f"%{byte:02X}")
        else:
            out.append(ch)
    return "".join(out)


def partial_encode(rng: random.Random, text: str, p: float = 0.4) -> str:
    out = []
    for ch in text:
        if ord(ch) < 128 and not ch.isalnum() and rng.random() < p:
            out.append(f"%{ord(ch):02x}" if rng.random() < 0.5 else f"%{ord(ch):02X}")
        else:
            out.append(ch)
    return "".join(out)


def unicode_percent(text: str) -> str:
    """IIS-style ``%uXXXX`` encoding of specials."""
    return "".join(f"%u{ord(c):04x}" if not c.isalnum() else c for c in text)


def html_entities(rng: random.Random, text: str, p: float = 0.5) -> str:
    out = []
    for ch in text:
        if rng.random() < p:
            form = rng.randrange(3)
            if form == 0:
                out.append(f"&#{ord(ch)};")
            elif form == 1:
                out.append(f"&#x{ord(ch):x};")
            else:
                out.append(f"&#{ord(ch):07d}")
        else:
            out.append(ch)
    return "".join(out)


def encode_layer(rng: random.Random, text: str, weights: tuple[float, float, float, float] = (0.78, 0.1, 0.08, 0.04)) -> str:
    """Usually nothing; sometimes one more encoding layer (partial, full, double, %u)."""
    roll = rng.random()
    a, b, c, _ = weights
    if roll < a:
        return text
    if roll < a + b:
        return partial_encode(rng, text)
    if roll < a + b + c:
        return percent_encode(text, all_chars=rng.random() < 0.3)
    if rng.random() < 0.5:
        return percent_encode(percent_encode(text))
    return unicode_percent(text)


def rand_word(rng: random.Random, lo: int = 3, hi: int = 9) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(pick(rng, letters) for _ in range(rng.randint(lo, hi)))


def rand_ident(rng: random.Random) -> str:
    word = rand_word(rng, 2, 8)
    roll = rng.random()
    if roll < 0.3:
        return word + str(rng.randint(0, 99))
    if roll < 0.5:
        return word + "_" + rand_word(rng, 2, 6)
    return word


def rand_host(rng: random.Random) -> str:
    tld = pick(rng, ("com", "net", "org", "io", "ru", "cn", "xyz", "tk", "info", "co"))
    return f"{rand_word(rng, 3, 10)}.{tld}" if rng.random() < 0.7 else f"{rand_word(rng, 2, 6)}.{rand_word(rng, 3, 9)}.{tld}"


def rand_ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def weighted(rng: random.Random, families: Sequence[tuple[str, Family, float]]) -> tuple[str, Family]:
    total = sum(w for _, _, w in families)
    roll = rng.random() * total
    for name, fn, w in families:
        roll -= w
        if roll <= 0:
            return name, fn
    name, fn, _ = families[-1]
    return name, fn
