"""Reading audio files of any common format and rate into PCM16 mono at a chosen rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from shared_fixtures import ZH_CALLERS

from voicebot.audio.files import audio_info, read_pcm16, write_wav
from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.errors import AudioError

FIXTURES = ZH_CALLERS


def _tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (9000 * np.sin(2 * np.pi * 500 * t)).astype("<i2")


def test_ulaw_wav_is_decoded(tmp_path: Path) -> None:
    x = _tone(8000)
    path = write_wav(tmp_path / "mulaw.wav", x.tobytes(), 8000, encoding="ULAW")
    assert audio_info(path)["subtype"] == "ULAW"
    pcm = read_pcm16(path, 8000)
    # every decoded sample is a μ-law code point, and the clip is the tone within a step
    assert ulaw_decode(ulaw_encode(pcm)) == pcm
    assert np.abs(np.frombuffer(pcm, "<i2").astype(int) - x).max() < 9000 / 16


@pytest.mark.parametrize(("fmt", "subtype", "ext"), [("FLAC", "PCM_16", "flac"), ("OGG", "VORBIS", "ogg"), ("WAV", "FLOAT", "wav"), ("WAV", "ALAW", "wav")])
def test_formats_and_rates(tmp_path: Path, fmt: str, subtype: str, ext: str) -> None:
    x = _tone(44100)
    path = tmp_path / f"clip.{ext}"
    sf.write(str(path), x, 44100, format=fmt, subtype=subtype)
    pcm = read_pcm16(path, 16000)
    assert abs(len(pcm) // 2 - 8000) <= 2


def test_stereo_is_mixed_down(tmp_path: Path) -> None:
    x = _tone(16000)
    stereo = np.stack([x, np.zeros_like(x)], axis=1)
    sf.write(str(tmp_path / "s.wav"), stereo, 16000)
    pcm = np.frombuffer(read_pcm16(tmp_path / "s.wav", 16000), "<i2")
    assert np.abs(pcm.astype(int) - x // 2).max() <= 1


def test_fixture_is_read_at_8k_and_16k() -> None:
    path = FIXTURES / "affirm_02.wav"
    assert len(read_pcm16(path, 8000)) == sf.info(str(path)).frames * 2
    assert abs(len(read_pcm16(path, 16000)) - sf.info(str(path)).frames * 4) <= 4


def test_bad_files_name_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF not really a wave file")
    with pytest.raises(AudioError) as err:
        read_pcm16(junk)
    assert "junk.wav" in str(err.value) and err.value.hint
    with pytest.raises(AudioError, match="not found"):
        read_pcm16(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    sf.write(str(empty), np.zeros(0, dtype="<i2"), 8000)
    with pytest.raises(AudioError, match="no samples"):
        read_pcm16(empty)
