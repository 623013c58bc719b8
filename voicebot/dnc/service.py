"""The do-not-call list: add, remove, check, list. Every change is audited in the same
transaction. Expiry defaults to ``Settings.dnc.default_days`` and is never below the
regulatory minimum (``Settings.dnc.minimum_days``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from voicebot.config import DncSettings
from voicebot.dnc.numbers import normalize_number, salted_digest
from voicebot.errors import DncError
from voicebot.privacy import mask_phone
from voicebot.store import audit
from voicebot.store import dnc as rows
from voicebot.store.db import Database
from voicebot.store.models import DncEntry, DncSource
from voicebot.store.types import as_utc, utcnow


@dataclass
class DncCheck:
    number: str
    blocked: bool
    entries: list[dict[str, Any]]  # the active entries that block it


def entry_dict(e: DncEntry, *, full: bool = True) -> dict[str, Any]:
    number = e.number if (full or e.number is None) else mask_phone(e.number)
    return {
        "id": e.id, "number": number, "digest": e.digest, "reason": e.reason,
        "source": e.source, "added_by": e.added_by, "added_at": e.added_at.isoformat(),
        "expires_at": e.expires_at.isoformat(),
    }


SOURCES = frozenset(str(x) for x in DncSource)


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise DncError(f"unknown source {source!r}", hint="use company, industry or complaint")
    return str(source)


class DncList:
    def __init__(self, db: Database, settings: DncSettings | None = None) -> None:
        self.db = db
        self.settings = settings or DncSettings()
        if self.settings.default_days < self.settings.minimum_days:
            raise DncError(f"default_days {self.settings.default_days} is below the minimum "
                           f"{self.settings.minimum_days}", hint="use 365 days or more")

    def expiry(self, at: datetime, days: int | None = None) -> datetime:
        days = self.settings.default_days if days is None else days
        if days < self.settings.minimum_days:
            raise DncError(f"{days} days is below the regulatory minimum of "
                           f"{self.settings.minimum_days} days",
                           hint=f"use at least {self.settings.minimum_days} days")
        return as_utc(at) + timedelta(days=days)

    def add(self, number: str, *, reason: str = "", source: str = DncSource.COMPANY,
            added_by: str = "system", days: int | None = None, at: datetime | None = None,
            session: Session | None = None) -> dict[str, Any]:
        """Block ``number`` for ``days`` (default from settings). Pass ``session`` to join a
        larger transaction (e.g. closing a call that ended with do_not_call)."""
        num = normalize_number(number)
        at = as_utc(at) if at else utcnow()
        expires = self.expiry(at, days)
        source = check_source(source)
        if session is not None:
            return self._add(session, num, reason, source, added_by, at, expires)
        with self.db.session() as s:
            return self._add(s, num, reason, source, added_by, at, expires)

    def _add(self, s: Session, num: str, reason: str, source: str, added_by: str,
             at: datetime, expires: datetime) -> dict[str, Any]:
        e = rows.upsert(s, number=num, source=source, reason=reason, added_by=added_by,
                        added_at=at, expires_at=expires)
        audit.record(s, added_by, "dnc.add", num, source=source, reason=reason,
                     expires_at=e.expires_at.isoformat())
        return entry_dict(e)

    def remove(self, number: str, *, removed_by: str = "system", source: str | None = None,
               reason: str = "") -> int:
        num = normalize_number(number)
        with self.db.session() as s:
            n = rows.delete_number(s, num, check_source(source) if source else None)
            audit.record(s, removed_by, "dnc.remove", num, source=source, removed=n, reason=reason)
        return n

    def check(self, number: str, at: datetime | None = None) -> DncCheck:
        """Is ``number`` blocked at ``at`` (default now)? A direct indexed query: always current."""
        num = normalize_number(number)
        at = as_utc(at) if at else utcnow()
        with self.db.session() as s:
            digests = [(salt.id, salted_digest(num, salt.salt)) for salt in rows.salts(s)]
            active = [e for e in rows.entries_for(s, num, digests) if e.expires_at > at]
            return DncCheck(num, bool(active), [entry_dict(e) for e in active])

    def is_blocked(self, number: str, at: datetime | None = None) -> bool:
        """Like :meth:`check` but answers from the index alone (one or two small queries)."""
        num = normalize_number(number)
        at = as_utc(at) if at else utcnow()
        with self.db.session() as s:
            return rows.blocked(s, num, at, salted_digest)

    def list(self, *, at: datetime | None = None, source: str | None = None, limit: int = 100,
             offset: int = 0, full: bool = False) -> list[dict[str, Any]]:
        """Entries active at ``at`` (all entries when ``at`` is None), numbers masked unless
        ``full``."""
        with self.db.session() as s:
            return [entry_dict(e, full=full)
                    for e in rows.page(s, at=at, source=source, limit=limit, offset=offset)]

    def count(self, at: datetime | None = None) -> int:
        with self.db.session() as s:
            return rows.count(s, at=at)
