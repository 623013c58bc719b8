"""The database schema (SQLAlchemy 2 typed models). Change it only together with a migration in
``voicebot/store/migrations/versions`` (tests compare the two).

Times are aware UTC datetimes (:class:`UtcDateTime`); calendar days are ``date``.
Full personal values (phones, ID numbers) live only here; everything shown is masked
(:mod:`voicebot.privacy`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from voicebot.store.types import UtcDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


class TaskStatus(StrEnum):
    PENDING = "pending"
    LEASED = "leased"  # a node holds it (lease_owner until lease_expires_at)
    DONE = "done"
    FAILED = "failed"  # attempts used up
    CANCELLED = "cancelled"
    # campaigns (migration 0002): tasks never offered until a person or a later event acts
    HELD = "held"  # duplicate phone across policyholders: a person decides
    REVERIFY = "reverify"  # missing/invalid number or wrong person: re-verification list
    BLOCKED = "blocked"  # the number is on the do-not-call list
    EXPIRED = "expired"  # the due window closed before the callback was made


class CallStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    INTERRUPTED = "interrupted"  # closed by crash recovery


class Speaker(StrEnum):
    BOT = "bot"
    CALLER = "caller"
    AGENT = "agent"


class DncSource(StrEnum):
    COMPANY = "company"
    INDUSTRY = "industry"
    COMPLAINT = "complaint"


class Role(StrEnum):
    QA = "qa"
    AGENT = "agent"
    ADMIN = "admin"


class Policy(Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_no: Mapped[str] = mapped_column(String(64), unique=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    holder_id_no: Mapped[str] = mapped_column(String(32), default="")
    holder_phone: Mapped[str] = mapped_column(String(32), index=True)  # normalised digits
    holder_birth: Mapped[date | None] = mapped_column(Date)
    insured_name: Mapped[str] = mapped_column(String(100), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    business_type: Mapped[str] = mapped_column(String(32), default="new")  # new|renewal|surrender|claim
    product_kind: Mapped[str] = mapped_column(String(32), default="traditional")
    channel: Mapped[str] = mapped_column(String(32), default="agent")  # agent|bank|phone|online
    premium_mode: Mapped[str] = mapped_column(String(16), default="single")  # single|periodic
    term_months: Mapped[int | None] = mapped_column(Integer)  # retention: ≤12 → 5 years
    issued_on: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallbackTask(Base):
    """One policy to call back. Campaigns lease tasks (lease_owner/lease_expires_at) so that
    several nodes never dial the same task at once."""

    __tablename__ = "callback_tasks"
    __table_args__ = (
        Index("ix_callback_tasks_due", "status", "next_attempt_at", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    script: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.PENDING)
    earliest_day: Mapped[date | None] = mapped_column(Date)
    latest_day: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(default=0)  # higher first
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    last_call_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # campaigns (migration 0002)
    kind: Mapped[str] = mapped_column(String(16), default="")  # new_policy|grace_before|…
    region: Mapped[str] = mapped_column(String(32), default="")  # calling-hours region
    event_key: Mapped[str | None] = mapped_column(String(160), unique=True)  # one task per event
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # event facts for the dialog
    requested_at: Mapped[datetime | None] = mapped_column()  # the customer's own callback time
    last_attempt_at: Mapped[datetime | None] = mapped_column()

    policy: Mapped[Policy] = relationship()


# Dispatch's ORDER BY over the tasks it may lease (migration 0003): the lease query reads
# candidates in index order and stops after a few instead of sorting every due task.
Index("ix_callback_tasks_dispatch", CallbackTask.priority.desc(), CallbackTask.latest_day,
      CallbackTask.next_attempt_at, CallbackTask.id,
      postgresql_where=text("status IN ('pending', 'leased')"),
      sqlite_where=text("status IN ('pending', 'leased')"))


class CallbackAttempt(Base):
    """One lease of a task (campaigns): which node dialled, when, and what came of it. The
    (task, attempt) pair is unique, so no two nodes can ever hold the same attempt."""

    __tablename__ = "callback_attempts"
    __table_args__ = (UniqueConstraint("task_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("callback_tasks.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)  # 1-based; the lease token
    node: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    script: Mapped[str] = mapped_column(String(64), default="")
    local_day: Mapped[date] = mapped_column(Date, index=True)  # the customer's calendar day
    leased_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(32), index=True)  # or lease_expired
    call_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # problem items, words


class NumberDay(Base):
    """Calls started to one number on one local day, shared by all nodes (per-number limit)."""

    __tablename__ = "number_days"

    phone: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)


class Call(Base):
    """One call and its evidence folder. ``seq`` orders the evidence hash chain; it is given
    when the call is sealed (closed and hashed)."""

    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("callback_tasks.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    policy_no: Mapped[str] = mapped_column(String(64), default="", index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    script: Mapped[str] = mapped_column(String(64), default="")
    gateway: Mapped[str] = mapped_column(String(32), default="")
    node: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=CallStatus.OPEN, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32), index=True)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column()
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    folder: Mapped[str] = mapped_column(String(255), default="")  # relative to calls_dir
    recording_file: Mapped[str] = mapped_column(String(64), default="")
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    prev_manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    sealed_at: Mapped[datetime | None] = mapped_column()
    keep_until: Mapped[date | None] = mapped_column(Date)
    complaint_open: Mapped[bool] = mapped_column(Boolean, default=False)
    complaint_closed_on: Mapped[date | None] = mapped_column(Date)
    purged_at: Mapped[datetime | None] = mapped_column()
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    turns: Mapped[list[Turn]] = relationship(
        back_populates="call", order_by="Turn.idx", cascade="all, delete-orphan"
    )


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("call_id", "idx"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)  # order within the call, from 0
    speaker: Mapped[str] = mapped_column(String(8))  # bot | caller | agent
    question_id: Mapped[str | None] = mapped_column(String(64))
    prompt_id: Mapped[str | None] = mapped_column(String(64))
    prompt_text: Mapped[str | None] = mapped_column(Text)
    heard_until_ms: Mapped[int | None] = mapped_column(Integer)  # into the prompt; None = all
    text: Mapped[str | None] = mapped_column(Text)  # what the caller (or agent) said
    intent: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    start_ms: Mapped[int] = mapped_column(Integer, default=0)  # on the recording's clock
    end_ms: Mapped[int | None] = mapped_column(Integer)
    barged_in: Mapped[bool] = mapped_column(Boolean, default=False)
    via: Mapped[str] = mapped_column(String(16), default="speech")  # speech|dtmf|text|agent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="turns")


class OutcomeRow(Base):
    __tablename__ = "outcomes"

    call_id: Mapped[str] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(32), index=True)
    script: Mapped[str] = mapped_column(String(64), default="")
    policy_no: Mapped[str] = mapped_column(String(64), default="")
    decided_by: Mapped[str] = mapped_column(String(16), default="bot")  # bot | agent
    end_reason: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)  # OutcomeRecord.to_dict()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemItemRow(Base):
    __tablename__ = "problem_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    question_no: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    answer_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column()


class FollowUp(Base):
    """Work a person must do after a call: letter/visit, compliance report, callback time…"""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str | None] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # do_not_call|compliance|callback|letter_or_visit|escalation
    detail: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|done|cancelled
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class DncSalt(Base):
    """A salt agreed with an exchange partner; entries imported as hashes refer to it."""

    __tablename__ = "dnc_salts"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(64), unique=True)
    salt: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DncEntry(Base):
    """A blocked number (``number``, normalised digits) or, from a hashed exchange list, the
    salted SHA-256 of one (``digest`` + ``salt_id``)."""

    __tablename__ = "dnc_entries"
    __table_args__ = (
        UniqueConstraint("number", "source", name="uq_dnc_entries_number_source"),
        UniqueConstraint("digest", "source", name="uq_dnc_entries_digest_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20))
    digest: Mapped[str | None] = mapped_column(String(64))
    salt_id: Mapped[int | None] = mapped_column(ForeignKey("dnc_salts.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default=DncSource.COMPANY)
    added_by: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Counter(Base):
    """Named counters: ``dnc`` changes with every do-not-call change (caches compare it)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class ChainHead(Base):
    """The evidence hash chain's last link; sealing a call updates this one row (its lock
    serialises nodes that close calls at once)."""

    __tablename__ = "evidence_chain"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_manifest_sha256: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(Base):
    """Who read or changed what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. dnc.add, call.read
    target: Mapped[str] = mapped_column(String(128), default="", index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # qa | agent | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(Base):
    """A person's review of a call the bot decided (PIPL art. 24)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict: Mapped[str | None] = mapped_column(String(32))  # agree | corrected | …
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
