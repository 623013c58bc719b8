"""`voicebot replay PATH`: replay recorded calls, fixture audio or scenarios offline and report
transcripts, intents and outcomes, with pass/fail where an expectation exists."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from voicebot.cli.common import add_json_flag, emit, progress, settings_from


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "replay", help="replay calls, fixtures or scenarios and report the differences",
        description="PATH is a scenarios .json, an audio file, a folder of audio files (with an "
                    "optional manifest.json of expected text and intent), a call's evidence "
                    "folder, or a call id from the evidence store.")
    p.add_argument("path")
    p.add_argument("--backend", choices=["whisper", "vosk", "text"],
                   help="recogniser (default: the asr.backend setting); text replays the "
                        "reference transcripts instead of audio (perfect recognition)")
    p.add_argument("--script", help="replay with this script (name or .toml path) instead of "
                                    "the one each item names")
    p.add_argument("--keep-evidence", type=Path, metavar="DIR",
                   help="keep the replayed calls' evidence (recordings, transcripts, sealed "
                        "manifests and their own database) in DIR; by default it goes to a "
                        "temporary folder and never into the evidence store")
    p.add_argument("--driver", choices=["session", "direct"], default="session",
                   help="session (default): audio goes through the live call session on a "
                        "virtual clock; direct: recogniser and dialog without the session")
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    p.add_argument("--report", type=Path, metavar="FILE.html",
                   help="write the HTML report here, and the JSON beside it (FILE.json)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voicebot.qa.batch import default_jobs, iter_batch
    from voicebot.qa.drivers import make_spec
    from voicebot.qa.model import ItemResult
    from voicebot.qa.report import Report, write
    from voicebot.qa.sources import resolve

    settings = settings_from(args)
    backend = args.backend or settings.asr.backend
    items = resolve(args.path, settings, args.script)
    # Text replay is cheaper than starting worker processes.
    jobs = args.jobs or (1 if backend == "text" else default_jobs(len(items)))
    spec = make_spec(settings, backend, keep_evidence=args.keep_evidence,
                     direct=args.driver == "direct")
    results: dict[int, ItemResult] = {}
    started = time.perf_counter()
    for index, result in progress(iter_batch(items, spec, jobs), len(items),
                                  f"replaying {len(items)} item(s)", quiet=args.json):
        results[index] = result
    report = Report(args.path, backend, [results[i] for i in range(len(items))],
                    time.perf_counter() - started, jobs,
                    driver=spec.label, script=args.script or "")
    html = args.report
    data = write(report, html.with_suffix(".json") if html else None, html)

    def human(c: Console) -> None:
        table = Table("status", "item", "outcome", "expected", "problems", "differences")
        colour = {"pass": "green", "fail": "red", "error": "bold red", "unchecked": "dim"}
        for r in data["items"]:
            table.add_row(f"[{colour[r['status']]}]{r['status']}[/]", r["name"], r["outcome"] or "",
                          r["expected_outcome"] or "", ",".join(map(str, r["problem_items"])),
                          " ".join(r["differences"]) or (r["error"] or ""))
        c.print(table)
        s = data["summary"]
        cer = "—" if s["cer"] is None else f"{100 * s['cer']:.1f}%"
        acc = "—" if s["intent_accuracy"] is None else f"{100 * s['intent_accuracy']:.1f}%"
        c.print(f"{s['passed']} passed, {s['failed']} failed, {s['errors']} errors, "
                f"{s['unchecked']} unchecked · CER {cer} over {s['cer_answers']} answers · "
                f"intent accuracy {acc} · {s['audio_s']} s of audio in {data['wall_s']} s "
                f"({data['speed_x']}×, {jobs} worker(s), {backend})")
        if args.keep_evidence and backend != "text":
            c.print(f"evidence: {args.keep_evidence} (verify: VOICEBOT_DATA_DIR={args.keep_evidence} "
                    "voicebot evidence verify)")
        if html:
            c.print(f"report: {html} and {html.with_suffix('.json')}")

    emit(args, data, human)
    return 0 if report.ok else 1
