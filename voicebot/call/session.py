"""One live call, start to finish, with a ``finally`` that always closes it.

Tasks (all owned here, all cancelled in ``_close``): the gateway reader (audio → recorder,
recogniser queue, barge-in detector, audio-clock timers), the recogniser feeder and its result
reader, and the speaker (prompts paced out through the codec). Everything they learn arrives
on one queue that the main loop handles in order: recogniser results, DTMF, silence, prompts
played, the end of the call. Timers run on the call's audio clock (caller audio received), so
a faster-than-real-time test behaves like a real call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voicebot.asr import AsrResult, RecognizerStream
from voicebot.audio.resample import Resampler
from voicebot.call.context import CallContext, resolve_context
from voicebot.call.listener import BargeDetector, Listener, is_backchannel
from voicebot.call.playback import Playback, Played
from voicebot.call.services import CallServices
from voicebot.dialogs.commands import Command, EndCall, Escalate, Flag, Say
from voicebot.dialogs.machine import Dialog
from voicebot.dialogs.outcome import Outcome
from voicebot.errors import ProtocolError, VoicebotError
from voicebot.events import (
    AudioIn,
    AudioOut,
    CallEnd,
    CallEvent,
    CallEventType,
    CallStart,
    DtmfIn,
    Hangup,
    MarkDone,
    Transfer,
)
from voicebot.evidence.service import RECORDING, CallEvidence
from voicebot.gateway.connection import CallConnection
from voicebot.gateway.logs import call_id_var
from voicebot.nlu.types import Intent, Understanding
from voicebot.store.models import CallStatus
from voicebot.store.turns import TurnData

if TYPE_CHECKING:
    from voicebot.agents import LiveCall

log = logging.getLogger(__name__)

# Answers that stand on their own even when the question was not (fully) heard.
GLOBAL_INTENTS = frozenset({
    Intent.DO_NOT_CALL, Intent.REFUSE_CALLBACK, Intent.BUSY, Intent.WRONG_PERSON,
    Intent.REQUEST_AGENT, Intent.COMPLAINT, Intent.MISLEADING_SALE,
})
DNC_GOODBYE = "您好，打扰您了，祝您生活愉快，再见。"
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class _Handoff:
    reason: str


@dataclass(frozen=True)
class _Hangup:
    reason: str


SpeakItem = Say | _Handoff | _Hangup


class CallSession:
    def __init__(self, conn: CallConnection, services: CallServices) -> None:
        self.conn, self.sv, self.opt = conn, services, services.options
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.says: asyncio.Queue[SpeakItem] = asyncio.Queue()
        self._tasks: list[asyncio.Task[Any]] = []
        self._inbound_iter = conn.events().__aiter__()
        self.subscribers: list[Callable[[CallEvent], None]] = []
        self.history: list[CallEvent] = []
        self.call_id = ""
        self.sample_rate = conn.codec.sample_rate
        self.can_transfer = conn.codec.can_transfer
        self.audio_ms = 0.0  # the call clock: caller audio received
        self.ctx: CallContext | None = None
        self.dialog: Dialog | None = None
        self.evidence: CallEvidence | None = None
        self.stream: RecognizerStream | None = None
        self.live: LiveCall | None = None
        self.playback: Playback | None = None
        self.barge: BargeDetector | None = None
        self.listener: Listener | None = None
        self.paused = False  # an agent has the call: the dialog does not drive it
        self.pending = 0  # speak items queued or playing
        self.current: Say | None = None
        self.question_heard = True  # the dialog's current question was heard past its key words
        self.answer_timer_from: float | None = None
        self.speech_active = False
        self.speech_end_wall: float | None = None  # for turn latency
        self.end_reason = ""
        self.interrupted = False
        self._resample_rec: tuple[Resampler, Resampler] | None = None

    # ---- the outside world (issue 7: the agent desk) -------------------------------------------
    def subscribe(self, callback: Callable[[CallEvent], None]) -> None:
        self.subscribers.append(callback)

    def now_ms(self) -> int:
        return int(self.audio_ms)

    def snapshot(self) -> dict[str, Any]:
        return self.dialog.snapshot() if self.dialog else {"call_id": self.call_id}

    async def escalate(self, reason: str) -> None:
        if self.dialog is not None:
            await self._execute(self.dialog.escalate(reason))

    async def pause_bot(self) -> None:
        self.paused = True
        self.answer_timer_from = None
        await self._cut_playback()

    async def play_agent_audio(self, pcm: bytes) -> None:
        if await self.conn.send(AudioOut(pcm)):
            self._record_bot(pcm, int(self.audio_ms))

    async def say(self, text: str) -> None:
        self._queue(Say("system", text))

    async def resume_at(self, question_id: str) -> None:
        if self.dialog is not None:
            self.paused = False
            await self._execute(self.dialog.resume_at(question_id))

    async def close(self, outcome: str, by: str, note: str = "") -> None:
        if self.dialog is not None:
            self.paused = False
            await self._execute(self.dialog.close(outcome, by, note))

    async def transfer(self, destination: str, reason: str) -> None:
        await self.conn.send(Transfer(destination, reason))

    async def add_turn(self, turn: TurnData) -> None:
        await self._store_turn(turn)  # awaited by the desk, so the agent's last words precede the seal

    # ---- the call ------------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            start = await self._wait_start()
        except (ProtocolError, TimeoutError, StopAsyncIteration) as exc:
            log.warning("no call started on this connection: %s", exc)
            return
        self.call_id = start.call_id
        call_id_var.set(start.call_id)
        self.sample_rate = start.sample_rate
        try:
            await self._open(start)
            await self._converse()
        except ProtocolError as exc:
            self.interrupted, self.end_reason = True, f"protocol error: {exc.message}"
        except VoicebotError as exc:
            log.error("call cannot go on: %s", exc)
            self.interrupted, self.end_reason = True, f"{exc.code}: {exc.message}"
        except asyncio.CancelledError:
            self.interrupted = True
            self.end_reason = self.end_reason or f"interrupted ({self.conn.interrupt_reason or 'cancelled'})"
            raise
        finally:
            await self._close()

    async def _wait_start(self) -> CallStart:
        async with asyncio.timeout(self.opt.start_timeout_s):
            while True:
                event = await anext(self._inbound_iter)
                if isinstance(event, CallStart):
                    return event
                if isinstance(event, CallEnd):
                    raise ProtocolError("the gateway ended the stream before starting a call")

    async def _open(self, start: CallStart) -> None:
        sv = self.sv
        if sv.evidence.sample_rate != start.sample_rate:
            self._resample_rec = (Resampler(start.sample_rate, sv.evidence.sample_rate),
                                  Resampler(start.sample_rate, sv.evidence.sample_rate))
        context_error: VoicebotError | None = None
        try:
            self.ctx = await asyncio.to_thread(resolve_context, start.params, start.caller, sv.db)
        except VoicebotError as exc:
            context_error = exc
        ctx = self.ctx
        self.evidence = await asyncio.to_thread(
            sv.evidence.open_call, call_id=_safe_id(start.call_id),
            phone=ctx.phone if ctx else start.caller,
            policy_no=ctx.policy.policy_no if ctx else start.params.get("policy_no", ""),
            policy_id=ctx.policy_id if ctx else None, task_id=ctx.task_id if ctx else None,
            script=ctx.script_name if ctx else start.params.get("script", ""),
            gateway=f"{self.conn.protocol}:{self.conn.gateway}" if self.conn.gateway else self.conn.protocol,
        )
        self.emit(CallEventType.STARTED, protocol=self.conn.protocol, rate=start.sample_rate,
                  params=sorted(start.params))
        if context_error is not None or ctx is None:
            raise context_error or VoicebotError("no call context")
        self.dialog = Dialog(ctx.script, ctx.policy, call_id=self.call_id,
                             dnc_days=sv.settings.dnc.default_days)
        self.playback = Playback(self.conn, self.sample_rate, clock=self.now_ms, record=self._record_bot,
                                 pace=self.opt.pace, lead_frames=self.opt.playback_lead_frames)
        self.barge = BargeDetector(self.sample_rate, self.opt.barge_in_voiced_ms)
        self.stream = RecognizerStream(sv.asr.new_stream(self.sample_rate))
        self.stream.start()
        self.listener = Listener(self.stream)
        if sv.agents is not None:
            self.live = sv.agents.register(self)
            self.subscribe(self.live.on_event)

    async def _converse(self) -> None:
        assert self.dialog and self.ctx and self.listener
        blocked = bool(self.ctx.phone) and await asyncio.to_thread(self.sv.dnc.is_blocked, self.ctx.phone)
        self._spawn(self._inbound(), "gateway-reader")
        self._spawn(self.listener.feed_forever(), "asr-feeder")
        self._spawn(self.listener.results(self.events), "asr-results")
        self._spawn(self._speaker(), "speaker")
        if blocked:
            # A blocked number is not called through: goodbye, nothing asked, and why.
            log.warning("number is on the do-not-call list; ending without asking anything")
            self._queue(Say("dnc_goodbye", DNC_GOODBYE, interruptible=False))
            await self._execute(self.dialog.close(Outcome.NOT_REACHED, "bot", "number on the do-not-call list"))
        else:
            self._spawn(self._prepare_prompts(), "prompt-prep")
            await self._execute(self.dialog.start())
        while True:
            kind, value = await self.events.get()
            if kind == "end":
                self.end_reason = self.end_reason or str(value)
                return
            if kind == "error":
                raise value
            await self._handle(kind, value)

    async def _handle(self, kind: str, value: Any) -> None:
        assert self.dialog is not None
        if kind == "asr":
            await self._on_asr(value)
        elif kind == "played":
            await self._on_played(*value)
        elif kind == "dtmf":
            await self._on_dtmf(value)
        elif kind == "silence" and not self.paused and self.dialog.expectation is not None:
            self.emit(CallEventType.CALLER_SAID, text="", intent=str(Intent.SILENCE))
            await self._execute(self.dialog.handle_silence())
        elif kind == "max_call":
            log.warning("maximum call length reached")
            self.end_reason = "maximum call length reached"
            await self._cut_playback()
            self._queue(_Hangup(self.end_reason))

    # ---- the gateway reader ----------------------------------------------------------------------
    async def _inbound(self) -> None:
        try:
            async for event in self._inbound_iter:
                if isinstance(event, AudioIn):
                    await self._on_audio(event.pcm)
                elif isinstance(event, DtmfIn):
                    self.events.put_nowait(("dtmf", event.digit))
                elif isinstance(event, MarkDone):
                    if self.playback:
                        self.playback.mark_done(event.name)
                elif isinstance(event, CallEnd):
                    self.events.put_nowait(("end", f"gateway ended the call ({event.reason})"))
                    if event.reason in ("dropped", "idle"):
                        self.interrupted = True
                    return
        except ProtocolError as exc:
            self.events.put_nowait(("error", exc))

    async def _on_audio(self, pcm: bytes) -> None:
        at = int(self.audio_ms)
        self.audio_ms += len(pcm) * 500 / self.sample_rate
        if self.evidence is not None:
            self._record_caller(pcm, at)
        if self.live is not None:
            self.live.caller_audio(pcm)
        if self.listener is not None:
            self.listener.push(pcm)
        if self.barge is not None:
            fired = self.barge.push(pcm, at)
            if fired and self._bot_busy() and not self.paused and self._interruptible():
                await self._barge_in()
        if (self.answer_timer_from is not None and not self.speech_active
                and self.audio_ms - self.answer_timer_from >= self.sv.settings.dialog.silence_timeout_s * 1000):
            self.answer_timer_from = None
            self.events.put_nowait(("silence", None))
        if self.audio_ms >= self.sv.settings.dialog.max_call_s * 1000 and not self.end_reason:
            self.end_reason = "maximum call length"
            self.events.put_nowait(("max_call", None))

    # ---- speaking ----------------------------------------------------------------------------------
    def _queue(self, item: SpeakItem) -> None:
        if isinstance(item, Say) and item.question_id:
            self.question_heard = False
        self.pending += 1
        self.says.put_nowait(item)

    def _bot_busy(self) -> bool:
        return self.pending > 0

    def _interruptible(self) -> bool:
        return self.current is not None and self.current.interruptible and bool(
            self.playback and self.playback.playing)

    async def _speaker(self) -> None:
        while True:
            item = await self.says.get()
            try:
                if isinstance(item, Say):
                    if not self.paused or item.prompt_id == "system":
                        await self._speak(item)
                elif isinstance(item, _Handoff):
                    await self._hand_off(item.reason)
                else:
                    await self.conn.send(Hangup(item.reason))
                    self.events.put_nowait(("end", item.reason))
            finally:
                self.pending -= 1

    async def _speak(self, say: Say) -> None:
        assert self.playback is not None and self.ctx is not None
        from voicebot.prompts import is_elderly

        audio = await self.sv.renderer.render_async(say.prompt_id, say.text, sample_rate=self.sample_rate,
                                                    elderly=is_elderly(self.ctx.policy))
        self.current = say
        if self.speech_end_wall is not None:
            self.sv.metrics.turn_latency.observe(max(0.0, time.monotonic() - self.speech_end_wall))
            self.speech_end_wall = None
        self.emit(CallEventType.BOT_SAID, prompt_id=say.prompt_id, text=say.text, question_id=say.question_id)
        played = await self.playback.play(audio.pcm, say.prompt_id)
        self.current = None
        self.events.put_nowait(("played", (say, played)))

    async def _hand_off(self, reason: str) -> None:
        at = int(self.audio_ms)
        target = self.opt.transfer_target
        # With an agent desk the registry decides (queue for an agent, or transfer when
        # agents.transfer_on_escalate says so); without one the gateway moves the call if it can.
        transfer = self.can_transfer and self.live is None
        if transfer:
            await self.conn.send(Transfer(target, reason))
        self.emit(CallEventType.ESCALATED, reason=reason, at_ms=at, transfer=transfer,
                  target=target if transfer else "", question_id=self._question_id())
        if self.live is None:
            # nobody here can take it: the gateway moved it, or the hand-off point is all we keep
            self.events.put_nowait(("end", f"handed off ({reason})"))

    async def _cut_playback(self) -> int:
        """Stop the prompt now and drop queued prompts (hang-up and hand-off stay queued)."""
        keep: list[SpeakItem] = []
        while not self.says.empty():
            item = self.says.get_nowait()
            if isinstance(item, Say):
                self.pending -= 1
            else:
                keep.append(item)
        for item in keep:
            self.says.put_nowait(item)
        if self.playback is not None and self.playback.playing:
            return await self.playback.interrupt()
        return 0

    async def _barge_in(self) -> None:
        assert self.barge is not None and self.playback is not None
        first = self.barge.first_voiced_ms
        say = self.current
        heard = await self._cut_playback()
        self.barge.reset()
        self.sv.metrics.barge_ins.inc()
        self.emit(CallEventType.BARGE_IN, prompt_id=say.prompt_id if say else "", heard_ms=heard,
                  detect_ms=int(self.audio_ms - first) if first is not None else None)

    # ---- what the caller did -----------------------------------------------------------------------
    async def _on_asr(self, result: AsrResult) -> None:
        assert self.dialog is not None
        if not result.is_final:
            self.speech_active = True
            self.answer_timer_from = None
            if result.text and self._bot_busy() and self._interruptible() and not is_backchannel(result.text):
                await self._barge_in()
            return
        self.speech_active = False
        if "final_decode_s" in result.info:
            self.sv.metrics.asr_seconds.observe(result.info["final_decode_s"])
        if result.is_empty:
            self._restart_timer()
            return
        lag_ms = self.audio_ms - result.end * 1000
        self.speech_end_wall = time.monotonic() - max(0.0, lag_ms) / 1000 / self.opt.pace
        self.emit(CallEventType.CALLER_SAID, text=result.text, confidence=round(result.confidence, 3),
                  start_ms=int(result.start * 1000), end_ms=int(result.end * 1000), source=result.source)
        if self.paused or self.dialog.handed_off or self.dialog.finished:
            await self._store_turn(self._caller_turn(result, None, "speech"))
            return
        u = await asyncio.to_thread(self._understand, result.text)
        self.emit(CallEventType.INTENT, intent=str(u.intent), confidence=round(u.confidence, 3), slots=u.slots)
        await self._store_turn(self._caller_turn(result, u, "speech"))
        if self._bot_busy() and self._question_tail_playing():
            self.question_heard = True  # a short answer over the end of the question counts
        elif self._bot_busy() and u.intent not in GLOBAL_INTENTS:
            log.info("caller spoke over the prompt without taking the turn: %r (ignored)", result.text)
            return
        await self._cut_playback()
        if not self.question_heard and u.intent not in GLOBAL_INTENTS:
            log.info("question was cut before its key words: asking it again")
            await self._execute(self.dialog.reask())
            return
        await self._execute(self.dialog.handle(u, via="speech"))

    def _question_tail_playing(self) -> bool:
        """The last queued prompt is the current question and its key words have been played."""
        say, playback = self.current, self.playback
        if say is None or playback is None or not say.question_id or not self.says.empty():
            return False
        if self.dialog is None or say.question_id != self.dialog.current_question_id:
            return False
        frames_ms = playback.total_ms or 1
        return playback.heard_ms() >= frames_ms * say.key_from / max(1, len(say.text))

    def _understand(self, text: str) -> Understanding:
        from voicebot.nlu.intents import understand

        assert self.dialog is not None
        return understand(text, self.dialog.expectation, now=self.dialog.clock().replace(tzinfo=None))

    async def _on_dtmf(self, digit: str) -> None:
        assert self.dialog is not None
        self.emit(CallEventType.DTMF, digit=digit)
        if self.paused or self.dialog.handed_off:
            return
        self.answer_timer_from = None
        await self._cut_playback()
        commands = self.dialog.handle_dtmf(digit)
        await self._store_turn(TurnData("caller", int(self.audio_ms), int(self.audio_ms), text=f"#{digit}",
                                        question_id=self._question_id(), via="dtmf"))
        if commands:
            self.speech_end_wall = time.monotonic()
            await self._execute(commands)
        else:
            self._restart_timer()

    async def _on_played(self, say: Say, played: Played) -> None:
        self.emit(CallEventType.PROMPT_HEARD, prompt_id=say.prompt_id, heard_ms=played.heard_ms,
                  total_ms=played.total_ms, cut=played.cut)
        await self._store_turn(TurnData(
            "bot", played.started_at_ms, played.started_at_ms + played.heard_ms, prompt_id=say.prompt_id,
            prompt_text=say.text, heard_until_ms=played.heard_ms if played.cut else None,
            question_id=say.question_id, barged_in=played.cut))
        if say.question_id and self.dialog and say.question_id == self.dialog.current_question_id:
            key_ms = played.total_ms * say.key_from / max(1, len(say.text))
            if not played.cut or played.heard_ms >= key_ms:
                self.question_heard = True
        if not played.cut:
            self._restart_timer()

    def _restart_timer(self) -> None:
        if (self.dialog is not None and not self.paused and not self._bot_busy()
                and self.dialog.expectation is not None):
            self.answer_timer_from = self.audio_ms

    # ---- commands from the dialog -------------------------------------------------------------------
    async def _execute(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, Say):
                self._queue(command)
            elif isinstance(command, Flag):
                log.info("flag %s: %s", command.kind, command.detail)
                self.emit(CallEventType.INTENT, flag=command.kind, detail=command.detail)
            elif isinstance(command, Escalate):
                self._queue(_Handoff(command.reason))
            elif isinstance(command, EndCall):
                self.end_reason = command.reason or str(command.outcome)
                self._queue(_Hangup(str(command.outcome)))

    def _question_id(self) -> str | None:
        return self.dialog.current_question_id if self.dialog else None

    def _caller_turn(self, result: AsrResult, u: Understanding | None, via: str) -> TurnData:
        return TurnData("caller", int(result.start * 1000), int(result.end * 1000), text=result.text,
                        intent=str(u.intent) if u else None, confidence=round(result.confidence, 3),
                        question_id=self._question_id(), via=via)

    # ---- evidence and events ----------------------------------------------------------------------
    def _record_caller(self, pcm: bytes, at: int) -> None:
        assert self.evidence is not None
        if self._resample_rec is not None:
            pcm = self._resample_rec[0].process(pcm)
        self.evidence.write_caller(pcm, at)

    def _record_bot(self, pcm: bytes, at: int) -> None:
        if self.evidence is None or self.evidence.closed:
            return
        if self._resample_rec is not None:
            pcm = self._resample_rec[1].process(pcm)
        self.evidence.write_bot(pcm, at)

    async def _store_turn(self, turn: TurnData) -> None:
        if self.evidence is not None and not self.evidence.closed:
            try:
                await asyncio.to_thread(self.evidence.add_turn, turn)
            except VoicebotError as exc:
                log.error("turn not stored: %s", exc)

    def emit(self, kind: CallEventType, **data: Any) -> None:
        event = CallEvent(self.call_id, kind, int(self.audio_ms), data)
        self.history.append(event)
        log.info("%s %s", kind, {k: v for k, v in data.items() if v not in (None, "", [], {})})
        for callback in list(self.subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("call event subscriber failed")

    # ---- the end --------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(coro, name=f"{self.call_id}:{name}")
        self._tasks.append(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s failed", task.get_name(), exc_info=task.exception())
            self.events.put_nowait(("error", task.exception()))

    async def _prepare_prompts(self) -> None:
        assert self.ctx is not None
        await self.sv.renderer.prepare_call_async(self.ctx.script, self.ctx.policy, sample_rate=self.sample_rate)

    async def _close(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.stream is not None:
            with contextlib.suppress(Exception):
                await self.stream.aclose()
        record = None
        if self.dialog is not None:
            if not self.dialog.finished and not self.dialog.handed_off:
                self.dialog.hangup(self.end_reason or "caller hung up")
            record = self.dialog.record()
        outcome = str(record.outcome) if record else str(Outcome.INTERRUPTED)
        self.emit(CallEventType.ENDED, outcome=outcome, reason=self.end_reason)
        if self.live is not None and self.sv.agents is not None:
            with contextlib.suppress(Exception):
                await self.sv.agents.unregister(self.call_id)
        recording = ""
        if self.evidence is not None and not self.evidence.closed:
            recording = str(self.evidence.folder / RECORDING)
            try:
                await asyncio.shield(asyncio.to_thread(
                    self.evidence.close, record, status=CallStatus.CLOSED, end_reason=self.end_reason))
            except Exception:
                log.exception("evidence could not be sealed")
        self.sv.metrics.calls_total.labels(outcome).inc()
        self.conn.result = {
            "call_id": self.call_id, "outcome": record.to_dict() if record else {"outcome": outcome},
            "end_reason": self.end_reason, "recording": recording, "recogniser": self.sv.asr.name,
            "transcript": _transcript(self.history), "events": [_event_dict(e) for e in self.history],
        }
        log.info("call ended: %s (%s)", outcome, self.end_reason)


def call_handler(services: CallServices) -> Callable[[CallConnection], Coroutine[Any, Any, None]]:
    """The server's handler: one CallSession per connection."""

    async def handle(conn: CallConnection) -> None:
        await CallSession(conn, services).run()

    return handle


def _safe_id(call_id: str) -> str:
    cleaned = _SAFE_ID.sub("-", call_id).strip("-.")[:64]
    return cleaned or "call"


def _event_dict(event: CallEvent) -> dict[str, Any]:
    return {"type": str(event.type), "at_ms": event.at_ms, **event.data}


def _transcript(history: list[CallEvent]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for e in history:
        if e.type is CallEventType.BOT_SAID:
            lines.append({"who": "bot", "text": e.data.get("text", ""), "at_ms": e.at_ms})
        elif e.type is CallEventType.CALLER_SAID:
            lines.append({"who": "caller", "text": e.data.get("text") or "(silence)", "at_ms": e.at_ms})
        elif e.type is CallEventType.DTMF:
            lines.append({"who": "caller", "text": f"#{e.data.get('digit')}", "at_ms": e.at_ms})
        elif e.type is CallEventType.INTENT and "intent" in e.data:
            lines.append({"who": "nlu", "text": f"{e.data['intent']} ({e.data.get('confidence')})", "at_ms": e.at_ms})
        elif e.type is CallEventType.BARGE_IN:
            lines.append({"who": "event", "text": f"barge-in after {e.data.get('heard_ms')} ms", "at_ms": e.at_ms})
        elif e.type is CallEventType.ESCALATED:
            lines.append({"who": "event", "text": f"escalated: {e.data.get('reason')}", "at_ms": e.at_ms})
    return lines
