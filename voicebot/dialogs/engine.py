"""The engine under Dialog: a `transitions` machine built from a script, and what its states emit.

State callbacks only append commands (Say, Flag, Escalate, EndCall) to ``_out``; the public
methods in ``machine.py`` return that list. Nothing here plays audio, waits or touches storage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import Enum

from transitions import EventData, Machine, State

from voicebot.dialogs.callback import callback_time, is_definite
from voicebot.dialogs.commands import Command, EndCall, Escalate, Flag, Say
from voicebot.dialogs.outcome import Outcome
from voicebot.dialogs.policy import Policy
from voicebot.dialogs.record import CallLog
from voicebot.dialogs.render import active_states, render_prompts
from voicebot.dialogs.schema import Script, StateSpec, Step
from voicebot.nlu.types import AnswerKind, Expectation, Intent, Understanding

_IDLE, _ENDED = "__idle__", "__ended__"
_YES_NO = (AnswerKind.YES_NO, AnswerKind.IDENTITY)
_DTMF_YES_NO = {"1": Intent.AFFIRM, "2": Intent.DENY, "0": Intent.REQUEST_AGENT}


def now() -> datetime:
    return datetime.now().astimezone()


class _Model:
    """The object `transitions` drives (kept apart so Dialog's API stays what we define)."""

    state: str
    trigger: Callable[..., bool]


class Engine:
    def __init__(self, script: Script, policy: Policy, *, call_id: str,
                 clock: Callable[[], datetime] = now, dnc_days: int = 365) -> None:
        self.script, self.policy, self.call_id = script, policy, call_id
        self._clock, self._dnc_days = clock, dnc_days
        self._texts = render_prompts(script, policy)
        self._active = active_states(script, policy)
        self._log = CallLog(call_id, script.name, policy.policy_no, clock())
        self._out: list[Command] = []
        self._seen: Counter[tuple[str, str]] = Counter()  # (state, answer) → times in that state
        self._asked: dict[str, tuple[str, str]] = {}  # state → (prompt id, text) last asked
        self._last_question: StateSpec | None = None
        self._heard: Understanding | None = None  # the answer being handled
        self._dtmf = ""
        self._handed_off = False
        self._escalation = ""  # reason given by escalate() for the next handoff
        self._definite_time = False  # a callback time precise enough not to ask again
        self._model = _Model()
        self._machine = self._build_machine()

    @property
    def finished(self) -> bool:
        """The call has ended (EndCall was emitted); a handed-off call is not finished."""
        return self._log.outcome is not None

    # ---- the machine -------------------------------------------------------------------------
    def _build_machine(self) -> Machine:
        states = [State(s, on_enter=[self._enter]) for s in self.script.states]
        machine = Machine(model=self._model, states=[_IDLE, _ENDED, *states], initial=_IDLE,
                          auto_transitions=False, queued=True, send_event=True)
        machine.add_transition("begin", _IDLE, self.script.start)
        for spec in self.script.states.values():
            for target in _targets(spec):
                machine.add_transition(f"to_{target}", spec.id, target)
        live: list[str | Enum | State] = [s for s, spec in self.script.states.items() if spec.kind != "end"]
        machine.add_transition("escalate", live, self.script.handoff)
        for spec in self.script.questions():
            machine.add_transition(f"resume_{spec.id}", self.script.handoff, spec.id)
        machine.add_transition("finish", [_IDLE, *self.script.states], _ENDED)
        return machine

    def _enter(self, event: EventData) -> None:
        spec = self.script.states[event.state.name]
        if spec.id not in self._active and spec.next:  # `when` is false for this policy
            self._go(spec.next)
        elif spec.kind == "say":
            self._say(spec.prompt_id)
            self._go(spec.next or "")
        elif spec.kind == "ask":
            self._ask(spec)
        elif spec.kind == "handoff":
            reason, self._escalation = self._escalation or self._heard_reason(), ""
            self._log.follow_ups.escalation_reason = reason  # the latest, if escalated twice
            self._handed_off = True
            self._say(spec.prompt_id)
            self._out.append(Escalate(reason))
        else:
            self._end(spec)

    def _go(self, target: str) -> None:
        self._model.trigger(f"to_{target}")

    # ---- what states emit ---------------------------------------------------------------------
    def _say(self, prompt_id: str | None) -> None:
        if prompt_id:
            template = self.script.templates[prompt_id]
            self._out.append(Say(prompt_id, self._texts[prompt_id], dynamic="{" in template))

    def _ask(self, spec: StateSpec) -> None:
        pid = spec.prompt_id or spec.id
        text = self._texts[pid]
        at = text.find(spec.key) if spec.key else -1
        key_from = at + len(spec.key) if at >= 0 else len(text)
        self._asked[spec.id] = (pid, text)
        self._last_question, self._dtmf = spec, ""
        self._out.append(Say(pid, text, question_id=spec.id, expects=_expectation(spec),
                             key_from=key_from, dynamic="{" in self.script.templates[pid]))

    def _end(self, spec: StateSpec) -> None:
        outcome = Outcome.INTERRUPTED if spec.outcome == "auto" else Outcome(spec.outcome)
        follow_ups = spec.follow_up
        if spec.outcome == "auto":
            rule = next(r for r in self.script.outcome_rules if self._holds(r.condition))
            outcome, follow_ups = rule.outcome, follow_ups + rule.follow_up
            self._say(rule.prompt_id)
        if spec.problem and self._last_question is not None:
            self._log.problem(self._last_question, spec.problem, self._heard.text if self._heard else "")
        self._follow_up(follow_ups, outcome)
        self._say(spec.prompt_id)
        self._finish(outcome, spec.id)

    def _holds(self, condition: str) -> bool:
        if condition == "compliance_flags":
            return bool(self._log.follow_ups.compliance_flags)
        if condition == "problem_items":
            return bool(self._log.problems)
        return True

    def _follow_up(self, kinds: tuple[str, ...], outcome: Outcome) -> None:
        if "do_not_call" in kinds:
            until = (self._clock().date() + timedelta(days=self._dnc_days)).isoformat()
            self._log.follow_ups.do_not_call_until = until
            self._out.append(Flag("do_not_call", until))
        if "letter_or_visit" in kinds and not self._log.follow_ups.letter_or_visit:
            self._log.follow_ups.letter_or_visit = True
            self._out.append(Flag("letter_or_visit", str(outcome)))

    def _finish(self, outcome: Outcome, reason: str) -> None:
        self._log.finish(outcome, reason, self._clock())
        self._handed_off = False
        self._out.append(EndCall(outcome, reason))

    def _heard_reason(self) -> str:
        u = self._heard
        return f"{u.intent}: {u.text}" if u else "escalated"

    def _flush(self) -> list[Command]:
        out, self._out = self._out, []
        return out

    # ---- answers ----------------------------------------------------------------------------
    def _waiting(self) -> StateSpec | None:
        spec = self.script.states.get(self._model.state)
        if spec is None or not spec.waits or self._handed_off or self.finished:
            return None
        return spec

    def _answer_key(self, spec: StateSpec, u: Understanding) -> str:
        if spec.check and u.intent in (Intent.ID_DIGITS, Intent.BIRTH_DATE):
            if u.intent is Intent.ID_DIGITS:
                ok = self.policy.matches_id(u.slots.get("digits", ""))
            else:
                ok = self.policy.matches_birth(u.slots.get("date", ""))
            return "verified" if ok else "not_verified"
        return str(u.intent) if str(u.intent) in spec.handlers else "other"

    def _run(self, spec: StateSpec, steps: tuple[Step, ...]) -> None:
        u = self._heard
        assert u is not None  # set by handle() before any handler runs
        for step in steps:
            verb = step.verb
            if verb == "problem":
                self._log.problem(spec, str(u.intent), u.text)
            elif verb == "capture_time":
                when = u.slots.get("callback_time") or callback_time(u.text)
                if when and (is_definite(when) or not self._definite_time):
                    self._log.follow_ups.callback_at = when
                    self._definite_time = is_definite(when)
                    self._out.append(Flag("callback_time", when))
            elif verb == "say":
                self._say(step.arg)
            elif verb == "flag" and step.arg == "compliance":
                self._log.compliance(spec, u.text, self._clock())
                self._out.append(Flag("compliance", u.text))
            elif verb == "flag":
                self._follow_up((step.arg,), Outcome.PROBLEM_CASE)
            elif verb == "if_time":
                if self._definite_time:
                    return self._go(step.arg)
            elif verb == "goto":
                return self._go(step.arg)
            elif verb == "next":
                return self._go(spec.next or "")
            else:
                return self._reask(spec, verb, u)
        return None

    def _reask(self, spec: StateSpec, verb: str, u: Understanding) -> None:
        """repeat / reprompt / explain / correct / answer: say something, then the question again."""
        lead = {"reprompt": "reprompt", "explain": spec.explain_id,
                "correct": spec.correct_id or "correct_misleading"}.get(verb)
        if verb == "answer":
            lead = self._answer_prompt(u)
        self._say(lead)
        self._ask(spec)

    def _answer_prompt(self, u: Understanding) -> str:
        topic = u.slots.get("topic", "")
        for spec in self.script.answers:
            asked = spec.topic == topic or (not topic and any(k in u.text for k in spec.keywords))
            if asked and spec.prompt_id in self._texts:  # the record may lack the answer's field
                return spec.prompt_id
        return "offer_agent"


def _targets(spec: StateSpec) -> set[str]:
    out = {spec.next} if spec.next and spec.kind in ("ask", "say") else set()
    for handler in spec.handlers.values():
        out |= {s.arg for s in (*handler.do, *handler.then) if s.verb in ("goto", "if_time")}
    return out


def _expectation(spec: StateSpec) -> Expectation:
    return Expectation(spec.expect or AnswerKind.YES_NO, spec.affirm_words, spec.deny_words)

