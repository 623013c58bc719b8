"""A call writer run as its own process, so a test can kill it mid-call (SIGKILL).

usage: python writer_proc.py DB_URL CALLS_DIR AUDIO_MS
Writes AUDIO_MS of a live-like call (caller and bot interleaved), two turns, then prints
"READY <call_id> <frames on disk>" and waits to be killed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from evidence_helpers import FRAME, frames, tone

from voicebot.evidence import EvidenceStore
from voicebot.store import Database
from voicebot.store.turns import TurnData


def main() -> None:
    url, calls_dir, audio_ms = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    store = EvidenceStore(Database.open(url), calls_dir, node="writer-node")
    ev = store.open_call(phone="13800000002", policy_no="P-2002", script="new_policy")
    caller = frames(tone(audio_ms, 300))
    bot = frames(tone(audio_ms, 700))
    for i in range(audio_ms // 20):
        ev.write_caller(caller[i], i * 20)
        if (i * 20) % 1000 < 500:  # the bot talks in the first half of every second
            ev.write_bot(bot[i], i * 20)
    ev.add_turn(TurnData("bot", 0, 500, prompt_id="greet", prompt_text="您好"))
    ev.add_turn(TurnData("caller", 500, 1000, text="你好", intent="greet", confidence=0.8))
    on_disk = ev.recorder._written  # frames already in the file
    print(f"READY {ev.call_id} {on_disk} {FRAME}", flush=True)
    time.sleep(120)


if __name__ == "__main__":
    main()
