"""Regular expressions from specs, compiled with RE2 (linear time): patterns that need
backtracking (back-references, look-around) are rejected at load time instead of run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import re2

MAX_PATTERN_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class SafePattern:
    source: str
    compiled: Any

    def search(self, value: str) -> bool:
        return self.compiled.search(value) is not None


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    return options


def compile_pattern(pattern: str) -> SafePattern:
    """Compile ``pattern`` with RE2; ValueError names why it cannot be run safely."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re2.compile(pattern, _options())
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(
            f"pattern {pattern[:80]!r} is not supported by the linear-time engine ({detail}); "
            "back-references and look-around are rejected because they can backtrack catastrophically"
        ) from exc
    return SafePattern(pattern, compiled)
