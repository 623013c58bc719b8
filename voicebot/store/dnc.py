"""Do-not-call rows in the database: single changes, streaming reads and key lookups (bulk
upserts are in :mod:`voicebot.store.dnc_bulk`). Rules (expiry, normalisation, audit) live in voicebot.dnc.

Every change bumps the ``dnc`` counter in the same transaction, so caches know to reload.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from voicebot.store.models import Counter, DncEntry, DncSalt
from voicebot.store.types import UtcDateTime

log = logging.getLogger(__name__)

_COLS = "number, digest, salt_id, reason, source, added_by, added_at, expires_at"


@dataclass(frozen=True)
class BulkTail:
    """What bulk rows share besides their key (a file has few distinct tails)."""

    reason: str
    source: str
    added_by: str
    added_at: datetime
    expires_at: datetime


def bump(s: Session) -> None:
    s.execute(update(Counter).where(Counter.name == "dnc").values(value=Counter.value + 1))


def version(s: Session) -> int:
    return int(s.scalar(select(Counter.value).where(Counter.name == "dnc")) or 0)


def upsert(s: Session, *, number: str, source: str, reason: str, added_by: str,
           added_at: datetime, expires_at: datetime) -> DncEntry:
    """Add a number, or extend its entry from the same source (expiry never shortens)."""
    entry = s.scalar(select(DncEntry).where(DncEntry.number == number, DncEntry.source == source))
    if entry is None:
        entry = DncEntry(number=number, source=source, reason=reason, added_by=added_by,
                         added_at=added_at, expires_at=expires_at)
        s.add(entry)
    else:
        entry.reason, entry.added_by, entry.added_at = reason, added_by, added_at
        entry.expires_at = max(entry.expires_at, expires_at)
    bump(s)
    s.flush()
    return entry


def delete_number(s: Session, number: str, source: str | None = None) -> int:
    q = delete(DncEntry).where(DncEntry.number == number)
    if source:
        q = q.where(DncEntry.source == source)
    n = s.execute(q).rowcount  # type: ignore[attr-defined]
    bump(s)
    return int(n)


def entries_for(s: Session, number: str, digests: Sequence[tuple[int, str]] = ()) -> list[DncEntry]:
    """All entries (any expiry) for ``number`` or for its salted digests ((salt_id, hex))."""
    found = list(s.scalars(select(DncEntry).where(DncEntry.number == number)))
    for salt_id, digest in digests:
        found += s.scalars(select(DncEntry).where(DncEntry.digest == digest,
                                                  DncEntry.salt_id == salt_id))
    return found


def blocked(s: Session, number: str, at: datetime, digest_of: Any) -> bool:
    """Is there an entry for ``number`` (or for ``digest_of(number, salt)``) active at ``at``?"""
    hit = s.scalar(select(DncEntry.id).where(DncEntry.number == number,
                                             DncEntry.expires_at > at).limit(1))
    if hit is not None:
        return True
    for salt in salts(s):
        hit = s.scalar(select(DncEntry.id).where(
            DncEntry.digest == digest_of(number, salt.salt), DncEntry.salt_id == salt.id,
            DncEntry.expires_at > at).limit(1))
        if hit is not None:
            return True
    return False


def salts(s: Session) -> list[DncSalt]:
    return list(s.scalars(select(DncSalt).order_by(DncSalt.id)))


def salt_by_label(s: Session, label: str) -> DncSalt | None:
    return s.scalar(select(DncSalt).where(DncSalt.label == label))


def page(s: Session, *, at: datetime | None, source: str | None, limit: int, offset: int
         ) -> list[DncEntry]:
    q = select(DncEntry).order_by(DncEntry.id).limit(limit).offset(offset)
    if at is not None:
        q = q.where(DncEntry.expires_at > at)
    if source:
        q = q.where(DncEntry.source == source)
    return list(s.scalars(q))


def count(s: Session, *, at: datetime | None = None) -> int:
    q = select(func.count()).select_from(DncEntry)
    if at is not None:
        q = q.where(DncEntry.expires_at > at)
    return int(s.scalar(q) or 0)


def stream(s: Session, *, at: datetime | None) -> Iterator[DncEntry]:
    q = select(DncEntry).order_by(DncEntry.id).execution_options(yield_per=10_000)
    if at is not None:
        q = q.where(DncEntry.expires_at > at)
    for part in s.scalars(q).partitions():
        yield from part


def active_keys(s: Session, at: datetime) -> Iterator[list[tuple[str | None, str | None, int]]]:
    """Batches of (number, digest, expiry as epoch seconds) of entries active at ``at``.
    The epoch is computed by the database: converting millions of datetimes in Python is slow."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        epoch = "CAST(extract(epoch from expires_at) AS BIGINT)"
        param: Any = at
        sql = f"SELECT number, digest, {epoch} FROM dnc_entries WHERE expires_at > %s"
    else:
        epoch = "CAST(strftime('%s', expires_at) AS INTEGER)"
        param = _sqlite_bind(conn.dialect)(at)
        sql = f"SELECT number, digest, {epoch} FROM dnc_entries WHERE expires_at > ?"
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cur.execute(sql, (param,))
    while batch := cur.fetchmany(100_000):
        yield batch
    cur.close()


def _sqlite_bind(dialect: Any) -> Any:
    """UtcDateTime → the exact text SQLAlchemy stores on SQLite (so rows compare alike)."""
    outer = UtcDateTime()
    inner = outer.dialect_impl(dialect).bind_processor(dialect)
    return lambda d: inner(outer.process_bind_param(d, dialect)) if inner else d


