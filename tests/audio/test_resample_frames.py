"""Resampling keeps the signal and removes aliasing; framing splits and joins exactly."""

from __future__ import annotations

import numpy as np
import pytest

from voicebot.audio.frames import (
    FrameBuffer,
    duration_s,
    frame_bytes,
    frame_samples,
    silence,
    split_frames,
)
from voicebot.audio.resample import Resampler, resample


def _tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype("<i2")


def _power_at(x: np.ndarray, rate: int, freq: float) -> float:
    spec = np.abs(np.fft.rfft(x.astype(float) * np.hanning(len(x))))
    bins = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spec[np.argmin(np.abs(bins - freq))])


@pytest.mark.parametrize(("src", "dst"), [(8000, 16000), (16000, 8000), (8000, 24000), (24000, 8000), (16000, 24000), (24000, 16000), (8000, 44100)])
def test_tone_survives_resampling(src: int, dst: int) -> None:
    x = _tone(1000, src)
    y = np.frombuffer(resample(x.tobytes(), src, dst), "<i2")
    assert abs(len(y) - len(x) * dst / src) <= 2
    ref = _tone(1000, dst)[: len(y)]
    core = slice(dst // 10, -dst // 10)  # ignore filter edges
    err = y[core].astype(float) - ref[core]
    snr = 10 * np.log10(np.sum(ref[core].astype(float) ** 2) / max(np.sum(err**2), 1e-9))  # exact output: no error at all
    assert snr > 40


def test_downsampling_removes_frequencies_above_nyquist() -> None:
    x = _tone(6000, 16000)  # above 4 kHz: a naive decimator would fold it to 2 kHz
    y = np.frombuffer(resample(x.tobytes(), 16000, 8000), "<i2")
    assert np.abs(y[400:-400].astype(float)).max() < 200  # >30 dB down (edges hold the onset click)


def test_streaming_resampler_matches_whole_clip() -> None:
    x = _tone(440, 8000, 2.0).tobytes()
    rs = Resampler(8000, 16000)
    out = b"".join(rs.process(f) for f in split_frames(x, 8000)) + rs.flush()
    whole = resample(x, 8000, 16000)
    a, b = np.frombuffer(out, "<i2").astype(float), np.frombuffer(whole, "<i2").astype(float)
    assert abs(len(a) - len(b)) <= 2
    n = min(len(a), len(b))
    assert np.abs(a[1000 : n - 1000] - b[1000 : n - 1000]).max() < 50


def test_streaming_resampler_handles_odd_chunks_and_same_rate() -> None:
    x = _tone(440, 16000, 0.5).tobytes()
    same = Resampler(16000, 16000)
    assert b"".join(same.process(x[i : i + 333]) for i in range(0, len(x), 333)) == x
    rs = Resampler(16000, 8000)
    out = b"".join(rs.process(x[i : i + 333]) for i in range(0, len(x), 333)) + rs.flush()
    assert abs(len(out) // 2 - len(x) // 4) <= 2


def test_resample_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        resample(b"\x00", 8000, 16000)
    with pytest.raises(ValueError):
        resample(b"\x00\x00", 0, 16000)
    assert resample(b"", 8000, 16000) == b""


def test_frame_sizes() -> None:
    assert [frame_samples(r) for r in (8000, 16000, 24000, 48000)] == [160, 320, 480, 960]
    assert frame_bytes(8000) == 320 and frame_bytes(16000, 10) == 320
    assert silence(8000) == bytes(320) and len(silence(16000, 100)) == 3200
    assert duration_s(bytes(32000), 16000) == 1.0
    with pytest.raises(ValueError):
        frame_samples(44100, 1)  # 44.1 samples


def test_split_frames_and_buffer() -> None:
    pcm = bytes(range(256)) * 5  # 1280 bytes = 4 frames at 8 kHz
    assert len(split_frames(pcm + b"\x01\x02", 8000)) == 4
    padded = split_frames(pcm + b"\x01\x02", 8000, pad=True)
    assert len(padded) == 5 and padded[-1] == b"\x01\x02" + bytes(318)
    buf = FrameBuffer(8000)
    frames: list[bytes] = []
    for i in range(0, len(pcm) + 2, 100):
        frames += buf.push((pcm + b"\x01\x02")[i : i + 100])
    assert b"".join(frames) == pcm and len(buf) == 2
    assert buf.flush() == b"\x01\x02" + bytes(318)
    assert buf.flush() is None
