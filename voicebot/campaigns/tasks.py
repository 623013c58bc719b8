"""Callback tasks from imported events, with the checks made before a task is ever offered:

- do-not-call number → ``blocked`` (never offered; the lease checks again at dial time);
- one phone on policies of different policyholders → ``held`` for a person (all such tasks);
- missing or undiallable number → ``reverify`` (the re-verification list);
- a window that has already closed → ``expired``.

The whole file goes in one transaction: a failure anywhere leaves the database untouched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicebot.campaigns.checks import dnc_blocked, shared_phones
from voicebot.campaigns.context import Campaign
from voicebot.campaigns.importer import parse_file
from voicebot.campaigns.records import CallbackEvent, PhoneStatus
from voicebot.campaigns.windows import DuePlan, NotRequired, plan
from voicebot.store import audit
from voicebot.store.db import Database
from voicebot.store.models import CallbackTask, FollowUp, Policy, TaskStatus
from voicebot.store.types import utcnow

BUSINESS = {"new_policy": "new", "grace_before": "renewal", "grace_after": "renewal",
            "lapse": "renewal", "surrender": "surrender", "claim": "claim"}


@dataclass
class ImportSummary:
    source: str
    rows: int = 0
    created: int = 0
    already: int = 0  # the same event was imported before
    pending: int = 0
    not_required: list[tuple[int, str]] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)
    reverify: list[tuple[int, str]] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    expired: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _json(v: Any) -> Any:
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


def event_detail(ev: CallbackEvent, due: DuePlan) -> dict[str, Any]:
    keys = ("receipt_date", "cooling_off_end", "cooling_off_days", "grace_end", "event_date", "amount",
            "collected_by", "holder_gender", "holder_age", "premium", "premium_mode", "payment_years",
            "payment_frequency", "contract_date")
    d = {k: _json(getattr(ev, k)) for k in keys if getattr(ev, k) not in (None, "")}
    d.update(line=ev.line, why=due.why, phone_status=str(ev.phone_status))
    if due.gaps:
        d["script_gaps"] = list(due.gaps)
    if ev.phone_status is not PhoneStatus.OK:
        d["phone_raw"] = ev.phone_raw
    return d


def upsert_policy(s: Session, ev: CallbackEvent) -> Policy:
    p = s.scalar(select(Policy).where(Policy.policy_no == ev.policy_no))
    if p is None:
        p = Policy(policy_no=ev.policy_no, extra={})
        s.add(p)
    p.holder_name, p.holder_phone = ev.holder_name, ev.phone or ev.phone_raw
    p.holder_id_no = ev.holder_id_no or p.holder_id_no or ""
    p.holder_birth = ev.holder_birth or p.holder_birth
    p.insured_name = ev.insured_name or p.insured_name or ev.holder_name
    p.product = ev.product or p.product or ""
    p.product_kind, p.channel, p.premium_mode = ev.product_kind, ev.channel, ev.premium_mode
    p.term_months = ev.term_months if ev.term_months is not None else p.term_months
    p.issued_on = ev.contract_date or p.issued_on
    if ev.kind == "new_policy" or not p.business_type:
        p.business_type = BUSINESS[str(ev.kind)]
    extra = dict(p.extra or {})
    extra.update({k: _json(getattr(ev, k)) for k in (
        "holder_gender", "holder_age", "premium", "payment_years", "payment_frequency", "receipt_date",
        "cooling_off_end", "cooling_off_days", "region") if getattr(ev, k) not in (None, "")})
    extra.update(ev.extra)
    p.extra = extra
    return p


def _start(c: Campaign, day: date, region: str, now: datetime) -> datetime:
    zone = c.rules.hours.region(region).zone
    return c.hours.next_allowed(max(now, datetime.combine(day, time(0), tzinfo=zone)), region)


def follow_up(s: Session, policy_id: int | None, kind: str, detail: str, *, call_id: str | None = None,
              due_at: datetime | None = None) -> FollowUp:
    f = FollowUp(policy_id=policy_id, call_id=call_id, kind=kind, detail=detail, due_at=due_at)
    s.add(f)
    return f


def import_events(s: Session, c: Campaign, events: list[CallbackEvent], *, source: str,
                  actor: str = "system", now: datetime | None = None) -> ImportSummary:
    now = now or utcnow()
    out = ImportSummary(source=source, rows=len(events))
    fresh: list[tuple[CallbackEvent, CallbackTask]] = []
    for ev in events:
        today = c.today(now, ev.region)
        due = plan(ev, c.rules.windows, c.calendar, today)
        if isinstance(due, NotRequired):
            out.not_required.append((ev.line, due.reason))
            continue
        policy = upsert_policy(s, ev)
        key = "|".join(ev.key)
        if s.scalar(select(CallbackTask.id).where(CallbackTask.event_key == key)) is not None:
            out.already += 1
            continue
        s.flush()
        task = CallbackTask(
            policy_id=policy.id, script=due.script, kind=str(ev.kind), region=ev.region.lower(),
            earliest_day=due.earliest, latest_day=due.latest, priority=due.priority,
            max_attempts=c.rules.attempts.max_attempts, attempts=0, status=TaskStatus.PENDING,
            event_key=key, detail=event_detail(ev, due), note="")
        s.add(task)
        fresh.append((ev, task))
    s.flush()
    dup = shared_phones(s, {ev.phone for ev, _ in fresh if ev.phone_status is PhoneStatus.OK})
    for ev, task in fresh:
        out.created += 1
        today = c.today(now, ev.region)
        if ev.phone_status is not PhoneStatus.OK:
            task.status, task.note = TaskStatus.REVERIFY, f"phone {ev.phone_status}: {ev.phone_raw!r}"
            out.reverify.append((ev.line, task.note))
            follow_up(s, task.policy_id, "reverify", f"task {task.id}: {task.note}")
        elif dnc_blocked(s, ev.phone, now):
            task.status, task.note = TaskStatus.BLOCKED, "number on the do-not-call list"
            out.blocked.append(ev.line)
        elif ev.phone in dup:
            task.status = TaskStatus.HELD
            task.note = f"phone shared by {len(dup[ev.phone])} policyholders: a person must check"
            out.held.append((ev.line, task.note))
            follow_up(s, task.policy_id, "duplicate_phone", f"task {task.id}: {task.note}")
        elif task.latest_day is not None and task.latest_day < today:
            task.status, task.note = TaskStatus.EXPIRED, f"window closed on {task.latest_day}"
            out.expired.append((ev.line, task.note))
            follow_up(s, task.policy_id, "missed_window", f"task {task.id}: {task.note}")
        else:
            task.next_attempt_at = _start(c, task.earliest_day or today, task.region, now)
            out.pending += 1
    _hold_older(s, dup)
    audit.record(s, actor, "tasks.import", source, created=out.created, already=out.already,
                 held=len(out.held), reverify=len(out.reverify), blocked=len(out.blocked))
    return out


def _hold_older(s: Session, dup: dict[str, set[str]]) -> None:
    """Tasks already waiting for a number that is now shared are held too."""
    if not dup:
        return
    q = (select(CallbackTask).join(Policy, CallbackTask.policy_id == Policy.id)
         .where(Policy.holder_phone.in_(sorted(dup)), CallbackTask.status == TaskStatus.PENDING))
    for task in s.scalars(q):
        task.status, task.note = TaskStatus.HELD, "phone shared by several policyholders: a person must check"


def import_file(db: Database, c: Campaign, path: str | Path, *, fmt: str | None = None,
                actor: str = "system", now: datetime | None = None) -> ImportSummary:
    """Validate the whole file, then create its tasks in one transaction."""
    now = now or utcnow()
    events = parse_file(path, fmt=fmt, today=c.today(now), rules=c.rules.windows, calendar=c.calendar)
    with db.session() as s:
        return import_events(s, c, events, source=Path(path).name, actor=actor, now=now)


def release_hold(db: Database, c: Campaign, task_id: int, *, actor: str, phone: str | None = None,
                 now: datetime | None = None) -> CallbackTask:
    """A person checked a held or re-verification task (optionally with a corrected number):
    it goes back into the queue, still subject to the do-not-call check at lease time."""
    from voicebot.campaigns.dispatch import task_or_error
    from voicebot.campaigns.phones import normalise_phone

    now = now or utcnow()
    with db.session() as s:
        task = task_or_error(s, task_id)
        if phone is not None:
            number, status = normalise_phone(phone)
            if status is not PhoneStatus.OK:
                from voicebot.errors import PolicyError
                raise PolicyError(f"{phone!r} is not a diallable number", hint="give a mobile or landline")
            task.policy.holder_phone = number
        task.status, task.note = TaskStatus.PENDING, f"released by {actor}"
        task.next_attempt_at = _start(c, max(task.earliest_day or c.today(now), c.today(now, task.region)),
                                      task.region, now)
        audit.record(s, actor, "tasks.release", str(task_id), phone_changed=phone is not None)
        return task
