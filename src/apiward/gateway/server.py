"""Running the gateway: `serve(settings)` = N uvicorn worker processes on one port + one admin listener.

Design (documented in the README):
- The supervisor (this process) validates the settings, writes them as JSON (without the admin
  token; other secrets such as ``identity.jwt.hs_secret`` and ``identity.forward_secret`` in
  clear, since the workers need them) into a 0600 file in a private per-run directory (0700,
  removed at exit), binds the listen socket once and starts
  ``gateway.workers`` uvicorn worker processes (spawned; 0 = one per CPU core) with uvicorn's own
  supervisor, which restarts dead or hung workers. Each worker builds its app with `worker_app`
  (a uvicorn app factory) from the file named by ``APIWARD_SETTINGS_FILE``.
- uvloop + httptools; no access log on the hot path; uvicorn's ``Date``/``Server`` headers off so
  the upstream's pass through unchanged; idle keep-alive connections close after
  ``gateway.keep_alive_timeout``; the body must arrive within ``gateway.body_timeout`` (408);
  ``gateway.max_connections`` caps open connections (503 above it); header size is bounded by
  ``limits.max_header_bytes`` (431) in the parser.
- Metrics: prometheus-client multiprocess mode in ``<run dir>/metrics``; the admin listener
  aggregates all workers. Events: every worker has its own bounded queue and writer to the store.
- The admin listener runs once, in the supervisor (a thread with its own event loop), reading the
  store for ``/api/events`` and reporting readiness from the workers' ready markers
  (``<run dir>/ready/<pid>``, written after each worker's start-up), the store and an upstream probe.
- SIGINT/SIGTERM: workers stop accepting, finish in-flight requests (``gateway.graceful_timeout``),
  flush their event queues and exit; then the admin listener stops and the run directory is removed.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from pydantic import SecretStr
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from apiward.errors import ApiwardError, ConfigError
from apiward.gateway.admin import create_admin_app
from apiward.gateway.app import create_app
from apiward.gateway.metrics import MULTIPROC_ENV, Metrics
from apiward.gateway.runtime import probe_tcp
from apiward.gateway.stack import build_pipeline
from apiward.gateway.threaded import ServerStartError, start_in_thread
from apiward.gateway.upstream import tls_context
from apiward.identity.mtls import uvicorn_tls_options
from apiward.settings import AdminSettings, Settings, build_settings
from apiward.store import EventStore, open_store
from apiward.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

SETTINGS_ENV = "APIWARD_SETTINGS_FILE"
RUN_DIR_ENV = "APIWARD_RUN_DIR"


def worker_count(settings: Settings) -> int:
    return settings.gateway.workers or os.cpu_count() or 1


def split_host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


class StartupFailure:
    """Stands in for an app that could not be built: fails the lifespan start-up with the reason,
    so uvicorn exits the worker with its start-up-failure code and the supervisor stops instead of
    restarting the worker forever."""

    def __init__(self, exc: BaseException) -> None:
        self.message = f"{type(exc).__name__}: {exc}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": self.message})


def worker_app() -> ASGIApp:
    """uvicorn app factory run in each worker process."""
    path = os.environ.get(SETTINGS_ENV)
    if not path:
        return StartupFailure(ConfigError(f"{SETTINGS_ENV} is not set; start workers with `apiward serve`"))
    try:
        settings = build_settings(orjson.loads(Path(path).read_bytes()))
        app = create_app(settings)
    except Exception as exc:  # noqa: BLE001 - reported through the lifespan, the worker exits
        log.exception("gateway worker could not be built")
        return StartupFailure(exc)
    run_dir = os.environ.get(RUN_DIR_ENV)
    if run_dir:
        app.runtime.ready_marker = Path(run_dir) / "ready" / str(os.getpid())
    # Everything built so far (model, rule sets, validators) lives as long as the worker: keep it
    # out of the cyclic collector's full passes, which would otherwise walk it on the request path.
    gc.collect()
    gc.freeze()
    return app


def _reveal(value: object) -> object:
    """orjson fallback for `settings_json`: secrets in clear, paths as text."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def settings_json(settings: Settings) -> bytes:
    """The settings as JSON that `build_settings` reads back identically, secrets included.

    pydantic's JSON mode masks every `SecretStr` as ``**********``; the python-mode dump keeps
    them, and `_reveal` writes their values. The admin token is left out: workers never need it.
    The bytes must only ever go to a private file (`write_private`), never to a log.
    """
    data = settings.model_dump(mode="python", exclude={"admin": {"token"}})
    return orjson.dumps(data, default=_reveal, option=orjson.OPT_NON_STR_KEYS)


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` readable by this user only (0600 from the start; fails if it exists)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_admin_token(settings: Settings) -> tuple[Settings, Path | None]:
    """Settings with an admin token: the configured one, or a fresh random one written to a new
    0600 file whose path is returned (the caller prints the path; the token never reaches a log)."""
    if settings.admin_token() is not None:
        return settings, None
    token = secrets.token_urlsafe(32)
    fd, name = tempfile.mkstemp(prefix="apiward-admin-token-", text=True)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    os.chmod(name, 0o600)
    admin = AdminSettings.model_validate({**settings.admin.model_dump(), "token": SecretStr(token)})
    return settings.model_copy(update={"admin": admin}), Path(name)


class SupervisorState:
    """What the admin listener reports on when the proxy runs in worker processes."""

    def __init__(self, settings: Settings, run_dir: Path, workers: int) -> None:
        self.settings = settings
        self.run_dir = run_dir
        self.workers = workers
        self.metrics: Metrics | None = None  # collected from the multiprocess directory
        self.store: EventStore | None = None

    async def start(self) -> None:
        if self.settings.events.store:
            store = open_store(self.settings.events.store)
            await store.open()
            self.store = store

    async def stop(self) -> None:
        if self.store is not None:
            await self.store.close()
            self.store = None

    def sync_stats(self) -> None:
        """The workers copy their own stage counters (every ``gateway.stats_interval`` s)."""

    def ready_workers(self) -> int:
        count = 0
        for marker in (self.run_dir / "ready").iterdir():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                os.kill(int(marker.name), 0)
                count += 1
        return count

    async def readiness(self) -> dict[str, bool]:
        store_ok = True
        if self.store is not None:
            try:
                await self.store.query(since=None, action=None, limit=1, before_id=None)
            except Exception:  # noqa: BLE001 - reported as not ready
                log.warning("event store check failed", exc_info=True)
                store_ok = False
        upstream = self.settings.gateway.upstream
        return {
            "pipeline": self.ready_workers() >= self.workers,
            "store": store_ok,
            "upstream": bool(upstream) and await probe_tcp(upstream or ""),
        }


PLAIN_PROTOCOL = "apiward.gateway.protocol:GuardedHttpToolsProtocol"
TLS_PROTOCOL = "apiward.gateway.protocol:GuardedTlsHttpToolsProtocol"


def tls_options(settings: Settings) -> dict[str, Any]:
    """uvicorn options for the proxy listener: TLS (`identity.mtls.uvicorn_tls_options`) when
    ``gateway.tls_cert`` is set, and always the guarded protocol (with the TLS extension when TLS
    terminates here, so a verified client certificate reaches `MtlsIdentifier.from_scope`)."""
    gw = settings.gateway
    if gw.tls_cert is None or gw.tls_key is None:
        return {"http": PLAIN_PROTOCOL}
    for key, path in (("tls_cert", gw.tls_cert), ("tls_key", gw.tls_key), ("client_ca", gw.client_ca)):
        if path is not None and not path.is_file():
            raise ConfigError(f"no such file: {path}", f"gateway.{key}")
    options = uvicorn_tls_options(
        str(gw.tls_cert), str(gw.tls_key), str(gw.client_ca) if gw.client_ca else None, gw.client_cert_required
    )
    options["http"] = TLS_PROTOCOL
    return options


def proxy_config(settings: Settings, workers: int, app: object = "apiward.gateway.server:worker_app") -> uvicorn.Config:
    gw = settings.gateway
    host, port = split_host_port(gw.listen)
    tls_context(gw)  # unreadable upstream TLS files stop start-up here, before any worker starts
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        factory=isinstance(app, str),
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        ws="none",
        lifespan="on",
        proxy_headers=False,  # the gateway applies gateway.trusted_proxies itself
        access_log=False,
        server_header=gw.server_header,
        date_header=False,
        timeout_keep_alive=int(max(1, gw.keep_alive_timeout)),
        limit_concurrency=gw.max_connections,
        timeout_graceful_shutdown=int(max(1, gw.graceful_timeout)),
        backlog=2048,
        log_level="info",
        **tls_options(settings),
    )


def serve(settings: Settings) -> None:
    """Run the gateway until SIGINT/SIGTERM. Blocks. Raises `ConfigError` for unusable settings."""
    gw = settings.gateway
    if not gw.upstream:
        raise ConfigError("required: the URL of the API to protect", "gateway.upstream")
    workers = worker_count(settings)
    tls_options(settings)  # missing certificate files are a configuration error, before any worker
    # Build the pipeline once here (model, spec, policies) so a broken artefact is reported before
    # any worker starts; each worker builds its own.
    build_pipeline(settings)
    run_dir = Path(tempfile.mkdtemp(prefix="apiward-run-"))  # 0700, private to this run
    try:
        (run_dir / "metrics").mkdir()
        (run_dir / "ready").mkdir()
        settings_file = run_dir / "settings.json"
        write_private(settings_file, settings_json(settings))
        os.environ[SETTINGS_ENV] = str(settings_file)
        os.environ[RUN_DIR_ENV] = str(run_dir)
        os.environ[MULTIPROC_ENV] = str(run_dir / "metrics")

        config = proxy_config(settings, workers)
        try:
            sock = config.bind_socket()
        except SystemExit as exc:  # uvicorn logs the OSError and exits; say which setting it was
            raise ApiwardError(f"cannot listen on {gw.listen} (gateway.listen); see the log above") from exc
        admin_host, admin_port = split_host_port(gw.admin)
        state = SupervisorState(settings, run_dir, workers)
        admin_config = uvicorn.Config(
            create_admin_app(settings, state), host=admin_host, port=admin_port, loop="asyncio",
            http="h11", lifespan="on", access_log=False, log_level="warning", proxy_headers=False,
        )
        try:
            admin_server, admin_thread = start_in_thread(admin_config, timeout=15, name="apiward-admin")
        except ServerStartError as exc:
            sock.close()
            raise ApiwardError(
                f"the admin listener on {gw.admin} (gateway.admin) failed to start; see the log above"
            ) from exc
        supervisor = Multiprocess(config, sockets=[sock])
        try:
            supervisor.run()
        finally:
            admin_server.should_exit = True
            admin_thread.join(timeout=10)
            sock.close()
        if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
            raise ApiwardError("a worker process failed to start; its error is logged above")
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        for key in (SETTINGS_ENV, RUN_DIR_ENV, MULTIPROC_ENV):
            os.environ.pop(key, None)
