"""Build the configured recogniser engine from Settings."""

from __future__ import annotations

from voicebot.asr.base import AsrEngine
from voicebot.asr.models import resolve_model
from voicebot.audio.vad import EndpointConfig
from voicebot.config import Settings
from voicebot.errors import ConfigError


def endpoint_config(settings: Settings) -> EndpointConfig:
    return EndpointConfig(
        end_silence_ms=settings.asr.endpoint_silence_ms,
        max_utterance_s=settings.asr.max_utterance_s,
    )


def create_engine(settings: Settings, *, backend: str | None = None, model: str | None = None) -> AsrEngine:
    """Load the model of ``backend`` (default ``settings.asr.backend``); ``model`` is a registry
    name or a folder and overrides the settings."""
    backend = backend or settings.asr.backend
    if backend == "vosk":
        from voicebot.asr.vosk import VoskEngine, VoskOptions

        name, path = resolve_model(model or settings.asr.vosk_model, settings.models_dir)
        options = VoskOptions(grammar=settings.asr.grammar, endpoint=endpoint_config(settings))
        return VoskEngine(path, model_name=name, options=options)
    if backend == "whisper":
        from voicebot.asr.whisper import WhisperEngine, WhisperOptions, whisper_endpoint

        name, path = resolve_model(model or settings.asr.whisper_model, settings.models_dir)
        endpoint = whisper_endpoint(settings.asr.endpoint_silence_ms, settings.asr.max_utterance_s)
        return WhisperEngine(path, model_name=name, options=WhisperOptions(endpoint=endpoint))
    raise ConfigError(f"unknown ASR backend {backend!r}", hint="set asr.backend to vosk or whisper")
