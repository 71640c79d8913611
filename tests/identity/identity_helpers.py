"""Helpers for identity tests: request views from the real parser, JWKs of real keys."""

from __future__ import annotations

import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from request_factory import make_request  # noqa: F401 - re-exported for the tests here

from apiward.gateway.threaded import bound_port, start_in_thread

HS_SECRET = b"test-secret-0123456789abcdef0123456789"




def jwk_of(private: Any, kid: str, alg: str | None = None) -> dict[str, Any]:
    algo = jwt.algorithms.RSAAlgorithm if isinstance(private, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
    data = json.loads(algo.to_jwk(private.public_key()))
    data["kid"] = kid
    data["use"] = "sig"
    if alg:
        data["alg"] = alg
    return data


def pem_public(private: Any) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )




class ServerThread:
    """A real uvicorn server on an ephemeral 127.0.0.1 port, in a thread; waits for readiness."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self._config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")

    def __enter__(self) -> ServerThread:
        self.server, self._thread = start_in_thread(self._config, timeout=10)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{bound_port(self.server)}"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()
