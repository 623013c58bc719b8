"""Outcomes: the OutcomeRecord a call ends with, its problem items and follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicebot.dialogs.outcome import OutcomeRecord
from voicebot.store.models import Call, FollowUp, OutcomeRow, ProblemItemRow


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # the customer's own words ("明天下午"): kept in detail only
        return None


def save(s: Session, record: OutcomeRecord, *, decided_by: str = "bot") -> OutcomeRow:
    """Store (or replace) a call's outcome with its problem items and follow-ups."""
    old = s.get(OutcomeRow, record.call_id)
    if old is not None:
        s.delete(old)
        for item in problem_items(s, record.call_id):
            s.delete(item)
        s.flush()
    row = OutcomeRow(
        call_id=record.call_id, outcome=str(record.outcome), script=record.script,
        policy_no=record.policy_no, decided_by=decided_by, end_reason=record.end_reason,
        record=record.to_dict(),
    )
    s.add(row)
    for p in record.problem_items:
        s.add(ProblemItemRow(call_id=record.call_id, question_id=p.question_id,
                             question_no=p.question_no, reason=p.reason,
                             answer_text=p.answer_text))
    call = s.get(Call, record.call_id)
    policy_id = call.policy_id if call else None
    for kind, detail, due in _follow_ups(record):
        s.add(FollowUp(call_id=record.call_id, policy_id=policy_id, kind=kind, detail=detail,
                       due_at=due))
    if call is not None:
        call.outcome = str(record.outcome)
    s.flush()
    return row


def _follow_ups(record: OutcomeRecord) -> list[tuple[str, str, datetime | None]]:
    f = record.follow_ups
    out: list[tuple[str, str, datetime | None]] = []
    if f.do_not_call_until:
        out.append(("do_not_call", f"until {f.do_not_call_until}", None))
    for flag in f.compliance_flags:
        out.append(("compliance", f"{flag.get('question_id', '')}: {flag.get('words', '')}", None))
    if f.callback_at:
        out.append(("callback", f.callback_at, _when(f.callback_at)))
    if f.letter_or_visit or record.problem_items:
        out.append(("letter_or_visit", ", ".join(p.question_id for p in record.problem_items), None))
    if f.escalation_reason:
        out.append(("escalation", f.escalation_reason, None))
    return out


def get(s: Session, call_id: str) -> OutcomeRow | None:
    return s.get(OutcomeRow, call_id)


def problem_items(s: Session, call_id: str) -> list[ProblemItemRow]:
    return list(s.scalars(select(ProblemItemRow).where(ProblemItemRow.call_id == call_id)))


def follow_ups(s: Session, call_id: str) -> list[FollowUp]:
    return list(s.scalars(select(FollowUp).where(FollowUp.call_id == call_id)))


def record_dict(row: OutcomeRow | None) -> dict[str, Any] | None:
    return None if row is None else dict(row.record)
