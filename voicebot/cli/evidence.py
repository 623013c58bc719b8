"""`voicebot evidence verify|purge|export|recover`: check, retire and hand over call evidence."""

from __future__ import annotations

import argparse
import getpass
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from voicebot.cli.common import add_json_flag, emit, settings_from
from voicebot.errors import EvidenceError
from voicebot.evidence import purge as purging
from voicebot.evidence.export import export_call
from voicebot.evidence.service import EvidenceStore
from voicebot.evidence.verify import verify
from voicebot.store.db import Database


def register(sub: Any) -> None:
    p = sub.add_parser("evidence", help="verify, purge, export and recover call evidence")
    cmds = p.add_subparsers(dest="evidence_cmd", metavar="ACTION", required=True)

    v = cmds.add_parser("verify", help="check files and the hash chain")
    group = v.add_mutually_exclusive_group(required=True)
    group.add_argument("--all", action="store_true", help="every sealed call and the chain")
    group.add_argument("call_id", nargs="?", help="one call")
    add_json_flag(v)
    v.set_defaults(func=_verify)

    pu = cmds.add_parser("purge", help="remove evidence past its keep-until date")
    pu.add_argument("--dry-run", action="store_true", help="only list what may go")
    pu.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    pu.add_argument("--held", action="store_true", help="with --dry-run: also list what stays")
    add_json_flag(pu)
    pu.set_defaults(func=_purge)

    e = cmds.add_parser("export", help="bundle one call's evidence into a zip")
    e.add_argument("call_id")
    e.add_argument("--out", type=Path, required=True, help="FILE.zip")
    add_json_flag(e)
    e.set_defaults(func=_export)

    r = cmds.add_parser("recover", help="close calls a crash left open (as interrupted)")
    r.add_argument("--all-nodes", action="store_true", help="also other nodes' open calls")
    add_json_flag(r)
    r.set_defaults(func=_recover)


def _open(args: argparse.Namespace) -> tuple[Database, Path, Any]:
    settings = settings_from(args)
    return Database.open(settings.db_url), settings.calls_dir, settings


def _verify(args: argparse.Namespace) -> int:
    db, calls_dir, _ = _open(args)
    report = verify(db, calls_dir, None if args.all else args.call_id)

    def human(c: Console) -> None:
        for p in report.problems:
            where = f" [{p.file}]" if p.file else ""
            c.print(f"[red]✗[/red] call {p.call_id} (seq {p.seq}) {p.kind}{where}: {p.detail}")
        mark = "[green]OK[/green]" if report.ok else f"[red]{len(report.problems)} problem(s)[/red]"
        c.print(f"{mark}: {report.checked} call(s) checked")

    emit(args, report.to_dict(), human)
    return 0 if report.ok else 1


def _purge(args: argparse.Namespace) -> int:
    db, calls_dir, _ = _open(args)
    today = args.today or date.today()
    if args.dry_run:
        items = purging.plan(db, today, include_held=args.held)
    else:
        if args.held:
            raise EvidenceError("--held only goes with --dry-run", hint="add --dry-run")
        items = purging.purge(db, calls_dir, today, actor=getpass.getuser())

    def human(c: Console) -> None:
        verb = "may go" if args.dry_run else "purged"
        for it in items:
            c.print(f"{'•' if it.purgeable else '·'} {it.call_id} seq {it.seq}: {it.why}")
        c.print(f"{sum(i.purgeable for i in items)} call(s) {verb}")

    emit(args, {"dry_run": args.dry_run, "today": str(today),
                "calls": [asdict(i) for i in items]}, human)
    return 0


def _export(args: argparse.Namespace) -> int:
    db, calls_dir, _ = _open(args)
    out = export_call(db, calls_dir, args.call_id, args.out, actor=getpass.getuser())
    emit(args, {"call_id": args.call_id, "out": str(out)},
         lambda c: c.print(f"wrote {out}"))
    return 0


def _recover(args: argparse.Namespace) -> int:
    db, calls_dir, settings = _open(args)
    store = EvidenceStore(db, calls_dir, timezone=settings.timezone)
    done = store.recover_open_calls(all_nodes=args.all_nodes)
    emit(args, {"recovered": [asdict(d) | {"folder": str(d.folder)} for d in done]},
         lambda c: c.print(f"{len(done)} open call(s) closed as interrupted"))
    return 0
