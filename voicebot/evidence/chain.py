"""Sealing a call: its manifest (hashes of every file) joins the hash chain.

The chain head is one database row. Sealing starts by updating it (``last_seq + 1``), which
takes its row lock on PostgreSQL and the write lock on SQLite, so nodes that close calls at
the same moment are serialised and every call gets a distinct sequence number and the hash
of exactly one predecessor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update

from voicebot.errors import EvidenceError
from voicebot.evidence.hashing import FORMAT, dump_json, file_entry, sha256_bytes, write_atomic
from voicebot.store.db import Database
from voicebot.store.models import Call, ChainHead
from voicebot.store.types import utcnow

MANIFEST = "manifest.json"
TOMBSTONE = "tombstone.json"


@dataclass
class Sealed:
    call_id: str
    seq: int
    manifest_sha256: str
    prev_manifest_sha256: str
    folder: Path


def seal(db: Database, calls_dir: Path, call_id: str, files: list[str],
         extra: dict[str, Any] | None = None) -> Sealed:
    """Hash ``files`` (names inside the call's folder), write manifest.json, link it."""
    with db.session() as s:
        # First statement of the transaction: lock the chain head.
        seq, prev = s.execute(
            update(ChainHead).where(ChainHead.id == 1)
            .values(last_seq=ChainHead.last_seq + 1)
            .returning(ChainHead.last_seq, ChainHead.last_manifest_sha256)
        ).one()
        call = s.get(Call, call_id)
        if call is None:
            raise EvidenceError(f"no call {call_id} to seal", hint="open the call first")
        if call.seq is not None:
            raise EvidenceError(f"call {call_id} is already sealed (seq {call.seq})",
                                hint="a sealed call cannot change")
        folder = calls_dir / call.folder
        manifest = {
            "format": FORMAT, "call_id": call.id, "seq": seq, "prev_manifest_sha256": prev,
            "sealed_at": utcnow().isoformat(), "status": call.status, "outcome": call.outcome,
            "started_at": call.started_at.isoformat(),
            "ended_at": call.ended_at.isoformat() if call.ended_at else None,
            "files": {name: file_entry(folder / name) for name in sorted(files)},
            **(extra or {}),
        }
        data = dump_json(manifest)
        digest = sha256_bytes(data)
        write_atomic(folder / MANIFEST, data)
        s.execute(update(ChainHead).where(ChainHead.id == 1).values(last_manifest_sha256=digest))
        call.seq, call.manifest_sha256, call.prev_manifest_sha256 = seq, digest, prev
        call.sealed_at = utcnow()
    return Sealed(call_id, int(seq), digest, str(prev), folder)
