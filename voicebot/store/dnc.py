"""Do-not-call rows in the database: single changes, bulk upserts (executemany on SQLite, COPY
on PostgreSQL) and streaming reads. Rules (expiry, normalisation, audit) live in voicebot.dnc.

Every change bumps the ``dnc`` counter in the same transaction, so caches know to reload.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from voicebot.store.models import Counter, DncEntry, DncSalt
from voicebot.store.types import UtcDateTime

log = logging.getLogger(__name__)

# (number, digest, salt_id, reason, source, added_by, added_at, expires_at)
BulkRow = tuple[str | None, str | None, int | None, str, str, str, datetime, datetime]
_COLS = "number, digest, salt_id, reason, source, added_by, added_at, expires_at"


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


def bulk_upsert(s: Session, rows: Iterable[BulkRow]) -> int:
    """Insert many rows inside the session's transaction; a number already listed from the same
    source keeps the later expiry. Returns the number of rows written."""
    conn = s.connection()
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        n = _copy_pg(raw, rows)
    else:
        n = _executemany(raw, rows, _sqlite_bind(conn.dialect))
    bump(s)
    return n


def _executemany(raw: Any, rows: Iterable[BulkRow], bind: Any) -> int:
    """Load into an unindexed temporary table, then merge in key order: sorted inserts keep
    the unique index's pages local (several times faster than upserting row by row)."""
    cur = raw.cursor()
    cur.execute("PRAGMA cache_size=-262144")  # 256 MB for this connection during the merge
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS dnc_load AS SELECT {_COLS} FROM dnc_entries "
                "WHERE 0")
    cur.execute("DELETE FROM dnc_load")
    memo: dict[datetime, Any] = {}  # imports share a few timestamps: convert each once

    def conv(d: datetime) -> Any:
        v = memo.get(d)
        if v is None:
            v = memo[d] = bind(d)
        return v

    total = 0
    batch: list[tuple[Any, ...]] = []
    insert = f"INSERT INTO dnc_load ({_COLS}) VALUES (?,?,?,?,?,?,?,?)"
    for r in rows:
        batch.append((*r[:6], conv(r[6]), conv(r[7])))
        if len(batch) >= 100_000:
            cur.executemany(insert, batch)
            total += len(batch)
            batch.clear()
    cur.executemany(insert, batch)
    total += len(batch)
    tail = ("DO UPDATE SET reason=excluded.reason, added_by=excluded.added_by, "
            "added_at=excluded.added_at, expires_at=max(expires_at, excluded.expires_at)")
    for key in ("number", "digest"):
        # The WHERE clause also settles SQLite's parse of INSERT … SELECT … ON CONFLICT.
        cur.execute(f"INSERT INTO dnc_entries ({_COLS}) SELECT {_COLS} FROM dnc_load "
                    f"WHERE {key} IS NOT NULL ORDER BY {key}, source ON CONFLICT ({key}, source) "
                    f"{tail}")
    cur.execute("DELETE FROM dnc_load")
    cur.execute("PRAGMA cache_size=-2000")
    cur.close()
    return total


def _copy_pg(raw: Any, rows: Iterable[BulkRow]) -> int:
    """COPY into an unindexed temporary table, then one key-ordered merge."""
    cur = raw.cursor()
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS dnc_load AS SELECT {_COLS} FROM dnc_entries "
                "WITH NO DATA")
    cur.execute("TRUNCATE dnc_load")
    n = 0
    t0 = time.perf_counter()
    with cur.copy(f"COPY dnc_load ({_COLS}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)
            n += 1
    t1 = time.perf_counter()
    tail = ("DO UPDATE SET reason=excluded.reason, added_by=excluded.added_by, "
            "added_at=excluded.added_at, "
            "expires_at=greatest(dnc_entries.expires_at, excluded.expires_at)")
    for key in ("number", "digest"):
        # DISTINCT ON: one row per key, so ON CONFLICT never meets the same row twice.
        cur.execute(
            f"INSERT INTO dnc_entries ({_COLS}) SELECT DISTINCT ON ({key}, source) {_COLS} "
            f"FROM dnc_load WHERE {key} IS NOT NULL ORDER BY {key}, source, expires_at DESC "
            f"ON CONFLICT ({key}, source) {tail}"
        )
    log.debug("dnc COPY %.1f s, merge %.1f s", t1 - t0, time.perf_counter() - t1)
    cur.execute("TRUNCATE dnc_load")
    cur.close()
    return n
