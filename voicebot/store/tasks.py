"""Callback tasks: the rows campaigns schedule and lease (leasing logic lives in campaigns)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicebot.store.models import CallbackTask, TaskStatus


def create(
    s: Session, policy_id: int, script: str, *, earliest_day: date | None = None,
    latest_day: date | None = None, priority: int = 0, max_attempts: int | None = None,
) -> CallbackTask:
    task = CallbackTask(policy_id=policy_id, script=script, earliest_day=earliest_day,
                        latest_day=latest_day, priority=priority, max_attempts=max_attempts,
                        status=TaskStatus.PENDING, attempts=0)
    s.add(task)
    s.flush()
    return task


def get(s: Session, task_id: int) -> CallbackTask | None:
    return s.get(CallbackTask, task_id)


def list_tasks(s: Session, *, status: str | None = None, limit: int = 100) -> list[CallbackTask]:
    q = select(CallbackTask).order_by(CallbackTask.priority.desc(), CallbackTask.id).limit(limit)
    if status:
        q = q.where(CallbackTask.status == status)
    return list(s.scalars(q))
