"""Compare a replayed call with what was expected: pass/fail with the differences spelled out
for a QA lead, character error rates per answer, and the batch's intent confusion matrix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from voicebot.qa.metrics import CerScore, Confusion, cer, pooled_cer
from voicebot.qa.model import ItemResult, ReplayItem

OUTCOME_WORDS = {
    "completed": "completed (all items confirmed)", "problem_case": "problem case",
    "compliance_flag": "compliance flag", "refused": "refused the callback",
    "do_not_call": "do-not-call", "callback_later": "call back later",
    "wrong_person": "wrong person", "escalated": "escalated to an agent",
    "no_answer": "no answer", "interrupted": "interrupted", "not_reached": "not reached",
}


def _q(nos: Iterable[int]) -> str:
    items = sorted(nos)
    return ", ".join(f"Q{n}" for n in items) if items else "none"


def judge(item: ReplayItem, result: ItemResult) -> ItemResult:
    """Fill ``status``, ``differences`` and per-turn CER on ``result`` (returned)."""
    result.expected_outcome = item.expected_outcome
    result.expected_problems = list(item.expected_problems) \
        if item.expected_problems is not None else None
    result.previous_outcome = item.previous_outcome
    result.description = result.description or item.description
    for turn in result.turns:
        if turn.expected_text is not None:
            score = cer(turn.expected_text, turn.heard)
            turn.cer, turn.cer_errors, turn.cer_chars = score.cer, score.errors, score.ref_chars
    if result.error:
        result.status = "error"
        return result
    diffs: list[str] = []
    if item.expected_outcome is not None and result.outcome != item.expected_outcome:
        diffs.append(f"Outcome: expected {OUTCOME_WORDS.get(item.expected_outcome, item.expected_outcome)}"
                     f", got {OUTCOME_WORDS.get(result.outcome or '', result.outcome or 'none')}.")
    if item.expected_problems is not None and sorted(result.problem_items) != sorted(item.expected_problems):
        diffs.append(f"Problem items: expected {_q(item.expected_problems)}, "
                     f"got {_q(result.problem_items)}.")
    if item.kind == "scenario" and result.unused_utterances:
        diffs.append(f"The call ended before the caller's last {result.unused_utterances} "
                     f"answer(s) were used: the conversation took a different path.")
    checked = item.expected_outcome is not None or item.expected_problems is not None
    result.differences = diffs
    result.status = "fail" if diffs else ("pass" if checked else "unchecked")
    return result


@dataclass
class Summary:
    items: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    unchecked: int = 0
    answers: int = 0
    cer: float | None = None  # pooled over answers with a reference text
    cer_answers: int = 0
    intent_accuracy: float | None = None
    audio_s: float = 0.0  # the caller's answers
    call_s: float = 0.0  # whole calls on their audio clock (session replays stream all of it)
    confusion: Confusion = field(default_factory=Confusion)
    intent_misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "passed": self.passed, "failed": self.failed,
                "errors": self.errors, "unchecked": self.unchecked, "answers": self.answers,
                "cer": self.cer, "cer_answers": self.cer_answers,
                "intent_accuracy": self.intent_accuracy, "audio_s": round(self.audio_s, 2),
                "call_s": round(self.call_s, 2),
                "confusion": self.confusion.to_dict(), "intent_misses": self.intent_misses}


def summarize(results: list[ItemResult]) -> Summary:
    sm = Summary(items=len(results))
    scores: list[CerScore] = []
    for r in results:
        sm.audio_s += r.audio_s
        sm.call_s += r.call_s
        if r.status == "pass":
            sm.passed += 1
        elif r.status == "fail":
            sm.failed += 1
        elif r.status == "error":
            sm.errors += 1
        else:
            sm.unchecked += 1
        for t in r.turns:
            sm.answers += 1
            if t.expected_text is not None:
                scores.append(CerScore(t.cer_errors, t.cer_chars))
            if t.expected_intent:
                sm.confusion.add(t.expected_intent, t.intent)
                if t.expected_intent != t.intent:
                    sm.intent_misses.append({"item": r.name, "utterance": t.utterance,
                                             "expected": t.expected_intent, "got": t.intent,
                                             "heard": t.heard})
    sm.cer = pooled_cer(scores)
    sm.cer_answers = len(scores)
    sm.intent_accuracy = sm.confusion.accuracy
    return sm
