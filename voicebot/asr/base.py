"""The recogniser contract every backend implements, and the result it produces.

One ``AsrEngine`` per process holds the shared model; each call gets its own ``Recognizer``
from ``engine.new_stream(sample_rate)``. A recogniser is blocking and single-threaded: call it
from one worker thread (``voicebot.asr.stream.RecognizerStream`` does that for asyncio code).

Times are seconds of stream audio since the recogniser was created (or last ``reset``), so they
line up with the call recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, runtime_checkable


class Word(NamedTuple):
    word: str
    start: float  # seconds of stream time
    end: float  # seconds of stream time
    conf: float  # 0..1


@dataclass(frozen=True)
class AsrResult:
    """A partial (words may still change) or a final result for one utterance."""

    text: str  # the chosen hypothesis; spaces only between non-Chinese words
    is_final: bool
    words: tuple[Word, ...] = ()
    confidence: float = 0.0  # 0..1; mean word confidence, or the backend's utterance score
    start: float = 0.0  # seconds of stream time of the utterance's first audio
    end: float = 0.0  # seconds of stream time of its last voiced audio
    source: str = ""  # which decoder produced ``text``: "free", "grammar" or "whisper"
    # other hypotheses kept as evidence, e.g. the free transcript when the grammar won
    alternatives: tuple[str, ...] = ()
    raw_text: str = ""  # the backend's text before normalisation
    info: dict[str, float] = field(default_factory=dict)  # timings etc., for logs and benchmarks

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "final": self.is_final,
            "confidence": round(self.confidence, 3),
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "source": self.source,
            "alternatives": list(self.alternatives),
            "raw_text": self.raw_text,
            "words": [
                {"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3), "conf": round(w.conf, 3)}
                for w in self.words
            ],
        }


@runtime_checkable
class Recognizer(Protocol):
    """Per-call streaming recogniser (blocking; run it in one worker thread)."""

    sample_rate: int  # Hertz of the PCM16 mono audio given to ``accept``

    def accept(self, pcm: bytes) -> list[AsrResult]:
        """Feed PCM16 mono audio of any length; returns partials and finals that became ready."""
        ...

    def flush(self) -> AsrResult | None:
        """End of input for now: finish the open utterance and return its final, if any."""
        ...

    def reset(self) -> None:
        """Drop the open utterance (e.g. the bot starts a new question); stream time goes on."""
        ...

    def set_hints(self, phrases: list[str] | None) -> None:
        """Phrases the current question expects (None: no expectation). Applies from the next
        utterance; backends without hint support ignore them."""
        ...

    def close(self) -> None:
        ...


@runtime_checkable
class AsrEngine(Protocol):
    """Holds the shared model; cheap per-call recognisers come from ``new_stream``."""

    name: str  # "vosk" | "whisper"
    model_name: str

    def new_stream(self, sample_rate: int) -> Recognizer:
        ...

    def close(self) -> None:
        ...


def join_words(words: list[str]) -> str:
    """Join recogniser tokens: no space between two Chinese characters, one space otherwise."""
    out = ""
    for w in words:
        if not w:
            continue
        if out and not (_is_cjk(out[-1]) and _is_cjk(w[0])):
            out += " "
        out += w
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def mean_conf(words: tuple[Word, ...] | list[Word]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0
