"""redact: what must be masked, what must stay readable, idempotence, linear time."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiward.store.redact import redact

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

MASKED = [
    # (input, secret that must disappear, what must remain)
    (f"token {JWT} end", JWT, "[redacted:jwt]"),
    ("Authorization: Bearer abc123.def456-ghi", "abc123.def456-ghi", "Bearer [redacted:credential]"),
    ("authorization: basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA==", "basic [redacted:credential]"),
    ("/login?user=bob&password=hunter2&next=/", "hunter2", "user=bob&password=[redacted]&next=/"),
    ("passwd=abc", "abc", "passwd=[redacted]"),
    ('{"new_password": "s3cr3t!", "name": "x"}', "s3cr3t!", '"name": "x"'),
    ("api_key=ZXhhbXBsZWtleQ", "ZXhhbXBsZWtleQ", "api_key=[redacted]"),
    ("X-Api-Key: 0123abcd", "0123abcd", "X-Api-Key: [redacted]"),
    ("client_secret=shh&grant_type=x", "shh", "grant_type=x"),
    ("sessionid=deadbeefcafe", "deadbeefcafe", "sessionid=[redacted]"),
    ("key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE", "[redacted:api-key]"),
    ("ghp_" + "a1B2" * 9, "ghp_" + "a1B2" * 9, "[redacted:api-key]"),
    ("xoxb-1234567890-abcdef", "xoxb-1234567890-abcdef", "[redacted:api-key]"),
    ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc", "[redacted:api-key]"),
    ("AIza" + "SyA-1234567890abcdefghijklmnopqrstu", "SyA-1234567890abcdefghijklmnopqrstu", "[redacted:api-key]"),
    ("card=4111111111111111", "4111111111111111", "[redacted"),
    ("pay 4111 1111 1111 1111 now", "4111 1111 1111 1111", "[redacted:card-1111]"),
    ("pay 5500-0000-0000-0004 now", "5500-0000-0000-0004", "[redacted:card-0004]"),
    ("/orders/378282246310005", "378282246310005", "/orders/[redacted:card-0005]"),
    ("sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "9f86d081884c7d659a2feaa0c55ad015", "[redacted:hex]"),
    ("t=dGhpcyBpcyBhIFNlY3JldCB0b2tlbiB3aXRoIE1peGVkQ2FzZTEyMw", "dGhpcyBpcyBhIFNlY3JldCB0b2tlbiB3aXRoIE1peGVkQ2FzZTEyMw", "[redacted:token]"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), MASKED)
def test_masks_secrets(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out
    assert kept in out


KEPT = [
    "' or 1=1--",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "/api/v1/users/42/orders",
    "union select password from users",  # the word is not a key=value
    "order 4111111111111112 (not Luhn)",
    "1234567890",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "/static/js/main.chunk.js",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "/very/long/path/with/many/segments/that/is/not/a/secret/at/all/ok",
    "",
    "ab",
]


@pytest.mark.parametrize("text", KEPT)
def test_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


def test_lone_surrogates_never_raise() -> None:
    assert redact("password=\ud800abc and more") == "password=[redacted] and more"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09=:-_./+ '\"&;eyJ.Bearer password 4111")), max_size=200))
def test_idempotent_and_total(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_never_raises(text: str) -> None:
    assert isinstance(redact(text), str)


@pytest.mark.parametrize(
    "text",
    ["eyJ" * 100_000, "eyJa." * 50_000, "1 " * 200_000, "a" * 500_000, "password=" * 50_000, "Bearer " * 50_000, "Ab1" * 100_000],
)
def test_adversarial_input_is_linear(text: str) -> None:
    start = time.monotonic()
    redact(text)
    assert time.monotonic() - start < 5.0  # generous; a quadratic pattern takes minutes here
