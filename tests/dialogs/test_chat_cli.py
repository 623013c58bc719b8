"""`voicebot chat` end to end: the installed command in a subprocess, and main() in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from voicebot.cli import main
from voicebot.dialogs.policy import POLICY_DIR

from .helpers import FIXTURES

VOICEBOT = [sys.executable, "-c", "import sys; from voicebot.cli import main; sys.exit(main())"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VOICEBOT, *args], input=stdin, capture_output=True, text=True, timeout=120)


def scenario_answers(tmp_path: Path, name: str) -> tuple[Path, Path, dict[str, Any]]:
    manifest = {m["file"]: m for m in json.loads((FIXTURES / "manifest.json").read_text("utf-8"))}
    scenario = next(s for s in json.loads((FIXTURES / "scenarios.json").read_text("utf-8")) if s["name"] == name)
    answers = tmp_path / "answers.txt"
    answers.write_text("\n".join(manifest[f]["text"] for f in scenario["answers"]) + "\n", encoding="utf-8")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(scenario["policy"], ensure_ascii=False), encoding="utf-8")
    return answers, policy, scenario


def test_unattended_json_prints_the_outcome_record(tmp_path: Path) -> None:
    answers, policy, scenario = scenario_answers(tmp_path, "not_understood_cooling_off_twice")
    result = run("chat", "--script", "new_policy", "--policy", str(policy), "--answers", str(answers), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["outcome"] == "problem_case"
    assert [p["question_no"] for p in record["problem_items"]] == [6]
    assert record["policy_no"] == scenario["policy"]["policy_no"]
    assert "机器人" in result.stderr  # the transcript goes to stderr when stdout is JSON


def test_unattended_human_output_with_dtmf_and_silence(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.txt"
    answers.write_text("#1\n#1234\n#2\n\n#1\n不太明白\n不太明白\n对\n清楚\n#1\n", encoding="utf-8")
    assert main(["chat", "--policy", "new_policy", "--answers", str(answers)]) == 0
    out = capsys.readouterr().out
    assert "请问您是投保人张三先生本人吗？" in out and "#1234" in out and "（沉默）" in out
    assert "结果 problem_case" in out and "第2项" in out and "第4项" in out


def test_interactive_session_reads_stdin_until_the_call_ends() -> None:
    result = run("chat", "--script", "grace_before", stdin="是我\n四四幺八\n清楚了\n别再给我打电话了\n")
    assert result.returncode == 0, result.stderr
    assert "宽限期到2027年1月30日结束" in result.stdout
    assert "结果 do_not_call" in result.stdout and "免打扰至" in result.stdout


def test_interactive_quit_is_a_hang_up(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("是我\n/quit\n"))
    assert main(["chat", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["outcome"] == "interrupted" and record["answers"][0]["intent"] == "affirm"


def test_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "--script", "nope", "--answers", "x"]) == 2
    assert "VB200" in capsys.readouterr().err
    bad = tmp_path / "p.json"
    data = json.loads((POLICY_DIR / "new_policy.json").read_text("utf-8"))
    bad.write_text(json.dumps({**data, "holder_gender": "x"}), encoding="utf-8")
    assert main(["chat", "--policy", str(bad), "--json", "--answers", "x"]) == 2
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["code"] == "VB210" and "holder_gender" in err["message"]
    assert main(["chat", "--answers", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read answers file" in capsys.readouterr().err
