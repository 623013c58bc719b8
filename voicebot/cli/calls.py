"""`voicebot calls list|show`: calls with their outcomes (personal numbers masked unless --full)."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from rich.console import Console

from voicebot.cli.common import add_json_flag, emit, settings_from
from voicebot.privacy import mask_phone, mask_text
from voicebot.store import audit, calls, outcomes, turns
from voicebot.store.db import Database
from voicebot.store.models import Call


def register(sub: Any) -> None:
    p = sub.add_parser("calls", help="list and show calls")
    cmds = p.add_subparsers(dest="calls_cmd", metavar="ACTION", required=True)
    li = cmds.add_parser("list", help="recent calls")
    li.add_argument("--outcome", default=None)
    li.add_argument("--status", default=None, help="open | closed | interrupted")
    li.add_argument("--policy", default=None, help="policy number")
    li.add_argument("--limit", type=int, default=50)
    li.add_argument("--full", action="store_true", help="show full phone numbers (audited)")
    add_json_flag(li)
    li.set_defaults(func=_list)
    sh = cmds.add_parser("show", help="one call: turns, outcome, evidence")
    sh.add_argument("call_id")
    sh.add_argument("--full", action="store_true", help="unmasked numbers and words (audited)")
    add_json_flag(sh)
    sh.set_defaults(func=_show)


def call_dict(c: Call, *, full: bool) -> dict[str, Any]:
    return {
        "id": c.id, "seq": c.seq, "status": c.status, "outcome": c.outcome,
        "phone": c.phone if full else mask_phone(c.phone), "policy_no": c.policy_no,
        "script": c.script, "gateway": c.gateway, "node": c.node,
        "started_at": c.started_at.isoformat(),
        "ended_at": c.ended_at.isoformat() if c.ended_at else None,
        "duration_ms": c.duration_ms, "folder": c.folder, "manifest_sha256": c.manifest_sha256,
        "keep_until": str(c.keep_until) if c.keep_until else None,
        "complaint_open": c.complaint_open, "purged": c.purged_at is not None,
    }


def _db(args: argparse.Namespace) -> Database:
    return Database.open(settings_from(args).db_url)


def _list(args: argparse.Namespace) -> int:
    db = _db(args)
    with db.session() as s:
        rows = [call_dict(c, full=args.full) for c in calls.list_calls(
            s, outcome=args.outcome, status=args.status, policy_no=args.policy, limit=args.limit)]
        if args.full:
            audit.record(s, getpass.getuser(), "calls.read_full", "", rows=len(rows))

    def human(c: Console) -> None:
        for r in rows:
            c.print(f"{r['id']}  {r['started_at'][:19]}  {r['status']:11} {r['outcome'] or '-':16}"
                    f" {r['phone']:13} {r['policy_no']}")
        c.print(f"{len(rows)} call(s)")

    emit(args, rows, human)
    return 0


def _show(args: argparse.Namespace) -> int:
    db = _db(args)
    with db.session() as s:
        call = calls.get(s, args.call_id)
        data = call_dict(call, full=args.full)
        shown = (lambda t: t) if args.full else mask_text
        data["turns"] = [
            {**d, "text": shown(d["text"]) if d["text"] else d["text"],
             "prompt_text": shown(d["prompt_text"]) if d["prompt_text"] else d["prompt_text"]}
            for d in map(turns.to_dict, turns.for_call(s, call.id))]
        row = outcomes.get(s, call.id)
        data["outcome_record"] = row.record if row and args.full else None
        data["problem_items"] = [
            {"question_id": p.question_id, "question_no": p.question_no, "reason": p.reason,
             "answer_text": shown(p.answer_text), "status": p.status}
            for p in outcomes.problem_items(s, call.id)]
        data["follow_ups"] = [{"kind": f.kind, "detail": shown(f.detail), "status": f.status}
                              for f in outcomes.follow_ups(s, call.id)]
        audit.record(s, getpass.getuser(), "call.read_full" if args.full else "call.read", call.id)

    def human(c: Console) -> None:
        c.print(f"call {data['id']} (seq {data['seq']}) {data['status']} → {data['outcome']}")
        c.print(f"  phone {data['phone']}  policy {data['policy_no']}  script {data['script']}")
        c.print(f"  {data['started_at']} – {data['ended_at']}  folder {data['folder']}")
        for t in data["turns"]:
            what = t["prompt_text"] if t["speaker"] == "bot" else t["text"]
            extra = f" [{t['intent']} {t['confidence']:.2f}]" if t["intent"] and t["confidence"] is not None else ""
            heard = f" (heard until {t['heard_until_ms']} ms)" if t["heard_until_ms"] is not None else ""
            c.print(f"  {t['start_ms']:>7} ms {t['speaker']:6} {what or ''}{extra}{heard}")
        for p in data["problem_items"]:
            c.print(f"  problem: {p['question_id']} {p['reason']} «{p['answer_text']}»")
        for f in data["follow_ups"]:
            c.print(f"  follow-up: {f['kind']} {f['detail']}")

    emit(args, data, human)
    return 0
