"""Checks made inside the caller's transaction (so a lease and its checks see one snapshot)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from voicebot.dnc.numbers import salted_digest
from voicebot.store import dnc as dnc_rows
from voicebot.store.models import DncEntry, DncSalt, Policy


def dnc_blocked(s: Session, number: str, at: datetime) -> bool:
    """Is ``number`` (normalised digits) on the do-not-call list at ``at``, by number or by the
    salted digest an exchange list carries?"""
    if s.get_bind().dialect.name == "postgresql":  # one round trip: PostgreSQL hashes itself
        return _blocked_pg(s, number, at)
    digests = [(salt.id, salted_digest(number, salt.salt)) for salt in dnc_rows.salts(s)]
    return any(e.expires_at > at for e in dnc_rows.entries_for(s, number, digests))


def _blocked_pg(s: Session, number: str, at: datetime) -> bool:
    """Both checks in one statement; the digest is :func:`salted_digest` computed in SQL."""
    by_number = select(DncEntry.id).where(DncEntry.number == number, DncEntry.expires_at > at)
    digest = func.encode(func.sha256(func.convert_to(DncSalt.salt + number, "UTF8")), "hex")
    by_digest = (select(DncEntry.id).join(DncSalt, DncEntry.salt_id == DncSalt.id)
                 .where(DncEntry.digest == digest, DncEntry.expires_at > at))
    return bool(s.scalar(select(or_(by_number.exists(), by_digest.exists()))))


def holder_identity(p: Policy) -> str:
    """Who the policyholder is: the ID number when known, else the name."""
    return p.holder_id_no.strip().upper() or p.holder_name.strip()


def shared_phones(s: Session, phones: set[str]) -> dict[str, set[str]]:
    """Of ``phones``, those on policies of more than one policyholder → the holders' identities
    (Shandong guideline 第九条: an agent may have put their own number)."""
    found: dict[str, set[str]] = {}
    if not phones:
        return found
    nums = sorted(p for p in phones if p)
    for i in range(0, len(nums), 500):
        q = (select(Policy.holder_phone, Policy.holder_id_no, Policy.holder_name)
             .where(Policy.holder_phone.in_(nums[i:i + 500])))
        for phone, id_no, name in s.execute(q):
            found.setdefault(phone, set()).add((id_no or "").strip().upper() or name.strip())
    return {k: v for k, v in found.items() if len(v) > 1}


def count_policies(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(Policy)) or 0)
