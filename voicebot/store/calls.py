"""Calls: create at call start, find, list, close."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voicebot.errors import StoreError
from voicebot.store.models import Call, CallStatus
from voicebot.store.types import utcnow


def create(s: Session, call_id: str, **fields: object) -> Call:
    if s.get(Call, call_id) is not None:
        raise StoreError(f"call {call_id} already exists", hint="call ids must be unique")
    call = Call(id=call_id, **fields)
    s.add(call)
    s.flush()
    return call


def get(s: Session, call_id: str) -> Call:
    call = s.get(Call, call_id)
    if call is None:
        raise StoreError(f"no call {call_id}", hint="list calls with `voicebot calls list`")
    return call


def find(s: Session, call_id: str) -> Call | None:
    return s.get(Call, call_id)


def list_calls(
    s: Session,
    *,
    outcome: str | None = None,
    status: str | None = None,
    policy_no: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Call]:
    q = select(Call).order_by(Call.started_at.desc(), Call.id).limit(limit).offset(offset)
    if outcome:
        q = q.where(Call.outcome == outcome)
    if status:
        q = q.where(Call.status == status)
    if policy_no:
        q = q.where(Call.policy_no == policy_no)
    if since:
        q = q.where(Call.started_at >= since)
    return list(s.scalars(q))


def count(s: Session, *, outcome: str | None = None) -> int:
    q = select(func.count()).select_from(Call)
    if outcome:
        q = q.where(Call.outcome == outcome)
    return int(s.scalar(q) or 0)


def open_calls(s: Session, node: str | None = None) -> Sequence[Call]:
    """Calls not yet closed; with ``node``, only that node's (others may still be live)."""
    q = select(Call).where(Call.status == CallStatus.OPEN).order_by(Call.started_at)
    if node is not None:
        q = q.where(Call.node == node)
    return s.scalars(q).all()


def sealed_in_order(s: Session) -> Sequence[Call]:
    """Every call in the evidence chain, by sequence number."""
    return s.scalars(select(Call).where(Call.seq.is_not(None)).order_by(Call.seq)).all()


def mark_closed(
    call: Call, *, status: str, outcome: str | None, end_reason: str = "",
    ended_at: datetime | None = None,
) -> None:
    call.status = status
    call.outcome = outcome or call.outcome
    call.end_reason = end_reason or call.end_reason
    call.ended_at = ended_at or utcnow()
    call.duration_ms = int((call.ended_at - call.started_at).total_seconds() * 1000)
