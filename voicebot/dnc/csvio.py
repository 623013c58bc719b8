"""CSV exchange of the do-not-call list (e.g. with an industry association).

Plain files carry ``number,reason,source,added_by,added_at,expires_at``; hashed files carry
``sha256`` (salted SHA-256 of the normalised number, see :func:`salted_digest`) instead of
``number``. An import is one transaction: any bad row → :class:`ImportRowsError` listing every
bad line, and nothing is imported.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from voicebot.dnc.numbers import normalize_number, salted_digest
from voicebot.dnc.service import DncList, check_source
from voicebot.errors import DncError, ImportRowsError
from voicebot.store import audit
from voicebot.store import dnc as rows
from voicebot.store.models import DncSalt, DncSource
from voicebot.store.types import as_utc, utcnow

COLUMNS = {"number", "phone", "sha256", "reason", "source", "added_by", "added_at",
           "expires_at", "days"}
PLAIN_HEADER = ["number", "reason", "source", "added_by", "added_at", "expires_at"]
HASHED_HEADER = ["sha256", "source", "added_at", "expires_at"]


@dataclass
class ImportResult:
    rows: int
    seconds: float
    hashed: bool


def _when(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an ISO date or time") from None
    return as_utc(value)


class _RowReader:
    """Turns CSV rows into bulk rows, collecting (line, reason) for every bad one."""

    def __init__(self, dnc: DncList, reader: csv.DictReader[str], *, at: datetime,
                 added_by: str, source: str, salt_id: int | None, salt: str | None) -> None:
        self.dnc, self.reader, self.at = dnc, reader, at
        self.added_by, self.source, self.salt_id, self.salt = added_by, source, salt_id, salt
        self.errors: list[tuple[int, str]] = []
        self._default_expiry: dict[datetime, datetime] = {}

    def __iter__(self) -> Iterator[rows.BulkRow]:
        minimum = timedelta(days=self.dnc.settings.minimum_days)
        for rec in self.reader:
            try:
                yield self._row(rec, minimum)
            except (ValueError, DncError) as exc:
                msg = exc.message if isinstance(exc, DncError) else str(exc)
                self.errors.append((self.reader.line_num, msg))

    def _row(self, rec: dict[str, Any], minimum: timedelta) -> rows.BulkRow:
        number: str | None = None
        digest: str | None = None
        if self.salt_id is not None:
            digest = (rec.get("sha256") or "").strip().lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError(f"sha256 {digest!r} is not 64 hex digits")
        else:
            number = normalize_number(rec.get("number") or rec.get("phone") or "")
        source = check_source((rec.get("source") or self.source).strip())
        added_at = _when(rec["added_at"], "added_at") if rec.get("added_at") else self.at
        if rec.get("expires_at"):
            expires = _when(rec["expires_at"], "expires_at")
        elif rec.get("days"):
            expires = self.dnc.expiry(added_at, int(rec["days"]))
        else:
            expires = self._default_expiry.get(added_at) or self._default_expiry.setdefault(
                added_at, self.dnc.expiry(added_at))
        if expires <= self.at:
            raise ValueError(f"already expired on {expires.date()}")
        if expires - added_at < minimum:
            raise ValueError(f"expires {expires.date()} is less than the minimum "
                             f"{minimum.days} days after it was added")
        reason = (rec.get("reason") or "").strip()
        by = (rec.get("added_by") or "").strip() or self.added_by
        return (number, digest, self.salt_id, reason, source, by, added_at, expires)


def import_csv(dnc: DncList, path: str | Path, *, added_by: str,
               source: str = DncSource.INDUSTRY, salt: str | None = None,
               salt_label: str | None = None, at: datetime | None = None) -> ImportResult:
    """Import a plain or (with ``salt``) hashed CSV file in one transaction."""
    started = time.perf_counter()
    at = as_utc(at) if at else utcnow()
    check_source(source)
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DncError(f"cannot read {path}: {exc.strerror}", hint="check the file path") from exc
    with handle, dnc.db.session() as s:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        _check_header(header, hashed=salt is not None)
        salt_id = _salt_id(s, salt, salt_label) if salt is not None else None
        source_rows = _RowReader(dnc, reader, at=at, added_by=added_by, source=source,
                                 salt_id=salt_id, salt=salt)
        n = rows.bulk_upsert(s, source_rows)
        if source_rows.errors:
            raise ImportRowsError(  # the session rolls back: nothing imported
                f"{path.name}: {len(source_rows.errors)} bad rows; nothing was imported",
                source_rows.errors, hint="fix the lines listed and import the file again")
        audit.record(s, added_by, "dnc.import", path.name, rows=n, source=source,
                     hashed=salt is not None)
    return ImportResult(n, time.perf_counter() - started, salt is not None)


def _check_header(header: list[str], *, hashed: bool) -> None:
    bad = [(1, f"unknown column {h!r}") for h in header if h not in COLUMNS]
    key = "sha256" if hashed else "number"
    if key not in header and not (key == "number" and "phone" in header):
        bad.append((1, f"no {key!r} column" + (" (hashed import needs sha256)" if hashed else "")))
    if bad:
        raise ImportRowsError("the CSV header is not usable; nothing was imported", bad,
                              hint=f"columns: {', '.join(sorted(COLUMNS))}")


def _salt_id(s: Any, salt: str, label: str | None) -> int:
    label = label or "default"
    known = rows.salt_by_label(s, label)
    if known is None:
        known = DncSalt(label=label, salt=salt)
        s.add(known)
        s.flush()
    elif known.salt != salt:
        raise DncError(f"salt label {label!r} is already used with a different salt",
                       hint="give this partner's salt its own --salt-label")
    return int(known.id)


def export_csv(dnc: DncList, out: TextIO, *, exported_by: str, salt: str | None = None,
               at: datetime | None = None) -> int:
    """Write the entries active at ``at`` (numbers, or salted hashes with ``salt``)."""
    at = as_utc(at) if at else utcnow()
    writer = csv.writer(out)
    writer.writerow(HASHED_HEADER if salt is not None else PLAIN_HEADER)
    n = 0
    with dnc.db.session() as s:
        for e in rows.stream(s, at=at):
            if e.number is None:  # a partner's hash: not ours to pass on
                continue
            if salt is not None:
                writer.writerow([salted_digest(e.number, salt), e.source,
                                 e.added_at.isoformat(), e.expires_at.isoformat()])
            else:
                writer.writerow([e.number, e.reason, e.source, e.added_by,
                                 e.added_at.isoformat(), e.expires_at.isoformat()])
            n += 1
        audit.record(s, exported_by, "dnc.export", "", rows=n, hashed=salt is not None)
    return n
