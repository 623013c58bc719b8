"""Test doubles for the agent desk's unit tests (named as such). ``FakeTarget`` stands in for
the call session's side of the takeover interface but drives a real Dialog (real script and
policy), so hand-back and close are checked against the real state machine."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from voicebot.agents.live import LiveCall
from voicebot.dialogs.commands import Command, Escalate
from voicebot.dialogs.loader import load_script
from voicebot.dialogs.machine import Dialog
from voicebot.dialogs.policy import Policy, load_policy
from voicebot.events import CallEvent, CallEventType
from voicebot.nlu.types import Intent, Understanding
from voicebot.store.turns import TurnData


def tone(rate: int, ms: int, hz: float = 440.0, level: float = 0.3) -> bytes:
    n = rate * ms // 1000
    t = np.arange(n) / rate
    return (np.sin(2 * np.pi * hz * t) * level * 32767).astype("<i2").tobytes()


def policy_aged(age: int) -> Policy:
    return replace(load_policy("new_policy"), holder_age=age)


@dataclass
class FakeTarget:
    """Records what the desk asked of the call; the dialog is real."""

    call_id: str = "call-1"
    sample_rate: int = 8000
    can_transfer: bool = False
    age: int = 40
    dialog: Dialog = field(init=False)
    live: LiveCall | None = None
    paused: int = 0
    played: list[bytes] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    transfers: list[tuple[str, str]] = field(default_factory=list)
    closed: tuple[str, str, str] | None = None
    turns: list[TurnData] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dialog = Dialog(load_script("new_policy"), policy_aged(self.age), call_id=self.call_id)
        self._t0 = time.monotonic()
        self.commands += self.dialog.start()

    def now_ms(self) -> int:
        return int((time.monotonic() - self._t0) * 1000)

    def snapshot(self) -> dict[str, Any]:
        return self.dialog.snapshot()

    def answer(self, intent: Intent, text: str) -> None:
        """A caller answer as the session would report it: dialog first, then the event."""
        out = self.dialog.handle(Understanding(intent, 0.9, text))
        self.commands += out
        assert self.live is not None
        self.live.on_event(CallEvent(self.call_id, CallEventType.CALLER_SAID, self.now_ms(),
                                     {"text": text}))
        self._report(out)

    def _report(self, out: list[Command]) -> None:
        assert self.live is not None
        for c in out:
            if isinstance(c, Escalate):
                self.live.on_event(CallEvent(self.call_id, CallEventType.ESCALATED, self.now_ms(),
                                             {"reason": c.reason}))

    async def escalate(self, reason: str) -> None:
        self.escalations.append(reason)
        out = self.dialog.escalate(reason)
        self.commands += out
        self._report(out)

    async def pause_bot(self) -> None:
        self.paused += 1

    async def play_agent_audio(self, pcm: bytes) -> None:
        self.played.append(pcm)

    async def say(self, text: str) -> None:
        self.said.append(text)

    async def resume_at(self, question_id: str) -> None:
        self.commands += self.dialog.resume_at(question_id)

    async def close(self, outcome: str, by: str, note: str = "") -> None:
        self.closed = (outcome, by, note)
        self.commands += self.dialog.close(outcome, by, note)

    async def transfer(self, destination: str, reason: str) -> None:
        self.transfers.append((destination, reason))

    def add_turn(self, turn: TurnData) -> None:
        self.turns.append(turn)
