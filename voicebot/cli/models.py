"""`voicebot models list|fetch|verify`: the speech models, where they are, whether they are intact."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from voicebot.asr.fetch import fetch_model
from voicebot.asr.models import REGISTRY, check_model, get_spec
from voicebot.cli.common import add_json_flag, emit, settings_from


def register(sub: Any) -> None:
    p = sub.add_parser("models", help="speech models: list, fetch, verify")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = verbs.add_parser("list", help="known models and whether they are installed")
    add_json_flag(ls)
    ls.set_defaults(func=run_list)
    fetch = verbs.add_parser("fetch", help="download (or assemble) a model into the models folder")
    fetch.add_argument("name", choices=sorted(REGISTRY))
    fetch.add_argument("--force", action="store_true", help="replace an installed copy")
    fetch.add_argument("--url", help="download from this mirror instead of the registry URL")
    fetch.add_argument("--sha256", help="expected SHA-256 of the archive (overrides the registry)")
    fetch.add_argument("--from-file", type=Path, metavar="ZIP", help="install a downloaded archive")
    add_json_flag(fetch)
    fetch.set_defaults(func=run_fetch)
    verify = verbs.add_parser("verify", help="check model files against their recorded checksums")
    verify.add_argument("name", nargs="?", choices=sorted(REGISTRY))
    add_json_flag(verify)
    verify.set_defaults(func=run_verify)


def run_list(args: argparse.Namespace) -> int:
    models_dir = settings_from(args).models_dir
    reports = [check_model(name, models_dir) for name in REGISTRY]

    def human(con: Console) -> None:
        table = Table(title=f"speech models ({models_dir})")
        for col in ("name", "backend", "source", "status", "path"):
            table.add_column(col, overflow="fold")
        for r in reports:
            status = "ok" if r.ok else ("damaged" if r.installed else "not installed")
            table.add_row(r.name, r.backend, r.source, status, r.path)
        con.print(table)

    emit(args, {"models_dir": str(models_dir), "models": [dataclasses.asdict(r) for r in reports]}, human)
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    models_dir = settings_from(args).models_dir
    quiet = args.json or not sys.stderr.isatty()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True, disable=quiet,
    ) as bar:
        task = bar.add_task(f"fetching {args.name}", total=None)

        def on_progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        result = fetch_model(
            args.name, models_dir, url=args.url, sha256=args.sha256, from_file=args.from_file,
            force=args.force, on_progress=on_progress,
        )
    data = {**dataclasses.asdict(result), "path": str(result.path)}

    def human(con: Console) -> None:
        if result.already_installed:
            con.print(f"{args.name} is installed at {result.path} (use --force to replace it)")
            return
        con.print(f"{args.name} installed at {result.path}")
        if result.sha256:
            con.print(f"  sha256 {result.sha256}" + (f" (resumed at {result.resumed_from} bytes)" if result.resumed_from else ""))
        if result.recorded:
            con.print("  no published checksum: this hash is recorded and later downloads must match it")

    emit(args, data, human)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    models_dir = settings_from(args).models_dir
    names = [get_spec(args.name).name] if args.name else list(REGISTRY)
    reports = [check_model(n, models_dir, deep=True) for n in names]
    if not args.name:  # without a name, only what is installed matters
        reports = [r for r in reports if r.installed]

    def human(con: Console) -> None:
        if not reports:
            con.print(f"no models installed in {models_dir}")
        for r in reports:
            con.print(f"{'ok' if r.ok else 'FAILED':6} {r.name} ({r.checked_files} files checked) {r.path}")
            for problem in r.problems:
                con.print(f"       {problem}")

    emit(args, {"models": [dataclasses.asdict(r) for r in reports]}, human)
    return 0 if all(r.ok for r in reports) else 1
