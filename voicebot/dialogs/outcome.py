"""Call outcomes (product.md) and the outcome record every call ends with."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    COMPLETED = "completed"
    PROBLEM_CASE = "problem_case"
    COMPLIANCE_FLAG = "compliance_flag"
    REFUSED = "refused"
    DO_NOT_CALL = "do_not_call"
    CALLBACK_LATER = "callback_later"
    WRONG_PERSON = "wrong_person"
    NOT_REACHED = "not_reached"
    ESCALATED = "escalated"
    NO_ANSWER = "no_answer"
    INTERRUPTED = "interrupted"


@dataclass
class AnswerRecord:
    """One answer the caller gave to one prompt."""

    question_id: str  # the script's question id ("identity", "q2_signed", …)
    question_no: int | None  # the mandated item number (1-7 for new policies), if any
    prompt_id: str
    prompt_text: str
    answer_text: str
    intent: str
    confidence: float
    at: str  # ISO-8601 time the answer was understood
    via: str = "speech"  # speech | dtmf | text | agent
    slots: dict[str, str] = field(default_factory=dict)


@dataclass
class ProblemItem:
    question_id: str
    question_no: int | None
    reason: str  # deny | not_understood | identity_failed | …
    answer_text: str


@dataclass
class FollowUps:
    do_not_call_until: str | None = None  # ISO date
    compliance_flags: list[dict[str, str]] = field(default_factory=list)  # {question_id, words}
    callback_at: str | None = None  # what the customer asked for, ISO or their words
    letter_or_visit: bool = False
    escalation_reason: str | None = None


@dataclass
class OutcomeRecord:
    call_id: str
    script: str
    policy_no: str
    outcome: Outcome
    started_at: str
    ended_at: str
    answers: list[AnswerRecord] = field(default_factory=list)
    problem_items: list[ProblemItem] = field(default_factory=list)
    follow_ups: FollowUps = field(default_factory=FollowUps)
    end_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        return data
