"""Storage: the database (SQLAlchemy models, Alembic migrations) and small repositories.

    db = Database.open(settings.db_url)      # creates/upgrades the schema
    with db.session() as s:                  # commits, or rolls back on error
        ...
"""

from __future__ import annotations

from voicebot.store.db import Database, open_from_settings

__all__ = ["Database", "open_from_settings"]
