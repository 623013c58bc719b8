"""The typed form of a callback script, after loading and validation (see ``loader.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from voicebot.dialogs.outcome import Outcome
from voicebot.nlu.types import AnswerKind

# Steps that move the dialog on (the last step of a handler must be one of these or a state name).
MOVES = frozenset({"next", "repeat", "reprompt", "explain", "correct", "answer"})
# Steps that only record or say something and let the handler go on.
ACTIONS = frozenset({"problem", "capture_time"})
ARG_ACTIONS = frozenset({"say", "flag", "if_time"})
FLAG_KINDS = frozenset({"compliance", "letter_or_visit"})
FOLLOW_UPS = frozenset({"do_not_call", "letter_or_visit"})
RULE_CONDITIONS = frozenset({"compliance_flags", "problem_items"})
# Pseudo-intents a checking state produces after comparing the answer with the policy record.
CHECK_RESULTS = ("verified", "not_verified")
STATE_KINDS = frozenset({"ask", "say", "end", "handoff"})


class Step(NamedTuple):
    verb: str  # a verb from MOVES/ACTIONS/ARG_ACTIONS, or "goto"
    arg: str = ""  # prompt id (say), flag kind (flag), state (goto, if_time)

    @property
    def moves(self) -> bool:
        return self.verb in MOVES or self.verb == "goto"

    def __str__(self) -> str:
        if self.verb == "goto":
            return self.arg
        return f"{self.verb}:{self.arg}" if self.arg else self.verb


@dataclass(frozen=True)
class Handler:
    """What to do with one kind of answer: ``do`` the first ``upto`` times, then ``then``."""

    do: tuple[Step, ...]
    upto: int | None = None
    then: tuple[Step, ...] = ()

    def steps(self, times_seen: int) -> tuple[Step, ...]:
        """Steps for the ``times_seen``-th occurrence (1-based) of this answer in its state."""
        if self.upto is None or times_seen <= self.upto:
            return self.do
        return self.then


@dataclass(frozen=True)
class StateSpec:
    id: str
    kind: str  # ask | say | end | handoff
    prompt_id: str | None = None  # what is said on entry (None: nothing)
    no: int | None = None  # mandated item number
    expect: AnswerKind | None = None  # ask states only
    next: str | None = None
    explain_id: str | None = None
    correct_id: str | None = None
    key: str = ""  # the key words of the question (barge-in before them = not asked)
    check: str = ""  # "identity": compare id digits / birth date with the record
    when: str = ""  # a policy condition; the state is skipped (→ next) when it is false
    affirm_words: tuple[str, ...] = ()
    deny_words: tuple[str, ...] = ()
    handlers: dict[str, Handler] = field(default_factory=dict)
    outcome: str = ""  # end states: an Outcome value or "auto" (use the outcome rules)
    follow_up: tuple[str, ...] = ()
    problem: str = ""  # end states: record a problem item with this reason

    @property
    def waits(self) -> bool:
        return self.kind == "ask"


@dataclass(frozen=True)
class OutcomeRule:
    outcome: Outcome
    condition: str = ""  # "" (always) or one of RULE_CONDITIONS
    prompt_id: str | None = None
    follow_up: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerSpec:
    """A short answer to a customer question outside the script."""

    topic: str
    keywords: tuple[str, ...]
    prompt_id: str


class PromptInfo(NamedTuple):
    prompt_id: str
    template: str  # constants filled in; {policy placeholders} left for the renderer
    dynamic: bool  # True: depends on the policy, render per call; False: pre-render once


@dataclass(frozen=True)
class Script:
    name: str
    title: str
    files: tuple[str, ...]  # the file chain, the script itself first
    start: str
    handoff: str  # the state an escalation goes to
    states: dict[str, StateSpec]
    templates: dict[str, str]  # prompt id → template
    limits: dict[str, int]
    answers: tuple[AnswerSpec, ...] = ()
    outcome_rules: tuple[OutcomeRule, ...] = ()

    def prompts(self) -> list[PromptInfo]:
        return [PromptInfo(pid, text, "{" in text) for pid, text in self.templates.items()]

    def questions(self) -> list[StateSpec]:
        """The waiting states in file order (identity, verification, the mandated items, …)."""
        return [s for s in self.states.values() if s.waits]

    def state(self, state_id: str) -> StateSpec:
        return self.states[state_id]
