"""What the understanding step produces: the contract between NLU, dialogs and the call session."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    AFFIRM = "affirm"
    DENY = "deny"
    NOT_UNDERSTOOD = "not_understood"
    REPEAT_REQUEST = "repeat_request"
    DO_NOT_CALL = "do_not_call"
    REFUSE_CALLBACK = "refuse_callback"
    BUSY = "busy"
    WRONG_PERSON = "wrong_person"
    REQUEST_AGENT = "request_agent"
    COMPLAINT = "complaint"
    MISLEADING_SALE = "misleading_sale"
    QUESTION = "question"
    ID_DIGITS = "id_digits"
    BIRTH_DATE = "birth_date"
    SILENCE = "silence"  # no speech at all
    NONE = "none"  # speech, but nothing we understood


class AnswerKind(StrEnum):
    """What the bot's current prompt asks for; it changes what counts as affirm."""

    IDENTITY = "identity"  # 请问您是X先生本人吗 — 是我 / 我就是 affirm
    ID_DIGITS = "id_digits"  # last 4/6 ID characters
    BIRTH_DATE = "birth_date"
    YES_NO = "yes_no"  # a mandated item: 清楚 / 了解 / 看过 / 签了 affirm
    CALLBACK_TIME = "callback_time"  # when may we call back
    OPEN = "open"  # anything (e.g. "any other questions?")


@dataclass(frozen=True)
class Expectation:
    """Context for understanding one answer."""

    kind: AnswerKind = AnswerKind.YES_NO
    affirm_words: tuple[str, ...] = ()  # extra phrases that affirm this question (from the script)
    deny_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    confidence: float  # 0..1, how sure the matcher is (combine with ASR confidence upstream)
    text: str  # what came in (ASR output or typed)
    normalized: str = ""  # after normalisation (Simplified, Chinese digits unified, fillers gone)
    slots: dict[str, str] = field(default_factory=dict)
    # slots: "digits" ("3215X"), "date" ("YYYY-MM-DD"), "callback_time" (free text or ISO),
    # "topic" for questions (premium / cooling_off / surrender / ...)
