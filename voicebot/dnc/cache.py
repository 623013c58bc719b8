"""An in-process do-not-call cache for bulk checks (campaign planning, benchmarks).

Active entries are held as sorted int64 arrays (≈16 bytes per number: 10 million numbers fit
in ~160 MB where a Python set would need >1 GB). The ``dnc`` counter, bumped by every change,
tells when to reload; it is read at most every ``max_age_s`` seconds. Answers are for times
at or after the load; earlier times fall back to the database.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from voicebot.dnc.numbers import digest_key, normalize_number, number_key, salted_digest
from voicebot.dnc.service import DncList
from voicebot.store import dnc as rows
from voicebot.store.types import as_utc, utcnow

I64 = npt.NDArray[np.int64]


class DncCache:
    def __init__(self, dnc: DncList, *, max_age_s: float = 1.0) -> None:
        self.dnc = dnc
        self.max_age_s = max_age_s
        self.version = -1
        self.loaded_at = utcnow()
        self._checked = 0.0
        self._keys: I64 = np.empty(0, np.int64)
        self._expires: I64 = np.empty(0, np.int64)
        self._digests: I64 = np.empty(0, np.int64)
        self._digest_expires: I64 = np.empty(0, np.int64)
        self._salts: list[str] = []

    def __len__(self) -> int:
        return int(self._keys.size + self._digests.size)

    def refresh(self, *, force: bool = False) -> bool:
        """Reload if the list changed (checked at most every ``max_age_s``). True if reloaded."""
        now = time.monotonic()
        if not force and now - self._checked < self.max_age_s:
            return False
        self._checked = now
        with self.dnc.db.session() as s:
            current = rows.version(s)
            if current == self.version and not force:
                return False
            self._load(s, current)
        return True

    def _load(self, s: Session, current: int) -> None:
        at = utcnow()
        nums: list[str] = []
        exp: list[int] = []
        dkeys: list[int] = []
        dexp: list[int] = []
        for batch in rows.active_keys(s, at):
            for number, digest, expires in batch:
                if number is not None:
                    nums.append(number)
                    exp.append(expires)
                elif digest is not None:
                    dkeys.append(digest_key(digest))
                    dexp.append(expires)
        # "1" + digits parsed in C: the same value as number_key() for every number.
        keys: Any = np.char.add("1", np.array(nums, dtype="U16")).astype(np.int64) if nums else []
        self._keys, self._expires = _sorted(keys, exp)
        self._digests, self._digest_expires = _sorted(dkeys, dexp)
        self._salts = [salt.salt for salt in rows.salts(s)]
        self.version, self.loaded_at = current, at

    def is_blocked(self, number: str, at: datetime | None = None) -> bool:
        self.refresh()
        at = as_utc(at) if at else utcnow()
        if at < self.loaded_at:
            return self.dnc.is_blocked(number, at)
        num = normalize_number(number)
        when = int(at.timestamp())
        if _hit(self._keys, self._expires, number_key(num), when):
            return True
        return any(_hit(self._digests, self._digest_expires, digest_key(salted_digest(num, salt)),
                        when) for salt in self._salts)

    def blocked_many(self, numbers: Sequence[str], at: datetime | None = None) -> list[bool]:
        """Vectorised check of many numbers (normalised first; a bad number raises DncError)."""
        self.refresh()
        at = as_utc(at) if at else utcnow()
        if at < self.loaded_at:
            return [self.dnc.is_blocked(n, at) for n in numbers]
        nums = [normalize_number(n) for n in numbers]
        when = int(at.timestamp())
        found = _hits(self._keys, self._expires, np.array([number_key(n) for n in nums], np.int64),
                      when)
        for salt in self._salts:
            d = np.array([digest_key(salted_digest(n, salt)) for n in nums], np.int64)
            found |= _hits(self._digests, self._digest_expires, d, when)
        return [bool(x) for x in found]

    def blocked_keys(self, keys: I64, at: datetime | None = None) -> npt.NDArray[np.bool_]:
        """The fastest path: already-normalised numbers as :func:`number_key` ints."""
        self.refresh()
        when = int((as_utc(at) if at else utcnow()).timestamp())
        return _hits(self._keys, self._expires, keys, when)


def _sorted(keys: Any, expires: list[int]) -> tuple[I64, I64]:
    k = np.array(keys, np.int64)
    e = np.array(expires, np.int64)
    order = np.argsort(k, kind="stable")
    k, e = k[order], e[order]
    if k.size:  # the same number from several sources: keep the latest expiry
        last = np.r_[k[1:] != k[:-1], True]
        e = np.maximum.reduceat(e, np.flatnonzero(np.r_[True, k[1:] != k[:-1]]))
        k = k[last]
    return k, e


def _hit(keys: I64, expires: I64, key: int, when: int) -> bool:
    i = int(np.searchsorted(keys, key))
    return i < keys.size and int(keys[i]) == key and int(expires[i]) > when


def _hits(keys: I64, expires: I64, probe: I64, when: int) -> npt.NDArray[np.bool_]:
    if keys.size == 0:
        return np.zeros(probe.size, bool)
    i = np.minimum(np.searchsorted(keys, probe), keys.size - 1)
    return (keys[i] == probe) & (expires[i] > when)
