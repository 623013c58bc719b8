"""The database handle: engine, session scope, schema create/upgrade through Alembic.

SQLite (the default, a file in the data folder) runs in WAL mode with foreign keys on and
a busy timeout, so a CLI command and the server can share the file. PostgreSQL is used
when several bot nodes share one database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from voicebot.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Database:
    """Open with :meth:`open`; use ``with db.session() as s:`` (commits, or rolls back on error)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, echo: bool = False) -> Database:
        """Connect to ``url`` (``sqlite:///path`` or ``postgresql+psycopg://…``) and, unless
        ``upgrade`` is false, bring the schema to the newest migration."""
        try:
            parsed = make_url(url)
        except Exception as exc:  # sqlalchemy raises ArgumentError and others
            raise StoreError(f"bad database URL {url!r}: {exc}",
                             hint="use sqlite:///path/voicebot.db or postgresql+psycopg://user@host/db") from exc
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 15}
        else:
            kwargs["pool_pre_ping"] = True
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        db = cls(engine)
        if upgrade:
            db.upgrade()
        return db

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def _alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema with the migrations shipped in the package."""
        from alembic import command

        cfg = self._alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        except OperationalError as exc:
            raise StoreError(f"cannot reach or upgrade the database: {exc.orig}",
                             hint="check the database URL, that the server runs, and permissions") from exc

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        self.engine.dispose()


def open_from_settings(settings: Any, *, upgrade: bool = True) -> Database:
    """The database named by ``Settings.db_url`` (SQLite in the data folder by default)."""
    return Database.open(settings.db_url, upgrade=upgrade)
