"""Whisper-base on the shared fixtures (a sample, to keep the suite fast), intent via the NLU."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from voicebot.asr.base import AsrResult
from voicebot.asr.whisper import WhisperEngine
from voicebot.audio.files import read_pcm16
from voicebot.audio.frames import frame_bytes, silence
from voicebot.nlu.intents import understand

from .conftest import FIXTURES, MANIFEST

# one clean and one degraded file for a spread of intents; chosen by rule, not by result
SAMPLE = [
    next(m for m in MANIFEST if m["intent"] == intent and (m["condition"] == "clean") == clean)
    for intent in ("affirm", "deny", "do_not_call")
    for clean in (True, False)
]


def transcribe(engine: WhisperEngine, pcm: bytes, rate: int = 8000) -> list[AsrResult]:
    rec = engine.new_stream(rate)
    out: list[AsrResult] = []
    for i in range(0, len(pcm), frame_bytes(rate)):
        out += rec.accept(pcm[i : i + frame_bytes(rate)])
    last = rec.flush()
    return out + ([last] if last else [])


@pytest.mark.slow
def test_fixture_sample_gives_the_manifest_intent(whisper_engine: WhisperEngine) -> None:
    hits = []
    for item in SAMPLE:
        results = transcribe(whisper_engine, read_pcm16(FIXTURES / str(item["file"]), 8000))
        assert results and not results[0].is_final and results[0].text == ""  # speech-start partial
        finals = [r for r in results if r.is_final]
        assert finals and all(r.source == "whisper" for r in finals)
        text = "，".join(r.raw_text for r in finals)
        hits.append(understand(text).intent == item["intent"])
    assert sum(hits) >= 5, f"{sum(hits)}/{len(SAMPLE)} intents right"


@pytest.mark.slow
def test_final_is_normalised_with_words_in_stream_time(whisper_engine: WhisperEngine) -> None:
    pcm = silence(8000, 2000) + read_pcm16(FIXTURES / "id_digits_01.wav", 8000)
    (final,) = [r for r in transcribe(whisper_engine, pcm) if r.is_final]
    assert final.text and not any(ch.isdigit() for ch in final.text)  # Arabic digits spelled out
    assert final.words and all(1.5 <= w.start <= w.end <= len(pcm) / 16000 + 0.1 for w in final.words)
    assert 0.0 < final.confidence <= 1.0


@pytest.mark.slow
def test_line_noise_gives_nothing(whisper_engine: WhisperEngine) -> None:
    for item in [m for m in MANIFEST if m["intent"] == "silence"]:
        assert transcribe(whisper_engine, read_pcm16(FIXTURES / str(item["file"]), 8000)) == []


@pytest.mark.slow
def test_noise_forced_past_the_vad_is_not_turned_into_text(whisper_engine: WhisperEngine) -> None:
    noise = (np.random.default_rng(3).standard_normal(16000 * 3) * 6000).astype("<i2").tobytes()
    result = whisper_engine.transcribe(noise)
    assert result.is_final and result.text == ""


@dataclass
class FakeSegment:
    """Test double with the fields of a faster-whisper segment that the gate reads."""

    no_speech_prob: float = 0.1
    avg_logprob: float = -0.3
    compression_ratio: float = 1.2


def test_hallucination_gate_rules(whisper_engine: WhisperEngine) -> None:
    gate = whisper_engine._reject
    assert gate([FakeSegment()], "不是", 1.0) == ""
    assert gate([FakeSegment(no_speech_prob=0.9, avg_logprob=-1.5)], "作词", 1.0) == "no speech"
    assert gate([FakeSegment(compression_ratio=3.0)], "作曲作曲作曲作曲", 1.0) == "repetitive"
    assert "characters" in gate([FakeSegment()], "字" * 40, 2.0)
