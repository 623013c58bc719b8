"""Benchmark the bot's voice: synthesis vs cache-hit time per prompt, and intelligibility.

Intelligibility = the script's prompts rendered at 8 kHz and heard by Whisper-base
(faster-whisper, int8, CPU): character error rate (CER) and toneless-pinyin error rate per
voice configuration, all in one run so the configurations compare as ratios.

    .venv/bin/python scripts/bench_prompts.py [--script new_policy] [--limit N] [--configs ...]

Prints a JSON summary (and the per-prompt table with --table).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from voicebot.config import load_settings
from voicebot.dialogs.loader import load_script
from voicebot.dialogs.policy import Policy
from voicebot.machine import machine_info
from voicebot.prompts.intelligibility import check_prompt, summarize
from voicebot.prompts.listen import load_transcriber
from voicebot.prompts.render import PromptRenderer, fill_template

# voice / text mode / elderly rate
CONFIGS = {
    "f3-pinyin": ("cmn-latn-pinyin+f3", "pinyin", False),
    "f3-pinyin-elderly": ("cmn-latn-pinyin+f3", "pinyin", True),
    "f3-chars": ("cmn-latn-pinyin+f3", "chars", False),
    "plain-pinyin": ("cmn-latn-pinyin", "pinyin", False),
    "cmn-chars": ("cmn", "chars", False),  # Debian's broken `cmn`: tone numbers, for reference
}
SAMPLE_POLICY = {
    "policy_no": "BENCH-1", "holder_name": "王秀英", "holder_gender": "female",
    "product": "安康终身寿险", "contract_date": "2026-03-01", "holder_id_last": "1234",
    "premium_yuan": 5200, "payment_years": 10, "term": "终身", "holder_age": 45,
}


def machine() -> dict[str, Any]:
    return machine_info()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timing(prompts: list[tuple[str, str]], data_dir: Path) -> dict[str, Any]:
    settings = load_settings(env={"VOICEBOT_DATA_DIR": str(data_dir)})
    cold = PromptRenderer(settings)
    cold.render("warmup", "您好。")  # espeak-ng initialisation is not a per-prompt cost
    runs: dict[str, list[float]] = {"synth": [], "memory_hit": [], "disk_hit": []}
    for pid, text in prompts:
        t0 = time.perf_counter()
        cold.render(pid, text)
        runs["synth"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        cold.render(pid, text)
        runs["memory_hit"].append(time.perf_counter() - t0)
    warm = PromptRenderer(settings)  # a new process: empty memory, full disk cache
    for pid, text in prompts:
        t0 = time.perf_counter()
        warm.render(pid, text)
        runs["disk_hit"].append(time.perf_counter() - t0)
    out = {k: {"median_ms": round(1000 * statistics.median(v), 3), "p95_ms": round(1000 * pct(v, 0.95), 3)}
           for k, v in runs.items()}
    out["synth_over_disk_hit"] = round(statistics.median(runs["synth"]) / statistics.median(runs["disk_hit"]), 1)
    out["prompts"] = len(prompts)
    return out


def intelligibility(prompts: list[tuple[str, str]], names: list[str], data_dir: Path,
                    table: bool) -> dict[str, Any]:
    transcribe = load_transcriber(load_settings(env={"VOICEBOT_DATA_DIR": str(data_dir)}))
    results: dict[str, Any] = {}
    for name in names:
        voice, mode, elderly = CONFIGS[name]
        settings = load_settings(env={"VOICEBOT_DATA_DIR": str(data_dir), "VOICEBOT_TTS_VOICE": voice,
                                      "VOICEBOT_TTS_TEXT_MODE": mode})
        renderer = PromptRenderer(settings)
        t0 = time.perf_counter()
        rows = [check_prompt(renderer.render(pid, text, elderly=elderly), transcribe)
                for pid, text in prompts]
        summary = summarize(rows)
        summary["rate_wpm"] = renderer.rate_for(elderly)
        summary["listen_s"] = round(time.perf_counter() - t0, 1)
        results[name] = summary
        if table:
            for r in rows:
                print(f"{name:18s} {r.prompt_id:26s} CER {r.cer:5.2f} PER {r.pinyin_error_rate:5.2f}  {r.heard}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", default="new_policy")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N prompts")
    parser.add_argument("--configs", default="f3-pinyin,f3-pinyin-elderly,f3-chars,plain-pinyin",
                        help=f"comma-separated, from: {', '.join(CONFIGS)}")
    parser.add_argument("--table", action="store_true", help="print what was heard per prompt")
    args = parser.parse_args()
    script = load_script(args.script)
    policy = Policy.from_dict(SAMPLE_POLICY)
    prompts = []
    for info in script.prompts():
        text = fill_template(info.template, policy) if info.dynamic else info.template
        if text is not None:
            prompts.append((info.prompt_id, text))
    if args.limit:
        prompts = prompts[: args.limit]
    with tempfile.TemporaryDirectory(prefix="bench-prompts-") as tmp:
        report = {
            "machine": machine(),
            "script": args.script,
            "recogniser": "Whisper-base (faster-whisper, int8, CPU, beam 5, language zh, temperature 0)",
            "audio": "8 kHz PCM16 as sent to a telephone gateway, upsampled to 16 kHz for Whisper",
            "timing": timing(prompts, Path(tmp) / "timing"),
            "intelligibility": intelligibility(prompts, args.configs.split(","), Path(tmp) / "check",
                                               args.table),
        }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
