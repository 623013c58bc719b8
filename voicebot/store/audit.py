"""The audit log: who read or changed what, when. Writes join the caller's transaction, so a
change and its audit entry commit (or roll back) together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicebot.store.models import AuditEntry


def record(s: Session, actor: str, action: str, target: str = "", **detail: Any) -> AuditEntry:
    entry = AuditEntry(actor=actor or "unknown", action=action, target=target[:128], detail=detail)
    s.add(entry)
    return entry


def entries(
    s: Session, *, target: str | None = None, action: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target is not None:
        q = q.where(AuditEntry.target == target)
    if action is not None:
        q = q.where(AuditEntry.action.like(action.replace("*", "%")))
    return list(s.scalars(q))
