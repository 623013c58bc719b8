"""`voicebot dnc add|remove|check|list|import|export`: the do-not-call list."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from voicebot.cli.common import add_json_flag, emit, settings_from
from voicebot.dnc.csvio import export_csv, import_csv
from voicebot.dnc.service import DncList
from voicebot.privacy import mask_phone
from voicebot.store.db import Database
from voicebot.store.models import DncSource

SOURCES = [str(s) for s in DncSource]


def register(sub: Any) -> None:
    p = sub.add_parser("dnc", help="the do-not-call list")
    cmds = p.add_subparsers(dest="dnc_cmd", metavar="ACTION", required=True)

    a = cmds.add_parser("add", help="block a number")
    a.add_argument("number")
    a.add_argument("--reason", default="")
    a.add_argument("--source", choices=SOURCES, default="company")
    a.add_argument("--days", type=int, default=None, help="default from settings (dnc.default_days)")
    a.set_defaults(func=_add)

    r = cmds.add_parser("remove", help="unblock a number (audited)")
    r.add_argument("number")
    r.add_argument("--source", choices=SOURCES, default=None, help="only this source's entry")
    r.add_argument("--reason", default="")
    r.set_defaults(func=_remove)

    c = cmds.add_parser("check", help="is a number blocked?")
    c.add_argument("number")
    c.add_argument("--at", type=datetime.fromisoformat, default=None, help="ISO time (default now)")
    c.set_defaults(func=_check)

    li = cmds.add_parser("list", help="list active entries (numbers masked unless --full)")
    li.add_argument("--source", choices=SOURCES, default=None)
    li.add_argument("--all", action="store_true", help="include expired entries")
    li.add_argument("--limit", type=int, default=100)
    li.add_argument("--offset", type=int, default=0)
    li.add_argument("--full", action="store_true", help="show full numbers (audited)")
    li.set_defaults(func=_list)

    im = cmds.add_parser("import", help="import a CSV (all rows or none)")
    im.add_argument("file", type=Path)
    im.add_argument("--source", choices=SOURCES, default="industry", help="when a row has none")
    im.add_argument("--salt", default=None, help="the file holds salted SHA-256 hashes")
    im.add_argument("--salt-label", default=None, help="name of the partner's salt")
    im.set_defaults(func=_import)

    ex = cmds.add_parser("export", help="export active entries as CSV")
    ex.add_argument("--out", type=Path, default=None, help="file (default: standard output)")
    ex.add_argument("--salt", default=None, help="write salted SHA-256 hashes, not numbers")
    ex.set_defaults(func=_export)

    for sp in (a, r, c, li, im, ex):
        add_json_flag(sp)


def _dnc(args: argparse.Namespace) -> DncList:
    settings = settings_from(args)
    return DncList(Database.open(settings.db_url), settings.dnc)


def _add(args: argparse.Namespace) -> int:
    e = _dnc(args).add(args.number, reason=args.reason, source=args.source,
                       added_by=getpass.getuser(), days=args.days)
    emit(args, e, lambda c: c.print(f"blocked {mask_phone(e['number'])} until {e['expires_at']}"))
    return 0


def _remove(args: argparse.Namespace) -> int:
    n = _dnc(args).remove(args.number, removed_by=getpass.getuser(), source=args.source,
                          reason=args.reason)
    emit(args, {"removed": n}, lambda c: c.print(f"removed {n} entr{'y' if n == 1 else 'ies'}"))
    return 0 if n else 1


def _check(args: argparse.Namespace) -> int:
    res = _dnc(args).check(args.number, args.at)
    data = {"number": res.number, "blocked": res.blocked, "entries": res.entries}

    def human(c: Console) -> None:
        shown = mask_phone(res.number)
        if not res.blocked:
            c.print(f"{shown}: not blocked")
        for e in res.entries:
            c.print(f"{shown}: [red]blocked[/red] ({e['source']}) until {e['expires_at']}"
                    f"{': ' + e['reason'] if e['reason'] else ''}")

    emit(args, data, human)
    return 1 if res.blocked else 0


def _list(args: argparse.Namespace) -> int:
    dnc = _dnc(args)
    at = None if args.all else datetime.now().astimezone()
    rows = dnc.list(at=at, source=args.source, limit=args.limit, offset=args.offset,
                    full=args.full)
    if args.full:
        from voicebot.store import audit

        with dnc.db.session() as s:
            audit.record(s, getpass.getuser(), "dnc.read_full", "", rows=len(rows))

    def human(c: Console) -> None:
        for e in rows:
            c.print(f"{e['number'] or 'sha256:' + (e['digest'] or '')[:12]}  {e['source']:9} "
                    f"until {e['expires_at'][:10]}  {e['reason']}")
        c.print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'} shown, "
                f"{dnc.count(at)} in total")

    emit(args, rows, human)
    return 0


def _import(args: argparse.Namespace) -> int:
    res = import_csv(_dnc(args), args.file, added_by=getpass.getuser(), source=args.source,
                     salt=args.salt, salt_label=args.salt_label)
    emit(args, {"rows": res.rows, "seconds": round(res.seconds, 3), "hashed": res.hashed},
         lambda c: c.print(f"imported {res.rows} rows in {res.seconds:.1f} s"))
    return 0


def _export(args: argparse.Namespace) -> int:
    dnc = _dnc(args)
    if args.out is None:
        n = export_csv(dnc, sys.stdout, exported_by=getpass.getuser(), salt=args.salt)
        return 0
    with args.out.open("w", encoding="utf-8", newline="") as f:
        n = export_csv(dnc, f, exported_by=getpass.getuser(), salt=args.salt)
    emit(args, {"rows": n, "out": str(args.out)}, lambda c: c.print(f"wrote {n} rows to {args.out}"))
    return 0
