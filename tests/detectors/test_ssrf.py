"""Table-driven tests of the ssrf analyser's remote-include shapes: data/ssrf.yaml."""

from __future__ import annotations

from detector_tables import table_tests

test_catches_attacks, test_passes_lookalikes = table_tests("ssrf")
