"""Turns of a call: what the bot said (and how much the caller heard), what the caller said."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voicebot.errors import StoreError
from voicebot.store.models import Speaker, Turn


@dataclass
class TurnData:
    """One turn as the live session, the simulator or an agent reports it. Times in ms on the
    recording's clock (0 = call start)."""

    speaker: str  # bot | caller | agent
    start_ms: int
    end_ms: int | None = None
    prompt_id: str | None = None  # bot turns
    prompt_text: str | None = None
    heard_until_ms: int | None = None  # ms into the prompt the caller heard (barge-in); None = all
    question_id: str | None = None
    text: str | None = None  # caller/agent turns: what was said (recognised)
    intent: str | None = None
    confidence: float | None = None
    barged_in: bool = False
    via: str = "speech"  # speech | dtmf | text | agent


def add(s: Session, call_id: str, turn: TurnData) -> Turn:
    if turn.speaker not in set(Speaker):
        raise StoreError(f"unknown speaker {turn.speaker!r}", hint="use bot, caller or agent")
    idx = s.scalar(select(func.count()).select_from(Turn).where(Turn.call_id == call_id)) or 0
    row = Turn(call_id=call_id, idx=int(idx), **asdict(turn))
    s.add(row)
    s.flush()
    return row


def for_call(s: Session, call_id: str) -> list[Turn]:
    return list(s.scalars(select(Turn).where(Turn.call_id == call_id).order_by(Turn.idx)))


def to_dict(turn: Turn) -> dict[str, Any]:
    return {
        "idx": turn.idx, "speaker": turn.speaker, "start_ms": turn.start_ms, "end_ms": turn.end_ms,
        "question_id": turn.question_id, "prompt_id": turn.prompt_id,
        "prompt_text": turn.prompt_text, "heard_until_ms": turn.heard_until_ms,
        "text": turn.text, "intent": turn.intent, "confidence": turn.confidence,
        "barged_in": turn.barged_in, "via": turn.via,
    }
