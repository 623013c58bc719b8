"""Run a dialog over typed answers: the text simulator behind `voicebot chat`, tests and QA.

An answer line is what the customer says; ``#1`` (or ``#1234``) are key presses; an empty line
is silence. Each caller line goes through the real ``understand`` unless a test gives another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from voicebot.dialogs.commands import Command, EndCall, Escalate, Flag, Say
from voicebot.dialogs.machine import Dialog, now
from voicebot.dialogs.outcome import Outcome, OutcomeRecord
from voicebot.dialogs.policy import Policy
from voicebot.dialogs.schema import Script
from voicebot.nlu.types import Expectation, Intent, Understanding

Understander = Callable[[str, Expectation | None], Understanding]
# Once the answers run out the caller is silent; a dialog ends well before this many silences.
MAX_TRAILING_SILENCES = 20


@dataclass
class Turn:
    speaker: str  # bot | caller | event
    text: str
    prompt_id: str = ""
    question_id: str | None = None
    intent: str = ""
    confidence: float | None = None
    via: str = ""
    slots: dict[str, str] = field(default_factory=dict)


@dataclass
class ChatResult:
    transcript: list[Turn]
    record: OutcomeRecord

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": [asdict(t) for t in self.transcript], "record": self.record.to_dict()}


def real_understander(clock: Callable[[], datetime] = now) -> Understander:
    from voicebot.nlu.intents import understand

    # The NLU resolves "明天下午三点" against naive wall-clock time: hand it the clock's local time.
    return lambda text, expect: understand(text, expect, now=clock().replace(tzinfo=None))


class Chat:
    """A dialog plus its transcript; feed it answer lines one at a time."""

    def __init__(self, dialog: Dialog, understand: Understander | None = None) -> None:
        self.dialog = dialog
        self.understand = understand or real_understander(dialog.clock)
        self.transcript: list[Turn] = []

    @property
    def done(self) -> bool:
        """The bot's part is over: the call ended or a person has it."""
        return self.dialog.finished or self.dialog.handed_off

    def start(self) -> list[Turn]:
        return self._add(self.dialog.start())

    def answer(self, line: str) -> list[Turn]:
        line = line.strip()
        if line.startswith("#") and len(line) > 1:
            return self._dtmf(line)
        if not line:
            turn = self._note(self._caller(Understanding(Intent.SILENCE, 1.0, ""), "speech"))
            return [turn, *self._add(self.dialog.handle_silence())]
        u = self.understand(line, self.dialog.expectation)
        turn = self._note(self._caller(u, "text"))
        return [turn, *self._add(self.dialog.handle(u, via="text"))]

    def hangup(self) -> list[Turn]:
        return self._add(self.dialog.hangup())

    def close_escalated(self) -> list[Turn]:
        return self._add(self.dialog.close(Outcome.ESCALATED, by="simulator",
                                           note="no agent in the text simulator"))

    def _dtmf(self, line: str) -> list[Turn]:
        turn = self._note(Turn("caller", line, question_id=self.dialog.current_question_id, via="dtmf"))
        before = len(self.dialog.record().answers)
        turns = [turn]
        for digit in line[1:]:
            turns += self._add(self.dialog.handle_dtmf(digit))
        answers = self.dialog.record().answers
        if len(answers) > before:  # the keys made an answer: show what they meant
            turn.intent, turn.confidence, turn.slots = answers[-1].intent, 1.0, dict(answers[-1].slots)
        return turns

    def _caller(self, u: Understanding, via: str) -> Turn:
        return Turn("caller", u.text, question_id=self.dialog.current_question_id, intent=str(u.intent),
                    confidence=u.confidence, via=via, slots=dict(u.slots))

    def _note(self, turn: Turn) -> Turn:
        self.transcript.append(turn)
        return turn

    def _add(self, commands: list[Command]) -> list[Turn]:
        turns = [_turn(c) for c in commands]
        self.transcript.extend(turns)
        return turns


def _turn(command: Command) -> Turn:
    if isinstance(command, Say):
        return Turn("bot", command.text, prompt_id=command.prompt_id, question_id=command.question_id)
    if isinstance(command, Flag):
        return Turn("event", f"flag {command.kind}: {command.detail}")
    if isinstance(command, Escalate):
        return Turn("event", f"escalate: {command.reason}")
    assert isinstance(command, EndCall)
    return Turn("event", f"end {command.outcome}: {command.reason}")


def run_dialog(script: Script, policy: Policy, answers: Iterable[str], *,
               understand: Understander | None = None, call_id: str = "chat",
               clock: Callable[[], datetime] = now, dnc_days: int = 365) -> ChatResult:
    """Play ``answers`` as the customer, one per bot turn; then silence until the call ends.
    A call handed to a person is closed as escalated (the simulator has no agent)."""
    dialog = Dialog(script, policy, call_id=call_id, clock=clock, dnc_days=dnc_days)
    chat = Chat(dialog, understand)
    chat.start()
    for line in answers:
        if chat.done:
            break
        chat.answer(line)
    for _ in range(MAX_TRAILING_SILENCES):
        if chat.done:
            break
        chat.answer("")
    if dialog.handed_off:
        chat.close_escalated()
    elif not dialog.finished:
        chat.hangup()
    return ChatResult(chat.transcript, dialog.record())
