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


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from apiward.detectors import sql  # noqa: E402


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(st.from_regex(sql._FRAGMENT, fullmatch=True), st.from_regex(sql._HEX_LITERAL, fullmatch=True)))
def test_every_fragment_starts_with_a_fragment_head(text: str) -> None:
    """`sql.fragment` turns away values that start with none of `FRAGMENT_HEADS` before trying
    its shapes: every text a shape matches whole starts with one (drawn from the shapes themselves)."""
    assert text.startswith(sql.FRAGMENT_HEADS), text


def test_fragment_heads_keep_every_shape() -> None:
    for value in ("1 union", "' union all--", "null union", "1 into @a", "1 with rollup", "1 rlike 1", "1-- -", "1);--",
                  "1=1--", "where 1=1", "1or 1=1", "1 having 1", ") having 1", "1 is null", "from users--", "'and'",
                  "{fn user()}", "1;exec xp_cmdshell", "from dual", "current_user()", "db_name()", "-1 union",
                  "0x27206f7220313d31", "  1 union  "):
        assert sql.fragment(value) is not None, value
    for value in ("credit union", "select", "union", "data", "user_name", "0x2e2e2f"):
        assert sql.fragment(value) is None, value
