"""Crash recovery: a writer process is killed mid-call; at start the call is closed as
interrupted, its recording repaired to the last whole frame and sealed into the chain."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from evidence_helpers import make_call

from voicebot.evidence import EvidenceStore, verify
from voicebot.store import calls

HERE = Path(__file__).parent
AUDIO_MS = 3000


def run_writer_and_kill(url: str, calls_dir: Path) -> tuple[str, int]:
    env = dict(os.environ, PYTHONPATH=f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    proc = subprocess.Popen([sys.executable, str(HERE / "writer_proc.py"), url, str(calls_dir),
                             str(AUDIO_MS)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        assert line and line[0] == "READY", f"writer failed: {line}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return line[1], int(line[2])


def test_killed_writer_is_recovered(evidence: EvidenceStore, store_url: str) -> None:
    first = make_call(evidence)  # a sealed call before the crash: the chain continues from it
    call_id, on_disk = run_writer_and_kill(store_url, evidence.calls_dir)
    wav = next(evidence.calls_dir.glob(f"*/*/{call_id}/recording.wav"))
    assert wav.stat().st_size >= 44 + on_disk * 4
    # This node sees the other node's open call only when asked for all nodes.
    assert evidence.recover_open_calls() == []
    done = evidence.recover_open_calls(all_nodes=True)
    assert [d.call_id for d in done] == [call_id]
    assert done[0].seq == 2 and done[0].prev_manifest_sha256 == first.manifest_sha256

    audio, rate = sf.read(wav, dtype="int16")
    lost_ms = AUDIO_MS - audio.shape[0] * 1000 // rate
    assert audio.shape[0] == on_disk and 0 <= lost_ms <= 1000
    second = audio[8000:16000]  # 1.0-2.0 s: caller all the time, bot in the first half
    assert np.abs(second[:, 0]).mean() > 1000
    assert np.abs(second[:4000, 1]).mean() > 1000 and np.abs(second[4000:, 1]).max() == 0

    manifest = json.loads((wav.parent / "manifest.json").read_text())
    assert manifest["recovered"] is True and manifest["status"] == "interrupted"
    assert manifest["recording_repair"]["changed"] is True
    transcript = json.loads((wav.parent / "transcript.json").read_text())
    assert [t["speaker"] for t in transcript["turns"]] == ["bot", "caller"]
    with evidence.db.session() as s:
        call = calls.get(s, call_id)
        assert (call.status, call.outcome) == ("interrupted", "interrupted")
    assert verify(evidence.db, evidence.calls_dir).ok
    assert evidence.recover_open_calls(all_nodes=True) == []  # nothing left open
