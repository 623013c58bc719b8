"""Dialog: one callback conversation, driven by answers and returning commands.

The live call session, the text simulator, QA replay and the agent desk all use this API:
every method returns the commands (Say, Flag, Escalate, EndCall) to carry out, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from voicebot.dialogs.commands import Command
from voicebot.dialogs.engine import _DTMF_YES_NO, _YES_NO, Engine, _expectation, now
from voicebot.dialogs.outcome import Outcome, OutcomeRecord
from voicebot.errors import VoicebotError
from voicebot.nlu.types import AnswerKind, Expectation, Intent, Understanding

VIAS = ("speech", "text", "dtmf", "agent")
__all__ = ["Dialog", "DialogError", "now"]


class DialogError(VoicebotError):
    """A dialog was asked for something its state does not allow (e.g. resume an ended call)."""

    code = "VB220"


class Dialog(Engine):
    """``Dialog(script, policy, *, call_id, clock=now, dnc_days=365)``."""

    # ---- the caller ------------------------------------------------------------------------------
    def start(self) -> list[Command]:
        """Greet and ask the first question."""
        if self._model.state != "__idle__":
            raise DialogError(f"call {self.call_id} has already started", hint="call start() once")
        self._model.trigger("begin")
        return self._flush()

    def handle(self, u: Understanding, via: str = "speech") -> list[Command]:
        """One answer to the current question (speech, typed text, a DTMF key, or an agent's entry)."""
        if via not in VIAS:
            raise DialogError(f"unknown input channel {via!r}", hint=f"use one of {', '.join(VIAS)}")
        spec = self._waiting()
        if spec is None:
            return []
        self._heard = u
        self._log.answer(spec, self._asked.get(spec.id, (spec.id, "")), u, via, self._clock())
        key = self._answer_key(spec, u)
        self._seen[(spec.id, key)] += 1
        self._run(spec, spec.handlers[key].steps(self._seen[(spec.id, key)]))
        return self._flush()

    def handle_dtmf(self, digit: str) -> list[Command]:
        """A key press: 1 yes, 2 no, 0 a person on yes/no questions; ID digits where digits are asked."""
        expect = self.expectation
        if expect is None or len(digit) != 1 or digit not in "0123456789*#":
            return []
        if expect.kind in _YES_NO and digit in _DTMF_YES_NO:
            return self.handle(Understanding(_DTMF_YES_NO[digit], 1.0, f"#{digit}"), via="dtmf")
        if expect.kind is AnswerKind.ID_DIGITS and digit not in "#":
            self._dtmf += "X" if digit == "*" else digit
            if len(self._dtmf) < 4:
                return []
            digits, self._dtmf = self._dtmf, ""
            return self.handle(Understanding(Intent.ID_DIGITS, 1.0, f"#{digits}", digits,
                                             {"digits": digits}), via="dtmf")
        if digit == "0":
            return self.handle(Understanding(Intent.REQUEST_AGENT, 1.0, "#0"), via="dtmf")
        return self.handle(Understanding(Intent.NONE, 1.0, f"#{digit}"), via="dtmf")

    def handle_silence(self) -> list[Command]:
        """The caller said nothing before the silence timeout."""
        return self.handle(Understanding(Intent.SILENCE, 1.0, ""))

    def reask(self) -> list[Command]:
        """The question was cut off before its key words: ask it again (not counted as a re-ask)."""
        spec = self._waiting()
        if spec is None:
            return []
        self._ask(spec)
        return self._flush()

    def hangup(self, reason: str = "caller hung up") -> list[Command]:
        """The line dropped. A call with an agent stays escalated; one waiting where silence would
        end it (e.g. asked when to call back) ends that way; anything else is interrupted."""
        if self.finished:
            return []
        outcome = Outcome.ESCALATED if self._handed_off else Outcome.INTERRUPTED
        spec = self._waiting()
        if spec is not None and "silence" in spec.handlers:
            handler = spec.handlers["silence"]
            last = (handler.then or handler.do)[-1]
            target = self.script.states.get(last.arg) if last.verb == "goto" else None
            if target is not None and target.kind == "end" and target.outcome not in ("auto", "no_answer"):
                outcome = Outcome(target.outcome)
        self._model.trigger("finish")
        self._finish(outcome, reason)
        return self._flush()

    # ---- what the call is waiting for ----------------------------------------------------------------
    @property
    def expectation(self) -> Expectation | None:
        spec = self._waiting()
        return _expectation(spec) if spec else None

    @property
    def current_question_id(self) -> str | None:
        spec = self._waiting()
        return spec.id if spec else None

    @property
    def clock(self) -> Callable[[], datetime]:
        """The dialog's time source (the NLU resolves "明天下午" against it)."""
        return self._clock

    @property
    def state_id(self) -> str:
        return str(self._model.state)

    @property
    def handed_off(self) -> bool:
        """A person has the call (after Escalate) and the bot waits for resume_at or close."""
        return self._handed_off

    @property
    def outcome(self) -> Outcome | None:
        return self._log.outcome

    # ---- agent hooks ---------------------------------------------------------------------------
    def escalate(self, reason: str) -> list[Command]:
        """Hand the call to a person now (agent desk or supervisor pulled it)."""
        if self.finished or self._handed_off:
            return []
        self._escalation = reason
        self._model.trigger("escalate")
        return self._flush()

    def resume_at(self, question_id: str) -> list[Command]:
        """A person hands the call back: the bot asks ``question_id`` (counts there start afresh)."""
        spec = self.script.states.get(question_id)
        if spec is None or not spec.waits:
            asks = ", ".join(s.id for s in self.script.questions())
            raise DialogError(f"{question_id!r} is not a question of script {self.script.name}",
                              hint=f"questions: {asks}")
        if self.finished:
            raise DialogError(f"call {self.call_id} has ended", hint="a finished call cannot resume")
        if not self._handed_off:
            self.escalate("agent took over")
            self._out.clear()
        self._handed_off = False
        for key in [k for k in self._seen if k[0] == question_id]:
            del self._seen[key]
        self._model.trigger(f"resume_{question_id}")
        return self._flush()

    def close(self, outcome: Outcome | str, by: str, note: str = "") -> list[Command]:
        """A person ends the call with an outcome they chose."""
        if self.finished:
            return []
        try:
            chosen = Outcome(outcome)
        except ValueError:
            raise DialogError(f"unknown outcome {outcome!r}", hint=f"use one of {', '.join(Outcome)}") from None
        kinds = {Outcome.DO_NOT_CALL: ("do_not_call",), Outcome.REFUSED: ("letter_or_visit",),
                 Outcome.PROBLEM_CASE: ("letter_or_visit",)}.get(chosen, ())
        self._follow_up(kinds, chosen)
        self._model.trigger("finish")
        self._finish(chosen, f"closed by {by}" + (f": {note}" if note else ""))
        return self._flush()

    def snapshot(self) -> dict[str, Any]:
        """Everything the agent desk shows about this call (JSON-able; the ID number masked)."""
        record = self.record()
        spec = self.script.states.get(self._model.state)
        return {
            "call_id": self.call_id, "script": self.script.name, "script_title": self.script.title,
            "state": self.state_id, "question_id": spec.id if spec and spec.waits else None,
            "question_no": spec.no if spec else None, "handed_off": self._handed_off,
            "finished": self.finished, "outcome": str(self.outcome) if self.outcome else None,
            "policy": self.policy.summary(), "answers": record.to_dict()["answers"],
            "problem_items": record.to_dict()["problem_items"],
            "follow_ups": record.to_dict()["follow_ups"],
            "escalation_reason": self._log.follow_ups.escalation_reason,
            "questions": [{"id": q.id, "no": q.no, "text": self._texts.get(q.prompt_id or q.id, "")}
                          for q in self.script.questions() if q.id in self._active],
        }

    def record(self) -> OutcomeRecord:
        """The outcome record; before the call ends its outcome is escalated (with a person) or
        interrupted, and end_reason says "in progress"."""
        provisional = Outcome.ESCALATED if self._handed_off else Outcome.INTERRUPTED
        return self._log.build(provisional, self._clock())

