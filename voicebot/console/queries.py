"""Database reads behind the calls list and the call page (the statistics page has its own)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from voicebot.store.models import Call, ProblemItemRow, Review

PAGE_SIZE = 50
VERDICTS = {"agree": "Outcome confirmed", "disagree": "Outcome wrong", "reopen": "Review reopened"}


@dataclass
class CallFilter:
    """The calls list's filters, as the query string carries them (all optional)."""

    date_from: date | None = None  # local calendar days (Settings.timezone), inclusive
    date_to: date | None = None
    outcome: str = ""
    script: str = ""
    problem: str = ""  # a question_id with a problem item
    reviewed: str = ""  # "" | "yes" | "no"
    q: str = ""  # policy number or call id (prefix)
    page: int = 1

    @classmethod
    def from_query(cls, params: Any) -> CallFilter:
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(params.get(name, "")) if params.get(name) else None
            except ValueError:
                return None

        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        reviewed = params.get("reviewed", "")
        return cls(day("date_from"), day("date_to"), params.get("outcome", ""),
                   params.get("script", ""), params.get("problem", ""),
                   reviewed if reviewed in ("yes", "no") else "", params.get("q", "").strip(), page)

    def query_string(self, **change: Any) -> str:
        """This filter as a query string, with ``change`` applied (for paging links)."""
        from urllib.parse import urlencode

        values = {f.name: getattr(self, f.name) for f in fields(self)} | change
        return urlencode({k: v for k, v in values.items()
                          if v not in (None, "") and not (k == "page" and v == 1)})


def reviewed_call_ids() -> Select[str]:
    """Calls whose latest mark (a review row with a verdict) says reviewed."""
    latest = (select(Review.call_id, func.max(Review.id).label("rid"))
              .where(Review.verdict.is_not(None)).group_by(Review.call_id).subquery())
    return (select(latest.c.call_id).join(Review, Review.id == latest.c.rid)
            .where(Review.reviewed.is_(True)))


def day_bounds(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def filtered(f: CallFilter, tz: str) -> Select[Call]:
    q = select(Call)
    if f.date_from:
        q = q.where(Call.started_at >= day_bounds(f.date_from, tz))
    if f.date_to:
        q = q.where(Call.started_at < day_bounds(f.date_to + timedelta(days=1), tz))
    if f.outcome:
        q = q.where(Call.outcome == f.outcome)
    if f.script:
        q = q.where(Call.script == f.script)
    if f.problem:
        q = q.where(Call.id.in_(select(ProblemItemRow.call_id)
                                .where(ProblemItemRow.question_id == f.problem)))
    if f.reviewed == "yes":
        q = q.where(Call.id.in_(reviewed_call_ids()))
    elif f.reviewed == "no":
        q = q.where(Call.id.not_in(reviewed_call_ids()))
    if f.q:
        q = q.where((Call.policy_no.startswith(f.q)) | (Call.id.startswith(f.q)))
    return q


@dataclass
class CallPage:
    calls: list[Call]
    total: int
    problems: dict[str, int]  # call id → number of problem items
    reviewed: set[str]
    pages: int


def list_calls(s: Session, f: CallFilter, tz: str) -> CallPage:
    base = filtered(f, tz)
    total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
    calls = list(s.scalars(base.order_by(Call.started_at.desc(), Call.id)
                           .limit(PAGE_SIZE).offset((f.page - 1) * PAGE_SIZE)))
    ids = [c.id for c in calls]
    problems = {cid: int(n) for cid, n in s.execute(
        select(ProblemItemRow.call_id, func.count()).where(ProblemItemRow.call_id.in_(ids))
        .group_by(ProblemItemRow.call_id))}
    reviewed = set(s.scalars(reviewed_call_ids().where(Review.call_id.in_(ids))))
    return CallPage(calls, total, problems, reviewed, max(1, -(-total // PAGE_SIZE)))


@dataclass
class FilterChoices:
    outcomes: list[str]
    scripts: list[str]
    problems: list[tuple[str, int | None]]  # (question_id, question_no)


def filter_choices(s: Session) -> FilterChoices:
    outcomes = [o for o in s.scalars(select(Call.outcome).distinct()) if o]
    scripts = [x for x in s.scalars(select(Call.script).distinct()) if x]
    problems = [(qid, no) for qid, no in s.execute(
        select(ProblemItemRow.question_id, ProblemItemRow.question_no).distinct())]
    problems.sort(key=lambda p: (p[1] is None, p[1] or 0, p[0]))
    return FilterChoices(sorted(outcomes), sorted(scripts), problems)


def reviews(s: Session, call_id: str) -> list[Review]:
    return list(s.scalars(select(Review).where(Review.call_id == call_id).order_by(Review.id)))


def is_reviewed(rows: list[Review]) -> Review | None:
    """The mark that makes the call reviewed, or None (the latest verdict decides)."""
    marks = [r for r in rows if r.verdict is not None]
    return marks[-1] if marks and marks[-1].reviewed else None
