"""Everything the call page shows, read once and masked for the viewer's role."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from voicebot.config import Settings
from voicebot.console.auth import CurrentUser
from voicebot.console.permissions import Perm
from voicebot.console.queries import is_reviewed, reviews
from voicebot.privacy import mask_phone, mask_text
from voicebot.store import calls as calls_repo
from voicebot.store import outcomes as outcomes_repo
from voicebot.store import turns as turns_repo
from voicebot.store.models import Call, User


@dataclass(frozen=True)
class CallAccess:
    hear: bool
    unmasked: bool
    review: bool
    export: bool


def access_for(user: CurrentUser, call: Call) -> CallAccess:
    holds = call.agent_user_id == user.id
    return CallAccess(
        hear=user.can(Perm.HEAR_RECORDINGS, holds_call=holds),
        unmasked=user.can(Perm.SEE_UNMASKED, holds_call=holds),
        review=user.can(Perm.REVIEW),
        export=user.can(Perm.EXPORT),
    )


def recording_path(settings: Settings, call: Call) -> Path | None:
    if not call.folder or not call.recording_file or call.purged_at is not None:
        return None
    path = settings.calls_dir / call.folder / call.recording_file
    return path if path.is_file() else None


@dataclass
class CallView:
    call: Call
    access: CallAccess
    phone: str
    turns: list[dict[str, Any]]
    outcome: dict[str, Any] | None
    decided_by: str
    problems: list[dict[str, Any]]
    follow_ups: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    reviewed_by: dict[str, Any] | None
    has_recording: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _mask_deep(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_deep(v) for k, v in value.items()}
    return value


def load(s: Session, settings: Settings, user: CurrentUser, call_id: str) -> CallView | None:
    call = calls_repo.find(s, call_id)
    if call is None:
        return None
    access = access_for(user, call)
    show = (lambda x: x) if access.unmasked else _mask_deep
    turns = [show(turns_repo.to_dict(t)) for t in turns_repo.for_call(s, call_id)]
    row = outcomes_repo.get(s, call_id)
    problems = [show({"question_id": p.question_id, "question_no": p.question_no,
                      "reason": p.reason, "answer_text": p.answer_text, "status": p.status})
                for p in outcomes_repo.problem_items(s, call_id)]
    problems.sort(key=lambda p: (p["question_no"] is None, p["question_no"] or 0))
    follow_ups = [show({"kind": f.kind, "detail": f.detail, "status": f.status,
                        "due_at": f.due_at}) for f in outcomes_repo.follow_ups(s, call_id)]
    rows = reviews(s, call_id)
    names = {u.id: u.display_name or u.name for u in s.query(User).filter(
        User.id.in_({r.reviewer_id for r in rows}))}
    review_dicts = [{"id": r.id, "by": names.get(r.reviewer_id, "?"), "note": r.note,
                     "verdict": r.verdict, "reviewed": r.reviewed, "at": r.created_at}
                    for r in rows]
    mark = is_reviewed(rows)
    return CallView(
        call=call, access=access,
        phone=call.phone if access.unmasked else mask_phone(call.phone),
        turns=turns, outcome=show(outcomes_repo.record_dict(row)) if row else None,
        decided_by=row.decided_by if row else "",
        problems=problems, follow_ups=follow_ups, reviews=review_dicts,
        reviewed_by=next((r for r in review_dicts if mark and r["id"] == mark.id), None),
        has_recording=recording_path(settings, call) is not None,
    )
