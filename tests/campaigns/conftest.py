"""Databases for campaign tests: a real SQLite file, and a fresh PostgreSQL schema per run
(``pg_url`` comes from the top-level conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voicebot.store.db import Database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(f"sqlite:///{tmp_path / 'voicebot.db'}")
    yield db
    db.dispose()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    db = Database.open(pg_url)
    yield db
    db.dispose()
