"""Settings that put the bundled demo shop behind JWT + policy, rate limits and behaviour.

The demo launcher merges `demo_settings()` into the generated config and gives the shop and the
gateway the same HS256 secret in ``APIWARD_JWT_SECRET`` (the shop must sign with it: pass it to
``create_shop_app(secret=...)``). Paths point at the packaged examples (identity/examples/).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

JWT_SECRET_ENV = "APIWARD_JWT_SECRET"


def examples_dir() -> Path:
    return Path(str(resources.files("apiward.identity").joinpath("examples")))


def demo_settings(redis_url: str | None = None) -> dict[str, Any]:
    """``identity``/``ratelimit``/``behaviour`` sections of examples/apiward.yaml, paths absolute."""
    base = examples_dir()
    data: dict[str, Any] = yaml.safe_load((base / "apiward.yaml").read_text(encoding="utf-8"))
    data["identity"]["policy"] = str(base / "policy.yaml")
    data["identity"]["api_keys"]["file"] = str(base / "keys.yaml")
    data["ratelimit"]["redis_url"] = redis_url
    return data
