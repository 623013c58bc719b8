"""Scoring what a recogniser heard, and `voicebot prompts check` with the real Whisper-base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voicebot.cli import main
from voicebot.config import Settings
from voicebot.prompts.intelligibility import (
    Transcribe,
    cer,
    check_prompts,
    pinyin_error_rate,
    summarize,
)
from voicebot.prompts.render import PromptRenderer


def test_cer_normalises_traditional_digits_and_punctuation() -> None:
    assert cer("您的犹豫期是十五天。", "您的猶豫期是15天") == 0.0
    assert cer("请问您是本人吗？", "请问你是本人吗") == pytest.approx(1 / 7)
    assert cer("是的", "") == 1.0
    assert cer("是的", "是的是的是的") == 2.0  # insertions count: a looping recogniser scores > 1


def test_pinyin_error_rate_forgives_homophones_only() -> None:
    assert pinyin_error_rate("保单", "报单") == 0.0  # bao3/bao4: same toneless syllables
    assert cer("保单", "报单") == 0.5
    assert pinyin_error_rate("保单", "保险") == 0.5


def test_summary() -> None:
    assert summarize([]) == {"prompts": 0}


PROMPTS = [
    ("pardon", "不好意思，刚才没有听清楚。"),
    ("closing", "感谢您的配合，祝您生活愉快，再见！"),
    ("q5_surrender", "您是否了解，犹豫期过后提前退保会有损失？"),
]


def test_whisper_hears_the_synthesised_prompts(settings: Settings, whisper: Transcribe) -> None:
    renderer = PromptRenderer(settings)
    audios = [renderer.render(pid, text) for pid, text in PROMPTS]
    rows = check_prompts(audios, whisper)
    assert [r.prompt_id for r in rows] == [p for p, _ in PROMPTS]
    for row in rows:
        assert isinstance(row.cer, float) and row.cer >= 0 and row.heard
    summary = summarize(rows)
    # espeak-ng's Mandarin is robotic, but most syllables of these prompts get through
    assert summary["pinyin_error_mean"] < 0.6, rows
    # the measure is not blind: what was heard for one prompt, scored against another, fails
    wrong = [pinyin_error_rate(PROMPTS[i][1], rows[(i + 1) % 3].heard) for i in range(3)]
    assert min(wrong) > 0.7 > summary["pinyin_error_mean"] + 0.1


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else out


def test_cli_render_list_and_check_new_policy(
    settings: Settings, whisper: Transcribe, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEBOT_DATA_DIR", str(settings.data_dir))
    code, listed = run_cli(capsys, "prompts", "list", "--script", "new_policy", "--json")
    assert code == 0
    fixed = [p for p in listed["prompts"] if not p["dynamic"]]
    assert fixed and {p["ready"] for p in fixed} == {"not rendered"}

    code, rendered = run_cli(capsys, "prompts", "render", "--script", "new_policy", "--elderly", "--json")
    assert code == 0 and rendered["rendered"] == 2 * len(fixed)
    assert rendered["sources"] == {"synth": 2 * len(fixed)}
    code, again = run_cli(capsys, "prompts", "render", "--script", "new_policy", "--json")
    assert again["sources"] == {"cache": len(fixed)}
    code, listed = run_cli(capsys, "prompts", "list", "--script", "new_policy", "--json")
    assert {p["ready"] for p in listed["prompts"] if not p["dynamic"]} == {"cached"}

    code, checked = run_cli(capsys, "prompts", "check", "--script", "new_policy",
                            "--prompt", "pardon", "--prompt", "transfer", "--json")
    assert code == 0 and [r["prompt_id"] for r in checked["prompts"]] == ["pardon", "transfer"]
    assert all(r["source"] == "cache" for r in checked["prompts"])
    assert 0 <= checked["summary"]["cer_mean"] < 5


def test_cli_errors_are_json_with_a_code(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("VOICEBOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VOICEBOT_TTS_PROMPT_PACK", str(tmp_path / "missing-pack"))
    code, out = run_cli(capsys, "prompts", "render", "--script", "new_policy", "--json")
    assert code == 2 and out["error"]["code"] == "VB351"
