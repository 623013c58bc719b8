"""Databases for campaign tests: a real SQLite file, and a fresh PostgreSQL schema per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from voicebot.store.db import Database

PG_URL = os.environ.get("VOICEBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(f"sqlite:///{tmp_path / 'voicebot.db'}")
    yield db
    db.dispose()


def pg_schema_url() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema (dropped afterwards)."""
    try:
        admin = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            schema = f"vb_campaigns_{uuid.uuid4().hex[:10]}"
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc.orig}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_schema_url()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    db = Database.open(pg_url)
    yield db
    db.dispose()
