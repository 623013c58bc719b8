"""20 ms framing of PCM16 mono audio, the unit every gateway, VAD and recogniser here uses."""

from __future__ import annotations

FRAME_MS = 20
SAMPLE_WIDTH = 2  # bytes per PCM16 sample


def frame_samples(sample_rate: int, ms: int = FRAME_MS) -> int:
    """Samples in one frame: 160 at 8 kHz, 320 at 16 kHz, 480 at 24 kHz for 20 ms."""
    if sample_rate <= 0 or ms <= 0:
        raise ValueError(f"sample_rate and ms must be positive, got {sample_rate}, {ms}")
    samples, rest = divmod(sample_rate * ms, 1000)
    if rest:
        raise ValueError(f"{ms} ms at {sample_rate} Hz is not a whole number of samples")
    return samples


def frame_bytes(sample_rate: int, ms: int = FRAME_MS) -> int:
    """Bytes of PCM16 in one frame: 320 at 8 kHz, 640 at 16 kHz for 20 ms."""
    return frame_samples(sample_rate, ms) * SAMPLE_WIDTH


def silence(sample_rate: int, ms: int = FRAME_MS) -> bytes:
    """PCM16 digital silence lasting ``ms`` milliseconds."""
    return bytes(frame_bytes(sample_rate, ms))


def duration_s(pcm: bytes, sample_rate: int) -> float:
    return len(pcm) / (SAMPLE_WIDTH * sample_rate)


def split_frames(pcm: bytes, sample_rate: int, ms: int = FRAME_MS, *, pad: bool = False) -> list[bytes]:
    """Cut a clip into whole frames; the last partial frame is dropped, or zero-padded with ``pad``."""
    size = frame_bytes(sample_rate, ms)
    frames = [pcm[i : i + size] for i in range(0, len(pcm), size)]
    if frames and len(frames[-1]) < size:
        if pad:
            frames[-1] = frames[-1] + bytes(size - len(frames[-1]))
        else:
            frames.pop()
    return frames


class FrameBuffer:
    """Turns chunks of any size into exact frames, keeping the remainder for the next chunk."""

    def __init__(self, sample_rate: int, ms: int = FRAME_MS) -> None:
        self.sample_rate = sample_rate
        self.size = frame_bytes(sample_rate, ms)
        self._buf = bytearray()

    def push(self, pcm: bytes) -> list[bytes]:
        self._buf += pcm
        whole = len(self._buf) - len(self._buf) % self.size
        if not whole:
            return []
        out = [bytes(self._buf[i : i + self.size]) for i in range(0, whole, self.size)]
        del self._buf[:whole]
        return out

    def flush(self, *, pad: bool = True) -> bytes | None:
        """The leftover partial frame (zero-padded with ``pad``), or None when there is none."""
        if not self._buf:
            return None
        rest = bytes(self._buf)
        self._buf.clear()
        return rest + bytes(self.size - len(rest)) if pad else rest

    def __len__(self) -> int:
        return len(self._buf)
