"""Per-answer turns of a replayed call, read from the call session's events.

Each answer the loopback caller gave owns the session events between its start and the next
answer's start (call time): what the recogniser heard then, the intent the NLU gave it, and
the question the bot had last asked before it.
"""

from __future__ import annotations

from typing import Any

from voicebot.dialogs.schema import Script
from voicebot.nlu.types import Intent
from voicebot.qa.caller import Spoken
from voicebot.qa.model import ReplayItem, TurnResult


def turns_from_events(item: ReplayItem, spoken: list[Spoken], events: list[dict[str, Any]],
                      script: Script | None) -> list[TurnResult]:
    turns = []
    for n, answer in enumerate(spoken):
        until = spoken[n + 1].start_ms if n + 1 < len(spoken) else float("inf")
        window = [e for e in events if answer.start_ms <= e["at_ms"] < until]
        said = [e for e in window if e["type"] == "caller_said" and e.get("text")]
        intents = [e["intent"] for e in window
                   if e["type"] == "intent" and "intent" in e] or [
                  e["intent"] for e in window if e["type"] == "caller_said" and "intent" in e]
        confs = [float(e["confidence"]) for e in said if e.get("confidence") is not None]
        asked = [e for e in events if e["type"] == "bot_said" and e.get("question_id")
                 and e["at_ms"] <= answer.start_ms]
        qid = asked[-1]["question_id"] if asked else None
        spec = script.states.get(qid) if script is not None and qid else None
        utt = item.utterances[answer.index]
        turns.append(TurnResult(
            utterance=utt.label, question_id=qid, question_no=spec.no if spec else None,
            bot_text=asked[-1]["text"] if asked else "",
            heard="".join(e["text"] for e in said),
            confidence=round(sum(confs) / len(confs), 3) if confs else None,
            intent=intents[-1] if intents else str(Intent.SILENCE),
            expected_text=utt.expected_text, expected_intent=utt.expected_intent,
            previous_text=utt.previous_text, previous_intent=utt.previous_intent,
            audio_ms=answer.length_ms))
    return turns
