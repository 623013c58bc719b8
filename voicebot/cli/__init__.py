"""The `voicebot` command. Each subcommand lives in its own module with a ``register`` function."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence

from voicebot import __version__
from voicebot.errors import VoicebotError

# Each module defines ``register(subparsers)`` and sets ``func`` on its parsers.
COMMAND_MODULES: tuple[str, ...] = (
    "chat",
    "console",
    "users",
    "replay",
    "prompts",
    "evidence",
    "dnc",
    "calls",
    "models",
    "transcribe",
    "tasks",
    "report",
    "simulate",
    "serve",
    "demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicebot",
        description="Automated insurance callback (回访) bot.",
    )
    parser.add_argument("--version", action="version", version=f"voicebot {__version__}")
    parser.add_argument("--config", help="TOML settings file (also VOICEBOT_CONFIG)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"voicebot.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except VoicebotError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False))
        else:
            print(f"voicebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("voicebot: interrupted", file=sys.stderr)
        return 130
