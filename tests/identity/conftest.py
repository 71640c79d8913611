"""Fixtures for identity tests: real keys and claims."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture()
def claims() -> Callable[..., dict[str, Any]]:
    def build(**overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base: dict[str, Any] = {"sub": "alice", "iat": now, "exp": now + 300, "roles": ["customer"],
                                "scope": "orders:read", "tenant": "acme", "uid": 1}
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    return build
