"""One live call as the agent desk sees it: status, who holds it, context and transcript.

The call session gets a :class:`LiveCall` from ``AgentRegistry.register(target)`` and reports
to it: ``caller_audio(pcm)`` for every inbound frame and ``on_event(CallEvent)`` for what
happens. Everything else (taking, hand-back, drops) is driven by the registry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from voicebot.agents.escalation import escalation_reason, struggles
from voicebot.agents.target import DeskStatus, TakeoverTarget
from voicebot.events import CallEvent, CallEventType

if TYPE_CHECKING:
    from voicebot.agents.bridge import AgentBridge
    from voicebot.agents.registry import AgentRegistry

log = logging.getLogger(__name__)

MAX_LINES = 400  # transcript lines kept for the desk (the evidence keeps everything)
CallerSink = Callable[[bytes], None]


@dataclass(frozen=True)
class AgentRef:
    """A console user working calls."""

    user_id: int
    name: str
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.name


class LiveCall:
    def __init__(self, registry: AgentRegistry, target: TakeoverTarget) -> None:
        self.registry = registry
        self.target = target
        self.call_id = target.call_id
        self.status = DeskStatus.BOT
        self.holder: AgentRef | None = None
        self.reason = ""  # why it escalated
        self.escalated_at_ms: int | None = None
        self.started_at = time.time()
        self.transcript: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []  # takes, hand-backs, drops (shown on the desk)
        self.bridge: AgentBridge | None = None
        self._sinks: list[CallerSink] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._check_pending = False

    # ---- the session reports ------------------------------------------------------------------
    def caller_audio(self, pcm: bytes) -> None:
        """One inbound frame (PCM16 at the call's rate); copied to the agent, if bridged."""
        for sink in list(self._sinks):
            sink(pcm)

    def on_event(self, event: CallEvent) -> None:
        """A call event from the session: transcript, escalation and the end of the call."""
        kind, data = event.type, event.data
        if kind is CallEventType.BOT_SAID:
            self._line("bot", str(data.get("text") or data.get("prompt_text") or ""), event.at_ms)
        elif kind is CallEventType.CALLER_SAID:
            self._line("caller", str(data.get("text") or ""), event.at_ms)
        elif kind is CallEventType.DTMF:
            self._line("caller", f"#{data.get('digit', '')}", event.at_ms)
        elif kind is CallEventType.ESCALATED:
            self._escalated(str(data.get("reason") or ""), event.at_ms)
        elif kind is CallEventType.ENDED:
            self.status = DeskStatus.ENDED
            self.registry.changed(self)
            return
        else:
            return
        if kind in (CallEventType.CALLER_SAID, CallEventType.BOT_SAID, CallEventType.DTMF):
            self._schedule_check()
        self.registry.changed(self)

    # ---- views --------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """One row of the queue."""
        snap = self.context()
        policy = snap.get("policy") or {}
        return {
            "call_id": self.call_id, "status": str(self.status), "reason": self.reason,
            "holder": asdict(self.holder) if self.holder else None,
            "holder_label": self.holder.shown if self.holder else "",
            "started_at": self.started_at, "escalated_at_ms": self.escalated_at_ms,
            "script": snap.get("script"), "script_title": snap.get("script_title"),
            "policy_no": policy.get("policy_no"), "holder_name": policy.get("holder"),
            "age": policy.get("holder_age"), "question_id": snap.get("question_id"),
            "problems": len(snap.get("problem_items") or []), "struggles": struggles(snap),
            "can_transfer": self.registry.can_transfer(self),
            "sample_rate": self.target.sample_rate,
        }

    def view(self) -> dict[str, Any]:
        """Everything the call view shows: the queue row, the bot's context, the transcript."""
        return {**self.summary(), "context": self.context(), "transcript": list(self.transcript),
                "history": list(self.history)}

    def context(self) -> dict[str, Any]:
        try:
            return self.target.snapshot()
        except Exception:  # a broken snapshot must not take the desk down
            log.exception("call %s: snapshot failed", self.call_id)
            return {}

    # ---- used by the registry and the bridge ----------------------------------------------------
    def add_sink(self, sink: CallerSink) -> None:
        self._sinks.append(sink)

    def remove_sink(self, sink: CallerSink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def note(self, what: str, agent: AgentRef | None, **detail: Any) -> None:
        self.history.append({"what": what, "agent": agent.shown if agent else "",
                             "at_ms": self.target.now_ms(), **detail})
        self.registry.changed(self)

    def add_line(self, speaker: str, text: str, at_ms: int) -> None:
        self._line(speaker, text, at_ms)
        self.registry.changed(self)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``coro`` as a task this call owns (cancelled in :meth:`cancel_tasks`)."""
        task = asyncio.get_running_loop().create_task(coro, name=f"{name}:{self.call_id}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    async def cancel_tasks(self) -> None:
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- internals ----------------------------------------------------------------------------
    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call %s: %s failed", self.call_id, task.get_name(), exc_info=task.exception())

    def _line(self, speaker: str, text: str, at_ms: int) -> None:
        if not text:
            return
        self.transcript.append({"speaker": speaker, "text": text, "at_ms": at_ms})
        del self.transcript[:-MAX_LINES]

    def _escalated(self, reason: str, at_ms: int) -> None:
        self.reason = reason or self.reason or "escalated"
        if self.escalated_at_ms is None:
            self.escalated_at_ms = at_ms
        if self.status is DeskStatus.BOT:
            self.status = DeskStatus.WAITING
            self.registry.on_escalated(self)

    def _schedule_check(self) -> None:
        # After the event the session still feeds the dialog; look once it has (next loop turn).
        if self.status is not DeskStatus.BOT or self._check_pending:
            return
        self._check_pending = True
        asyncio.get_running_loop().call_soon(self._check)

    def _check(self) -> None:
        self._check_pending = False
        if self.status is not DeskStatus.BOT:
            return
        reason = escalation_reason(self.context(), self.registry.rules)
        if reason is not None:
            log.info("call %s: escalating (%s)", self.call_id, reason)
            self.reason = reason
            self.spawn(self.target.escalate(reason), "escalate")
