"""Audio and call builders for the evidence tests (tones made in code, 8 kHz PCM16)."""

from __future__ import annotations

import numpy as np

from voicebot.dialogs.outcome import Outcome, OutcomeRecord
from voicebot.evidence import CallEvidence, EvidenceStore, Sealed
from voicebot.store.turns import TurnData

RATE = 8000
FRAME = 160  # 20 ms


def tone(ms: int, hz: float, amp: int = 8000) -> bytes:
    t = np.arange(ms * RATE // 1000) / RATE
    return (np.sin(2 * np.pi * hz * t) * amp).astype("<i2").tobytes()


def frames(pcm: bytes) -> list[bytes]:
    return [pcm[i:i + FRAME * 2] for i in range(0, len(pcm), FRAME * 2)]


def play_dialog(ev: CallEvidence, *, caller_ms: int = 2000, bot_from: int = 500,
                bot_ms: int = 1000) -> None:
    """Caller streams continuously (silence except a tone at 1200 ms+); the bot speaks from
    ``bot_from``. Chunks arrive interleaved in time order, as in a live call."""
    silence = bytes(FRAME * 2)
    spoken = frames(tone(400, 300))
    bot = frames(tone(bot_ms, 700))
    for i in range(caller_ms // 20):
        at = i * 20
        k = (at - 1200) // 20
        ev.write_caller(spoken[k] if 0 <= k < len(spoken) else silence, at)
        j = (at - bot_from) // 20
        if 0 <= j < len(bot):
            ev.write_bot(bot[j], at)
    ev.add_turn(TurnData("bot", bot_from, bot_from + bot_ms, prompt_id="greet",
                         prompt_text="您好，这里是保险公司回访。", question_id="identity"))
    ev.add_turn(TurnData("caller", 1200, 1600, text="是我本人", intent="affirm", confidence=0.91))


def make_call(store: EvidenceStore, *, phone: str = "13800000001",
              outcome: Outcome = Outcome.COMPLETED) -> Sealed:
    ev = store.open_call(phone=phone, policy_no="P-1001", script="new_policy", gateway="twilio")
    play_dialog(ev)
    rec = OutcomeRecord(call_id=ev.call_id, script="new_policy", policy_no="P-1001",
                        outcome=outcome, started_at=ev.started_at.isoformat(),
                        ended_at=ev.started_at.isoformat(), end_reason="script finished")
    return ev.close(rec)
