"""Purging evidence past its keep-until date. The manifest stays (it holds only hashes), and
a tombstone records the purge, so the hash chain still verifies; the recording, transcript,
outcome and the call's personal data go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from voicebot.evidence.chain import MANIFEST, TOMBSTONE
from voicebot.evidence.hashing import dump_json, write_atomic
from voicebot.evidence.retention import may_purge
from voicebot.store import audit, outcomes, turns
from voicebot.store.db import Database
from voicebot.store.models import Call, OutcomeRow
from voicebot.store.types import utcnow


@dataclass
class PurgeItem:
    call_id: str
    seq: int | None
    keep_until: str | None
    folder: str
    purgeable: bool
    why: str


def plan(db: Database, today: date, *, include_held: bool = False) -> list[PurgeItem]:
    with db.session() as s:
        q = select(Call).where(Call.seq.is_not(None), Call.purged_at.is_(None)).order_by(Call.seq)
        items = []
        for call in s.scalars(q):
            ok, why = may_purge(call, today)
            if ok or include_held:
                items.append(PurgeItem(call.id, call.seq, str(call.keep_until or "") or None,
                                       call.folder, ok, why))
        return items


def purge(db: Database, calls_dir: Path, today: date, *, actor: str) -> list[PurgeItem]:
    done = []
    for item in plan(db, today):
        with db.session() as s:
            call = s.get(Call, item.call_id)
            if call is None or not may_purge(call, today)[0]:
                continue
            folder = calls_dir / call.folder
            removed = []
            if folder.is_dir():
                for f in sorted(folder.iterdir()):
                    if f.name not in (MANIFEST, TOMBSTONE):
                        f.unlink()
                        removed.append(f.name)
            now = utcnow()
            write_atomic(folder / TOMBSTONE, dump_json({
                "call_id": call.id, "seq": call.seq, "manifest_sha256": call.manifest_sha256,
                "purged_at": now.isoformat(), "keep_until": str(call.keep_until),
                "removed": removed,
            }))
            for t in turns.for_call(s, call.id):
                s.delete(t)
            for p in outcomes.problem_items(s, call.id):
                s.delete(p)
            row = s.get(OutcomeRow, call.id)
            if row is not None:
                row.record = {"purged": True}
            call.phone, call.purged_at = "", now
            audit.record(s, actor, "evidence.purge", call.id, seq=call.seq, removed=removed)
            done.append(item)
    return done
