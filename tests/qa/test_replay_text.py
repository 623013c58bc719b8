"""Replay with reference transcripts (the real dialog and NLU, no recogniser): fast checks of
sources, judging and reports. The recogniser runs in test_replay_whisper.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from voicebot.cli import main
from voicebot.config import Settings
from voicebot.qa.batch import run_batch
from voicebot.qa.drivers import DialogAsrSpec
from voicebot.qa.sources import ReplaySourceError, resolve

from .conftest import FIXTURES, SHARED, changed_script


def _run(path: str | Path, settings: Settings, script: str | None = None) -> dict[str, dict]:
    items = resolve(str(path), settings, script)
    results = run_batch(items, DialogAsrSpec(settings, "text"), jobs=1)
    return {r.name: r.to_dict() for r in results}


def test_shared_scenarios_reproduce_their_expected_outcomes(settings: Settings) -> None:
    expected = json.loads((SHARED / "scenarios.json").read_text(encoding="utf-8"))
    got = _run(SHARED / "scenarios.json", settings)
    assert set(got) == {s["name"] for s in expected}
    for sc in expected:
        r = got[sc["name"]]
        assert r["status"] == "pass", (sc["name"], r["differences"])
        assert r["outcome"] == sc["expected_outcome"]
        assert r["problem_items"] == sc["expected_problem_items"]


def test_project_fixture_scenarios_pass(settings: Settings) -> None:
    got = _run(FIXTURES / "scenarios.json", settings)
    assert len(got) == 16
    assert {n: r["status"] for n, r in got.items() if r["status"] != "pass"} == {}
    assert got["af_deny_signature_then_do_not_call"]["problem_items"] == [2]


def test_a_changed_script_shows_up_as_a_failure(settings: Settings, tmp_path: Path) -> None:
    script = changed_script(tmp_path)
    got = _run(SHARED / "scenarios.json", settings, str(script))
    failed = {n: r for n, r in got.items() if r["status"] == "fail"}
    assert set(failed) == {"not_understood_q4_then_affirm"}
    r = failed["not_understood_q4_then_affirm"]
    assert r["outcome"] == "problem_case" and r["problem_items"] == [4]
    assert r["differences"][0] == ("Outcome: expected completed (all items confirmed), "
                                   "got problem case.")
    assert "Problem items: expected none, got Q4." in r["differences"]


def test_cli_report_html_and_json(settings: Settings, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOICEBOT_DATA_DIR", str(settings.data_dir))
    script = changed_script(tmp_path)
    html = tmp_path / "out" / "report.html"
    rc = main(["replay", str(SHARED / "scenarios.json"), "--backend", "text",
               "--script", str(script), "--report", str(html)])
    assert rc == 1  # a failure makes the command fail (CI can gate on it)
    data = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["summary"]["passed"] == 11 and data["summary"]["failed"] == 1
    assert data["items"][0]["name"] == "not_understood_q4_then_affirm"  # failures first
    assert data["summary"]["confusion"]["accuracy"] == 1.0
    page = html.read_text(encoding="utf-8")
    assert 'id="failed">1<' in page and "Outcome: expected completed" in page
    assert "Intent confusion matrix" in page and "not_understood_q4_then_affirm" in page
    capsys.readouterr()
    rc = main(["replay", str(SHARED / "scenarios.json"), "--backend", "text", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["passed"] == 12 and out["backend"] == "text"


def test_folder_of_files_uses_the_manifest(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    (folder / "zh-callers").mkdir(parents=True)
    for name in ("deny_01.wav", "busy_04.wav"):
        shutil.copy(FIXTURES / "zh-callers" / name, folder / "zh-callers" / name)
    shutil.copy(FIXTURES / "manifest.json", folder / "manifest.json")
    got = _run(folder / "zh-callers", settings)
    assert set(got) == {"deny_01", "busy_04"}
    busy = got["busy_04"]
    assert busy["status"] == "unchecked" and busy["outcome"] == "callback_later"
    assert busy["turns"][0]["expected_intent"] == "busy"
    assert busy["turns"][0]["intent"] == "busy"


def test_bad_sources_give_clear_errors(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ReplaySourceError, match="neither a file"):
        resolve(str(tmp_path / "nope.json"), settings)
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps([{"name": "x", "policy": {}, "answers": ["missing.wav"]}]))
    with pytest.raises(ReplaySourceError, match="missing.wav"):
        resolve(str(bad), settings)
    with pytest.raises(ReplaySourceError, match="no call CA-unknown"):
        resolve("CA-unknown", settings)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ReplaySourceError, match="no audio files"):
        resolve(str(empty), settings)
