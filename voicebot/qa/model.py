"""What a replay consumes (items of caller speech with optional expectations) and produces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Utterance:
    """One thing the caller says: a whole file, or a stretch of a recording's caller channel."""

    audio: Path
    label: str  # file name, or "turn 3" for a recorded call
    start_ms: int | None = None  # a slice of ``audio`` (recorded calls); None = the whole file
    end_ms: int | None = None
    expected_text: str | None = None
    expected_intent: str | None = None
    previous_text: str | None = None  # what was heard when the call was live (recorded calls)
    previous_intent: str | None = None


@dataclass(frozen=True)
class ReplayItem:
    name: str
    kind: str  # scenario | file | call
    source: str  # where it came from (path or call id)
    script: str  # script name or path of a .toml
    policy: dict[str, Any]
    utterances: tuple[Utterance, ...]
    expected_outcome: str | None = None
    expected_problems: tuple[int, ...] | None = None  # question numbers
    description: str = ""
    previous_outcome: str | None = None  # recorded calls: what the bot decided back then


@dataclass
class TurnResult:
    """One caller answer as the replayed call handled it."""

    utterance: str  # Utterance.label
    question_id: str | None
    question_no: int | None
    bot_text: str  # the question the bot asked before this answer
    heard: str
    confidence: float | None
    intent: str
    expected_text: str | None = None
    expected_intent: str | None = None
    cer: float | None = None
    cer_errors: int = 0
    cer_chars: int = 0
    previous_text: str | None = None
    previous_intent: str | None = None
    audio_ms: int = 0


@dataclass
class ItemResult:
    name: str
    kind: str
    source: str
    script: str
    status: str = "unchecked"  # pass | fail | error | unchecked (nothing expected)
    outcome: str | None = None
    problem_items: list[int] = field(default_factory=list)
    expected_outcome: str | None = None
    expected_problems: list[int] | None = None
    differences: list[str] = field(default_factory=list)
    turns: list[TurnResult] = field(default_factory=list)
    bot_lines: list[str] = field(default_factory=list)  # everything the bot said, in order
    unused_utterances: int = 0  # caller audio left when the call ended
    end_reason: str = ""
    error: str | None = None
    audio_s: float = 0.0
    wall_s: float = 0.0
    description: str = ""
    previous_outcome: str | None = None
    # Replays through the call session (empty for the text backend):
    call_id: str = ""
    call_s: float = 0.0  # the call's length on its audio clock
    ended_by: str = ""  # bot_hangup | transfer | caller_hangup | timeout (the loopback gateway)
    evidence: str = ""  # the call's evidence folder, when kept (--keep-evidence)
    events: list[dict[str, Any]] = field(default_factory=list)  # the session's call events

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
