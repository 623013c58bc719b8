"""A stereo call recording streamed to disk: caller on the left channel, bot on the right.

Both channels share one clock (ms since the call started). Audio written for a time lands at
that time; whatever a side did not say is silence, so the two channels stay aligned. Frames
are written to the WAV file at least every ``flush_ms`` of audio (a crash loses at most that
plus ``hold_ms``); the last ``hold_ms`` stay in memory so a slightly late chunk of the other
channel still lands at its true time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from voicebot.errors import AudioError

CALLER, BOT = 0, 1
_CONTIGUOUS_MS = 60  # a chunk this close after a channel's end is taken as continuous


class StereoRecorder:
    def __init__(self, path: Path, sample_rate: int = 8000, *, flush_ms: int = 500,
                 hold_ms: int = 200, clock: Callable[[], int] | None = None) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self._clock = clock
        self._flush = flush_ms * sample_rate // 1000
        self._hold = hold_ms * sample_rate // 1000
        self._file = sf.SoundFile(str(path), "w", samplerate=sample_rate, channels=2,
                                  format="WAV", subtype="PCM_16")
        self._written = 0  # frames already in the file
        self._end = [0, 0]  # per channel: frame where its audio so far ends
        self._buf: npt.NDArray[np.int16] = np.zeros((sample_rate, 2), np.int16)
        self.closed = False

    @property
    def frames(self) -> int:
        return max(self._end[CALLER], self._end[BOT], self._written)

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate

    def write_caller(self, pcm: bytes, at_ms: int | None = None) -> None:
        """PCM16 mono little-endian at ``sample_rate``; ``at_ms`` = when it started."""
        self._write(CALLER, pcm, at_ms)

    def write_bot(self, pcm: bytes, at_ms: int | None = None) -> None:
        self._write(BOT, pcm, at_ms)

    def _start_frame(self, ch: int, n: int, at_ms: int | None) -> int:
        end = self._end[ch]
        if at_ms is None:
            if self._clock is None:
                return end  # no clock: the chunk follows the channel's previous audio
            at_ms = self._clock() - n * 1000 // self.sample_rate  # it just arrived / was sent
            if at_ms * self.sample_rate // 1000 <= end + _CONTIGUOUS_MS * self.sample_rate // 1000:
                return end
        start = max(at_ms, 0) * self.sample_rate // 1000
        # Never overwrite this channel's own audio nor what is already on disk (late chunks
        # shift by at most the jitter instead of being lost).
        return max(start, end, self._written)

    def _write(self, ch: int, pcm: bytes, at_ms: int | None) -> None:
        if self.closed:
            raise AudioError("the recording is closed", hint="write audio before close()")
        if len(pcm) % 2:
            raise AudioError(f"PCM16 chunk of odd length {len(pcm)}", hint="send whole samples")
        samples = np.frombuffer(pcm, "<i2")
        start = self._start_frame(ch, samples.size, at_ms)
        lo, hi = start - self._written, start - self._written + samples.size
        if hi > self._buf.shape[0]:
            grown = np.zeros((max(hi, 2 * self._buf.shape[0]), 2), np.int16)
            grown[: self._buf.shape[0]] = self._buf
            self._buf = grown
        self._buf[lo:hi, ch] = samples
        self._end[ch] = start + samples.size
        if self.frames - self._written >= self._flush + self._hold:
            self._emit(self.frames - self._hold)

    def _emit(self, upto: int) -> None:
        """Write frames up to absolute frame ``upto`` and sync the file (header updated)."""
        k = upto - self._written
        if k <= 0:
            return
        self._file.write(self._buf[:k])
        self._file.flush()
        rest = np.zeros_like(self._buf)
        rest[: self._buf.shape[0] - k] = self._buf[k:]
        self._buf = rest
        self._written = upto

    def flush(self) -> None:
        """Write what is safe to write now (all but the hold-back)."""
        self._emit(self.frames - self._hold)

    def close(self) -> int:
        """Write everything and close; returns the number of frames."""
        if not self.closed:
            self._emit(self.frames)
            self._file.close()
            self.closed = True
        return self._written
