"""What a dialog asks the outside world to do. State callbacks only emit these; the text
simulator, the live call session and QA replay each carry them out in their own way."""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.dialogs.outcome import Outcome
from voicebot.nlu.types import Expectation


@dataclass(frozen=True)
class Say:
    prompt_id: str  # stable id: the key of a recorded prompt in a prompt pack
    text: str  # the rendered text (placeholders filled)
    question_id: str | None = None  # set when this prompt asks a question that awaits an answer
    expects: Expectation | None = None  # how to understand the answer (None: no answer awaited)
    key_from: int = 0  # character offset after which the key words are said; a caller who hears
    # less than this has not been asked (used by the live session after barge-in)
    interruptible: bool = True
    dynamic: bool = False  # text has policy-specific parts → render at call start, not ahead


@dataclass(frozen=True)
class EndCall:
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True)
class Escalate:
    """Hand the call to a person: the session transfers or bridges an agent."""

    reason: str


@dataclass(frozen=True)
class Flag:
    """Something compliance or operations must see (recorded as it happens)."""

    kind: str  # compliance | do_not_call | callback_time | letter_or_visit
    detail: str


Command = Say | EndCall | Escalate | Flag
