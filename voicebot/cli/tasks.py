"""`voicebot tasks import|list|show|due|export|release|followups`: callback tasks.

``VOICEBOT_TODAY`` (see :mod:`voicebot.campaigns.clock`) fixes the clock for tests and rehearsals."""

from __future__ import annotations

import argparse
import csv
import getpass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from voicebot.campaigns import clock
from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import task_or_error
from voicebot.campaigns.letters import questionnaire
from voicebot.campaigns.tasks import import_file, release_hold
from voicebot.cli.common import add_json_flag, emit, progress, settings_from
from voicebot.privacy import mask_phone
from voicebot.store.db import Database, open_from_settings
from voicebot.store.models import CallbackAttempt, CallbackTask, FollowUp, Policy, TaskStatus
from voicebot.store.types import as_utc

COLUMNS = ("id", "policy_no", "holder", "phone", "kind", "script", "status", "earliest_day", "latest_day",
           "priority", "attempts", "next_attempt_at", "last_outcome", "note")


def register(sub: Any) -> None:
    p = sub.add_parser("tasks", help="callback tasks: import, list, due, export")
    cmds = p.add_subparsers(dest="tasks_cmd", metavar="ACTION", required=True)

    im = cmds.add_parser("import", help="import policies/events from CSV, JSON or .xlsx (all or nothing)")
    im.add_argument("file", type=Path)
    im.add_argument("--format", choices=["csv", "json", "jsonl", "xlsx"], default=None)
    im.set_defaults(func=_import)

    li = cmds.add_parser("list", help="list tasks (phones masked)")
    li.add_argument("--status", choices=[str(s) for s in TaskStatus], default=None)
    li.add_argument("--kind", default=None)
    li.add_argument("--limit", type=int, default=100)
    li.set_defaults(func=_list)

    sh = cmds.add_parser("show", help="one task with its attempts and follow-ups")
    sh.add_argument("task_id", type=int)
    sh.set_defaults(func=_show)

    du = cmds.add_parser("due", help="tasks a node may lease now (or at --at)")
    du.add_argument("--at", type=datetime.fromisoformat, default=None, help="ISO time with zone")
    du.add_argument("--limit", type=int, default=100)
    du.set_defaults(func=_due)

    ex = cmds.add_parser("export", help="export tasks as CSV, and questionnaires as printable HTML")
    ex.add_argument("--status", choices=[str(s) for s in TaskStatus], default=None)
    ex.add_argument("--csv", type=Path, default=None, help="write the tasks here")
    ex.add_argument("--letters", type=Path, default=None,
                    help="write one questionnaire per open letter/visit follow-up into this folder")
    ex.set_defaults(func=_export)

    re_ = cmds.add_parser("release", help="a person checked a held / re-verification task: queue it again")
    re_.add_argument("task_id", type=int)
    re_.add_argument("--phone", default=None, help="the verified number, if it changed")
    re_.set_defaults(func=_release)

    fu = cmds.add_parser("followups", help="open follow-up lists (reverify, letter_or_visit, compliance…)")
    fu.add_argument("--kind", default=None)
    fu.set_defaults(func=_followups)
    for parser in (im, li, sh, du, ex, re_, fu):
        add_json_flag(parser)


def _open(args: argparse.Namespace) -> tuple[Database, Campaign]:
    settings = settings_from(args)
    return open_from_settings(settings), Campaign.from_settings(settings)


def _row(t: CallbackTask) -> dict[str, Any]:
    return {"id": t.id, "policy_no": t.policy.policy_no, "holder": t.policy.holder_name,
            "phone": mask_phone(t.policy.holder_phone), "kind": t.kind, "script": t.script,
            "status": t.status, "earliest_day": t.earliest_day, "latest_day": t.latest_day,
            "priority": t.priority, "attempts": t.attempts,
            "next_attempt_at": t.next_attempt_at.isoformat() if t.next_attempt_at else None,
            "last_outcome": t.last_outcome, "note": t.note}


def _table(rows: list[dict[str, Any]], cols: tuple[str, ...], title: str) -> Table:
    table = Table(title=title)
    for c in cols:
        table.add_column(c)
    for r in rows:
        table.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in cols])
    return table


def _import(args: argparse.Namespace) -> int:
    db, c = _open(args)
    summary = import_file(db, c, args.file, fmt=args.format, actor=getpass.getuser(), now=clock.now())
    data = summary.to_dict()

    def human(con: Console) -> None:
        con.print(f"{summary.source}: {summary.rows} rows, {summary.created} tasks created "
                  f"({summary.pending} queued), {summary.already} already imported")
        for name in ("not_required", "held", "reverify", "expired"):
            for line, why in getattr(summary, name):
                con.print(f"  line {line}: {name}: {why}")
        for line in summary.blocked:
            con.print(f"  line {line}: blocked: number on the do-not-call list")
    emit(args, data, human)
    return 0


def _list(args: argparse.Namespace) -> int:
    db, _ = _open(args)
    with db.session() as s:
        q = select(CallbackTask).order_by(CallbackTask.priority.desc(), CallbackTask.id).limit(args.limit)
        if args.status:
            q = q.where(CallbackTask.status == args.status)
        if args.kind:
            q = q.where(CallbackTask.kind == args.kind)
        rows = [_row(t) for t in s.scalars(q)]
    emit(args, rows, lambda con: con.print(_table(rows, COLUMNS[:12], f"{len(rows)} tasks")))
    return 0


def _show(args: argparse.Namespace) -> int:
    db, _ = _open(args)
    with db.session() as s:
        t = task_or_error(s, args.task_id)
        data = _row(t) | {"detail": t.detail, "region": t.region, "lease_owner": t.lease_owner}
        data["attempts_log"] = [
            {"attempt": a.attempt, "node": a.node, "leased_at": a.leased_at.isoformat(), "outcome": a.outcome,
             "call_id": a.call_id, "problems": (a.detail or {}).get("problems", [])}
            for a in s.scalars(select(CallbackAttempt).where(CallbackAttempt.task_id == t.id)
                               .order_by(CallbackAttempt.attempt))]
        data["follow_ups"] = [{"id": f.id, "kind": f.kind, "status": f.status, "detail": f.detail}
                              for f in s.scalars(select(FollowUp).where(FollowUp.policy_id == t.policy_id))]

    def human(con: Console) -> None:
        for k, v in data.items():
            if k not in ("attempts_log", "follow_ups"):
                con.print(f"[bold]{k}[/]: {v}")
        con.print(_table(data["attempts_log"], ("attempt", "node", "leased_at", "outcome", "call_id"), "attempts"))
        con.print(_table(data["follow_ups"], ("id", "kind", "status", "detail"), "follow-ups"))
    emit(args, data, human)
    return 0


def _due(args: argparse.Namespace) -> int:
    db, _ = _open(args)
    at = as_utc(args.at) if args.at else clock.now()
    with db.session() as s:
        q = (select(CallbackTask).where(CallbackTask.status == TaskStatus.PENDING, CallbackTask.next_attempt_at <= at)
             .order_by(CallbackTask.priority.desc(), CallbackTask.latest_day, CallbackTask.id).limit(args.limit))
        rows = [_row(t) for t in s.scalars(q)]
    emit(args, rows, lambda con: con.print(_table(rows, COLUMNS[:12], f"{len(rows)} due at {at:%Y-%m-%d %H:%M} UTC")))
    return 0


def _export(args: argparse.Namespace) -> int:
    db, _ = _open(args)
    out: dict[str, Any] = {}
    if args.csv:
        with db.session() as s, args.csv.open("w", newline="", encoding="utf-8") as f:
            q = select(CallbackTask).order_by(CallbackTask.id).execution_options(yield_per=2000)
            if args.status:
                q = q.where(CallbackTask.status == args.status)
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            w.writeheader()
            n = 0
            for t in progress(s.scalars(q), None, "export", quiet=getattr(args, "json", False)):
                w.writerow(_row(t))
                n += 1
        out["csv"], out["tasks"] = str(args.csv), n
    if args.letters:
        args.letters.mkdir(parents=True, exist_ok=True)
        with db.session() as s:
            open_letters = (
                select(FollowUp.detail, Policy.policy_no).join(Policy, FollowUp.policy_id == Policy.id)
                .where(FollowUp.kind.in_(["letter_or_visit", "not_reached"]), FollowUp.status == "open"))
            wanted = [(int(d.split(":")[0].removeprefix("task ")), no) for d, no in s.execute(open_letters)
                      if d.startswith("task ")]
        files = []
        for task_id, policy_no in wanted:
            path = args.letters / f"{policy_no}-task{task_id}.html"
            path.write_text(questionnaire(db, task_id).html(), encoding="utf-8")
            files.append(str(path))
        out["letters"] = files
    if not out:
        raise SystemExit("voicebot tasks export: give --csv FILE and/or --letters DIR")
    emit(args, out, lambda con: con.print(
        f"wrote {out.get('tasks', 0)} tasks to {out.get('csv', '-')}, {len(out.get('letters', []))} questionnaires"))
    return 0


def _release(args: argparse.Namespace) -> int:
    db, c = _open(args)
    t = release_hold(db, c, args.task_id, actor=getpass.getuser(), phone=args.phone, now=clock.now())
    data = {"id": t.id, "status": t.status, "next_attempt_at": t.next_attempt_at}
    emit(args, data, lambda con: con.print(f"task {t.id} queued again for {t.next_attempt_at}"))
    return 0


def _followups(args: argparse.Namespace) -> int:
    db, _ = _open(args)
    with db.session() as s:
        q = (select(FollowUp, Policy.policy_no).outerjoin(Policy, FollowUp.policy_id == Policy.id)
             .where(FollowUp.status == "open").order_by(FollowUp.kind, FollowUp.id))
        if args.kind:
            q = q.where(FollowUp.kind == args.kind)
        rows = [{"id": f.id, "kind": f.kind, "policy_no": no, "call_id": f.call_id, "detail": f.detail,
                 "created_at": f.created_at.isoformat()} for f, no in s.execute(q)]
    emit(args, rows, lambda con: con.print(_table(rows, ("id", "kind", "policy_no", "detail"), f"{len(rows)} open")))
    return 0
