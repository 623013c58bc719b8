"""Scores for replay reports: character error rate and an intent confusion matrix.

CER compares what the recogniser heard with the reference text after both are brought to one
form: Traditional → Simplified (Whisper often answers in Traditional), Arabic digits → Chinese
digits one by one, 幺 → 一, punctuation, spaces and hesitation fillers removed (they carry no
answer and the references spell them inconsistently). CER = edit distance / reference length;
it can exceed 1 when the recogniser invents text.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import zhconv

FILLERS = set("嗯啊呃哦噢唉诶欸哎喂")
_DIGITS = str.maketrans("0123456789幺", "零一二三四五六七八九一")


def normalize(text: str) -> str:
    simplified = zhconv.convert(text or "", "zh-cn").translate(_DIGITS).upper()
    out = []
    for ch in simplified:
        cat = unicodedata.category(ch)
        if cat[0] in "PZC" or ch in FILLERS or cat == "Sk":
            continue
        out.append(ch)
    return "".join(out)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@dataclass(frozen=True)
class CerScore:
    errors: int
    ref_chars: int

    @property
    def cer(self) -> float | None:
        if self.ref_chars == 0:
            return None if self.errors == 0 else float(self.errors)
        return self.errors / self.ref_chars


def cer(reference: str, hypothesis: str) -> CerScore:
    ref, hyp = normalize(reference), normalize(hypothesis)
    return CerScore(edit_distance(ref, hyp), len(ref))


def pooled_cer(scores: Iterable[CerScore]) -> float | None:
    """Total errors over total reference characters (long answers weigh more, as they should)."""
    items = list(scores)
    chars = sum(s.ref_chars for s in items)
    return sum(s.errors for s in items) / chars if chars else None


@dataclass
class Confusion:
    """Expected intent (rows) against recognised intent (columns)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, expected: str, got: str) -> None:
        self.counts[(expected, got)] += 1

    @property
    def labels(self) -> list[str]:
        seen = {e for e, _ in self.counts} | {g for _, g in self.counts}
        return sorted(seen)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def correct(self) -> int:
        return sum(n for (e, g), n in self.counts.items() if e == g)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def matrix(self) -> list[list[int]]:
        labels = self.labels
        return [[self.counts[(e, g)] for g in labels] for e in labels]

    def to_dict(self) -> dict[str, object]:
        return {"labels": self.labels, "matrix": self.matrix(), "total": self.total,
                "correct": self.correct, "accuracy": self.accuracy}
