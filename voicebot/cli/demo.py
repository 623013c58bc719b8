"""`voicebot demo`: a whole callback in one process, offline — the gateway server on a free port,
a simulated gateway playing a bundled caller, Whisper-base hearing it."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
from typing import Any

from rich.console import Console

from voicebot.call.services import CallOptions, CallServices
from voicebot.call.session import call_handler
from voicebot.cli.common import add_json_flag, emit, settings_from
from voicebot.cli.simulate import print_result
from voicebot.config import Settings
from voicebot.errors import ConfigError
from voicebot.gateway.scenarios import load_scenarios, pick
from voicebot.gateway.server import GatewayServer
from voicebot.gateway.simulator import GatewaySimulator, SimOptions, SimResult

BUNDLED = Path(__file__).resolve().parents[2] / "audio_fixtures"  # the curated set (zh-callers copies)


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="run one simulated callback end to end, offline")
    p.add_argument("--scenario", help=f"scenarios JSON (default: the bundled {BUNDLED.name}/demo.json)")
    p.add_argument("--name", help="which scenario (default: the first)")
    p.add_argument("--protocol", choices=("twilio", "audiofork"), default="twilio")
    p.add_argument("--pace", type=float, default=2.0, help="clock speed (1 = real time; default 2)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    path = Path(args.scenario) if args.scenario else BUNDLED / "demo.json"
    if not path.is_file():
        raise ConfigError(f"scenario file {path} not found", hint="pass --scenario FILE")
    console = Console(stderr=True)
    if not args.json:
        console.print("Loading Whisper-base (the Mandarin recogniser installable here; production "
                      "default is vosk with vosk-model-cn) …")
    result, services = asyncio.run(demo(settings, path, args.name, args.protocol, args.pace))
    data = {**result.to_dict(), "recogniser": f"{services.asr.name} ({services.asr.model_name})"}

    def human(out: Console) -> None:
        scenario = pick(load_scenarios(path), args.name)
        print_result(out, result, scenario.expected_outcome)
        out.print(f"recogniser: {services.asr.name} ({services.asr.model_name}); "
                  f"calls are kept under {settings.calls_dir.resolve()}")

    emit(args, data, human)
    return 0


async def demo(settings: Settings, path: Path, name: str | None, protocol: str,
               pace: float) -> tuple[SimResult, CallServices]:
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    settings.gateway.port = 0
    settings.gateway.host = "127.0.0.1"
    settings.asr.backend = "whisper"
    from voicebot.asr.fetch import fetch_model

    await asyncio.to_thread(fetch_model, settings.asr.whisper_model, settings.models_dir)
    services = await asyncio.to_thread(CallServices.build, settings, options=CallOptions(pace=pace))
    server = GatewayServer(settings.gateway, call_handler(services), metrics=services.metrics)
    await server.start()
    try:
        scenario = pick(load_scenarios(path), name)
        options = SimOptions(url=f"ws://127.0.0.1:{server.port}", protocol=protocol,
                             fixtures_dir=path.parent, pace=pace)
        result = await GatewaySimulator(scenario, options).run()
    finally:
        await server.shutdown(grace=10.0)
        services.db.dispose()
    return result, services
