"""Whisper-base through faster-whisper: not streaming, so our Endpointer cuts utterances first.

Settings are deterministic (language zh, temperature 0, no conditioning on earlier text, no
prompt or hotwords: on short clips those make Whisper invent text). Whisper also invents text
on noise, so an utterance must pass the VAD gate (the Endpointer only opens on voiced frames)
and its transcript must pass sanity checks (no-speech probability, compression ratio, length
against duration) or the final comes back empty with the reason in ``info``.
Text is normalised with the NLU normaliser (Simplified characters, Chinese digits).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import zhconv

from voicebot.asr.base import AsrResult, Word, mean_conf
from voicebot.audio.frames import FrameBuffer
from voicebot.audio.resample import Resampler
from voicebot.audio.vad import EndpointConfig, Endpointer, EndpointEvent, VadConfig, VoiceDetector
from voicebot.errors import ModelError

log = logging.getLogger(__name__)
RATE = 16000  # Whisper's input rate


@dataclass
class WhisperOptions:
    beam_size: int = 5
    cpu_threads: int = 0  # 0: CTranslate2 picks
    word_timestamps: bool = True
    max_chars_per_s: float = 9.0  # Mandarin is ~4-6 syllables/s; far more is a hallucination
    no_speech_prob: float = 0.6  # with avg_logprob below -1: Whisper's own "no speech" rule
    max_compression_ratio: float = 2.4  # repeated text compresses well
    endpoint: EndpointConfig = field(default_factory=lambda: whisper_endpoint())
    vad: VadConfig = field(default_factory=VadConfig)


def whisper_endpoint(end_silence_ms: int = 800, max_utterance_s: float = 15.0) -> EndpointConfig:
    """Whisper hears short answers far better with real audio around them (measured on the
    fixtures: 对呀 read as "3,2,1" on a tight cut, right with 400 ms either side)."""
    return EndpointConfig(end_silence_ms=end_silence_ms, max_utterance_s=max_utterance_s,
                          pre_roll_ms=400, keep_trailing_ms=min(400, end_silence_ms))


def _normalise(text: str) -> str:
    from voicebot.nlu.normalize import normalize_text  # late: the NLU loads its lexicon

    return normalize_text(text)


class WhisperEngine:
    name = "whisper"

    def __init__(self, model_dir: str | Path, *, model_name: str = "", options: WhisperOptions | None = None) -> None:
        from faster_whisper import WhisperModel  # heavy import, only for this backend

        self.path = Path(model_dir)
        self.model_name = model_name or self.path.name
        self.options = options or WhisperOptions()
        self.sample_rate = RATE
        if not (self.path / "model.bin").is_file():
            raise ModelError(f"{self.path / 'model.bin'} is missing",
                             hint=f"run `voicebot models fetch {self.model_name}`")
        t0 = time.perf_counter()
        try:
            self.model = WhisperModel(str(self.path), device="cpu", compute_type="int8",
                                      cpu_threads=self.options.cpu_threads, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"faster-whisper could not load {self.path}: {exc}",
                             hint=f"run `voicebot models verify {self.model_name}`, then fetch it again with --force") from exc
        self.load_s = time.perf_counter() - t0

    def new_stream(self, sample_rate: int) -> WhisperRecognizer:
        return WhisperRecognizer(self, sample_rate)

    def transcribe(self, pcm16k: bytes, offset_s: float = 0.0) -> AsrResult:
        """Recognise one utterance (16 kHz PCM16); times are shifted by ``offset_s``."""
        opts = self.options
        audio = np.frombuffer(pcm16k, dtype="<i2").astype(np.float32) / 32768.0
        duration = len(audio) / RATE
        t0 = time.perf_counter()
        segments, _ = self.model.transcribe(
            audio, language="zh", task="transcribe", beam_size=opts.beam_size, temperature=0.0,
            condition_on_previous_text=False, initial_prompt=None, hotwords=None, vad_filter=False,
            word_timestamps=opts.word_timestamps, without_timestamps=not opts.word_timestamps,
        )
        segs = list(segments)  # the generator does the decoding
        decode_s = time.perf_counter() - t0
        raw = "".join(s.text for s in segs).strip()
        words = tuple(
            Word(zhconv.convert(w.word.strip(), "zh-hans"), float(offset_s + w.start), float(offset_s + w.end), float(w.probability))
            for s in segs for w in (s.words or []) if w.word.strip()
        )
        text = _normalise(raw) if raw else ""
        info: dict[str, float] = {"final_decode_s": decode_s, "audio_s": duration}
        reason = self._reject(segs, text, duration)
        if reason:
            info["rejected"] = 1.0
            log.info("whisper transcript dropped (%s): %r", reason, raw)
            return AsrResult("", True, (), 0.0, offset_s, offset_s + duration, "whisper",
                             (raw,) if raw else (), raw, info)
        conf = mean_conf(words) if words else (
            math.exp(sum(s.avg_logprob for s in segs) / len(segs)) if segs else 0.0)
        return AsrResult(text, True, words, conf, offset_s, offset_s + duration, "whisper", (), raw, info)

    def _reject(self, segs: list[Any], text: str, duration: float) -> str:
        opts = self.options
        if not segs or not text:
            return ""
        if all(s.no_speech_prob > opts.no_speech_prob and s.avg_logprob < -1.0 for s in segs):
            return "no speech"
        if any(s.compression_ratio > opts.max_compression_ratio for s in segs):
            return "repetitive"
        if len(text) > opts.max_chars_per_s * duration + 4:
            return f"{len(text)} characters for {duration:.1f} s of audio"
        return ""

    def close(self) -> None:
        pass


class WhisperRecognizer:
    """Per-call recogniser: Endpointer-cut utterances, one Whisper decode per utterance."""

    def __init__(self, engine: WhisperEngine, sample_rate: int) -> None:
        self.engine = engine
        self.sample_rate = sample_rate
        opts = engine.options
        self._resampler = Resampler(sample_rate, RATE)
        self._frames = FrameBuffer(RATE)
        self._endpointer = Endpointer(RATE, opts.endpoint, VoiceDetector(RATE, opts.vad))
        self._start_s = 0.0

    def accept(self, pcm: bytes) -> list[AsrResult]:
        out: list[AsrResult] = []
        for frame in self._frames.push(self._resampler.process(pcm)):
            event = self._endpointer.push_frame(frame)
            if event is not None:
                out.append(self._on(event))
        return out

    def _on(self, event: EndpointEvent) -> AsrResult:
        if event.kind == "start":
            # Whisper has no partials; an empty partial says "the caller is speaking" (barge-in)
            self._start_s = self._endpointer.time_s - len(event.audio) / (2 * RATE)
            return AsrResult("", False, start=self._start_s, end=self._endpointer.time_s, source="whisper")
        return self.engine.transcribe(event.audio, self._start_s)

    def flush(self) -> AsrResult | None:
        results = self.accept(b"")
        for frame in self._frames.push(self._resampler.flush()):
            event = self._endpointer.push_frame(frame)
            if event is not None:
                results.append(self._on(event))
        rest = self._frames.flush(pad=True)
        if rest is not None:
            event = self._endpointer.push_frame(rest)
            if event is not None:
                results.append(self._on(event))
        if self._endpointer.in_speech:
            event = self._endpointer.flush()
            if event is not None:
                results.append(self._on(event))
        finals = [r for r in results if r.is_final]
        return finals[-1] if finals else None

    def reset(self) -> None:
        self._endpointer.reset()

    def set_hints(self, phrases: list[str] | None) -> None:
        """Ignored on purpose: prompts/hotwords make Whisper invent text on short answers."""

    def close(self) -> None:
        pass
