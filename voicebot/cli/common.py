"""Helpers shared by subcommands: settings, --json output, progress bars."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from voicebot.config import Settings, load_settings

T = TypeVar("T")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def emit(args: argparse.Namespace, data: Any, human: Callable[[Console], None]) -> None:
    """Print ``data`` as JSON with --json, else let ``human`` print for people."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        human(Console())


def progress(items: Iterable[T], total: int | None, label: str, *, quiet: bool = False) -> Iterator[T]:
    """Yield ``items`` with a progress bar on stderr (hidden with --json or when not a terminal)."""
    if quiet or not sys.stderr.isatty():
        yield from items
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
