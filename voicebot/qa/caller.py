"""The simulated caller's turn-taking, tick by tick (one tick = one 20 ms frame).

The rule is the gateway simulator's (voicebot/gateway/simulator.py): the caller stays silent
while the bot speaks; the next answer starts once the bot has spoken since the previous
answer's voice ended and its audio has then stopped for ``bot_done_ms``; DTMF answers are
pressed at that moment; after the last answer, the caller hangs up once the line has been
quiet for ``hangup_after_ms``. When the bot says it did not catch the answer (``repeat_after``
prompt ids, known from mark names), the caller says the last answer once more, as a person
would, instead of moving on. Pure state, no clock and no I/O: the gateway that owns it says
which tick it is and whether the bot's audio played in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicebot.audio.frames import FRAME_MS
from voicebot.gateway.scenarios import Answer


@dataclass(frozen=True)
class Spoken:
    index: int  # position in the answers
    label: str
    start_ms: int  # call time the answer started (first frame, or the key press)
    length_ms: int  # its audio (0 for DTMF)


@dataclass(frozen=True)
class Step:
    frame: bytes | None = None  # the caller's frame this tick (None: silence)
    digits: str = ""  # DTMF keys pressed this tick


class CallerTurns:
    def __init__(self, answers: Sequence[Answer], *, bot_done_ms: int = 700,
                 hangup_after_ms: int = 15_000,
                 repeat_after: tuple[str, ...] = ("pardon", "id_mismatch")) -> None:
        self.answers = list(answers)
        self.bot_done_ticks = bot_done_ms // FRAME_MS
        self.hangup_ticks = hangup_after_ms // FRAME_MS
        self.next = 0
        self.current: Answer | None = None
        self.pos = 0
        self.heard_bot = False  # the bot spoke since the caller's last answer ended
        self.last_bot_tick = -(10**9)
        self.last_answer_tick = 0  # the tick the last answer's audio ends
        self.spoken: list[Spoken] = []
        self.repeat_after = repeat_after
        self.prompts: list[str] = []  # prompt ids played since the last answer
        self.repeated = -1  # the answer already said twice

    def prompt_played(self, prompt_id: str) -> None:
        self.prompts.append(prompt_id)

    def _index(self) -> int:
        last = self.next - 1
        if (last >= 0 and last != self.repeated and not self.answers[last].is_dtmf
                and any(p in self.repeat_after for p in self.prompts)):
            self.repeated = last
            return last
        return self.next

    def bot_played(self, tick: int) -> None:
        """One frame of the bot's audio played at the gateway in ``tick``."""
        self.last_bot_tick = tick
        if self.current is None or self._voice_done():
            self.heard_bot = True

    def bot_idle(self, tick: int, playback_empty: bool) -> bool:
        return playback_empty and tick - self.last_bot_tick >= self.bot_done_ticks

    def step(self, tick: int, playback_empty: bool) -> Step:
        """What the caller sends in ``tick``."""
        digits = ""
        if (self.current is None and self.next < len(self.answers) and self.heard_bot
                and self.bot_idle(tick, playback_empty)):
            index = self._index()
            answer = self.answers[index]
            self.spoken.append(Spoken(index, answer.label, tick * FRAME_MS,
                                      len(answer.frames) * FRAME_MS))
            self.prompts = []
            self.next = max(self.next, index + 1)
            self.heard_bot = False
            self.last_answer_tick = tick + len(answer.frames)
            if answer.is_dtmf:
                digits = answer.digits
            else:
                self.current, self.pos = answer, 0
        frame = None
        if self.current is not None:
            frame = self.current.frames[self.pos]
            self.pos += 1
            if self.pos >= len(self.current.frames):
                self.current = None
        return Step(frame, digits)

    def hangs_up(self, tick: int, playback_empty: bool) -> bool:
        """All answers given and the line quiet long enough: the caller puts the phone down."""
        if self.current is not None or self.next < len(self.answers) or not playback_empty:
            return False
        return tick - max(self.last_bot_tick, self.last_answer_tick) >= self.hangup_ticks

    @property
    def unused(self) -> int:
        return len(self.answers) - self.next

    def _voice_done(self) -> bool:
        a = self.current
        return a is not None and (a.last_voiced is None or self.pos > a.last_voiced)
