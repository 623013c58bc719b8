"""Sample-rate conversion of PCM16 bytes with soxr (a maintained, band-limited resampler).

``resample`` converts a whole clip. ``Resampler`` converts a stream chunk by chunk and keeps
the filter state between chunks, so 20 ms frames join without clicks at the frame edges.
"""

from __future__ import annotations

import numpy as np
import soxr

QUALITY = "HQ"  # soxr 'high quality': plenty for speech, cheaper than VHQ


def _to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples (int16 scale) → PCM16 bytes, rounded and clipped.

    soxr is fed float32, not int16: for integer output libsoxr adds random TPDF dither, so the
    same audio would come out different on every run and a recogniser could hear it differently.
    """
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def _check(rate: int, name: str) -> None:
    if not isinstance(rate, int) or rate <= 0:
        raise ValueError(f"{name} must be a positive integer in Hertz, got {rate!r}")


def resample(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Resample a whole PCM16 mono clip from ``src_rate`` to ``dst_rate`` Hertz."""
    _check(src_rate, "src_rate")
    _check(dst_rate, "dst_rate")
    if len(pcm) % 2:
        raise ValueError(f"PCM16 data must have an even byte count, got {len(pcm)}")
    if src_rate == dst_rate or not pcm:
        return bytes(pcm)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    return _to_pcm16(soxr.resample(samples, src_rate, dst_rate, quality=QUALITY))


class Resampler:
    """Streaming PCM16 resampler for one audio stream (not shared between calls)."""

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        _check(src_rate, "src_rate")
        _check(dst_rate, "dst_rate")
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self._stream: soxr.ResampleStream | None = None
        self._odd = b""  # a trailing half sample kept for the next chunk
        if src_rate != dst_rate:
            self._stream = soxr.ResampleStream(src_rate, dst_rate, 1, dtype="float32", quality=QUALITY)

    def process(self, pcm: bytes, *, last: bool = False) -> bytes:
        """Feed a chunk; returns what is ready (a little is held back in the filter until ``last``)."""
        data = self._odd + pcm
        cut = len(data) - len(data) % 2
        data, self._odd = data[:cut], data[cut:]
        if self._stream is None:
            return data
        samples = np.frombuffer(data, dtype="<i2").astype(np.float32)
        return _to_pcm16(self._stream.resample_chunk(samples, last=last))

    def flush(self) -> bytes:
        """Return the samples still held in the filter; the stream is finished afterwards."""
        out = self.process(b"", last=True)
        self.reset()
        return out

    def reset(self) -> None:
        self._odd = b""
        if self._stream is not None:
            self._stream = soxr.ResampleStream(
                self.src_rate, self.dst_rate, 1, dtype="float32", quality=QUALITY
            )
