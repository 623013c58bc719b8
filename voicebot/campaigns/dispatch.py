"""Lease the next due task to a bot node.

PostgreSQL: candidates are picked with ``SELECT … FOR UPDATE SKIP LOCKED``, so nodes leasing at
the same moment never see the same row, and a per-number advisory lock taken with *try* (never
waited on) keeps the per-number day count exact without any chance of deadlock. SQLite: the
transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time), for one node.

A lease is an attempt (``attempts`` + 1, a ``callback_attempts`` row). If the node dies, the
lease runs out and the task is offered again; the lost attempt is recorded as
``lease_expired``. Every check made here (calling hours, window, do-not-call, per-number
limit) is made again at every lease, so nothing decided at import time goes stale.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from voicebot.campaigns.checks import dnc_blocked
from voicebot.campaigns.context import Campaign
from voicebot.campaigns.errors import DispatchError
from voicebot.campaigns.tasks import follow_up
from voicebot.store.db import Database
from voicebot.store.models import CallbackAttempt, CallbackTask, NumberDay, Policy, TaskStatus
from voicebot.store.types import UtcDateTime, utcnow

_LOCK_SPACE = 0x7662  # advisory-lock namespace for phone numbers ("vb")
_LEASABLE = text("callback_tasks.status IN ('pending', 'leased')")  # = the partial index's WHERE


@dataclass
class Lease:
    task_id: int
    attempt: int  # pass back with the report: the lease token
    node: str
    expires_at: datetime
    phone: str
    script: str
    kind: str
    region: str
    requested: bool  # the customer asked for this time
    policy: dict[str, Any]  # a voicebot.dialogs policy record
    custom_parameters: dict[str, str]  # strings for the gateway to pass to the bot

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["expires_at"] = self.expires_at.isoformat()
        return d


def task_or_error(s: Session, task_id: int, *, lock: bool = False) -> CallbackTask:
    q = select(CallbackTask).where(CallbackTask.id == task_id)
    task = s.scalar(q.with_for_update() if lock else q)
    if task is None:
        raise DispatchError(f"no callback task {task_id}", hint="check the task id (voicebot tasks list)")
    return task


def policy_record(p: Policy, task: CallbackTask) -> dict[str, Any]:
    """The policy as voicebot.dialogs reads it (Policy.from_dict field names)."""
    x, d = p.extra or {}, task.detail or {}
    contract = p.issued_on.isoformat() if p.issued_on else d.get("contract_date") or d.get("receipt_date")
    rec: dict[str, Any] = {
        "policy_no": p.policy_no, "holder_name": p.holder_name, "holder_gender": x.get("holder_gender"),
        "product": p.product, "contract_date": contract, "holder_id_number": p.holder_id_no or None,
        "holder_birth_date": p.holder_birth.isoformat() if p.holder_birth else None,
        "holder_phone": p.holder_phone, "holder_age": x.get("holder_age"), "insured_name": p.insured_name,
        "product_type": p.product_kind, "channel": p.channel, "premium_yuan": x.get("premium"),
        "payment_frequency": x.get("payment_frequency") or None, "payment_years": x.get("payment_years"),
        "cooling_off_days": d.get("cooling_off_days") or x.get("cooling_off_days"),
        "cooling_off_end": d.get("cooling_off_end") or x.get("cooling_off_end"),
        "grace_end": d.get("grace_end"),
        "transaction": task.kind if task.kind in ("surrender", "claim") else None,
        "transaction_date": d.get("event_date") if task.kind in ("surrender", "claim") else None,
        "amount_yuan": d.get("amount"), "collector_name": d.get("collected_by"),
    }
    return {k: v for k, v in rec.items() if v not in (None, "")}


def _begin(s: Session, dialect: str) -> None:
    if dialect == "sqlite":
        s.connection().exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock before reading


def _number_lock(s: Session, dialect: str, phone: str, *, wait: bool = False) -> bool:
    """Every writer of a number's day count holds this lock; leases only *try* it."""
    if dialect != "postgresql":
        return True
    key = zlib.crc32(phone.encode()) - 2**31
    args = {"a": _LOCK_SPACE, "b": key}
    if wait:
        s.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), args)
        return True
    return bool(s.scalar(text("SELECT pg_try_advisory_xact_lock(:a, :b)"), args))


def _take_number(s: Session, dialect: str, phone: str, day: Any, limit: int | None) -> bool:
    """Count one call for ``phone`` on ``day`` unless it reached ``limit``: one atomic upsert."""
    if limit is not None and limit <= 0:
        return False
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(NumberDay)
    q = ins.values(phone=phone, day=day, calls=1).on_conflict_do_update(
        index_elements=[NumberDay.phone, NumberDay.day], set_={"calls": NumberDay.calls + 1},
        where=None if limit is None else NumberDay.calls < limit)
    return s.execute(q.returning(NumberDay.calls)).first() is not None


def _tomorrow(c: Campaign, now: datetime, region: str) -> datetime:
    zone = c.rules.hours.region(region).zone
    day = c.hours.local_day(now, region) + timedelta(days=1)
    return c.hours.next_allowed(datetime.combine(day, time(0), tzinfo=zone), region)


def _offer(s: Session, c: Campaign, dialect: str, task: CallbackTask, node: str, now: datetime
           ) -> Lease | None:
    region = task.region
    today = c.hours.local_day(now, region)
    if task.status == TaskStatus.LEASED:  # its node died: the attempt is lost
        s.execute(update(CallbackAttempt).where(
            CallbackAttempt.task_id == task.id, CallbackAttempt.attempt == task.attempts,
            CallbackAttempt.outcome.is_(None)).values(outcome="lease_expired", reported_at=now))
        task.status, task.lease_owner, task.lease_expires_at = TaskStatus.PENDING, None, None
        if task.attempts >= (task.max_attempts or c.rules.attempts.max_attempts):
            task.status, task.note = TaskStatus.FAILED, "attempts used up (last lease expired)"
            follow_up(s, task.policy_id, "not_reached", f"task {task.id}: {task.note}")
            return None
    if task.latest_day is not None and today > task.latest_day:
        task.status, task.note = TaskStatus.EXPIRED, f"window closed on {task.latest_day}"
        follow_up(s, task.policy_id, "missed_window", f"task {task.id}: {task.note}")
        return None
    requested = task.requested_at is not None
    allowed_at = c.hours.requested(now, region) if requested else c.hours.next_allowed(now, region)
    if allowed_at > now:
        task.next_attempt_at = allowed_at
        return None
    phone = task.policy.holder_phone
    if dnc_blocked(s, phone, now):
        task.status, task.note = TaskStatus.BLOCKED, "number on the do-not-call list"
        return None
    if not _number_lock(s, dialect, phone):
        return None  # another node is leasing this number right now; try it next time
    if not _take_number(s, dialect, phone, today, None if requested else c.rules.attempts.per_number_daily_limit):
        task.next_attempt_at = _tomorrow(c, now, region)
        return None
    task.attempts += 1
    task.status, task.lease_owner = TaskStatus.LEASED, node
    task.lease_expires_at = now + timedelta(seconds=c.settings.lease_seconds)
    task.last_attempt_at = now
    s.add(CallbackAttempt(task_id=task.id, attempt=task.attempts, node=node, phone=phone,
                          script=task.script, local_day=today, leased_at=now, detail={}))
    policy = policy_record(task.policy, task)
    params = {"task_id": str(task.id), "attempt": str(task.attempts), "script": task.script,
              "policy_no": task.policy.policy_no, "kind": task.kind}
    return Lease(task.id, task.attempts, node, task.lease_expires_at, phone, task.script, task.kind,
                 region, requested, policy, params)


_ORDER = (CallbackTask.priority.desc(), CallbackTask.latest_day, CallbackTask.next_attempt_at,
          CallbackTask.id)
# SQLite ignores a partial index it cannot prove and sorts every due task instead: it is named.
_SQLITE_IDS = text(
    "SELECT id FROM callback_tasks INDEXED BY ix_callback_tasks_dispatch "
    "WHERE status IN ('pending', 'leased') AND (status = 'pending' AND next_attempt_at <= :now "
    "OR status = 'leased' AND lease_expires_at <= :now) "
    "ORDER BY priority DESC, latest_day, next_attempt_at, id LIMIT :scan"
).bindparams(bindparam("now", type_=UtcDateTime()), bindparam("scan", type_=Integer()))


def _candidates(dialect: str, now: datetime, scan: int) -> Select[CallbackTask]:
    """The next ``scan`` leasable tasks in dispatch order, with their policies, in one
    statement: the ids come from ix_callback_tasks_dispatch (read in order, stopping after
    ``scan``; on PostgreSQL locked, skipping rows other nodes hold), the policies are joined
    to those few rows only."""
    if dialect == "sqlite":  # one writer at a time (BEGIN IMMEDIATE): no row locks needed
        ids: Any = select(_SQLITE_IDS.bindparams(now=now, scan=scan).columns(id=Integer)
                          .subquery().c.id)
    else:
        due = or_(and_(CallbackTask.status == TaskStatus.PENDING, CallbackTask.next_attempt_at <= now),
                  and_(CallbackTask.status == TaskStatus.LEASED, CallbackTask.lease_expires_at <= now))
        # The literal status term is implied by ``due``; spelled out as the partial index's
        # WHERE, it lets the planner use that index even for a prepared statement's generic plan.
        ids = (select(CallbackTask.id).where(_LEASABLE, due).order_by(*_ORDER).limit(scan)
               .with_for_update(skip_locked=True))
    return (select(CallbackTask).where(CallbackTask.id.in_(ids)).order_by(*_ORDER)
            .options(joinedload(CallbackTask.policy, innerjoin=True)))


def lease(db: Database, c: Campaign, node: str | None = None, *, now: datetime | None = None,
          scan: int = 16) -> Lease | None:
    """The next due task for ``node``, leased for ``campaigns.lease_seconds``; None if none is
    due now. Candidates that fail a check are rescheduled, so they are not scanned again."""
    node = node or c.node_id
    now = now or utcnow()
    q = _candidates(db.dialect, now, scan)
    for _ in range(8):  # each round reschedules what it cannot offer
        with db.session() as s:
            _begin(s, db.dialect)
            candidates = list(s.scalars(q))
            if not candidates:
                return None
            for task in candidates:
                got = _offer(s, c, db.dialect, task, node, now)
                if got is not None:
                    return got
    return None


def release(db: Database, c: Campaign, task_id: int, attempt: int, node: str) -> None:
    """Give a lease back without calling (e.g. a node shutting down): not counted as an attempt."""
    with db.session() as s:
        task = task_or_error(s, task_id, lock=True)
        if (task.status, task.lease_owner, task.attempts) != (TaskStatus.LEASED, node, attempt):
            return  # already expired and re-offered: nothing of ours to give back
        row = s.scalar(select(CallbackAttempt).where(CallbackAttempt.task_id == task_id,
                                                     CallbackAttempt.attempt == attempt))
        if row is not None:
            _number_lock(s, db.dialect, row.phone, wait=True)
            s.execute(update(NumberDay)
                      .where(NumberDay.phone == row.phone, NumberDay.day == row.local_day, NumberDay.calls > 0)
                      .values(calls=NumberDay.calls - 1))
            s.execute(delete(CallbackAttempt).where(CallbackAttempt.id == row.id))
        task.attempts -= 1
        task.status, task.lease_owner, task.lease_expires_at = TaskStatus.PENDING, None, None
