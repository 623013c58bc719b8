"""Settings from an optional TOML file and VOICEBOT_* environment variables, validated once.

Precedence: defaults < TOML file (``--config`` or ``VOICEBOT_CONFIG``) < environment.
Environment names are ``VOICEBOT_<SECTION>_<FIELD>`` (e.g. ``VOICEBOT_ASR_BACKEND=whisper``),
plus the two everyone needs: ``VOICEBOT_DATA_DIR`` and ``VOICEBOT_DATABASE_URL``.
No module keeps a global Settings: build one with :func:`load_settings` and pass it down.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicebot.errors import ConfigError


@dataclass
class AsrSettings:
    backend: str = "vosk"  # vosk | whisper
    vosk_model: str = "vosk-model-small-cn-0.22"  # a name known to `voicebot models` or a folder path
    endpoint_silence_ms: int = 800  # end-of-sentence pause
    max_utterance_s: float = 15.0
    grammar: bool = True  # per-question grammar recogniser beside free decoding (vosk)
    whisper_model: str = "whisper-base"  # a name known to `voicebot models` or a folder path


@dataclass
class TtsSettings:
    # espeak-ng's Mandarin voice with the f3 variant: Whisper-base understood it best here
    # (scripts/bench_prompts.py); plain `cmn` reads characters as tone numbers.
    voice: str = "cmn-latn-pinyin+f3"
    rate: int = 130  # words per minute for pyttsx3/espeak-ng
    elderly_rate: int = 115  # holder 60+: slower; 115 wpm scored as well as 130 with Whisper-base, 105 worse
    prompt_pack: str = ""  # folder of recorded WAVs keyed by prompt id
    text_mode: str = "pinyin"  # pinyin: words read by pypinyin (polyphones right) | chars


@dataclass
class DialogSettings:
    silence_timeout_s: float = 10.0
    max_call_s: float = 900.0


@dataclass
class GatewaySettings:
    host: str = "127.0.0.1"
    port: int = 8765
    tokens: str = ""  # comma-separated accepted tokens; empty = no auth (development only)
    max_calls: int = 50
    max_message_bytes: int = 65536
    idle_timeout_s: float = 30.0
    shutdown_grace_s: float = 30.0


@dataclass
class ConsoleSettings:
    host: str = "127.0.0.1"
    port: int = 8766
    secret_key: str = ""  # signs session cookies; generated into the data folder when empty


@dataclass
class DncSettings:
    default_days: int = 365
    minimum_days: int = 180  # the regulatory floor; configured values below it are refused


@dataclass
class CampaignSettings:
    rules_file: str = ""  # TOML/JSON: calling hours, due windows, attempts, calendar overrides
    lease_seconds: int = 300  # a leased task returns to the queue if not reported by then
    node_id: str = ""  # this node's name in leases; empty → hostname:pid
    api_tokens: str = ""  # comma-separated tokens for /dispatch; empty = no auth (development)


@dataclass
class AgentSettings:
    elderly_age: int = 60  # customers this old who struggle get a person
    elderly_struggles: int = 2  # answers not understood before an elderly customer is escalated
    failures: int = 4  # answers not understood in one call before anyone is escalated
    holding_prompt: str = "请您稍等，正在为您转接其他客服。"  # when the agent's browser drops
    audio_connect_timeout_s: float = 15.0  # a taken call whose agent audio never connects returns
    transfer_on_escalate: str = ""  # a destination: escalated calls are transferred, not queued
    transfer_hook_url: str = ""  # HTTP hook for REST transfers (Twilio-style gateways)
    transfer_hook_token: str = ""


@dataclass
class Settings:
    data_dir: Path = field(default_factory=lambda: Path("voicebot-data"))
    database_url: str = ""  # empty → SQLite file in data_dir
    timezone: str = "Asia/Shanghai"
    asr: AsrSettings = field(default_factory=AsrSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    dialog: DialogSettings = field(default_factory=DialogSettings)
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    dnc: DncSettings = field(default_factory=DncSettings)
    campaigns: CampaignSettings = field(default_factory=CampaignSettings)
    agents: AgentSettings = field(default_factory=AgentSettings)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'voicebot.db').resolve()}"

    @property
    def calls_dir(self) -> Path:
        return self.data_dir / "calls"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def models_dir(self) -> Path:
        return Path(os.environ.get("VOICEBOT_MODELS_DIR", str(self.data_dir / "models")))


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(value: Any, target: Any, where: str) -> Any:
    """Convert a TOML or environment value to the field's type; strings like "false" stay false."""
    kind = target if isinstance(target, type) else type(target)
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"expected true/false, got {value!r}")
        if kind is Path:
            return Path(str(value)).expanduser()
        if kind in (int, float):
            return kind(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"setting {where} has a bad value {value!r}: {exc}",
            hint=f"give {where} a value of type {kind.__name__}",
        ) from exc


def _apply(obj: Any, values: dict[str, Any], prefix: str) -> None:
    names = {f.name: f for f in dataclasses.fields(obj)}
    for key, value in values.items():
        if key not in names:
            raise ConfigError(
                f"unknown setting {prefix}{key}",
                hint=f"known settings here: {', '.join(sorted(names))}",
            )
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"setting {prefix}{key} must be a table", hint=f"write [{key}]")
            _apply(current, value, f"{prefix}{key}.")
        else:
            setattr(obj, key, _coerce(value, current, f"{prefix}{key}"))


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    settings = Settings()
    path = path or env.get("VOICEBOT_CONFIG")
    if path:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {p} not found", hint="check --config / VOICEBOT_CONFIG") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {p} is not valid TOML: {exc}", hint="fix the line named") from exc
        _apply(settings, data, "")
    if "VOICEBOT_DATA_DIR" in env:
        settings.data_dir = Path(env["VOICEBOT_DATA_DIR"]).expanduser()
    if "VOICEBOT_DATABASE_URL" in env:
        settings.database_url = env["VOICEBOT_DATABASE_URL"]
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        if not dataclasses.is_dataclass(section):
            continue
        for sub in dataclasses.fields(section):
            key = f"VOICEBOT_{f.name.upper()}_{sub.name.upper()}"
            if key in env:
                setattr(section, sub.name, _coerce(env[key], getattr(section, sub.name), key))
    if settings.dnc.default_days < settings.dnc.minimum_days:
        raise ConfigError(
            f"dnc.default_days={settings.dnc.default_days} is below the regulatory minimum "
            f"of {settings.dnc.minimum_days} days",
            hint="use 365 (the default) or more",
        )
    return settings
