"""Voice activity: which 20 ms frames hold speech, and where an utterance starts and ends.

``VoiceDetector`` asks webrtcvad and also requires the frame to stand clearly above an adaptive
noise floor. webrtcvad alone calls a lot of telephone line noise "speech" (it is tuned for
sensitivity); the floor, tracked as a running minimum of frame energy, removes stationary noise
at any level while speech at 10 dB SNR still clears it. A fixed absolute floor drops frames
too quiet to be speech on a phone line at all.

``Endpointer`` turns per-frame decisions into utterances: speech starts after enough voiced
frames within a short window, ends after a configurable trailing silence or at a maximum length,
and keeps a little audio from before the start so the first syllable is not clipped.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass

import numpy as np
import webrtcvad

from voicebot.audio.frames import FRAME_MS, FrameBuffer, frame_bytes
from voicebot.audio.resample import Resampler

_VAD_RATES = (8000, 16000, 32000, 48000)


def frame_dbfs(frame: bytes) -> float:
    """RMS level of a PCM16 frame in dB relative to full scale (-100 for digital silence)."""
    x = np.frombuffer(frame, dtype="<i2").astype(np.float64)
    if not len(x):
        return -100.0
    rms = math.sqrt(float(np.mean(x * x)))
    return 20 * math.log10(rms / 32768) if rms > 0 else -100.0


@dataclass
class VadConfig:
    aggressiveness: int = 2  # webrtcvad mode 0..3 (3 = most eager to call frames non-speech)
    margin_db: float = 5.0  # a speech frame must be this far above the noise floor
    min_dbfs: float = -48.0  # quieter than this is never speech on a phone line
    floor_window_s: float = 4.0  # running-minimum window of the noise floor
    floor_bias_db: float = 2.0  # the minimum of noisy frames sits below their mean


class VoiceDetector:
    """Per-frame speech/non-speech for one audio stream (keeps state: do not share)."""

    def __init__(self, sample_rate: int, config: VadConfig | None = None) -> None:
        self.sample_rate = sample_rate
        self.config = config or VadConfig()
        self.frame_size = frame_bytes(sample_rate)
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        vad_rate = sample_rate if sample_rate in _VAD_RATES else 16000
        self._vad_rate = vad_rate
        self._to_vad = Resampler(sample_rate, vad_rate) if vad_rate != sample_rate else None
        self._pending = b""
        self._energies: collections.deque[float] = collections.deque(
            maxlen=max(1, int(self.config.floor_window_s * 1000 / FRAME_MS))
        )
        self.last_dbfs = -100.0

    @property
    def noise_floor_dbfs(self) -> float:
        if not self._energies:
            return self.config.min_dbfs
        return min(self._energies) + self.config.floor_bias_db

    def is_speech(self, frame: bytes) -> bool:
        if len(frame) != self.frame_size:
            raise ValueError(f"expected a {FRAME_MS} ms frame of {self.frame_size} bytes, got {len(frame)}")
        level = frame_dbfs(frame)
        self.last_dbfs = level
        # judged against the floor before this frame joins it; the very first frame has no
        # floor to compare with and is taken as noise
        floor = self.noise_floor_dbfs if self._energies else level
        self._energies.append(level)
        voiced = self._webrtc(frame)
        return voiced and level >= self.config.min_dbfs and level >= floor + self.config.margin_db

    def _webrtc(self, frame: bytes) -> bool:
        if self._to_vad is None:
            return bool(self._vad.is_speech(frame, self.sample_rate))
        self._pending += self._to_vad.process(frame)
        size = frame_bytes(self._vad_rate)
        if len(self._pending) < size:
            return False
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return bool(self._vad.is_speech(chunk, self._vad_rate))

    def reset(self) -> None:
        self._energies.clear()
        self._pending = b""
        if self._to_vad is not None:
            self._to_vad.reset()


@dataclass
class EndpointConfig:
    start_ms: int = 100  # voiced time needed within start_window_ms to call it speech
    start_window_ms: int = 200
    end_silence_ms: int = 800  # trailing silence that ends an utterance
    max_utterance_s: float = 15.0
    pre_roll_ms: int = 200  # audio kept from before the detected start
    keep_trailing_ms: int = 0  # trailing silence kept in the end event's audio (Whisper likes some)


@dataclass(frozen=True)
class EndpointEvent:
    kind: str  # "start" | "end"
    time_s: float  # stream time of the event (start: first voiced frame; end: last voiced frame end)
    # start: the utterance audio so far (pre-roll included);
    # end: the whole utterance, pre-roll included, trailing silence excluded
    audio: bytes = b""
    reason: str = ""  # end only: "silence" | "max_length" | "flush"


class Endpointer:
    """Finds utterances in a stream of PCM16 chunks of any size (frames are cut internally)."""

    def __init__(
        self,
        sample_rate: int,
        config: EndpointConfig | None = None,
        detector: VoiceDetector | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.config = config or EndpointConfig()
        self.detector = detector or VoiceDetector(sample_rate)
        self._frames = FrameBuffer(sample_rate)
        self._window: collections.deque[tuple[bytes, bool]] = collections.deque(
            maxlen=max(1, self.config.start_window_ms // FRAME_MS)
        )
        self._pre: collections.deque[bytes] = collections.deque(
            maxlen=max(1, (self.config.pre_roll_ms + self.config.start_window_ms) // FRAME_MS)
        )
        self._utt = bytearray()
        self._silent_frames = 0
        self._index = 0  # frames seen
        self._start_index = 0
        self.in_speech = False

    @property
    def time_s(self) -> float:
        """Stream time after the frames seen so far."""
        return self._index * FRAME_MS / 1000

    def push(self, pcm: bytes) -> list[EndpointEvent]:
        events: list[EndpointEvent] = []
        for frame in self._frames.push(pcm):
            event = self.push_frame(frame)
            if event is not None:
                events.append(event)
        return events

    def push_frame(self, frame: bytes) -> EndpointEvent | None:
        """Feed exactly one frame. A "start" event carries the utterance audio so far (pre-roll
        included): a streaming consumer feeds that, then every frame until "end"."""
        voiced = self.detector.is_speech(frame)
        self._index += 1
        if not self.in_speech:
            self._pre.append(frame)
            self._window.append((frame, voiced))
            needed = max(1, self.config.start_ms // FRAME_MS)
            if sum(v for _, v in self._window) < needed:
                return None
            first_voiced = next(i for i, (_, v) in enumerate(self._window) if v)
            start = self._index - len(self._window) + first_voiced
            keep = min(len(self._pre), len(self._window) - first_voiced + self.config.pre_roll_ms // FRAME_MS)
            self._utt = bytearray(b"".join(list(self._pre)[-keep:]))
            self._start_index = start
            self._silent_frames = 0
            self.in_speech = True
            self._window.clear()
            return EndpointEvent("start", start * FRAME_MS / 1000, bytes(self._utt))
        self._utt += frame
        self._silent_frames = 0 if voiced else self._silent_frames + 1
        if self._silent_frames * FRAME_MS >= self.config.end_silence_ms:
            return self._end("silence")
        if (self._index - self._start_index) * FRAME_MS >= self.config.max_utterance_s * 1000:
            return self._end("max_length")
        return None

    def _end(self, reason: str) -> EndpointEvent:
        keep = min(self._silent_frames, self.config.keep_trailing_ms // FRAME_MS)
        trailing = (self._silent_frames - keep) * self._frames.size
        audio = bytes(self._utt[: len(self._utt) - trailing] if trailing else self._utt)
        end_s = (self._index - self._silent_frames) * FRAME_MS / 1000
        self.in_speech = False
        self._utt = bytearray()
        self._silent_frames = 0
        self._pre.clear()
        return EndpointEvent("end", end_s, audio, reason)

    def flush(self) -> EndpointEvent | None:
        """End of stream: close an open utterance (reason "flush")."""
        rest = self._frames.flush(pad=True)
        if rest is not None:
            event = self.push_frame(rest)
            if event is not None and event.kind == "end":
                return event
        return self._end("flush") if self.in_speech else None

    def reset(self) -> None:
        """Forget the current utterance (e.g. between turns); the noise floor is kept."""
        self._frames.flush()
        self._window.clear()
        self._pre.clear()
        self._utt = bytearray()
        self._silent_frames = 0
        self.in_speech = False
