"""A file-backed value (policy, key file) that is re-read when its mtime changes.

The hot path only compares a monotonic deadline; the stat + parse run in a worker thread in a
background task, and the new value replaces the old one atomically. A file that fails to load
keeps the previous value in force, logs, and counts (``errors``, ``last_error``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from apiward.errors import ConfigError

log = logging.getLogger(__name__)

T = TypeVar("T")


class ReloadingFile(Generic[T]):
    def __init__(self, path: Path, load: Callable[[Path], T], interval: float = 2.0) -> None:
        self.path = Path(path)
        self._load = load
        self._interval = interval
        self._mtime = self._stat()
        self.value: T = load(self.path)  # errors at start-up are fatal (ConfigError)
        self._next_check = time.monotonic() + interval
        self._task: asyncio.Task[bool] | None = None
        self._lock = asyncio.Lock()
        self._failed_mtime: float | None = None  # a broken version is reported once, not every poll
        self.reloads = 0
        self.errors = 0
        self.last_error = ""

    def _stat(self) -> float:
        try:
            return os.stat(self.path).st_mtime_ns / 1e9
        except OSError as exc:
            raise ConfigError(f"cannot read file: {exc.strerror}", str(self.path)) from exc

    def poll(self) -> None:
        """Call on the request path: schedules a background check when one is due."""
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self._interval
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.check())

    async def check(self) -> bool:
        """Reload if the file changed; True when a new value was installed."""
        async with self._lock:
            try:
                mtime = await asyncio.to_thread(self._stat)
                if mtime == self._mtime or mtime == self._failed_mtime:
                    return False
                value = await asyncio.to_thread(self._load, self.path)
            except ConfigError as exc:
                self.errors += 1
                self.last_error = str(exc)
                self._failed_mtime = self._stat_or_none()
                log.error("reload of %s failed, keeping the previous version: %s", self.path, exc)
                return False
            self.value = value
            self._mtime = mtime
            self._failed_mtime = None
            self.reloads += 1
            self.last_error = ""
            log.info("reloaded %s", self.path)
            return True

    def _stat_or_none(self) -> float | None:
        try:
            return self._stat()
        except ConfigError:
            return None
