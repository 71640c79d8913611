"""Table-driven tests of the sql analysers: data/sql.yaml."""

from __future__ import annotations

from detector_tables import table_tests

test_catches_attacks, test_passes_lookalikes = table_tests("sql")


LOOKALIKE_CASES = (
    "1' or '1'='1",
    "x' or 1=1--",
    "' union select 1,2--",
    "a'or?--",
    "x','0');waitfor delay '0:0:5';--",
    "' and sleep(5)--",
)


def test_quote_lookalikes_read_as_quotes() -> None:
    """Best-fit conversion turns ’ ‘ ´ ʼ into ' in the database: each spelling of a break that
    needs an operator after the quote is caught like the ASCII one."""
    from apiward.detectors.analysers import scan_value

    ran = 0
    for attack in LOOKALIKE_CASES:
        for quote in ("\u2019", "\u2018", "\u00b4", "\u02bc"):
            value = attack.replace("'", quote)
            scores = [h.score for h in scan_value(value) if h.category.value == "sqli"]
            assert max(scores, default=0.0) >= 0.5, value
            ran += 1
    assert ran == len(LOOKALIKE_CASES) * 4


def test_padding_before_the_injection_is_read_past() -> None:
    """A value padded in front of its injection past the first window of tokens is still read
    (a few windows further); long prose with the same words is not flagged."""
    from apiward.detectors.sql import scan

    for pad in ("a " * 200, "1," * 300, "a=1&" * 100):
        for attack in ("1 union select 1,2", "1 and sleep(5)", "1;drop table users--"):
            assert max((h.score for h in scan(pad + attack)), default=0.0) >= 0.9, (pad[:4], attack)
    prose = "we will select the best union of ideas, then update the list and drop what fails. " * 40
    assert max((h.score for h in scan(prose.lower())), default=0.0) < 0.5
