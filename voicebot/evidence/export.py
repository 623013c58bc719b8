"""A call's evidence bundle: its folder plus the chain links, in one zip for a regulator."""

from __future__ import annotations

import zipfile
from pathlib import Path

from voicebot.errors import EvidenceError
from voicebot.evidence.hashing import dump_json
from voicebot.evidence.verify import verify
from voicebot.store import audit, calls
from voicebot.store.db import Database


def export_call(db: Database, calls_dir: Path, call_id: str, out: Path, *, actor: str) -> Path:
    report = verify(db, calls_dir, call_id)
    with db.session() as s:
        call = calls.get(s, call_id)
        folder = calls_dir / call.folder
        if not folder.is_dir():
            raise EvidenceError(f"call {call_id} has no folder", hint="run `voicebot evidence verify`")
        info = {"call_id": call.id, "seq": call.seq, "manifest_sha256": call.manifest_sha256,
                "prev_manifest_sha256": call.prev_manifest_sha256,
                "verification": report.to_dict()}
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(folder.iterdir()):
                z.write(f, f"{call_id}/{f.name}")
            z.writestr(f"{call_id}/chain.json", dump_json(info))
        audit.record(s, actor, "evidence.export", call_id, out=str(out), ok=report.ok)
    return out
