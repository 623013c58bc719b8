"""A call leaves a folder with an aligned stereo recording, transcript, outcome and manifest."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import soundfile as sf
from evidence_helpers import RATE, make_call

from voicebot.dialogs.outcome import Outcome
from voicebot.dnc import DncList
from voicebot.evidence import EvidenceStore, StereoRecorder, verify
from voicebot.evidence.hashing import sha256_bytes, sha256_file
from voicebot.store import calls


def test_call_folder_holds_files_and_manifest(evidence: EvidenceStore) -> None:
    sealed = make_call(evidence)
    folder = sealed.folder
    rel = folder.relative_to(evidence.calls_dir).parts
    assert len(rel) == 3 and len(rel[0]) == 4 and len(rel[1]) == 2 and rel[2] == sealed.call_id
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["manifest.json", "outcome.json", "recording.wav", "transcript.json"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seq"] == sealed.seq == 1 and manifest["prev_manifest_sha256"] == ""
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == sha256_file(folder / name)
    assert sha256_bytes((folder / "manifest.json").read_bytes()) == sealed.manifest_sha256
    transcript = json.loads((folder / "transcript.json").read_text())
    assert [(t["speaker"], t["start_ms"], t["end_ms"]) for t in transcript["turns"]] == [
        ("bot", 500, 1500), ("caller", 1200, 1600)]
    assert json.loads((folder / "outcome.json").read_text())["outcome"] == "completed"
    with evidence.db.session() as s:
        call = calls.get(s, sealed.call_id)
        assert call.status == "closed" and call.outcome == "completed"
        assert call.keep_until is not None and call.keep_until.year >= call.started_at.year + 10


def test_recording_channels_are_time_aligned(evidence: EvidenceStore) -> None:
    sealed = make_call(evidence)
    audio, rate = sf.read(sealed.folder / "recording.wav", dtype="int16")
    assert rate == RATE and audio.shape == (2000 * RATE // 1000, 2)

    def loud(ch: int, a: int, b: int) -> float:
        return float(np.abs(audio[a * 8:b * 8, ch]).mean())

    assert loud(0, 0, 1190) == 0 and loud(0, 1210, 1590) > 1000 and loud(0, 1610, 2000) == 0
    assert loud(1, 0, 490) == 0 and loud(1, 510, 1490) > 1000 and loud(1, 1510, 2000) == 0


def test_recorder_fills_gaps_and_streams_to_disk(tmp_path: Path) -> None:
    path = tmp_path / "r.wav"
    rec = StereoRecorder(path, flush_ms=500, hold_ms=200)
    chunk = np.full(160, 1000, "<i2").tobytes()
    rec.write_caller(chunk, 0)
    rec.write_caller(chunk, 3000)  # 2980 ms of silence between
    rec.write_bot(chunk, 3000)
    assert path.stat().st_size > 44 + 4 * 8 * 2500  # written while the call is still open
    rec.close()
    audio, _ = sf.read(path, dtype="int16")
    assert audio.shape == (3020 * 8, 2)
    assert audio[:160, 0].min() == 1000 and audio[160:24000].max() == 0
    assert audio[24000:, 1].min() == 1000 and audio[:24000, 1].max() == 0


def test_chain_links_each_call_to_the_one_before(evidence: EvidenceStore) -> None:
    first, second = make_call(evidence), make_call(evidence)
    assert second.seq == 2 and second.prev_manifest_sha256 == first.manifest_sha256
    assert verify(evidence.db, evidence.calls_dir).ok


def test_concurrent_closes_get_distinct_links(evidence: EvidenceStore) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                make_call(evidence)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify(evidence.db, evidence.calls_dir)
    assert report.ok, report.problems
    assert report.checked == 12


def test_do_not_call_outcome_blocks_the_number(evidence: EvidenceStore) -> None:
    make_call(evidence, phone="13900000077", outcome=Outcome.DO_NOT_CALL)
    assert DncList(evidence.db).is_blocked("139-0000-0077")
