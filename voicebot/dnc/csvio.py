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
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from voicebot.dnc.numbers import salted_digest
from voicebot.dnc.parse import RowParser, reader_for
from voicebot.dnc.service import DncList, check_source
from voicebot.errors import DncError, ImportRowsError
from voicebot.store import audit
from voicebot.store import dnc as rows
from voicebot.store.dnc_bulk import bulk_upsert
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
        reader, header = reader_for(handle)
        _check_header(header, hashed=salt is not None)
        salt_id = _salt_id(s, salt, salt_label) if salt is not None else None
        parser = RowParser(dnc, reader, header, at=at, added_by=added_by, source=source,
                           hashed=salt is not None)
        n = bulk_upsert(s, _checked(parser, path.name), parser.tails, salt_id=salt_id)
        audit.record(s, added_by, "dnc.import", path.name, rows=n, source=source,
                     hashed=salt is not None)
    return ImportResult(n, time.perf_counter() - started, salt is not None)


def _checked(parser: RowParser, name: str) -> Iterator[tuple[str, int]]:
    """The parsed rows, then ImportRowsError if any was bad: raised inside the load, before
    the merge, so the session rolls back and nothing is imported."""
    yield from parser
    if parser.errors:
        raise ImportRowsError(f"{name}: {len(parser.errors)} bad rows; nothing was imported",
                              parser.errors, hint="fix the lines listed and import the file again")


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
