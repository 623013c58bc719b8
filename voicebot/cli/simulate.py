"""`voicebot simulate`: play a scenario against a running bot as a telephony gateway would."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console

from voicebot.cli.common import add_json_flag, emit
from voicebot.errors import ConfigError
from voicebot.gateway.scenarios import load_scenarios, pick
from voicebot.gateway.simulator import GatewaySimulator, SimOptions, SimResult


def register(sub: Any) -> None:
    p = sub.add_parser("simulate", help="play a caller scenario against a bot over a real WebSocket")
    p.add_argument("--url", required=True, help="the bot's gateway URL, e.g. ws://127.0.0.1:8765")
    p.add_argument("--scenario", required=True, help="scenarios JSON (the zh-callers format)")
    p.add_argument("--name", help="which scenario in the file (default: the first)")
    p.add_argument("--protocol", choices=("twilio", "audiofork"), default="twilio")
    p.add_argument("--token", default="", help="gateway token (sent as a Bearer header and ?token=)")
    p.add_argument("--fixtures", help="folder of the answer WAVs (default: next to the scenario file)")
    p.add_argument("--pace", type=float, default=1.0, help="clock speed: 1 = real time (default)")
    p.add_argument("--barge-in", action="append", default=[], metavar="N:MS",
                   help="speak answer N (0-based) MS into the bot's prompt instead of after it")
    p.add_argument("--rate", type=int, default=8000, help="audio rate for --protocol audiofork")
    add_json_flag(p)
    p.set_defaults(func=run)


def parse_barge(items: list[str]) -> dict[int, int]:
    out: dict[int, int] = {}
    for item in items:
        index, _, ms = item.partition(":")
        if not (index.isdigit() and ms.isdigit()):
            raise ConfigError(f"--barge-in {item!r} is not N:MS", hint="e.g. --barge-in 2:1500")
        out[int(index)] = int(ms)
    return out


def run(args: argparse.Namespace) -> int:
    path = Path(args.scenario)
    scenario = pick(load_scenarios(path), args.name)
    options = SimOptions(
        url=args.url, protocol=args.protocol, token=args.token,
        fixtures_dir=Path(args.fixtures) if args.fixtures else path.parent,
        pace=args.pace, sample_rate=args.rate, barge_in_ms=parse_barge(args.barge_in),
    )
    result = asyncio.run(GatewaySimulator(scenario, options).run())
    emit(args, result.to_dict(), lambda console: print_result(console, result, scenario.expected_outcome))
    return 0


def print_result(console: Console, result: SimResult, expected: str = "") -> None:
    console.print(f"[bold]{result.scenario}[/] over {result.protocol} — call {result.call_id}")
    for entry in result.timeline:
        console.print(f"  {entry.at_ms / 1000:7.2f}s  {entry.who:<7} {entry.what}")
    record = result.record or {}
    for turn in record.get("transcript", []):
        console.print(f"  {turn.get('who', ''):>6}: {turn.get('text', '')}")
    outcome = record.get("outcome") or {}
    if outcome:
        line = f"outcome: [bold]{outcome.get('outcome')}[/]"
        problems = [p.get("question_no") or p.get("question_id") for p in outcome.get("problem_items", [])]
        if problems:
            line += f"  problem items: {problems}"
        if expected:
            line += f"  (expected {expected})"
        console.print(line)
    if record.get("recording"):
        console.print(f"recording: {record['recording']}")
    console.print(f"ended by: {result.ended_by}" + (f" → {result.transfer_target}" if result.transfer_target else ""))
    g = result.greeting_latency_ms
    console.print(f"greeting latency: {g} ms" if g is not None else "greeting latency: (no bot audio)")
    if result.turn_latencies_ms:
        console.print(f"turn latency ms: {result.turn_latencies_ms}")
    if result.barge_in_stop_ms:
        console.print(f"barge-in stop ms: {result.barge_in_stop_ms}")
