"""`apiward serve`: the gateway in front of an API (proxy workers + admin listener)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from apiward.errors import ApiwardError, ConfigError
from apiward.settings import Settings, load_settings


def settings_from_flags(
    config: Path | None,
    upstream: str | None = None,
    listen: str | None = None,
    admin: str | None = None,
    mode: str | None = None,
    workers: int | None = None,
    spec: Path | None = None,
    profile: Path | None = None,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    client_ca: Path | None = None,
    client_cert_required: bool | None = None,
) -> Settings:
    """The config file (if any) with the flags laid over it; raises `ConfigError` naming the key."""
    gateway: dict[str, Any] = {"upstream": upstream, "listen": listen, "admin": admin, "mode": mode,
                               "workers": workers, "tls_cert": str(tls_cert) if tls_cert else None,
                               "tls_key": str(tls_key) if tls_key else None,
                               "client_ca": str(client_ca) if client_ca else None,
                               "client_cert_required": client_cert_required or None}
    api: dict[str, Any] = {"spec": str(spec) if spec else None, "profile": str(profile) if profile else None}
    overrides = {
        "gateway": {k: v for k, v in gateway.items() if v is not None},
        "api": {k: v for k, v in api.items() if v is not None},
    }
    settings = load_settings(config, {k: v for k, v in overrides.items() if v})
    if not settings.gateway.upstream:
        raise ConfigError("required: pass --upstream URL or set it in the config file", "gateway.upstream")
    return settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        upstream: str = typer.Option(None, "--upstream", help="URL of the API to protect (http://host:port)."),
        listen: str = typer.Option(None, "--listen", help="HOST:PORT of the proxy [127.0.0.1:8080]."),
        admin: str = typer.Option(None, "--admin", help="HOST:PORT of the admin listener [127.0.0.1:8081]."),
        config: Path = typer.Option(None, "--config", help="YAML config file; flags override it."),
        mode: str = typer.Option(None, "--mode", help="block (enforce) or monitor (log only)."),
        workers: int = typer.Option(None, "--workers", help="Worker processes [0 = one per CPU core]."),
        spec: Path = typer.Option(None, "--spec", help="OpenAPI spec to enforce."),
        profile: Path = typer.Option(None, "--profile", help="Profile directory from `apiward learn`."),
        tls_cert: Path = typer.Option(None, "--tls-cert", help="PEM certificate: terminate TLS on --listen."),
        tls_key: Path = typer.Option(None, "--tls-key", help="PEM private key of --tls-cert."),
        client_ca: Path = typer.Option(None, "--client-ca", help="PEM CA bundle that client certificates are "
                                       "verified against (mTLS; identity.mtls.enabled makes them identities)."),
        client_cert_required: bool = typer.Option(False, "--client-cert-required",
                                                  help="Refuse TLS clients without a valid certificate."),
    ) -> None:
        """Run the gateway: an inspecting reverse proxy in front of --upstream."""
        from apiward.gateway.server import ensure_admin_token, serve, worker_count

        try:
            settings = settings_from_flags(config, upstream, listen, admin, mode, workers, spec, profile,
                                           tls_cert, tls_key, client_ca, client_cert_required)
        except ConfigError as exc:
            typer.echo(f"apiward: invalid configuration: {exc}", err=True)
            raise typer.Exit(2) from None
        settings, token_file = ensure_admin_token(settings)
        gw = settings.gateway
        scheme = "https" if gw.tls_cert else "http"
        mtls = " (client certificates " + ("required" if gw.client_cert_required else "optional") + ")" if (
            gw.client_ca) else ""
        typer.echo(f"apiward: protecting {gw.upstream} on {scheme}://{gw.listen}{mtls} "
                   f"({worker_count(settings)} workers, mode {gw.mode.value})")
        typer.echo(f"apiward: admin on http://{gw.admin} (/healthz /readyz /metrics /api/events /api/endpoints /api/drift /dashboard)")
        if token_file is not None:
            typer.echo(f"apiward: admin token written to {token_file} (mode 0600)")
        try:
            serve(settings)
        except ConfigError as exc:
            typer.echo(f"apiward: invalid configuration: {exc}", err=True)
            raise typer.Exit(2) from None
        except ApiwardError as exc:
            typer.echo(f"apiward: {exc}", err=True)
            raise typer.Exit(1) from None
        finally:
            if token_file is not None:
                token_file.unlink(missing_ok=True)
