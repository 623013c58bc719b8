"""`voicebot prompts list|render|check`: the bot's voice for a script, ahead of calls."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from voicebot.cli.common import add_json_flag, emit, progress, settings_from
from voicebot.prompts.render import CALL_RATE, PromptAudio, PromptRenderer, fill_template


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("prompts", help="render and check the bot's spoken prompts")
    sub = parser.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="the script's prompts and whether audio is ready")
    _common(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("render", help="render every fixed prompt ahead of calls (cached)")
    _common(p)
    p.add_argument("--elderly", action="store_true",
                   help="also render the slower versions for customers aged 60+")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("check", help="run the prompts through a recogniser; error rate per prompt")
    _common(p)
    p.add_argument("--backend", choices=["whisper"], default="whisper",
                   help="recogniser that listens (Whisper-base via faster-whisper)")
    p.add_argument("--prompt", action="append", default=[], metavar="ID",
                   help="check only this prompt id (repeatable)")
    p.add_argument("--limit", type=int, default=0, help="check at most N prompts")
    p.add_argument("--policy", help="policy JSON (or shipped name) to fill dynamic prompts with")
    p.add_argument("--elderly", action="store_true", help="check the slower elderly versions")
    p.set_defaults(func=cmd_check)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--script", required=True, help="script name (e.g. new_policy) or TOML path")
    p.add_argument("--rate", type=int, default=CALL_RATE, metavar="HZ",
                   help=f"sample rate of the audio (default {CALL_RATE}, telephone)")
    add_json_flag(p)


def _load(args: argparse.Namespace) -> tuple[Any, PromptRenderer]:
    from voicebot.dialogs.loader import load_script

    script = load_script(args.script)
    return script, PromptRenderer(settings_from(args))


def cmd_list(args: argparse.Namespace) -> int:
    script, renderer = _load(args)
    rows = []
    for info in script.prompts():
        if info.dynamic:
            ready = "per call"
        elif renderer.pack is not None and renderer.pack.matches(info.prompt_id, info.template):
            ready = "pack"
        else:
            key = renderer.key(info.template, sample_rate=args.rate)
            ready = "cached" if renderer.cache.path(key).is_file() else "not rendered"
        rows.append({"prompt_id": info.prompt_id, "dynamic": info.dynamic, "ready": ready,
                     "text": info.template})

    def human(console: Console) -> None:
        table = Table(title=f"prompts of {script.name} ({len(rows)})")
        for col in ("prompt", "ready", "text"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["prompt_id"], r["ready"], r["text"])
        console.print(table)

    emit(args, {"script": script.name, "prompts": rows}, human)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    script, renderer = _load(args)
    fixed = [p for p in script.prompts() if not p.dynamic]
    jobs = [(p, False) for p in fixed] + ([(p, True) for p in fixed] if args.elderly else [])
    started = time.perf_counter()
    done: list[PromptAudio] = []
    for info, elderly in progress(jobs, len(jobs), "rendering prompts", quiet=args.json):
        done.append(renderer.render(info.prompt_id, info.template, elderly=elderly,
                                    sample_rate=args.rate))
    sources = Counter(a.source for a in done)
    result = {
        "script": script.name,
        "rendered": len(done),
        "sources": dict(sources),
        "dynamic_at_call_start": sum(1 for p in script.prompts() if p.dynamic),
        "audio_seconds": round(sum(a.duration_s for a in done), 1),
        "elapsed_s": round(time.perf_counter() - started, 2),
        "voice": renderer.voice,
        "rates_wpm": [renderer.rate] + ([renderer.elderly_rate] if args.elderly else []),
        "sample_rate": args.rate,
        "cache_dir": str(renderer.cache.folder),
    }

    def human(console: Console) -> None:
        console.print(
            f"{result['rendered']} fixed prompts of {script.name} ready "
            f"({', '.join(f'{n} {s}' for s, n in sources.items()) or 'none'}), "
            f"{result['audio_seconds']} s of audio in {result['elapsed_s']} s; "
            f"{result['dynamic_at_call_start']} dynamic prompts are rendered at call start.\n"
            f"voice {renderer.voice}, {result['rates_wpm']} words/min, {args.rate} Hz, "
            f"cache {result['cache_dir']}"
        )

    emit(args, result, human)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from voicebot.prompts.intelligibility import check_prompt, summarize
    from voicebot.prompts.listen import load_transcriber

    script, renderer = _load(args)
    policy = None
    if args.policy:
        from voicebot.dialogs.policy import load_policy

        policy = load_policy(args.policy)
    todo: list[tuple[str, str]] = []
    for info in script.prompts():
        if args.prompt and info.prompt_id not in args.prompt:
            continue
        text: str | None = info.template
        if info.dynamic:
            text = fill_template(info.template, policy) if policy is not None else None
        if text is not None:
            todo.append((info.prompt_id, text))
    if args.limit:
        todo = todo[: args.limit]
    transcribe = load_transcriber(settings_from(args), args.backend)
    rows = []
    for prompt_id, text in progress(todo, len(todo), "listening", quiet=args.json):
        audio = renderer.render(prompt_id, text, elderly=args.elderly, sample_rate=args.rate)
        rows.append(check_prompt(audio, transcribe))
    summary = summarize(rows)
    data = {"script": script.name, "backend": args.backend, "voice": renderer.voice,
            "rate_wpm": renderer.rate_for(args.elderly), "sample_rate": args.rate,
            "summary": summary, "prompts": [r.to_dict() for r in rows]}

    def human(console: Console) -> None:
        table = Table(title=f"{script.name}: what {args.backend} heard ({renderer.voice}, "
                            f"{data['rate_wpm']} wpm, {args.rate} Hz)")
        for col in ("prompt", "CER", "pinyin ER", "heard"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r.prompt_id, f"{r.cer:.2f}", f"{r.pinyin_error_rate:.2f}", r.heard)
        console.print(table)
        console.print(", ".join(f"{k} {v}" for k, v in summary.items()))

    emit(args, data, human)
    return 0
