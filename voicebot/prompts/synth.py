"""Speech synthesis with espeak-ng through pyttsx3's binding of it, to PCM16 at any rate.

Why not ``pyttsx3.init().save_to_file``: pyttsx3 2.99 runs espeak-ng in its asynchronous
(retrieval) mode, keeps only the last of several queued saves, prints to stdout, and, measured
here, ignores rate changes after the first one. espeak-ng can also be initialised only once
per process and is not thread-safe. So this module initialises espeak-ng once, in synchronous
mode, through ``pyttsx3.drivers._espeak`` and serialises every synthesis with one process-wide
lock: each call sets voice and rate and gets exactly its own audio back.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from voicebot.audio.resample import resample
from voicebot.prompts.errors import PromptTextError, TtsUnavailableError
from voicebot.prompts.speakable import speakable

INSTALL_HINT = "install espeak-ng: `apt-get install espeak-ng` (Debian/Ubuntu), then retry"
MIN_RATE, MAX_RATE = 60, 400  # words per minute espeak-ng accepts usefully

_lock = threading.Lock()  # guards everything below and every espeak-ng call
_state: dict[str, Any] = {}  # "lib": the binding, "rate": espeak's native sample rate, ...
_chunks: list[bytes] = []


def _on_audio(wav: Any, numsamples: int, _events: Any) -> int:
    if numsamples > 0:
        _chunks.append(ctypes.string_at(wav, numsamples * 2))
    return 0  # 0 = continue


def _engine() -> tuple[ModuleType, int]:
    """The espeak-ng binding and its native sample rate; initialised once (call under _lock)."""
    if "lib" not in _state:
        try:
            from pyttsx3.drivers import _espeak
            from pyttsx3.drivers.espeak import EspeakDriver
        except (ImportError, OSError, RuntimeError) as exc:
            raise TtsUnavailableError(f"espeak-ng cannot be loaded: {exc}", hint=INSTALL_HINT) from exc
        if EspeakDriver._moduleInitialized:
            raise TtsUnavailableError(
                "espeak-ng was already started by pyttsx3.init() in this process",
                hint="synthesise through voicebot.prompts only; do not call pyttsx3.init() as well",
            )
        native = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 0)
        if native <= 0:
            raise TtsUnavailableError("espeak-ng failed to initialise", hint=INSTALL_HINT)
        EspeakDriver._moduleInitialized = True  # a later pyttsx3.init() must not re-initialise it
        _state.update(lib=_espeak, rate=native, version=_version(_espeak))
    return _state["lib"], int(_state["rate"])


def _version(lib: ModuleType) -> str:
    try:
        return str(lib.Info(None).decode())
    except (AttributeError, ValueError, ctypes.ArgumentError):
        return "unknown"


_checked_voices: set[str] = set()
# Where Debian and source builds keep espeak-ng's voice variants (+f3, +m1, …).
_VARIANT_DIRS = ("/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
                 "/usr/share/espeak-ng-data", "/usr/local/share/espeak-ng-data")


def _no_voice(voice: str) -> TtsUnavailableError:
    return TtsUnavailableError(
        f"espeak-ng has no voice {voice!r}",
        hint="use one listed by `espeak-ng --voices=cmn`, optionally with a variant from "
        "`ls /usr/lib/*/espeak-ng-data/voices/!v` (default cmn-latn-pinyin+f3)",
    )


def _check_voice(lib: ModuleType, voice: str) -> None:
    """espeak-ng quietly falls back to some voice for unknown names ("klingon" → Greenlandic)."""
    base, _, variant = voice.partition("+")
    known = {v.identifier.decode().lower() for v in lib.ListVoices(None)}
    if base.lower() not in known and not any(k.endswith("/" + base.lower()) for k in known):
        raise _no_voice(voice)
    if variant:
        roots = [os.environ.get("ESPEAK_DATA_PATH", ""), *_VARIANT_DIRS]
        if not any(Path(r, "voices", "!v", variant).is_file() for r in roots if r):
            raise _no_voice(voice)
    _checked_voices.add(voice)


@dataclass(frozen=True)
class VoiceInfo:
    id: str  # what SetVoiceByName accepts, e.g. "cmn-latn-pinyin"
    name: str
    languages: str


def mandarin_voices() -> list[VoiceInfo]:
    """Mandarin voices espeak-ng offers here (add ``+f3`` etc. for a variant)."""
    with _lock:
        lib, _ = _engine()
        found = []
        for v in lib.ListVoices(None):
            langs = v.languages[1:].decode("utf-8", "ignore")
            if "cmn" in langs or "zh" in langs.split("\x00")[0]:
                ident = v.identifier.decode().split("/")[-1].lower()
                found.append(VoiceInfo(ident, v.name.decode(), langs.split("\x00")[0]))
        return found


class Synthesizer:
    """Synthesise prompt text with one voice; safe to share between threads."""

    def __init__(self, voice: str, *, text_mode: str = "pinyin") -> None:
        self.voice = voice
        self.text_mode = text_mode
        speakable("", text_mode)  # validate the mode now, not at the first call

    @property
    def engine_version(self) -> str:
        with _lock:
            _engine()
            return str(_state["version"])

    def synthesize(self, text: str, *, rate: int, sample_rate: int = 8000) -> bytes:
        """PCM16 mono little-endian at ``sample_rate`` Hz; ``rate`` in words per minute."""
        spoken = speakable(text, self.text_mode)
        if not any(ch.isalnum() for ch in spoken):  # punctuation alone says nothing
            raise PromptTextError(f"nothing to say in {text!r}", hint="give the prompt some text")
        if not MIN_RATE <= rate <= MAX_RATE:
            raise PromptTextError(
                f"speech rate {rate} words/min is outside {MIN_RATE}-{MAX_RATE}",
                hint="set tts.rate / tts.elderly_rate to e.g. 130 / 105",
            )
        with _lock:
            lib, native = _engine()
            if self.voice not in _checked_voices:
                _check_voice(lib, self.voice)
            if lib.SetVoiceByName(self.voice.encode()) != 0:
                raise _no_voice(self.voice)
            lib.SetParameter(lib.RATE, rate, 0)
            lib.SetSynthCallback(_on_audio)  # set every time: pyttsx3.init() would replace it
            _chunks.clear()
            status = lib.Synth(spoken.encode(), flags=lib.ENDPAUSE | lib.CHARS_UTF8)
            pcm = b"".join(_chunks)
            _chunks.clear()
        if status != 0 or not pcm:
            raise TtsUnavailableError(
                f"espeak-ng produced no audio for {text!r} (status {status})", hint=INSTALL_HINT
            )
        return resample(pcm, native, sample_rate)
