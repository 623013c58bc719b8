"""Evidence for live calls: open a call (database row + folder + streaming recorder), record
turns, close it (transcript.json, outcome.json, manifest in the hash chain), and recover calls
a crash left open.

    store = EvidenceStore(db, settings.calls_dir)
    ev = store.open_call(phone="13800000001", policy_no="P1", script="new_policy")
    ev.write_caller(pcm, at_ms)          # or at_ms=None: "it just arrived" on ev's clock
    ev.write_bot(pcm, at_ms)
    ev.add_turn(TurnData(...))
    sealed = ev.close(outcome_record)    # blocking: run it with asyncio.to_thread
"""

from __future__ import annotations

import logging
import re
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from voicebot.dialogs.outcome import Outcome, OutcomeRecord
from voicebot.dnc.service import DncList
from voicebot.errors import EvidenceError
from voicebot.evidence.chain import Sealed, seal
from voicebot.evidence.hashing import dump_json, write_atomic
from voicebot.evidence.recorder import StereoRecorder
from voicebot.evidence.retention import keep_until
from voicebot.evidence.wavrepair import repair_wav
from voicebot.store import calls, outcomes, turns
from voicebot.store.db import Database
from voicebot.store.models import CallStatus, Policy
from voicebot.store.turns import TurnData
from voicebot.store.types import utcnow

log = logging.getLogger(__name__)

RECORDING = "recording.wav"
TRANSCRIPT = "transcript.json"
OUTCOME = "outcome.json"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def new_call_id(at: datetime) -> str:
    return f"{at:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


class EvidenceStore:
    def __init__(self, db: Database, calls_dir: Path, *, node: str | None = None,
                 sample_rate: int = 8000, timezone: str = "Asia/Shanghai",
                 dnc: DncList | None = None) -> None:
        self.db = db
        self.calls_dir = Path(calls_dir)
        self.node = node or socket.gethostname()
        self.sample_rate = sample_rate
        self.tz = ZoneInfo(timezone)
        self.dnc = dnc or DncList(db)

    def open_call(self, *, call_id: str | None = None, phone: str = "", policy_no: str = "",
                  policy_id: int | None = None, task_id: int | None = None, script: str = "",
                  gateway: str = "", started_at: datetime | None = None) -> CallEvidence:
        started = started_at or utcnow()
        call_id = call_id or new_call_id(started)
        if not _SAFE_ID.match(call_id):
            raise EvidenceError(f"call id {call_id!r} cannot name a folder",
                                hint="use letters, digits, '-', '_' or '.' (at most 64)")
        local = started.astimezone(self.tz)
        rel = f"{local:%Y}/{local:%m}/{call_id}"
        folder = self.calls_dir / rel
        folder.mkdir(parents=True, exist_ok=False)
        with self.db.session() as s:
            calls.create(s, call_id, phone=phone, policy_no=policy_no, policy_id=policy_id,
                         task_id=task_id, script=script, gateway=gateway, node=self.node,
                         started_at=started, folder=rel, recording_file=RECORDING,
                         status=CallStatus.OPEN)
        return CallEvidence(self, call_id, folder, started)

    def finish(self, call_id: str, record: OutcomeRecord | None, *, status: str,
               end_reason: str = "", decided_by: str = "bot", extra: dict[str, object] | None = None
               ) -> Sealed:
        """Write transcript and outcome files, store the outcome, seal the folder."""
        with self.db.session() as s:
            call = calls.get(s, call_id)
            folder = self.calls_dir / call.folder
            ended = utcnow()
            if record is None:
                record = OutcomeRecord(call_id=call_id, script=call.script,
                                       policy_no=call.policy_no, outcome=Outcome.INTERRUPTED,
                                       started_at=call.started_at.isoformat(),
                                       ended_at=ended.isoformat(), end_reason=end_reason)
            calls.mark_closed(call, status=status, outcome=str(record.outcome),
                              end_reason=end_reason or record.end_reason, ended_at=ended)
            outcomes.save(s, record, decided_by=decided_by)
            policy = s.get(Policy, call.policy_id) if call.policy_id else None
            call.keep_until = keep_until(policy, call.started_at.astimezone(self.tz).date())
            if record.outcome == Outcome.DO_NOT_CALL and call.phone:
                self.dnc.add(call.phone, reason=f"asked not to be called (call {call_id})",
                             added_by="bot", session=s)
            transcript = {
                "call_id": call_id, "sample_rate": self.sample_rate,
                "channels": {"left": "caller", "right": "bot"},
                "started_at": call.started_at.isoformat(), "ended_at": ended.isoformat(),
                "turns": [turns.to_dict(t) for t in turns.for_call(s, call_id)],
            }
            write_atomic(folder / TRANSCRIPT, dump_json(transcript))
            write_atomic(folder / OUTCOME, dump_json(record.to_dict()))
        files = [n for n in (RECORDING, TRANSCRIPT, OUTCOME) if (folder / n).exists()]
        return seal(self.db, self.calls_dir, call_id, files, extra)

    def recover_open_calls(self, *, all_nodes: bool = False) -> list[Sealed]:
        """Close calls a crash left open (this node's, or every node's with ``all_nodes``)
        as ``interrupted``: repair the recording to its last whole frame, then seal."""
        with self.db.session() as s:
            open_ids = [c.id for c in calls.open_calls(s, None if all_nodes else self.node)]
        done = []
        for call_id in open_ids:
            with self.db.session() as s:
                folder = self.calls_dir / calls.get(s, call_id).folder
            wav = folder / RECORDING
            extra: dict[str, object] = {"recovered": True}
            if wav.exists():
                try:
                    result = repair_wav(wav)
                    extra["recording_repair"] = {"frames": result.frames, "changed": result.changed,
                                                 "dropped_bytes": result.dropped_bytes}
                except EvidenceError as exc:
                    log.error("call %s: recording cannot be repaired: %s", call_id, exc)
                    extra["recording_repair"] = {"error": exc.message}
            folder.mkdir(parents=True, exist_ok=True)
            done.append(self.finish(call_id, None, status=CallStatus.INTERRUPTED,
                                    end_reason="recovered after a crash", extra=extra))
            log.warning("call %s was left open; closed as interrupted", call_id)
        return done


@dataclass
class CallEvidence:
    """One open call's evidence. Not thread-safe: feed it from the call's own task."""

    store: EvidenceStore
    call_id: str
    folder: Path
    started_at: datetime

    def __post_init__(self) -> None:
        self._t0 = time.monotonic()
        self.recorder = StereoRecorder(self.folder / RECORDING, self.store.sample_rate,
                                       clock=self.now_ms)
        self.closed = False

    def now_ms(self) -> int:
        """The common clock: ms since the call was opened."""
        return int((time.monotonic() - self._t0) * 1000)

    def write_caller(self, pcm: bytes, at_ms: int | None = None) -> None:
        self.recorder.write_caller(pcm, at_ms)

    def write_bot(self, pcm: bytes, at_ms: int | None = None) -> None:
        self.recorder.write_bot(pcm, at_ms)

    def add_turn(self, turn: TurnData) -> int:
        with self.store.db.session() as s:
            return turns.add(s, self.call_id, turn).idx

    def close(self, record: OutcomeRecord | None = None, *, status: str = CallStatus.CLOSED,
              end_reason: str = "", decided_by: str = "bot") -> Sealed:
        """Finish the recording and seal the call (blocking: hashing and database work)."""
        if self.closed:
            raise EvidenceError(f"call {self.call_id} is already closed", hint="close once")
        self.recorder.close()
        self.closed = True
        return self.store.finish(self.call_id, record, status=status, end_reason=end_reason,
                                 decided_by=decided_by)
