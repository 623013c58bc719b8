"""Campaign statistics from the attempts: outcomes, contact rate, problem items per question,
by script or by day (the customer's calendar day)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from voicebot.store.db import Database
from voicebot.store.models import CallbackAttempt

# Reached the customer (they took part in the call, whatever they said).
CONTACT = {"completed", "problem_case", "compliance_flag", "refused", "do_not_call", "callback_later",
           "escalated"}
ANSWERED = CONTACT | {"wrong_person"}


@dataclass
class Group:
    key: str
    attempts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)  # question id → problem items

    @property
    def reported(self) -> int:
        return sum(n for o, n in self.outcomes.items() if o not in ("pending", "lease_expired"))

    @property
    def contact_rate(self) -> float:
        return sum(self.outcomes[o] for o in CONTACT) / self.reported if self.reported else 0.0

    @property
    def answer_rate(self) -> float:
        return sum(self.outcomes[o] for o in ANSWERED) / self.reported if self.reported else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "attempts": self.attempts, "reported": self.reported,
                "contact_rate": round(self.contact_rate, 4), "answer_rate": round(self.answer_rate, 4),
                "outcomes": dict(sorted(self.outcomes.items())), "problems": dict(self.problems.most_common())}


@dataclass
class Report:
    by: str
    total: Group
    groups: list[Group]

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "total": self.total.to_dict(), "groups": [g.to_dict() for g in self.groups]}

    def write_csv(self, path: Path) -> None:
        outcomes = sorted({o for g in [self.total, *self.groups] for o in g.outcomes})
        questions = sorted({q for g in [self.total, *self.groups] for q in g.problems})
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([self.by, "attempts", "reported", "contact_rate", "answer_rate",
                        *outcomes, *[f"problem:{q}" for q in questions]])
            for g in [*self.groups, self.total]:
                w.writerow([g.key, g.attempts, g.reported, f"{g.contact_rate:.4f}", f"{g.answer_rate:.4f}",
                            *[g.outcomes[o] for o in outcomes], *[g.problems[q] for q in questions]])


def build_report(db: Database, *, by: str = "script", since: date | None = None,
                 until: date | None = None) -> Report:
    if by not in ("script", "day"):
        raise ValueError(f"by must be script or day, not {by!r}")
    q = select(CallbackAttempt.script, CallbackAttempt.local_day, CallbackAttempt.outcome, CallbackAttempt.detail)
    if since:
        q = q.where(CallbackAttempt.local_day >= since)
    if until:
        q = q.where(CallbackAttempt.local_day <= until)
    total = Group("total")
    groups: dict[str, Group] = defaultdict(lambda: Group(""))
    with db.session() as s:
        for script, day, outcome, detail in s.execute(q.execution_options(yield_per=5000)):
            key = script if by == "script" else day.isoformat()
            g = groups[key]
            g.key = key
            for grp in (g, total):
                grp.attempts += 1
                grp.outcomes[outcome or "pending"] += 1
                for item in (detail or {}).get("problem_items", []):
                    no = item.get("question_no")
                    grp.problems[f"{item.get('question_id')}{f' (#{no})' if no else ''}"] += 1
    return Report(by, total, [groups[k] for k in sorted(groups)])
