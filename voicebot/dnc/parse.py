"""Fast parsing of do-not-call CSV rows for bulk import.

Each row becomes ``(key, tail id)``: the key is the normalised number (or a partner's digest)
and the tail is everything else (reason, source, added by, added/expiry times). Files carry a
handful of distinct tails (an industry list is one reason, one source, one date), so a tail is
parsed and validated once per distinct raw value and rows cost a dict lookup. That keeps the
per-row Python work small enough for tens of millions of rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from voicebot.dnc.numbers import normalize_number
from voicebot.dnc.service import DncList, check_source
from voicebot.errors import DncError
from voicebot.store.dnc import BulkTail
from voicebot.store.types import as_utc

TAIL_COLUMNS = ("reason", "source", "added_by", "added_at", "expires_at", "days")
_HEX = "0123456789abcdef"


def _when(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an ISO date or time") from None
    return as_utc(value)


class RowParser:
    """Iterate to get ``(key, tail id)``; bad rows land in ``errors`` as (line, reason) and
    ``tails`` (index = tail id) is complete once iteration ends."""

    def __init__(self, dnc: DncList, reader: Any, header: list[str], *, at: datetime,
                 added_by: str, source: str, hashed: bool) -> None:
        self.dnc, self.reader, self.at = dnc, reader, at
        self.added_by, self.source, self.hashed = added_by, source, hashed
        self.errors: list[tuple[int, str]] = []
        self.tails: list[BulkTail] = []
        self._width = len(header)
        key_col = "sha256" if hashed else ("number" if "number" in header else "phone")
        self._key = header.index(key_col)
        present = [c for c in TAIL_COLUMNS if c in header]
        self._tail_names = present
        getter = itemgetter(*[header.index(c) for c in present]) if present else None
        # itemgetter of one column returns the bare value, of several a tuple: both hashable
        self._tail_of = getter
        self._tail_ids: dict[Any, int | str] = {}  # raw tail → id, or the error message

    def __iter__(self) -> Iterator[tuple[str, int]]:
        reader, errors, width, k = self.reader, self.errors, self._width, self._key
        tail_of, tail_ids, hashed = self._tail_of, self._tail_ids, self.hashed
        const = self._tail_id(()) if tail_of is None else None
        if isinstance(const, str):  # the defaults themselves are invalid (bad settings)
            raise DncError(const, hint="check the import's source and the dnc settings")
        for rec in reader:
            if len(rec) != width:
                if not rec:  # a blank line, as csv.DictReader skips them
                    continue
                rec = (rec + [""] * width)[:width]
            raw = rec[k]
            try:
                if hashed:
                    key = raw.strip().lower()
                    if len(key) != 64 or key.strip(_HEX):
                        raise ValueError(f"sha256 {key!r} is not 64 hex digits")
                elif len(raw) == 11 and raw[0] == "1" and raw.isdigit() and raw.isascii():
                    key = raw  # the common case, already normalised
                else:
                    key = normalize_number(raw)
            except (ValueError, DncError) as exc:
                errors.append((reader.line_num, exc.message if isinstance(exc, DncError)
                               else str(exc)))
                continue
            if const is not None:
                yield key, const
                continue
            assert tail_of is not None
            raw_tail = tail_of(rec)
            tail = tail_ids.get(raw_tail)
            if tail is None:
                tail = self._tail_id(raw_tail if isinstance(raw_tail, tuple) else (raw_tail,))
                tail_ids[raw_tail] = tail
            if isinstance(tail, str):
                errors.append((reader.line_num, tail))
            else:
                yield key, tail

    def _tail_id(self, raw: tuple[str, ...]) -> int | str:
        """Validate one distinct tail; its id, or the error message for every row carrying it."""
        rec = dict(zip(self._tail_names, raw, strict=True))
        try:
            self.tails.append(self._tail(rec))
        except (ValueError, DncError) as exc:
            return exc.message if isinstance(exc, DncError) else str(exc)
        return len(self.tails) - 1

    def _tail(self, rec: dict[str, str]) -> BulkTail:
        minimum = timedelta(days=self.dnc.settings.minimum_days)
        source = check_source((rec.get("source") or self.source).strip())
        added_at = _when(rec["added_at"], "added_at") if rec.get("added_at") else self.at
        if rec.get("expires_at"):
            expires = _when(rec["expires_at"], "expires_at")
        elif rec.get("days"):
            try:
                days = int(rec["days"])
            except ValueError:
                raise ValueError(f"days {rec['days']!r} is not a whole number") from None
            expires = self.dnc.expiry(added_at, days)
        else:
            expires = self.dnc.expiry(added_at)
        if expires <= self.at:
            raise ValueError(f"already expired on {expires.date()}")
        if expires - added_at < minimum:
            raise ValueError(f"expires {expires.date()} is less than the minimum "
                             f"{minimum.days} days after it was added")
        reason = (rec.get("reason") or "").strip()
        by = (rec.get("added_by") or "").strip() or self.added_by
        return BulkTail(reason, source, by, added_at, expires)


def reader_for(handle: Any) -> tuple[Any, list[str]]:
    """A csv.reader over ``handle`` and its stripped header (empty if the file is empty)."""
    reader = csv.reader(handle)
    header = [h.strip() for h in next(reader, [])]
    return reader, header
