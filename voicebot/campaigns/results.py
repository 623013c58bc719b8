"""A call's result drives the task's next step.

completed / escalated → done · no_answer / busy / interrupted → next attempt (spacing, then
``failed`` with a not-reached follow-up) · callback_later → at the customer's time, inside legal
hours · refused → done + letter/visit questionnaire · do_not_call → done + do-not-call list ·
wrong_person / not_reached → re-verification list · problem_case / compliance_flag → done +
follow-up with the customer's own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import task_or_error
from voicebot.campaigns.errors import DispatchError, LeaseLostError
from voicebot.campaigns.tasks import follow_up
from voicebot.dialogs.outcome import Outcome
from voicebot.dnc import DncList
from voicebot.store.db import Database
from voicebot.store.models import Call, CallbackAttempt, CallbackTask, TaskStatus
from voicebot.store.types import as_utc, utcnow

RETRY = {"no_answer", "busy", "interrupted"}
OUTCOMES = {str(o) for o in Outcome} | {"busy"}


@dataclass
class ReportResult:
    task_id: int
    status: str
    next_attempt_at: str | None = None
    follow_ups: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "status": self.status, "next_attempt_at": self.next_attempt_at,
                "follow_ups": self.follow_ups}


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str) and value:
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None  # the customer's words ("明天下午"), kept in the note
    return None


def _problem_lines(record: dict[str, Any]) -> list[str]:
    lines = []
    for item in record.get("problem_items") or []:
        no = f"第{item.get('question_no')}项 " if item.get("question_no") else ""
        lines.append(f"{no}{item.get('question_id')}: {item.get('reason')} — “{item.get('answer_text', '')}”")
    for flag in (record.get("follow_ups") or {}).get("compliance_flags") or []:
        lines.append(f"compliance {flag.get('question_id', '')}: “{flag.get('words', '')}”")
    return lines


class Reporter:
    def __init__(self, db: Database, c: Campaign) -> None:
        self.db, self.c = db, c

    def report(self, task_id: int, attempt: int, node: str, outcome: str, *, call_id: str | None = None,
               callback_at: str | datetime | None = None, record: dict[str, Any] | None = None,
               now: datetime | None = None) -> ReportResult:
        if outcome not in OUTCOMES:
            raise DispatchError(f"unknown outcome {outcome!r}", hint=f"one of {', '.join(sorted(OUTCOMES))}")
        now, record = now or utcnow(), record or {}
        lost = False
        with self.db.session() as s:
            task = task_or_error(s, task_id, lock=True)
            row = s.scalar(select(CallbackAttempt).where(CallbackAttempt.task_id == task_id,
                                                         CallbackAttempt.attempt == attempt))
            if row is None or row.node != node:
                raise DispatchError(f"task {task_id} attempt {attempt} was not leased to {node}",
                                    hint="report with the task_id and attempt the lease returned")
            row.outcome, row.reported_at, row.call_id = outcome, now, call_id
            row.detail = {"problems": _problem_lines(record),
                          "problem_items": record.get("problem_items") or [],
                          "answered": [a.get("question_id") for a in record.get("answers") or []]}
            if outcome == "do_not_call":
                DncList(self.db, self.c.dnc).add(row.phone, reason=f"asked in call {call_id or task_id}",
                                                 added_by=node, at=now, session=s)
            lost = (task.status, task.lease_owner, task.attempts) != (TaskStatus.LEASED, node, attempt)
            if not lost:
                return self._apply(s, task, outcome, call_id, callback_at, record, now)
        raise LeaseLostError(
            f"task {task_id}: the lease for attempt {attempt} expired and the task moved on; "
            "the result is kept with the attempt", hint="report within campaigns.lease_seconds")

    def _apply(self, s: Session, task: CallbackTask, outcome: str, call_id: str | None,
               callback_at: str | datetime | None, record: dict[str, Any], now: datetime) -> ReportResult:
        c = self.c
        task.lease_owner, task.lease_expires_at = None, None
        task.last_outcome, task.last_call_id = outcome, call_id
        task.requested_at = None
        linked = call_id if call_id and s.get(Call, call_id) is not None else None
        done: list[str] = []

        def fu(kind: str, detail: str) -> None:
            follow_up(s, task.policy_id, kind, f"task {task.id}: {detail}", call_id=linked)
            done.append(kind)

        wanted = _when(callback_at) or _when((record.get("follow_ups") or {}).get("callback_at"))
        if outcome == "callback_later" and wanted is not None:
            task.requested_at = task.next_attempt_at = c.hours.requested(wanted, task.region)
            task.status, task.note = TaskStatus.PENDING, "customer asked for this time"
        elif outcome in RETRY or outcome == "callback_later":
            if task.attempts >= (task.max_attempts or c.rules.attempts.max_attempts):
                task.status, task.note = TaskStatus.FAILED, f"not reached in {task.attempts} attempts"
                fu("not_reached", task.note + ": send a letter or visit")
            else:
                nxt = c.hours.next_attempt(now, task.region, c.rules.attempts, interrupted=outcome == "interrupted")
                task.status, task.next_attempt_at = TaskStatus.PENDING, nxt
                task.note = f"{outcome}; customer said “{callback_at}”" if callback_at else outcome
                if task.latest_day is not None and c.hours.local_day(nxt, task.region) > task.latest_day:
                    task.status, task.note = TaskStatus.EXPIRED, f"window closed on {task.latest_day}"
                    fu("missed_window", task.note)
        elif outcome in ("wrong_person", "not_reached"):
            task.status, task.note = TaskStatus.REVERIFY, f"{outcome}: verify the number"
            fu("reverify", task.note)
        else:
            task.status, task.note = TaskStatus.DONE, outcome
            if outcome == "refused":
                fu("letter_or_visit", "refused the callback: send the questionnaire (voicebot tasks export --letters)")
            elif outcome == "do_not_call":
                fu("do_not_call", "asked not to be called; number blocked")
            elif outcome in ("problem_case", "compliance_flag"):
                lines = _problem_lines(record) or ["(no details reported)"]
                fu("compliance" if outcome == "compliance_flag" else "problem_case", "; ".join(lines))
        nxt_at = task.next_attempt_at.isoformat() if task.status == TaskStatus.PENDING and task.next_attempt_at else None
        return ReportResult(task.id, task.status, nxt_at, done)
