"""Store fixtures: a real SQLite file per test, a real PostgreSQL schema per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql



@pytest.fixture(scope="session")
def pg_schema(database_url: str) -> Iterator[str]:
    """A schema unique to this test session, dropped afterwards."""
    name = f"apiward_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        conn = psycopg.connect(database_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {database_url}: {exc}")
    try:
        yield name
    finally:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[str]:
    """One URL per back end; each PostgreSQL test gets a fresh schema inside the session's."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'events.db'}"
        return
    base = request.getfixturevalue("pg_schema")
    schema = f"{base}_{uuid.uuid4().hex[:6]}"
    yield f"{database_url}?schema={schema}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
