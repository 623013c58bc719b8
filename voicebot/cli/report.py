"""`voicebot report [--by script|day] [--csv FILE] [--json]`: campaign outcomes and contact rate."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from voicebot.campaigns.stats import Group, build_report
from voicebot.cli.common import add_json_flag, emit, settings_from
from voicebot.store.db import open_from_settings

BAR = 30


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="campaign outcomes, contact rate, problem items per question")
    p.add_argument("--by", choices=["script", "day"], default="script")
    p.add_argument("--since", type=date.fromisoformat, default=None)
    p.add_argument("--until", type=date.fromisoformat, default=None)
    p.add_argument("--csv", type=Path, default=None, help="also write the table as CSV")
    add_json_flag(p)
    p.set_defaults(func=_report)


def _bar(n: int, most: int) -> str:
    return "█" * (round(BAR * n / most) if most else 0)


def _print(con: Console, by: str, total: Group, groups: list[Group]) -> None:
    table = Table(title=f"callback attempts by {by}")
    for col in (by, "attempts", "reported", "contact rate", "answered", "outcomes"):
        table.add_column(col)
    for g in [*groups, total]:
        table.add_row(g.key, str(g.attempts), str(g.reported), f"{g.contact_rate:.0%}", f"{g.answer_rate:.0%}",
                      ", ".join(f"{o} {n}" for o, n in g.outcomes.most_common()))
    con.print(table)
    most = max(total.outcomes.values(), default=0)
    con.print("[bold]outcomes[/]")
    for outcome, n in total.outcomes.most_common():
        con.print(f"  {outcome:<16} {_bar(n, most)} {n}")
    if total.problems:
        top = max(total.problems.values())
        con.print("[bold]problem items per question[/]")
        for q, n in total.problems.most_common():
            con.print(f"  {q:<28} {_bar(n, top)} {n}")


def _report(args: argparse.Namespace) -> int:
    db = open_from_settings(settings_from(args))
    rep = build_report(db, by=args.by, since=args.since, until=args.until)
    if args.csv:
        rep.write_csv(args.csv)
    emit(args, rep.to_dict(), lambda con: _print(con, rep.by, rep.total, rep.groups))
    return 0
