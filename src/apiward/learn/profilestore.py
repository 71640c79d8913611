"""Versioned profile storage in SQLite (default) or PostgreSQL: every save of a named profile
(baseline + discovered spec) is a new version; promotion writes a new version too, so the
history of what was enforced when is kept. Used offline (CLI), so the interface is synchronous.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from apiward.errors import StoreError
from apiward.learn.baseline import Baseline

_DDL = (
    "CREATE TABLE IF NOT EXISTS apiward_profiles ("
    " name TEXT NOT NULL, version INTEGER NOT NULL, created DOUBLE PRECISION NOT NULL,"
    " note TEXT NOT NULL, baseline TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (name, version))"
)


@dataclass(frozen=True, slots=True)
class ProfileVersion:
    name: str
    version: int
    created: float
    note: str


class _Connection(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class ProfileStore:
    """``sqlite:///path.db`` or ``postgresql://...``; one table, ``apiward_profiles``."""

    def __init__(self, url: str) -> None:
        scheme, _, rest = url.partition("://")
        self._placeholder = "?"
        try:
            if scheme.lower() == "sqlite":
                path = rest[1:] if rest.startswith("/") else rest
                if not path:
                    raise StoreError(f"no database file in {url!r}")
                self._conn: _Connection = sqlite3.connect(path)
            elif scheme.lower() in ("postgresql", "postgres"):
                import psycopg

                self._conn = psycopg.connect(url)
                self._placeholder = "%s"
            else:
                raise StoreError(f"unsupported profile store URL {url!r} (use sqlite:/// or postgresql://)")
            self._conn.execute(_DDL)
            self._conn.commit()
        except StoreError:
            raise
        except Exception as exc:  # sqlite3 / psycopg errors: translated at the boundary
            raise StoreError(f"cannot open profile store: {exc}") from exc

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._placeholder)

    def save(self, name: str, baseline: Baseline, spec: dict[str, Any], note: str = "") -> int:
        try:
            row = self._conn.execute(
                self._sql("SELECT COALESCE(MAX(version), 0) FROM apiward_profiles WHERE name = ?"), (name,)
            ).fetchone()
            version = int(row[0]) + 1
            self._conn.execute(
                self._sql("INSERT INTO apiward_profiles (name, version, created, note, baseline, spec) VALUES (?, ?, ?, ?, ?, ?)"),
                (name, version, time.time(), note, baseline.to_json(), json.dumps(spec)),
            )
            self._conn.commit()
        except Exception as exc:
            raise StoreError(f"cannot save profile {name!r}: {exc}") from exc
        return version

    def versions(self, name: str) -> list[ProfileVersion]:
        rows = self._conn.execute(
            self._sql("SELECT name, version, created, note FROM apiward_profiles WHERE name = ? ORDER BY version"), (name,)
        ).fetchall()
        return [ProfileVersion(r[0], int(r[1]), float(r[2]), r[3]) for r in rows]

    def load(self, name: str, version: int | None = None) -> tuple[Baseline, dict[str, Any], int]:
        if version is None:
            sql = "SELECT baseline, spec, version FROM apiward_profiles WHERE name = ? ORDER BY version DESC LIMIT 1"
            row = self._conn.execute(self._sql(sql), (name,)).fetchone()
        else:
            sql = "SELECT baseline, spec, version FROM apiward_profiles WHERE name = ? AND version = ?"
            row = self._conn.execute(self._sql(sql), (name, version)).fetchone()
        if row is None:
            raise StoreError(f"no profile {name!r}" + (f" version {version}" if version is not None else ""))
        return Baseline(json.loads(row[0])), json.loads(row[1]), int(row[2])

    def promote(self, name: str, endpoints: list[str] | None, state: str = "enforcing") -> int:
        """A new version with ``endpoints`` (all when None) set to ``state``."""
        baseline, spec, version = self.load(name)
        changed = baseline.promote(endpoints, state)
        return self.save(name, baseline, spec, note=f"v{version}: {len(changed)} endpoint(s) {state}")

    def export(self, name: str, out: Path, version: int | None = None) -> int:
        """Write a profile directory (openapi.yaml + baseline.json) that `--profile` accepts."""
        from apiward.learn.profile import BASELINE_FILE, SPEC_FILE

        baseline, spec, found = self.load(name, version)
        out.mkdir(parents=True, exist_ok=True)
        baseline.save(out / BASELINE_FILE)
        (out / SPEC_FILE).write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return found

    def close(self) -> None:
        self._conn.close()
