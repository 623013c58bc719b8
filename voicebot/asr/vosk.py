"""vosk (Kaldi) backend: one shared model, one recogniser per call.

Audio is resampled to the model rate and cut into utterances by our own ``Endpointer`` (this
libvosk build has no endpointer API, and our end-of-speech pause must be configurable); only
speech (with a short pre-roll) reaches the decoders, so a call's silent stretches cost nothing.

Grammar and free decoding run side by side on the same audio when the question has hints:
- the grammar decoder (expected phrases + ``[unk]``) is cheap and robust for closed answers;
- the free decoder gives the evidence transcript and catches answers outside the grammar.
The final takes the grammar text when it recognised a phrase (not ``[unk]``) with mean word
confidence >= ``grammar_min_conf``, else the free text; the other text goes to ``alternatives``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vosk

from voicebot.asr.base import AsrResult, Word, join_words, mean_conf
from voicebot.asr.grammar import UNK, build_grammar, grammar_json
from voicebot.audio.frames import FrameBuffer
from voicebot.audio.resample import Resampler
from voicebot.audio.vad import EndpointConfig, Endpointer, EndpointEvent, VadConfig, VoiceDetector
from voicebot.errors import ModelError

log = logging.getLogger(__name__)
vosk.SetLogLevel(-1)


@dataclass
class VoskOptions:
    grammar: bool = True  # use a grammar decoder when the question gives hints
    keep_free: bool = True  # run free decoding beside the grammar (evidence transcript)
    grammar_min_conf: float = 0.5
    # SetPartialWords switches vosk to lattice-based partials that update only every few words
    # (vosk-api#1224); on short answers they stay empty, which would delay barge-in. Off by default.
    partial_words: bool = False
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    vad: VadConfig = field(default_factory=VadConfig)


def _model_rate(path: Path) -> int:
    conf = path / "conf" / "mfcc.conf"
    if conf.is_file():
        m = re.search(r"--sample-frequency=(\d+)", conf.read_text(encoding="utf-8", errors="replace"))
        if m:
            return int(m.group(1))
    return 16000  # vosk's small models are all 16 kHz


class VoskEngine:
    name = "vosk"

    def __init__(self, model_path: str | Path, *, model_name: str = "", options: VoskOptions | None = None) -> None:
        self.path = Path(model_path)
        self.model_name = model_name or self.path.name
        self.options = options or VoskOptions()
        if not (self.path / "am" / "final.mdl").is_file():
            raise ModelError(
                f"vosk model folder {self.path} has no am/final.mdl",
                hint=f"run `voicebot models fetch {self.model_name}` or point asr.vosk_model at an unzipped model",
            )
        t0 = time.perf_counter()
        try:
            self.model = vosk.Model(str(self.path))
        except Exception as exc:  # libvosk reports every load failure as a bare Exception
            raise ModelError(
                f"vosk could not load the model in {self.path}: {exc}",
                hint=f"run `voicebot models verify {self.model_name}`; re-fetch it if a file is damaged",
            ) from exc
        self.load_s = time.perf_counter() - t0
        self.sample_rate = _model_rate(self.path)
        self.has_unk = self.in_vocab(UNK)
        self.supports_grammar = (self.path / "graph" / "Gr.fst").is_file() or (
            self.path / "graph" / "HCLr.fst"
        ).is_file()
        self._grammars: dict[tuple[str, ...], str | None] = {}
        self._lock = threading.Lock()

    def in_vocab(self, word: str) -> bool:
        return bool(self.model.vosk_model_find_word(word) >= 0)

    def grammar_for(self, phrases: list[str]) -> str | None:
        """The grammar JSON for these phrases (cached), or None when none fit the vocabulary."""
        key = tuple(phrases)
        with self._lock:
            if key not in self._grammars:
                kept, _ = build_grammar(phrases, self.in_vocab, has_unk=self.has_unk)
                self._grammars[key] = grammar_json(kept) if kept else None
            return self._grammars[key]

    def new_stream(self, sample_rate: int) -> VoskRecognizer:
        return VoskRecognizer(self, sample_rate)

    def close(self) -> None:
        self._grammars.clear()


class _Decoder:
    """One KaldiRecognizer plus the bookkeeping that maps its clock to stream time."""

    def __init__(self, model: Any, rate: int, grammar: str | None, partial_words: bool) -> None:
        self.rec = vosk.KaldiRecognizer(model, rate, grammar) if grammar else vosk.KaldiRecognizer(model, rate)
        self.rec.SetWords(True)
        self.rec.SetPartialWords(partial_words)
        self.rate = rate
        self.fed_s = 0.0  # audio this recogniser has seen (its word times count from its creation)
        self.segments: list[dict[str, Any]] = []  # results vosk finalised inside our utterance

    def feed(self, pcm: bytes) -> None:
        self.fed_s += len(pcm) / (2 * self.rate)
        if self.rec.AcceptWaveform(pcm):
            self.segments.append(json.loads(self.rec.Result()))

    def finish(self) -> list[dict[str, Any]]:
        out = [*self.segments, json.loads(self.rec.FinalResult())]
        self.segments = []
        return out

    def drop(self) -> None:
        self.rec.Reset()
        self.segments = []


class VoskRecognizer:
    """Per-call recogniser (see voicebot.asr.base.Recognizer)."""

    def __init__(self, engine: VoskEngine, sample_rate: int) -> None:
        self.engine = engine
        self.sample_rate = sample_rate
        self.rate = engine.sample_rate
        opts = engine.options
        self._resampler = Resampler(sample_rate, self.rate)
        self._frames = FrameBuffer(self.rate)
        self._endpointer = Endpointer(self.rate, opts.endpoint, VoiceDetector(self.rate, opts.vad))
        self._free: _Decoder | None = None
        self._gram: _Decoder | None = None
        self._grammar: str | None = None  # grammar JSON for the current question
        self._hints: list[str] | None = None
        self._hints_dirty = False  # new hints wait for the current utterance to end
        self._utt_start_s = 0.0
        self._offsets: dict[int, float] = {}  # id(decoder) -> its fed_s at utterance start
        self._buf = bytearray()  # speech waiting to be fed to the decoders
        self._last_partial = ""

    # -- public API -------------------------------------------------------------------------
    def accept(self, pcm: bytes) -> list[AsrResult]:
        results: list[AsrResult] = []
        for frame in self._frames.push(self._resampler.process(pcm)):
            results += self._frame(frame)
        if self._endpointer.in_speech and self._buf:
            self._feed()
            partial = self._partial()
            if partial is not None:
                results.append(partial)
        return results

    def flush(self) -> AsrResult | None:
        results: list[AsrResult] = []
        for frame in self._frames.push(self._resampler.flush()):
            results += self._frame(frame)
        rest = self._frames.flush(pad=True)
        if rest is not None:
            results += self._frame(rest)
        if self._endpointer.in_speech:
            event = self._endpointer.flush()
            if event is not None:
                results.append(self._finish(event))
        finals = [r for r in results if r.is_final]
        return finals[-1] if finals else None

    def reset(self) -> None:
        if self._endpointer.in_speech:
            for d in self._decoders():
                d.drop()
        self._endpointer.reset()
        self._buf.clear()
        self._last_partial = ""
        self._apply_hints()

    def set_hints(self, phrases: list[str] | None) -> None:
        self._hints = list(phrases) if phrases else None
        self._hints_dirty = True
        if not self._endpointer.in_speech:
            self._apply_hints()

    def close(self) -> None:
        self._free = None
        self._gram = None

    # -- internals --------------------------------------------------------------------------
    def _apply_hints(self) -> None:
        if not self._hints_dirty:
            return
        phrases = self._hints
        self._hints_dirty = False
        opts = self.engine.options
        if not (phrases and opts.grammar and self.engine.supports_grammar):
            self._grammar = None
            return
        self._grammar = self.engine.grammar_for(list(phrases))
        if self._grammar is None:
            return
        if self._gram is None:
            self._gram = _Decoder(self.engine.model, self.rate, self._grammar, opts.partial_words)
        else:
            self._gram.rec.SetGrammar(self._grammar)

    def _decoders(self) -> list[_Decoder]:
        """The decoders in use for the current utterance."""
        out: list[_Decoder] = []
        use_gram = self._grammar is not None and self._gram is not None
        if not use_gram or self.engine.options.keep_free:
            if self._free is None:
                self._free = _Decoder(self.engine.model, self.rate, None, self.engine.options.partial_words)
            out.append(self._free)
        if use_gram and self._gram is not None:
            out.append(self._gram)
        return out

    def _frame(self, frame: bytes) -> list[AsrResult]:
        event = self._endpointer.push_frame(frame)
        if event is None:
            if self._endpointer.in_speech:
                self._buf += frame
            return []
        if event.kind == "start":
            self._utt_start_s = self._endpointer.time_s - len(event.audio) / (2 * self.rate)
            self._offsets = {id(d): d.fed_s for d in self._decoders()}
            self._buf = bytearray(event.audio)
            self._last_partial = ""
            return []
        self._buf += frame
        return [self._finish(event)]

    def _feed(self) -> None:
        data = bytes(self._buf)
        self._buf.clear()
        for d in self._decoders():
            d.feed(data)

    def _words(self, d: _Decoder, results: list[dict[str, Any]]) -> list[Word]:
        shift = self._utt_start_s - self._offsets.get(id(d), 0.0)
        return [
            Word(str(w["word"]), float(w["start"]) + shift, float(w["end"]) + shift, float(w.get("conf", 1.0)))
            for r in results
            for w in r.get("result", [])
        ]

    def _partial(self) -> AsrResult | None:
        d = self._decoders()[0]
        data = json.loads(d.rec.PartialResult())
        raw = " ".join([*(s.get("text", "") for s in d.segments), data.get("partial", "")]).split()
        text = join_words([w for w in raw if w != UNK])
        if text == self._last_partial:
            return None
        self._last_partial = text
        words = tuple(self._words(d, [{"result": data.get("partial_result", [])}]))
        source = "grammar" if d is self._gram else "free"
        return AsrResult(text, False, words, mean_conf(words), self._utt_start_s, self._endpointer.time_s, source)

    def _finish(self, event: EndpointEvent) -> AsrResult:
        t0 = time.perf_counter()
        self._feed()
        hyps: dict[str, tuple[str, tuple[Word, ...]]] = {}
        for d in self._decoders():
            kept = tuple(w for w in self._words(d, d.finish()) if w.word != UNK)
            hyps["grammar" if d is self._gram else "free"] = (join_words([w.word for w in kept]), kept)
        decode_s = time.perf_counter() - t0
        source = "free"
        gram = hyps.get("grammar")
        if gram is not None and gram[0] and mean_conf(gram[1]) >= self.engine.options.grammar_min_conf:
            source = "grammar"
        elif "free" not in hyps:
            source = "grammar"  # grammar-only mode: nothing else to fall back on
        text, words = hyps[source]
        alternatives = tuple(h[0] for k, h in hyps.items() if k != source and h[0])
        self._last_partial = ""
        self._apply_hints()
        return AsrResult(
            text, True, words, mean_conf(words), self._utt_start_s, event.time_s, source,
            alternatives, raw_text=text,
            info={"final_decode_s": decode_s, "audio_s": len(event.audio) / (2 * self.rate)},
        )
