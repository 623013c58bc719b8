"""Shared fixtures. Keep this small; put part-specific fixtures beside their tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from voicebot.store import Database

PG_URL = os.environ.get("VOICEBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema (so parallel runs never collide); yields its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})  # skip fast when down
    schema = f"vbtest_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # unreachable server, bad credentials, no driver
        engine.dispose()
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable: {type(exc).__name__}: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema's URL (skips with the reason when no server answers)."""
    yield from _pg_schema()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a real SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'voicebot.db'}"
    else:
        yield from _pg_schema()


@pytest.fixture
def store_db(store_url: str) -> Iterator[Database]:
    """A :class:`voicebot.store.Database` with the schema migrated, on SQLite and PostgreSQL."""
    db = Database.open(store_url)
    yield db
    db.dispose()
