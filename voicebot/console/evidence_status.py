"""The call page's evidence line: is the folder intact and linked into the hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.config import Settings
from voicebot.evidence import verify
from voicebot.store.db import Database
from voicebot.store.models import Call


@dataclass(frozen=True)
class EvidenceStatus:
    state: str  # ok | failed | unsealed | missing
    message: str
    problems: tuple[str, ...] = ()


def check(db: Database, settings: Settings, call: Call) -> EvidenceStatus:
    """Verify one call (hashes every file of its folder: run it off the event loop)."""
    if not call.folder:
        return EvidenceStatus("missing", "This call has no evidence folder.")
    if call.seq is None:
        return EvidenceStatus("unsealed", f"Not sealed yet (call is {call.status}).")
    report = verify(db, settings.calls_dir, call.id)
    if report.ok:
        return EvidenceStatus("ok", f"Verified: intact, link {call.seq} of the hash chain.")
    problems = tuple(f"{p.kind}: {p.detail}" for p in report.problems)
    return EvidenceStatus("failed", f"Verification FAILED ({len(problems)} problem"
                          f"{'s' if len(problems) != 1 else ''}): {problems[0]}", problems)
