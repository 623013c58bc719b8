"""Measure intent accuracy on a labelled corpus (JSONL) or the shared fixture manifest.

An item is right when the intent matches and every expected slot has the expected value.
Corpus lines: {"text", "intent", "expect": AnswerKind value or null, "slots": {...}}.
Callback times in the corpus are resolved relative to ``CORPUS_NOW`` (a Monday, 10:00).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from voicebot.errors import VoicebotError
from voicebot.nlu.intents import understand, warm_up
from voicebot.nlu.types import AnswerKind, Expectation, Intent

CORPUS_NOW = datetime(2026, 3, 2, 10, 0)
SLOT_INTENTS = {"id_digits": AnswerKind.ID_DIGITS, "birth_date": AnswerKind.BIRTH_DATE}


class CorpusError(VoicebotError):
    """A corpus or manifest file is missing or has a bad line."""

    code = "VB251"


@dataclass(frozen=True)
class Item:
    text: str
    intent: str
    kind: AnswerKind | None
    slots: dict[str, str]
    source: str  # file:line or manifest file name


@dataclass
class Report:
    name: str
    total: int = 0
    correct: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[dict[str, object]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # per understand() call, after warm-up

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def timing_ms(self) -> dict[str, float]:
        if not self.seconds:
            return {"p50": 0.0, "p95": 0.0, "max": 0.0}
        ms = sorted(s * 1000 for s in self.seconds)
        return {"p50": round(statistics.median(ms), 3),
                "p95": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 3),
                "max": round(ms[-1], 3)}

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "total": self.total, "correct": self.correct,
            "accuracy": round(self.accuracy, 4), "timing_ms": self.timing_ms(),
            "confusion": [{"expected": e, "got": g, "count": n}
                          for (e, g), n in sorted(self.confusion.items())],
            "failures": self.failures,
        }


def load_corpus(path: Path) -> list[Item]:
    if not path.is_file():
        raise CorpusError(f"corpus {path} not found", hint="pass --corpus with a JSONL file")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            kind = AnswerKind(row["expect"]) if row.get("expect") else None
            Intent(row["intent"])
            items.append(Item(row["text"], row["intent"], kind, dict(row.get("slots") or {}),
                              f"{path.name}:{n}"))
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}:{n}: bad corpus line ({exc})",
                              hint="each line needs text, intent, expect, slots") from exc
    return items


def manifest_kind(entry: dict[str, object], identity_files: set[str]) -> AnswerKind:
    """The question an item is evaluated at (the choice is documented in the script's help)."""
    intent = str(entry["intent"])
    if intent in SLOT_INTENTS:
        return SLOT_INTENTS[intent]
    if intent == "wrong_person" or entry["file"] in identity_files:
        return AnswerKind.IDENTITY
    return AnswerKind.YES_NO


def load_manifest(path: Path, field_name: str = "text") -> list[Item]:
    if not path.is_file():
        raise CorpusError(f"manifest {path} not found", hint="pass --manifest PATH")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"manifest {path} is not JSON: {exc}", hint="check the file") from exc
    identity_files = _identity_files(path.with_name("scenarios.json"))
    return [
        Item(str(e.get(field_name) or ""), str(e["intent"]), manifest_kind(e, identity_files),
             dict(e.get("slots") or {}), str(e["file"]))
        for e in entries
    ]


def _identity_files(scenarios: Path) -> set[str]:
    """Files the scenarios play as the answer to 'are you the policyholder?' (question 1)."""
    if not scenarios.is_file():
        return set()
    files = set()
    for scenario in json.loads(scenarios.read_text(encoding="utf-8")):
        for turn in scenario.get("turns", []):
            if turn.get("question") == 1 and "step" not in turn:
                files.add(turn["file"])
    return files


def evaluate(name: str, items: Iterable[Item], now: datetime | None = CORPUS_NOW) -> Report:
    report = Report(name)
    warm_up()
    for item in items:
        expect = Expectation(kind=item.kind) if item.kind else None
        start = time.perf_counter()
        got = understand(item.text, expect, now=now)
        report.seconds.append(time.perf_counter() - start)
        slots_ok = all(got.slots.get(k) == v for k, v in item.slots.items())
        ok = got.intent.value == item.intent and slots_ok
        report.total += 1
        report.correct += ok
        report.confusion[(item.intent, got.intent.value)] += 1
        if not ok:
            report.failures.append({
                "source": item.source, "text": item.text, "expect": item.kind and item.kind.value,
                "expected": item.intent, "got": got.intent.value, "confidence": got.confidence,
                "expected_slots": item.slots, "slots": got.slots,
            })
    return report
