"""The demo's generated configuration: valid settings, secrets kept private and across runs."""

from __future__ import annotations

import stat
from pathlib import Path

import yaml

from apiward.demo.launcher import bundled_spec, prepare
from apiward.settings import load_settings


def test_prepare_writes_a_valid_config(tmp_path: Path) -> None:
    config = prepare(tmp_path / "demo", api="127.0.0.1:1", listen="127.0.0.1:2", admin="127.0.0.1:3")
    settings = load_settings(config.config_file)
    assert settings.gateway.upstream == "http://127.0.0.1:1"
    assert settings.gateway.listen == "127.0.0.1:2" and settings.gateway.admin == "127.0.0.1:3"
    assert settings.admin_token() == config.token and len(config.token) >= 24
    assert settings.api.spec == bundled_spec() and bundled_spec().is_file()
    assert settings.identity.enabled and settings.ratelimit.enabled
    assert settings.events.store == f"sqlite:///{config.events_db}"
    for secret in ("admin-token", "jwt-secret", "apiward.yaml"):
        assert stat.S_IMODE((config.directory / secret).stat().st_mode) == 0o600
    # the same secrets on the next run (bookmarked dashboard sessions and tokens keep working)
    again = prepare(tmp_path / "demo", api="127.0.0.1:1", listen="127.0.0.1:2", admin="127.0.0.1:3")
    assert (again.token, again.jwt_secret) == (config.token, config.jwt_secret)


def test_prepare_without_identity_or_spec(tmp_path: Path) -> None:
    config = prepare(tmp_path / "demo", enforce_spec=False, identity=False)
    data = yaml.safe_load(config.config_file.read_text())
    assert "identity" not in data and "api" not in data
    assert config.jwt_secret == "" and config.spec is None
    assert not load_settings(config.config_file).identity.enabled
