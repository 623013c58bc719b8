"""Drivers replay one item as a call. Audio replays go through the live ``CallSession``
(``voicebot.qa.session_driver``); the ``text`` backend ("perfect recognition") runs the
script's dialog and the real NLU directly on the reference transcripts with
``DialogAsrDriver``, one answer per question (no audio, so no session to drive).
``make_spec`` picks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from voicebot.asr.base import AsrEngine, AsrResult
from voicebot.config import Settings
from voicebot.dialogs.commands import Command, Say
from voicebot.dialogs.loader import load_script
from voicebot.dialogs.machine import Dialog
from voicebot.dialogs.outcome import Outcome
from voicebot.dialogs.policy import Policy
from voicebot.dialogs.schema import Script
from voicebot.nlu.intents import understand
from voicebot.qa.audio import CALL_RATE, utterance_pcm
from voicebot.qa.batch import ReplayError
from voicebot.qa.model import ItemResult, ReplayItem, TurnResult, Utterance

if TYPE_CHECKING:
    from voicebot.qa.batch import DriverSpec

MAX_TRAILING_SILENCES = 20  # after the caller's audio runs out; a dialog ends well before


def load_engine(settings: Settings, backend: str, threads: int) -> AsrEngine:
    if backend == "whisper":
        # As voicebot.asr.factory builds it, plus a thread count that fits the worker pool.
        from voicebot.asr.models import resolve_model
        from voicebot.asr.whisper import WhisperEngine, WhisperOptions, whisper_endpoint

        name, path = resolve_model(settings.asr.whisper_model, settings.models_dir)
        endpoint = whisper_endpoint(settings.asr.endpoint_silence_ms, settings.asr.max_utterance_s)
        return WhisperEngine(path, model_name=name,
                             options=WhisperOptions(cpu_threads=threads, endpoint=endpoint))
    from voicebot.asr.factory import create_engine

    return create_engine(settings, backend=backend)


@dataclass
class DialogAsrSpec:
    settings: Settings
    backend: str  # whisper | vosk | text
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or ("script dialog + NLU on reference text (no call session)"
                                    if self.backend == TEXT else
                                    "script dialog + recogniser + NLU (no call session)")

    def build(self, threads: int) -> DialogAsrDriver:
        if self.backend == TEXT:
            return DialogAsrDriver(None, TEXT)
        return DialogAsrDriver(load_engine(self.settings, self.backend, threads), self.backend,
                               end_silence_ms=self.settings.asr.endpoint_silence_ms)


TEXT = "text"  # "perfect recognition": the reference text instead of audio (separates ASR
# mistakes from script and NLU mistakes in a QA run)


class NoReferenceText(ReplayError):
    code = "VB711"


@dataclass
class DialogAsrDriver:
    engine: AsrEngine | None  # None: text backend
    backend: str
    end_silence_ms: int = 800
    name: str = "dialog + ASR (no call session)"
    _scripts: dict[str, Script] = field(default_factory=dict)

    def script(self, name: str) -> Script:
        if name not in self._scripts:
            self._scripts[name] = load_script(Path(name) if name.endswith(".toml") else name)
        return self._scripts[name]

    def hear(self, utt: Utterance) -> tuple[AsrResult | None, int]:
        if self.engine is None:
            text = utt.expected_text
            if text is None:
                raise NoReferenceText(f"{utt.label} has no reference text to replay as text",
                                      hint="give a manifest.json with text, or use --backend whisper")
            return (AsrResult(text, True, confidence=1.0, source=TEXT) if text.strip() else None,
                    0)
        pcm = utterance_pcm(utt)
        # Then silence, as on a line: the endpointer ends the answer itself, as it does live.
        pause = b"\0\0" * (CALL_RATE * (self.end_silence_ms + 200) // 1000)
        rec = self.engine.new_stream(CALL_RATE)
        try:
            finals = [r for r in rec.accept(pcm + pause) if r.is_final and not r.is_empty]
            last = rec.flush()
            if last is not None and not last.is_empty:
                finals.append(last)
        finally:
            rec.close()
        audio_ms = len(pcm) * 1000 // (2 * CALL_RATE)
        if not finals:
            return None, audio_ms
        # One answer file is one answer, even when the endpointer cut it at a pause.
        text = "".join(r.text for r in finals)
        conf = sum(r.confidence for r in finals) / len(finals)
        return AsrResult(text, True, confidence=conf, source=finals[0].source), audio_ms

    def run(self, item: ReplayItem) -> ItemResult:
        script = self.script(item.script)
        policy = Policy.from_dict(dict(item.policy), f"policy of {item.name}")
        dialog = Dialog(script, policy, call_id=f"replay-{item.name}")
        result = ItemResult(item.name, item.kind, item.source, item.script)
        last_question = ""

        def said(commands: list[Command]) -> None:
            nonlocal last_question
            for c in commands:
                if isinstance(c, Say):
                    result.bot_lines.append(c.text)
                    if c.question_id:
                        last_question = c.text

        said(dialog.start())
        queue = list(item.utterances)
        while queue and not (dialog.finished or dialog.handed_off):
            utt = queue.pop(0)
            heard, audio_ms = self.hear(utt)
            result.audio_s += audio_ms / 1000
            qid = dialog.current_question_id
            spec = script.states.get(qid) if qid else None
            if heard is None:
                u = understand("", dialog.expectation)
                commands = dialog.handle_silence()
            else:
                u = understand(heard.text, dialog.expectation)
                commands = dialog.handle(u, via="speech")
            result.turns.append(TurnResult(
                utterance=utt.label, question_id=qid, question_no=spec.no if spec else None,
                bot_text=last_question, heard=heard.text if heard else "",
                confidence=round(heard.confidence, 3) if heard else None, intent=str(u.intent),
                expected_text=utt.expected_text, expected_intent=utt.expected_intent,
                previous_text=utt.previous_text, previous_intent=utt.previous_intent,
                audio_ms=audio_ms))
            said(commands)
        result.unused_utterances = len(queue)
        for _ in range(MAX_TRAILING_SILENCES):
            if dialog.finished or dialog.handed_off:
                break
            said(dialog.handle_silence())
        if dialog.handed_off:
            said(dialog.close(Outcome.ESCALATED, by="replay", note="no agent in a replay"))
        elif not dialog.finished:
            said(dialog.hangup("replay ran out of caller audio"))
        record = dialog.record()
        result.outcome = str(record.outcome)
        result.problem_items = sorted(p.question_no for p in record.problem_items
                                      if p.question_no is not None)
        result.end_reason = record.end_reason
        return result

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()


def make_spec(settings: Settings, backend: str, *, keep_evidence: Path | None = None,
              direct: bool = False) -> DriverSpec:
    """The driver replay uses: the call session for audio, the dialog alone for ``text``.
    ``direct`` replays audio with ``DialogAsrDriver`` instead (recogniser and dialog without
    the session: for comparing the two)."""
    if backend == TEXT or direct:
        return DialogAsrSpec(settings, backend)
    from voicebot.qa.session_driver import SessionSpec

    return SessionSpec(settings, backend, keep_evidence)
