"""Replay items from recorded calls: the caller channel (left) of the evidence recording, cut
at the caller turns the transcript lists, replayed against the policy and script of the call.

What was heard and decided back then is kept as *previous* values: the report shows what
changed. It is not ground truth (it came from the recogniser), so no CER is computed from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from voicebot.config import Settings
from voicebot.qa.model import ReplayItem, Utterance
from voicebot.qa.sources import DEFAULT_POLICY, DEFAULT_SCRIPT, ReplaySourceError
from voicebot.store import calls as calls_repo
from voicebot.store.db import open_from_settings
from voicebot.store.policies import by_number

TRANSCRIPT, OUTCOME, RECORDING = "transcript.json", "outcome.json", "recording.wav"


def _policy(settings: Settings | None, policy_no: str) -> tuple[dict[str, Any], str]:
    if settings is not None and policy_no:
        db = open_from_settings(settings)
        try:
            with db.session() as s:
                row = by_number(s, policy_no)
                if row is not None and row.extra:
                    return dict(row.extra), ""
        finally:
            db.dispose()
    return dict(DEFAULT_POLICY), f"policy {policy_no or '?'} not in the database: replayed " \
                                 f"against the default test policy (identity checks may differ)"


def from_call_folder(folder: Path, settings: Settings | None,
                     script: str | None = None) -> ReplayItem:
    try:
        transcript = json.loads((folder / TRANSCRIPT).read_text(encoding="utf-8"))
        outcome = json.loads((folder / OUTCOME).read_text(encoding="utf-8")) \
            if (folder / OUTCOME).is_file() else {}
    except (OSError, ValueError) as exc:
        raise ReplaySourceError(f"cannot read the call folder {folder}: {exc}",
                                hint="verify the call's evidence (voicebot evidence verify)") from exc
    recording = folder / RECORDING
    if not recording.is_file():
        raise ReplaySourceError(f"{folder} has no {RECORDING}",
                                hint="the recording was purged or never written")
    caller = [t for t in transcript.get("turns", []) if t.get("speaker") == "caller"
              and t.get("via", "speech") == "speech" and t.get("end_ms")]
    if not caller:
        raise ReplaySourceError(f"call {folder.name} has no caller speech turns to replay",
                                hint="only calls where the caller spoke can be replayed")
    policy, note = _policy(settings, outcome.get("policy_no", ""))
    utterances = tuple(
        Utterance(audio=recording, label=f"turn {t.get('idx', i)}",
                  start_ms=max(0, int(t["start_ms"]) - 150), end_ms=int(t["end_ms"]) + 150,
                  previous_text=t.get("text"), previous_intent=t.get("intent"))
        for i, t in enumerate(caller))
    call_id = transcript.get("call_id", folder.name)
    return ReplayItem(
        name=call_id, kind="call", source=str(folder),
        script=script or outcome.get("script") or DEFAULT_SCRIPT, policy=policy,
        utterances=utterances, description=note,
        expected_outcome=outcome.get("outcome"),  # regression: the same call, the same decision
        expected_problems=tuple(p["question_no"] for p in outcome.get("problem_items", [])
                                if p.get("question_no") is not None) if outcome else None,
        previous_outcome=outcome.get("outcome"))


def from_call_id(call_id: str, settings: Settings, script: str | None = None) -> ReplayItem:
    db = open_from_settings(settings)
    try:
        with db.session() as s:
            call = calls_repo.find(s, call_id)
            folder = call.folder if call is not None else None
    finally:
        db.dispose()
    if folder is None:
        raise ReplaySourceError(f"no call {call_id} in the evidence store at {settings.data_dir}",
                                hint="check the id, or give the call's folder path")
    return from_call_folder(settings.calls_dir / folder, settings, script)
