"""What a dialog has learned so far, and the outcome record built from it."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from voicebot.dialogs.outcome import AnswerRecord, FollowUps, Outcome, OutcomeRecord, ProblemItem
from voicebot.dialogs.schema import StateSpec
from voicebot.nlu.types import Understanding


@dataclass
class CallLog:
    call_id: str
    script: str
    policy_no: str
    started_at: datetime
    answers: list[AnswerRecord] = field(default_factory=list)
    problems: list[ProblemItem] = field(default_factory=list)
    follow_ups: FollowUps = field(default_factory=FollowUps)
    outcome: Outcome | None = None
    ended_at: datetime | None = None
    end_reason: str = ""

    def answer(self, state: StateSpec, asked: tuple[str, str], u: Understanding, via: str,
               at: datetime) -> None:
        self.answers.append(AnswerRecord(
            question_id=state.id, question_no=state.no, prompt_id=asked[0], prompt_text=asked[1],
            answer_text=u.text, intent=str(u.intent), confidence=round(float(u.confidence), 3),
            at=at.isoformat(), via=via, slots=dict(u.slots),
        ))

    def problem(self, state: StateSpec, reason: str, text: str) -> None:
        """One problem item per question: the first reason recorded stands."""
        if not any(p.question_id == state.id for p in self.problems):
            self.problems.append(ProblemItem(state.id, state.no, reason, text))

    def compliance(self, state: StateSpec, words: str, at: datetime) -> None:
        self.follow_ups.compliance_flags.append({
            "question_id": state.id, "question_no": "" if state.no is None else str(state.no),
            "words": words, "at": at.isoformat(),
        })

    def finish(self, outcome: Outcome, reason: str, at: datetime) -> None:
        self.outcome, self.end_reason, self.ended_at = outcome, reason, at

    def build(self, provisional: Outcome, now: datetime) -> OutcomeRecord:
        """The record; a call that has not ended yet gets ``provisional`` as its outcome."""
        return OutcomeRecord(
            call_id=self.call_id, script=self.script, policy_no=self.policy_no,
            outcome=self.outcome or provisional, started_at=self.started_at.isoformat(),
            ended_at=(self.ended_at or now).isoformat(), answers=list(self.answers),
            problem_items=list(self.problems), follow_ups=copy.deepcopy(self.follow_ups),
            end_reason=self.end_reason or ("in progress" if self.outcome is None else ""),
        )
