"""Replay through the live call session: each item becomes a call on the loopback gateway,
run by the same ``CallSession`` that serves WebSocket calls (recorder, recogniser stream,
barge-in detector, silence timers, dialog, prompts, evidence), on a virtual clock.

Replayed calls leave their evidence in a temporary data folder removed afterwards, or, with
``keep_evidence``, in that folder (its own database and ``calls/``), never in the production
store. Prompts come from the configured prompt cache, so they are synthesised once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicebot.asr.base import AsrEngine
from voicebot.audio.frames import frame_bytes, split_frames
from voicebot.audio.vad import VoiceDetector
from voicebot.call.services import CallOptions, CallServices
from voicebot.call.session import CallSession
from voicebot.config import Settings
from voicebot.events import CallStart
from voicebot.gateway.scenarios import Answer
from voicebot.prompts.cache import PromptCache
from voicebot.prompts.render import PromptRenderer
from voicebot.qa.audio import CALL_RATE, utterance_pcm
from voicebot.qa.caller import CallerTurns
from voicebot.qa.loopback import LoopbackGateway
from voicebot.qa.model import ItemResult, ReplayItem
from voicebot.qa.session_turns import turns_from_events
from voicebot.qa.vclock import run_virtual

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_ERROR_END = re.compile(r"^VB\d+: ")  # the session ended on a VoicebotError (e.g. a bad policy)


def answer_from_pcm(label: str, pcm: bytes, rate: int = CALL_RATE) -> Answer:
    """A caller answer as the gateway simulator streams it: frames plus where the voice is."""
    frames = tuple(split_frames(pcm, rate, pad=True))
    vad = VoiceDetector(rate)
    voiced = [i for i, f in enumerate(frames) if len(f) == frame_bytes(rate) and vad.is_speech(f)]
    return Answer(label, frames=frames, first_voiced=voiced[0] if voiced else None,
                  last_voiced=voiced[-1] if voiced else None)


@dataclass
class SessionSpec:
    settings: Settings
    backend: str  # whisper | vosk
    keep_evidence: Path | None = None
    label: str = "call session (loopback gateway, virtual clock)"

    def build(self, threads: int) -> SessionDriver:
        from voicebot.qa.drivers import load_engine

        engine = load_engine(self.settings, self.backend, threads)
        return SessionDriver(self.settings, engine, self.keep_evidence)


class SessionDriver:
    name = "call session"

    def __init__(self, settings: Settings, engine: AsrEngine, keep_evidence: Path | None) -> None:
        self._tmp = None if keep_evidence else Path(tempfile.mkdtemp(prefix="voicebot-replay-"))
        data_dir = keep_evidence or self._tmp
        assert data_dir is not None
        data_dir.mkdir(parents=True, exist_ok=True)
        self.keep = keep_evidence is not None
        # Its own database and calls folder: replays never enter the production evidence chain.
        replay = dataclasses.replace(settings, data_dir=data_dir, database_url="")
        self.services = CallServices.build(replay, asr=engine, options=CallOptions(pace=1.0))
        self.services.renderer = PromptRenderer(replay, cache=PromptCache(settings.cache_dir / "prompts"))

    def run(self, item: ReplayItem) -> ItemResult:
        result: ItemResult = run_virtual(lambda: self._call(item))
        return result

    async def _call(self, item: ReplayItem) -> ItemResult:
        answers = [answer_from_pcm(u.label, utterance_pcm(u)) for u in item.utterances]
        call_id = f"replay-{_UNSAFE.sub('-', item.name).strip('-.')[:40]}-{secrets.token_hex(3)}"
        params = {"policy_json": _json(item.policy), "script": item.script}
        start = CallStart(call_id, call_id, CALL_RATE, params, caller=str(item.policy.get("holder_phone", "")))
        dialog = self.services.settings.dialog
        gateway = LoopbackGateway(start, CallerTurns(answers), max_call_s=dialog.max_call_s + 5)
        conn = gateway.connection(self.services.metrics)
        session = CallSession(conn, self.services)
        feeder = asyncio.create_task(gateway.run(), name=f"{call_id}:loopback")
        try:
            await session.run()
        finally:
            gateway.ended.set()
            await feeder
        return self._result(item, session, gateway, conn.result or {})

    def _result(self, item: ReplayItem, session: CallSession, gateway: LoopbackGateway,
                record: dict[str, Any]) -> ItemResult:
        outcome = record.get("outcome") or {}
        result = ItemResult(item.name, item.kind, item.source, item.script)
        result.call_id = session.call_id
        result.outcome = outcome.get("outcome")
        result.problem_items = sorted(int(p["question_no"]) for p in outcome.get("problem_items", [])
                                      if p.get("question_no") is not None)
        result.end_reason = str(record.get("end_reason") or outcome.get("end_reason") or "")
        result.events = record.get("events", [])
        result.bot_lines = [e["text"] for e in result.events if e["type"] == "bot_said"]
        result.turns = turns_from_events(item, gateway.caller.spoken, result.events,
                                         session.ctx.script if session.ctx else None)
        result.unused_utterances = gateway.caller.unused
        result.audio_s = sum(t.audio_ms for t in result.turns) / 1000
        result.call_s = round(session.audio_ms / 1000, 2)
        result.ended_by = gateway.ended_by
        if self.keep and record.get("recording"):
            result.evidence = str(Path(record["recording"]).parent)
        if session.interrupted and _ERROR_END.match(result.end_reason):
            result.error = result.end_reason
        return result

    def close(self) -> None:
        self.services.asr.close()
        self.services.db.dispose()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _json(policy: dict[str, Any]) -> str:
    return json.dumps(policy, ensure_ascii=False, default=str)
