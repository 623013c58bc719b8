"""How intelligible the bot is: its prompts run through a recogniser, scored per prompt.

Character error rate (CER) is computed on the NLU's normal form of both sides (Simplified
characters, numerals spelled out, no punctuation or fillers); the toneless-pinyin error rate
counts a homophone as right (a listener who hears 保单 as 报单 still understood). Both are edit distance / reference length,
so a recogniser that hallucinates a long repetition can score above 1.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from voicebot.nlu.normalize import normalize_text, to_pinyin
from voicebot.prompts.render import PromptAudio

# (PCM16 mono bytes, sample rate) → recognised text
Transcribe = Callable[[bytes, int], str]


def normalize(text: str) -> str:
    """The NLU's normal form (Simplified, numerals spelled, no punctuation or fillers)."""
    return normalize_text(text)


def edit_distance(ref: list[str] | str, hyp: list[str] | str) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diag, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (r != h))
    return row[-1]


def cer(reference: str, heard: str) -> float:
    ref, hyp = normalize(reference), normalize(heard)
    return edit_distance(ref, hyp) / max(1, len(ref))


def pinyin_error_rate(reference: str, heard: str) -> float:
    ref, hyp = to_pinyin(normalize(reference)).split(), to_pinyin(normalize(heard)).split()
    return edit_distance(ref, hyp) / max(1, len(ref))


@dataclass(frozen=True)
class CheckRow:
    prompt_id: str
    text: str
    heard: str
    cer: float
    pinyin_error_rate: float
    duration_s: float
    source: str  # pack | cache | synth

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_prompt(audio: PromptAudio, transcribe: Transcribe) -> CheckRow:
    heard = transcribe(audio.pcm, audio.sample_rate)
    return CheckRow(audio.prompt_id, audio.text, heard, round(cer(audio.text, heard), 4),
                    round(pinyin_error_rate(audio.text, heard), 4), round(audio.duration_s, 3),
                    audio.source)


def check_prompts(audios: Iterable[PromptAudio], transcribe: Transcribe) -> list[CheckRow]:
    return [check_prompt(a, transcribe) for a in audios]


def summarize(rows: list[CheckRow]) -> dict[str, Any]:
    if not rows:
        return {"prompts": 0}
    cers = [r.cer for r in rows]
    pers = [r.pinyin_error_rate for r in rows]
    return {
        "prompts": len(rows),
        "cer_mean": round(statistics.fmean(cers), 4),
        "cer_median": round(statistics.median(cers), 4),
        "cer_mean_capped": round(statistics.fmean(min(1.0, c) for c in cers), 4),
        "pinyin_error_mean": round(statistics.fmean(pers), 4),
        "pinyin_error_median": round(statistics.median(pers), 4),
        "understood": sum(1 for c in cers if c <= 0.1),  # prompts heard nearly word for word
    }
