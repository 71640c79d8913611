"""The ABAC condition language: evaluation table, no code execution, bounded parsing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiward.core import Identity
from apiward.identity.condition import ConditionError, RequestEnv, compile_condition

IDENT = Identity(
    "42", "jwt", roles=frozenset({"customer", "beta"}), scopes=frozenset({"a", "b"}), tenant="acme",
    key_id="k1", claims=(("uid", 42), ("plan", "pro"), ("level", 3), ("verified", True)),
)
ENV = RequestEnv(IDENT, {"user_id": "42", "tenant": "acme", "n": "007"}, {"q": "x"}, {"x-team": "red"}, "GET", "/p")
ANON = RequestEnv(None, {"user_id": "42"}, {}, {}, "GET", "/p")

TABLE = [
    ("path.user_id == identity.sub", True),
    ("path.user_id != identity.sub", False),
    ("path.user_id == identity.claims.uid", True),  # numeric string == int
    ("path.n == 7", True),
    ("path.n == '7'", False),  # two strings compare as strings
    ("identity.tenant == path.tenant and 'customer' in identity.roles", True),
    ("'admin' in identity.roles", False),
    ("'admin' not in identity.roles", True),
    ("identity.claims.plan in ['pro', 'enterprise']", True),
    ("identity.claims.level >= 3 and identity.claims.level < 4", True),
    ("identity.claims.level > 'abc'", False),  # ordering needs numbers
    ("identity.claims.verified == true", True),
    ("identity.claims.missing == null", True),
    ("identity.claims.missing == ''", False),
    ("not (identity.method == 'api_key')", True),
    ("header.X-Team == 'red' and query.q == 'x'", True),
    ("request.method == 'GET' and request.path == '/p'", True),
    ("identity.key_id == 'k1' or false", True),
    ("identity.scopes == ['b', 'a']", True),
]


@pytest.mark.parametrize(("expr", "expected"), TABLE)
def test_evaluation_table(expr: str, expected: bool) -> None:
    assert compile_condition(expr).evaluate(ENV) is expected


def test_anonymous_identity_is_null() -> None:
    assert compile_condition("path.user_id == identity.sub").evaluate(ANON) is False
    assert compile_condition("identity.sub == null").evaluate(ANON) is True


@pytest.mark.parametrize(
    "expr",
    ["__import__('os')", "identity.__class__", "path.x + 1", "lambda: 1", "a.b", "identity", "path.x ==",
     "1 == 1 1", "x" * 2000, "[1, 2", "'a' in", "not"],
)
def test_rejected(expr: str) -> None:
    with pytest.raises(ConditionError):
        compile_condition(expr)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        cond = compile_condition(text)
    except ConditionError:
        return
    assert cond.evaluate(ENV) in (True, False)
