"""Bulk upsert of do-not-call rows (CSV import of up to tens of millions of numbers).

Rows arrive as ``(key, tail id)`` plus a short list of tails (:class:`BulkTail`): the load
moves two narrow columns into a temporary table (executemany on SQLite, COPY text on
PostgreSQL), then one key-ordered ``INSERT … SELECT … JOIN tails`` merges them. A number
already listed from the same source keeps the later expiry. All of it runs in the caller's
transaction, so an exception anywhere (including a bad row raised by the key iterator before
the merge) leaves the list untouched.

Big loads skip index maintenance where that is safe: on SQLite the expiry index is dropped
and rebuilt inside the transaction when the load is at least half the table; on PostgreSQL an
empty table loses its indexes for the load (plain insert, then one sorted build each) under
an exclusive lock, which is harmless because there is nothing to look up yet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from voicebot.store.dnc import _COLS, BulkTail, _sqlite_bind, bump

log = logging.getLogger(__name__)

_BATCH = 200_000
_EXPIRY_INDEX = "ix_dnc_entries_expires_at"
# (kind, constraint, key column): the unique keys of dnc_entries (see models.DncEntry)
_UNIQUE = (("number", "uq_dnc_entries_number_source"), ("digest", "uq_dnc_entries_digest_source"))


def bulk_upsert(s: Session, keys: Iterable[tuple[str, int]], tails: Sequence[BulkTail], *,
                salt_id: int | None = None) -> int:
    """Upsert ``keys`` (numbers, or digests of salt ``salt_id``); ``tails`` is read after
    ``keys`` is exhausted, so a parser may fill it while iterating. Returns rows loaded."""
    conn = s.connection()
    raw: Any = conn.connection.driver_connection
    column = "number" if salt_id is None else "digest"
    if conn.dialect.name == "postgresql":
        n = _pg(raw, keys, tails, salt_id, column)
    else:
        n = _sqlite(raw, keys, tails, salt_id, column, _sqlite_bind(conn.dialect))
    bump(s)
    return n


def _select(column: str) -> str:
    """The merge's SELECT: key into ``column``, the rest from the tail."""
    values = {"number": "NULL", "digest": "NULL", column: "k.key"}
    return (f"SELECT {values['number']}, {values['digest']}, CAST(? AS INTEGER), t.reason, t.source, "
            "t.added_by, t.added_at, t.expires_at FROM dnc_load_keys k "
            "JOIN dnc_load_tails t ON t.id = k.tail")


def _sqlite(raw: Any, keys: Iterable[tuple[str, int]], tails: Sequence[BulkTail],
            salt_id: int | None, column: str, bind: Any) -> int:
    cur = raw.cursor()
    cur.execute("PRAGMA cache_size=-262144")  # 256 MB for this connection during the load
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS dnc_load_keys (key TEXT, tail INTEGER)")
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS dnc_load_tails (id INTEGER PRIMARY KEY, "
                "reason TEXT, source TEXT, added_by TEXT, added_at TEXT, expires_at TEXT)")
    try:
        t0 = time.perf_counter()
        cur.executemany("INSERT INTO dnc_load_keys VALUES (?, ?)", keys)
        n = cur.execute("SELECT count(*) FROM dnc_load_keys").fetchone()[0]
        cur.executemany("INSERT INTO dnc_load_tails VALUES (?, ?, ?, ?, ?, ?)",
                        [(i, t.reason, t.source, t.added_by, bind(t.added_at), bind(t.expires_at))
                         for i, t in enumerate(tails)])
        t1 = time.perf_counter()
        # Rebuilding the expiry index once (a sort) beats updating it row by row for big loads.
        listed = cur.execute("SELECT coalesce(max(id), 0) FROM dnc_entries").fetchone()[0]
        rebuild = n >= 10_000 and n * 2 >= listed
        if rebuild:
            cur.execute(f"DROP INDEX IF EXISTS {_EXPIRY_INDEX}")
        # The WHERE clause settles SQLite's parse of INSERT … SELECT … ON CONFLICT.
        cur.execute(
            f"INSERT INTO dnc_entries ({_COLS}) {_select(column)} WHERE 1 "
            f"ORDER BY k.key, t.source ON CONFLICT ({column}, source) DO UPDATE SET "
            "reason=excluded.reason, added_by=excluded.added_by, added_at=excluded.added_at, "
            "expires_at=max(expires_at, excluded.expires_at)", (salt_id,))
        if rebuild:
            cur.execute(f"CREATE INDEX {_EXPIRY_INDEX} ON dnc_entries (expires_at)")
        log.debug("dnc load %.1f s, merge %.1f s (index rebuilt: %s)", t1 - t0,
                  time.perf_counter() - t1, rebuild)
    finally:
        cur.execute("DELETE FROM dnc_load_keys")
        cur.execute("DELETE FROM dnc_load_tails")
        cur.execute("PRAGMA cache_size=-2000")
        cur.close()
    return int(n)


def _pg(raw: Any, keys: Iterable[tuple[str, int]], tails: Sequence[BulkTail],
        salt_id: int | None, column: str) -> int:
    cur = raw.cursor()
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS dnc_load_keys (key text, tail int)")
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS dnc_load_tails (id int PRIMARY KEY, "
                "reason text, source text, added_by text, added_at timestamptz, "
                "expires_at timestamptz)")
    cur.execute("TRUNCATE dnc_load_keys, dnc_load_tails")
    t0 = time.perf_counter()
    n = 0
    with cur.copy("COPY dnc_load_keys (key, tail) FROM STDIN") as copy:
        # Keys are validated digits or hex: COPY text needs no escaping, so write big blocks.
        block: list[str] = []
        for key, tail in keys:
            block.append(f"{key}\t{tail}\n")
            if len(block) >= _BATCH:
                copy.write("".join(block))
                n += len(block)
                block.clear()
        copy.write("".join(block))
        n += len(block)
    with cur.copy("COPY dnc_load_tails FROM STDIN") as copy:
        for i, t in enumerate(tails):
            copy.write_row((i, t.reason, t.source, t.added_by, t.added_at, t.expires_at))
    cur.execute("ANALYZE dnc_load_keys")
    cur.execute("ANALYZE dnc_load_tails")
    cur.execute("SET LOCAL work_mem = '256MB'")  # the DISTINCT ON sort stays in memory
    cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
    t1 = time.perf_counter()
    select = _select(column).replace("?", "%s")
    # DISTINCT ON: one row per key, so ON CONFLICT never meets the same row twice.
    distinct = (f"{select.replace('SELECT', 'SELECT DISTINCT ON (k.key, t.source)', 1)} "
                "ORDER BY k.key, t.source, t.expires_at DESC")
    empty = cur.execute("SELECT NOT EXISTS (SELECT 1 FROM dnc_entries)").fetchone()[0]
    if empty:
        cur.execute("LOCK TABLE dnc_entries IN ACCESS EXCLUSIVE MODE")
        empty = cur.execute("SELECT NOT EXISTS (SELECT 1 FROM dnc_entries)").fetchone()[0]
    if empty:
        drops = ", ".join(f"DROP CONSTRAINT {name}" for _, name in _UNIQUE)
        cur.execute(f"ALTER TABLE dnc_entries {drops}")
        cur.execute(f"DROP INDEX {_EXPIRY_INDEX}")
        cur.execute(f"INSERT INTO dnc_entries ({_COLS}) {distinct}", (salt_id,))
        adds = ", ".join(f"ADD CONSTRAINT {name} UNIQUE ({col}, source)" for col, name in _UNIQUE)
        cur.execute(f"ALTER TABLE dnc_entries {adds}")
        cur.execute(f"CREATE INDEX {_EXPIRY_INDEX} ON dnc_entries (expires_at)")
    else:
        cur.execute(
            f"INSERT INTO dnc_entries ({_COLS}) {distinct} ON CONFLICT ({column}, source) "
            "DO UPDATE SET reason=excluded.reason, added_by=excluded.added_by, "
            "added_at=excluded.added_at, "
            "expires_at=greatest(dnc_entries.expires_at, excluded.expires_at)", (salt_id,))
    log.debug("dnc COPY %.1f s, merge %.1f s (empty table: %s)", t1 - t0,
              time.perf_counter() - t1, empty)
    cur.execute("TRUNCATE dnc_load_keys, dnc_load_tails")
    cur.close()
    return n
