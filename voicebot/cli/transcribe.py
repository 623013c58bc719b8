"""`voicebot transcribe AUDIO...`: recognise files with the bot's recogniser and show the intent."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from voicebot.asr.base import AsrEngine, AsrResult, Word
from voicebot.asr.factory import create_engine
from voicebot.audio.files import read_pcm16
from voicebot.audio.frames import frame_bytes
from voicebot.cli.common import add_json_flag, emit, progress, settings_from
from voicebot.nlu.intents import understand
from voicebot.nlu.types import AnswerKind, Expectation

RATE = 16000  # files are decoded straight to the models' rate (one resampling step)


def register(sub: Any) -> None:
    p = sub.add_parser("transcribe", help="recognise audio files and show text, words and intent")
    p.add_argument("audio", nargs="+", type=Path, help="audio files (WAV incl. 8 kHz μ-law, FLAC, OGG, MP3 …)")
    p.add_argument("--backend", choices=["vosk", "whisper"], help="default: asr.backend from settings")
    p.add_argument("--model", help="model name (see `voicebot models list`) or folder")
    p.add_argument("--question", choices=[str(k) for k in AnswerKind], default=str(AnswerKind.YES_NO),
                   help="what the question asked for (changes what counts as affirm)")
    p.add_argument("--hints", help="comma-separated phrases the question expects (vosk grammar)")
    add_json_flag(p)
    p.set_defaults(func=run)


def transcribe_file(engine: AsrEngine, path: Path, hints: list[str] | None = None) -> dict[str, Any]:
    """Stream one file through a fresh recogniser in 20 ms frames, as a call would."""
    pcm = read_pcm16(path, RATE)
    rec = engine.new_stream(RATE)
    rec.set_hints(hints)
    t0 = time.perf_counter()
    step = frame_bytes(RATE)
    finals: list[AsrResult] = []
    partials = 0
    for i in range(0, len(pcm), step):
        for result in rec.accept(pcm[i : i + step]):
            if result.is_final:
                finals.append(result)
            else:
                partials += 1
    last = rec.flush()
    if last is not None:
        finals.append(last)
    wall = time.perf_counter() - t0
    rec.close()
    audio_s = len(pcm) / (2 * RATE)
    # the NLU reads punctuation (pauses, question marks): give it the backend's own text
    text = "，".join(r.raw_text or r.text for r in finals if not r.is_empty)
    words: list[Word] = [w for r in finals for w in r.words]
    return {
        "file": str(path),
        "text": "".join(r.text for r in finals),
        "nlu_text": text,
        "utterances": [r.to_dict() for r in finals],
        "words": [w._asdict() for w in words],
        "partials": partials,
        "audio_s": round(audio_s, 3),
        "wall_s": round(wall, 3),
        "rtf": round(wall / audio_s, 3) if audio_s else 0.0,
    }


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    engine = create_engine(settings, backend=args.backend, model=args.model)
    expect = Expectation(kind=AnswerKind(args.question))
    hints = [h.strip() for h in args.hints.split(",") if h.strip()] if args.hints else None
    rows = []
    try:
        for path in progress(args.audio, len(args.audio), "transcribing", quiet=args.json):
            row = transcribe_file(engine, path, hints)
            u = understand(row["nlu_text"], expect)
            row["intent"] = {"intent": str(u.intent), "confidence": round(u.confidence, 3),
                             "normalized": u.normalized, "slots": u.slots}
            rows.append(row)
    finally:
        engine.close()
    data = {"backend": engine.name, "model": engine.model_name, "question": args.question, "files": rows}
    emit(args, data, lambda con: _human(con, data))
    return 0


def _human(con: Console, data: dict[str, Any]) -> None:
    con.print(f"[bold]{data['backend']}[/] model {data['model']}, question {data['question']}")
    for row in data["files"]:
        intent = row["intent"]
        slots = " ".join(f"{k}={v}" for k, v in intent["slots"].items())
        con.print(f"\n[bold]{row['file']}[/]  {row['audio_s']:.2f} s audio, {row['wall_s']:.2f} s (RTF {row['rtf']:.2f})")
        con.print(f"  text   {row['text'] or '(nothing recognised)'}")
        con.print(f"  intent {intent['intent']} ({intent['confidence']:.2f}) {slots}".rstrip())
        for utt in row["utterances"]:
            alt = f"  alt: {' / '.join(utt['alternatives'])}" if utt["alternatives"] else ""
            con.print(f"  [{utt['start']:.2f}-{utt['end']:.2f}] {utt['source']} conf {utt['confidence']:.2f}{alt}")
        if row["words"]:
            table = Table(show_header=True, box=None, padding=(0, 1))
            for col in ("word", "start", "end", "conf"):
                table.add_column(col)
            for w in row["words"]:
                table.add_row(w["word"], f"{w['start']:.2f}", f"{w['end']:.2f}", f"{w['conf']:.2f}")
            con.print(table)
