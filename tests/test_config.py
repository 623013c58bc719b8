"""Settings: defaults, TOML, environment precedence and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.config import load_settings
from voicebot.errors import ConfigError


def test_defaults_use_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    s = load_settings(env={"VOICEBOT_DATA_DIR": str(tmp_path)})
    assert s.db_url == f"sqlite:///{(tmp_path / 'voicebot.db').resolve()}"
    assert s.asr.backend == "vosk"
    assert s.dnc.default_days == 365


def test_toml_then_environment_override(tmp_path: Path) -> None:
    cfg = tmp_path / "voicebot.toml"
    cfg.write_text('[asr]\nbackend = "whisper"\ngrammar = false\n[gateway]\nport = 9000\n')
    s = load_settings(cfg, env={"VOICEBOT_GATEWAY_PORT": "9100", "VOICEBOT_ASR_GRAMMAR": "true"})
    assert s.asr.backend == "whisper"
    assert s.gateway.port == 9100
    assert s.asr.grammar is True


def test_false_strings_read_as_false() -> None:
    s = load_settings(env={"VOICEBOT_ASR_GRAMMAR": "false"})
    assert s.asr.grammar is False


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[asr]\nbogus = 1\n", "unknown setting asr.bogus"),
        ("[gateway]\nport = 'x'\n", "gateway.port"),
        ("[dnc]\ndefault_days = 30\n", "regulatory minimum"),
        ("[asr\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_setting(tmp_path: Path, text: str, fragment: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, env={})
    assert fragment in str(err.value)
    assert err.value.code == "VB100"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})
