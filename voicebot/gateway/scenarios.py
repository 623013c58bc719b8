"""Whole-call scenarios for the simulated gateway (the format of the shared zh-callers set).

A scenario is ``{"name", "policy", "answers": [...], "expected_outcome",
"expected_problem_items"}``; each answer is a fixture WAV name (resolved next to the scenario
file or in a fixtures folder) or DTMF written ``"#<digits>"`` (``"#1"`` presses 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicebot.audio import read_pcm16
from voicebot.audio.frames import frame_bytes, split_frames
from voicebot.audio.vad import VoiceDetector
from voicebot.errors import AudioError, ProtocolError

DTMF_PREFIX = "#"


@dataclass(frozen=True)
class Answer:
    """One caller turn, ready to stream: 20 ms frames, or DTMF digits."""

    label: str  # the fixture name or "#1"
    frames: tuple[bytes, ...] = ()
    digits: str = ""
    first_voiced: int | None = None  # frame index of the first / last voiced frame
    last_voiced: int | None = None
    text: str = ""  # what the fixture says (from the manifest), for printing

    @property
    def is_dtmf(self) -> bool:
        return bool(self.digits)


@dataclass
class Scenario:
    name: str
    answers: list[str]
    policy: dict[str, Any] = field(default_factory=dict)
    expected_outcome: str = ""
    expected_problem_items: list[int] = field(default_factory=list)
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)  # extra customParameters


def load_scenarios(path: str | Path) -> list[Scenario]:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProtocolError(f"scenario file {p} not found", hint="check --scenario") from exc
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"scenario file {p} is not JSON: {exc}", hint="fix the line named") from exc
    items = data if isinstance(data, list) else [data]
    out: list[Scenario] = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("answers"), list):
            raise ProtocolError(f"scenario #{n + 1} in {p} has no 'answers' list", hint="see README")
        out.append(Scenario(
            name=str(item.get("name", f"scenario{n + 1}")),
            answers=[str(a) for a in item["answers"]],
            policy=dict(item.get("policy") or {}),
            expected_outcome=str(item.get("expected_outcome", "")),
            expected_problem_items=[int(i) for i in item.get("expected_problem_items", [])],
            description=str(item.get("description", "")),
            params={str(k): str(v) for k, v in (item.get("params") or {}).items()},
        ))
    return out


def pick(scenarios: list[Scenario], name: str | None) -> Scenario:
    if name is None:
        return scenarios[0]
    for scenario in scenarios:
        if scenario.name == name:
            return scenario
    raise ProtocolError(f"no scenario named {name!r}",
                        hint="known: " + ", ".join(s.name for s in scenarios))


class AnswerLoader:
    """Loads fixture answers once (cached) at the call's sample rate."""

    def __init__(self, fixtures_dir: Path, sample_rate: int) -> None:
        self.dir = fixtures_dir
        self.rate = sample_rate
        self._cache: dict[str, Answer] = {}
        manifest = fixtures_dir / "manifest.json"
        self._texts: dict[str, str] = {}
        if manifest.is_file():
            for row in json.loads(manifest.read_text(encoding="utf-8")):
                self._texts[row.get("file", "")] = row.get("text", "")

    def load(self, label: str) -> Answer:
        if label not in self._cache:
            self._cache[label] = self._load(label)
        return self._cache[label]

    def _load(self, label: str) -> Answer:
        if label.startswith(DTMF_PREFIX):
            digits = label[len(DTMF_PREFIX):]
            if not digits or any(d not in "0123456789*#ABCD" for d in digits):
                raise AudioError(f"answer {label!r} is not DTMF", hint="write DTMF answers as '#1' or '#12'")
            return Answer(label, digits=digits, text=f"(DTMF {digits})")
        pcm = read_pcm16(self.dir / label, self.rate)
        frames = tuple(split_frames(pcm, self.rate, pad=True))
        detector = VoiceDetector(self.rate)
        voiced = [i for i, f in enumerate(frames) if len(f) == frame_bytes(self.rate) and detector.is_speech(f)]
        return Answer(
            label, frames=frames, first_voiced=voiced[0] if voiced else None,
            last_voiced=voiced[-1] if voiced else None, text=self._texts.get(label, ""),
        )
