"""Numbers behind the statistics page, aggregated in Python over one period's rows (a period
is bounded to 92 days, so the row count stays small enough for one query per table)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voicebot.console.charts import Chart, Series, color_for, horizontal_bars, stacked_bars
from voicebot.console.queries import day_bounds, reviewed_call_ids
from voicebot.store.models import Call, ProblemItemRow, Speaker, Turn

MAX_DAYS = 92
CONF_BINS = 10


@dataclass
class Stats:
    date_from: date
    date_to: date
    calls: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    reviewed: int = 0
    mean_confidence: float | None = None
    charts: dict[str, Chart] = field(default_factory=dict)
    problem_rows: list[tuple[str, int]] = field(default_factory=list)


def period(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    end = date_to or today
    start = date_from or end - timedelta(days=29)
    if start > end:
        start, end = end, start
    return max(start, end - timedelta(days=MAX_DAYS - 1)), end


def compute(s: Session, tz: str, date_from: date, date_to: date) -> Stats:
    zone = ZoneInfo(tz)
    lo, hi = day_bounds(date_from, tz), day_bounds(date_to + timedelta(days=1), tz)
    in_period = (Call.started_at >= lo) & (Call.started_at < hi)
    rows = s.execute(select(Call.id, Call.started_at, Call.script, Call.outcome, Call.status)
                     .where(in_period)).all()
    st = Stats(date_from, date_to, calls=len(rows))
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    per_script: dict[str, Counter[str]] = defaultdict(Counter)
    for _id, started, script, outcome, status in rows:
        o = outcome or status
        st.by_outcome[o] += 1
        per_day[started.astimezone(zone).date()][o] += 1
        per_script[script or "—"][o] += 1
    outcomes = [o for o, _ in st.by_outcome.most_common()]
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    st.charts["per_day"] = stacked_bars(
        [d.strftime("%m-%d") for d in days],
        [Series(o, [per_day[d][o] for d in days], color_for(o, i)) for i, o in enumerate(outcomes)],
        label="Outcomes per day")
    scripts = sorted(per_script)
    st.charts["per_script"] = stacked_bars(
        scripts,
        [Series(o, [per_script[x][o] for x in scripts], color_for(o, i))
         for i, o in enumerate(outcomes)], label="Outcomes per script")
    st.reviewed = int(s.scalar(select(func.count()).select_from(Call).where(
        in_period, Call.id.in_(reviewed_call_ids()))) or 0)

    items = s.execute(select(ProblemItemRow.question_no, ProblemItemRow.question_id,
                             ProblemItemRow.reason)
                      .join(Call, Call.id == ProblemItemRow.call_id).where(in_period)).all()
    by_q: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for no, qid, reason in items:
        by_q[(no if no is not None else 99, qid)][reason] += 1
    keys = sorted(by_q)
    reasons = sorted({r for c in by_q.values() for r in c})
    labels = [f"Q{no} {qid}" if no != 99 else qid for no, qid in keys]
    st.problem_rows = [(lab, sum(by_q[k].values())) for lab, k in zip(labels, keys, strict=True)]
    st.charts["problems"] = horizontal_bars(
        labels, [Series(r.replace("_", " "), [by_q[k][r] for k in keys], color_for(r, i + 1))
                 for i, r in enumerate(reasons)], label="Problem items by question")

    confs = s.execute(select(Turn.confidence, Turn.intent).join(Call, Call.id == Turn.call_id)
                      .where(in_period, Turn.speaker == Speaker.CALLER,
                             Turn.confidence.is_not(None))).all()
    bins = [0] * CONF_BINS
    per_intent: dict[str, list[float]] = defaultdict(list)
    values: list[float] = []
    for conf, intent in confs:
        c = min(max(float(conf or 0.0), 0.0), 1.0)
        values.append(c)
        bins[min(CONF_BINS - 1, int(c * CONF_BINS))] += 1
        per_intent[intent or "none"].append(c)
    st.mean_confidence = sum(values) / len(values) if values else None
    st.charts["confidence"] = stacked_bars(
        [f"{i / CONF_BINS:.1f}" for i in range(CONF_BINS)],
        [Series("caller answers", [float(b) for b in bins], "#1f6feb")],
        label="Recognition confidence of caller answers")
    intents = sorted(per_intent, key=lambda k: -len(per_intent[k]))
    st.charts["conf_intent"] = horizontal_bars(
        intents, [Series("mean confidence × 100",
                         [100 * sum(per_intent[k]) / len(per_intent[k]) for k in intents],
                         "#00897b")], label="Mean confidence by intent")
    return st
