"""A simulated telephony gateway: plays a scenario over a real WebSocket as a gateway would.

It streams the caller's side as continuous 20 ms frames (silence between answers, never a gap),
plays the bot's audio into a playback buffer drained in real time (echoing marks when the audio
before them has played, or was dropped by ``clear``), speaks each answer once the bot has
finished its prompt, can barge in mid-prompt, presses DTMF keys, and times everything on its
own side. ``pace`` > 1 runs the clock faster than real time (the server must pace alike).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from voicebot.audio.frames import FRAME_MS, frame_bytes, silence
from voicebot.gateway.scenarios import Answer, AnswerLoader, Scenario
from voicebot.gateway.sim_wire import WIRES, GatewayWire


@dataclass
class SimOptions:
    url: str  # ws://host:port (the protocol's path is added when the URL has none)
    protocol: str = "twilio"
    token: str = ""
    fixtures_dir: Path | None = None
    pace: float = 1.0  # 1 = real time
    sample_rate: int = 8000  # audiofork only (Twilio is 8 kHz μ-law)
    bot_done_ms: int = 700  # the bot's turn is over after this long without its audio (audio time)
    bot_done_wall_ms: int = 300  # ... and at least this long on the wall clock (stalls at pace > 1)
    barge_in_ms: dict[int, int] = field(default_factory=dict)  # answer index → ms into the prompt
    hangup_after_s: float = 15.0  # after the last answer, hang up when the bot is quiet this long
    # ... and at least this long on the wall clock (the bot's recogniser runs in wall time)
    hangup_after_wall_s: float = 6.0
    max_call_s: float = 600.0  # audio time
    fetch_record: bool = True  # ask the server for the call record afterwards (GET /calls/<id>)
    # Like a person, say the last answer once more when the bot says it did not catch it (these
    # prompt ids arrive as mark names) instead of moving on to the next scripted answer.
    repeat_after_prompts: tuple[str, ...] = ("pardon", "id_mismatch")


@dataclass
class TimelineEntry:
    at_ms: int  # audio time since the call started
    who: str  # bot | caller | gateway
    what: str


@dataclass
class SimResult:
    scenario: str
    protocol: str
    call_id: str
    ended_by: str = ""  # bot_hangup | caller_hangup | transfer | dropped | timeout
    transfer_target: str = ""
    greeting_latency_ms: float | None = None
    turn_latencies_ms: list[float] = field(default_factory=list)
    barge_in_stop_ms: list[float | None] = field(default_factory=list)
    bot_audio_s: float = 0.0
    playback_gaps: int = 0  # times the bot's audio ran dry mid-prompt for more than one frame
    answers_spoken: int = 0
    timeline: list[TimelineEntry] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the server's call record (outcome, transcript)

    @property
    def outcome(self) -> str:
        return str((self.record or {}).get("outcome", {}).get("outcome", "")) if self.record else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "protocol": self.protocol, "call_id": self.call_id,
            "ended_by": self.ended_by, "transfer_target": self.transfer_target,
            "greeting_latency_ms": self.greeting_latency_ms, "turn_latencies_ms": self.turn_latencies_ms,
            "barge_in_stop_ms": self.barge_in_stop_ms, "bot_audio_s": round(self.bot_audio_s, 2),
            "playback_gaps": self.playback_gaps, "answers_spoken": self.answers_spoken,
            "timeline": [e.__dict__ for e in self.timeline], "record": self.record,
        }


class GatewaySimulator:
    def __init__(self, scenario: Scenario, options: SimOptions, params: dict[str, str] | None = None) -> None:
        self.scenario = scenario
        self.opt = options
        rate = 8000 if options.protocol == "twilio" else options.sample_rate
        fixtures = options.fixtures_dir or Path(".")
        self.loader = AnswerLoader(fixtures, rate)
        self.answers = [self.loader.load(a) for a in scenario.answers]  # fail early on a bad file
        self.rate = rate
        call_params = {"policy_json": json.dumps(scenario.policy, ensure_ascii=False), **scenario.params}
        if scenario.policy.get("holder_phone"):
            call_params.setdefault("caller", str(scenario.policy["holder_phone"]))
        call_params.update(params or {})
        self.wire: GatewayWire = WIRES[options.protocol](call_params, rate)
        self.result = SimResult(scenario.name, options.protocol, self.wire.call_id)
        self.interval = FRAME_MS / 1000 / options.pace
        # gateway playback buffer: audio frames and mark names, in order
        self.playback: collections.deque[bytes | str] = collections.deque()
        self._partial = b""
        self.tick = 0
        self.ended = asyncio.Event()
        # caller state
        self.next_answer = 0
        self.current: Answer | None = None
        self.pos = 0
        self.heard_bot = False  # the bot spoke since the caller's last answer ended
        self.prompt_frames = 0  # frames of the bot's current stretch of speech played so far
        self.last_bot_tick = -(10**9)
        self.bot_speaking = False
        # timing (wall clock, monotonic seconds)
        self.t_start = 0.0
        self.t_last_voiced: float | None = None
        self.t_barge_voiced: float | None = None
        self.last_bot_recv = 0.0
        self._marks_due: list[str] = []
        self._prompts_heard: list[str] = []  # prompt ids (mark names) played since the last answer
        self._speech_start = 0
        self._quiet_since: float | None = None
        self._quiet_tick = 0
        self._last_answer_tick = 0

    # ---- helpers -----------------------------------------------------------------------------
    @property
    def at_ms(self) -> int:
        return self.tick * FRAME_MS

    def note(self, who: str, what: str) -> None:
        self.result.timeline.append(TimelineEntry(self.at_ms, who, what))

    def _url(self) -> str:
        parts = urllib.parse.urlsplit(self.opt.url)
        path = parts.path if parts.path not in ("", "/") else self.wire.path
        query = parts.query
        if self.opt.token and "token=" not in query:
            query = (query + "&" if query else "") + urllib.parse.urlencode({"token": self.opt.token})
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))

    # ---- main --------------------------------------------------------------------------------
    async def run(self) -> SimResult:
        subprotocols = [Subprotocol(s) for s in self.wire.subprotocols] or None
        headers = {"Authorization": f"Bearer {self.opt.token}"} if self.opt.token else None
        async with connect(self._url(), subprotocols=subprotocols, additional_headers=headers,
                           max_size=2**22) as ws:
            for message in self.wire.opening():
                await ws.send(message)
            self.t_start = time.monotonic()
            self.note("gateway", f"call started ({self.opt.protocol}, call id {self.wire.call_id})")
            receiver = asyncio.create_task(self._receive(ws))
            try:
                await self._stream(ws)
            finally:
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await receiver
        if self.opt.fetch_record:
            self.result.record = await self._fetch_record()
        return self.result

    async def _stream(self, ws: ClientConnection) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        quiet = silence(self.rate)
        max_ticks = int(self.opt.max_call_s * 1000 / FRAME_MS)
        while not self.ended.is_set():
            self._play_one()
            for message in self._caller_messages(quiet):
                try:
                    await ws.send(message)
                except ConnectionClosed:
                    # the bot closing the stream cleanly is its hang-up (Twilio has no other)
                    self._end("bot_hangup" if ws.close_code in (1000, 1001) else "dropped")
                    return
            for name in self._due_marks():
                mark = self.wire.mark_done(name)
                if mark is not None:
                    await ws.send(mark)
            if self._caller_should_hang_up():
                self.note("caller", "hangs up")
                stop = self.wire.stop()
                if stop is not None:
                    await ws.send(stop)
                self._end("caller_hangup")
                await ws.close()
                return
            if self.tick >= max_ticks:
                self._end("timeout")
                await ws.close()
                return
            self.tick += 1
            delay = start + self.tick * self.interval - loop.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.ended.wait(), delay)

    def _end(self, how: str) -> None:
        if not self.result.ended_by:
            self.result.ended_by = how
        self.ended.set()

    # ---- the gateway's playback of the bot's audio ---------------------------------------------
    def _play_one(self) -> None:
        while self.playback and isinstance(self.playback[0], str):
            self._marks_due.append(str(self.playback.popleft()))
        if self.playback:
            self.playback.popleft()
            if not self.bot_speaking:
                self.bot_speaking = True
                self.prompt_frames = 0
                self._speech_start = self.at_ms
            elif self.tick - self.last_bot_tick > 2:
                self.result.playback_gaps += 1
            self.prompt_frames += 1
            self.last_bot_tick = self.tick
            if self.current is None or self._voice_done():
                self.heard_bot = True
            while self.playback and isinstance(self.playback[0], str):
                self._marks_due.append(str(self.playback.popleft()))
        elif self.bot_speaking and self._bot_idle():
            self.bot_speaking = False
            secs = (self.last_bot_tick + 1) * FRAME_MS / 1000 - self._speech_start / 1000
            self.result.timeline.append(TimelineEntry(self._speech_start, "bot", f"speaks {secs:.1f} s"))

    def _due_marks(self) -> list[str]:
        due, self._marks_due = self._marks_due, []
        self._prompts_heard.extend(name.split("#", 1)[0] for name in due)
        return due

    def _bot_idle(self) -> bool:
        if self.playback or (self.tick - self.last_bot_tick) * FRAME_MS < self.opt.bot_done_ms:
            return False
        return (time.monotonic() - self.last_bot_recv) * 1000 >= self.opt.bot_done_wall_ms

    # ---- the caller ----------------------------------------------------------------------------
    def _voice_done(self) -> bool:
        a = self.current
        return a is not None and (a.last_voiced is None or self.pos > a.last_voiced)

    def _caller_messages(self, quiet: bytes) -> list[str | bytes]:
        out: list[str | bytes] = []
        if self.current is None and self.next_answer < len(self.answers):
            index = self._answer_to_give()
            barge = self.opt.barge_in_ms.get(index)
            if self.heard_bot and barge is not None and self.playback and self.prompt_frames * FRAME_MS >= barge:
                self._start_answer(index, barge_in=True)
            elif self.heard_bot and self._bot_idle():
                self._start_answer(index, barge_in=False)
            if self.current is not None and self.current.is_dtmf:
                for digit in self.current.digits:
                    out.append(self.wire.dtmf(digit))
                self.t_last_voiced = time.monotonic()
                self.current = None
        frame = quiet
        if self.current is not None:
            answer = self.current
            frame = answer.frames[self.pos]
            now = time.monotonic()
            if self.pos == answer.first_voiced and self._barging:
                self.t_barge_voiced = now
            if self.pos == answer.last_voiced:
                self.t_last_voiced = now
            self.pos += 1
            if self.pos >= len(answer.frames):
                self.current = None
        out.append(self.wire.audio(frame, self.tick))
        return out

    def _answer_to_give(self) -> int:
        """The next scripted answer, or the last one again (once) when the bot did not catch it."""
        last = self.next_answer - 1
        not_caught = any(p in self.opt.repeat_after_prompts for p in self._prompts_heard)
        if not_caught and last >= 0 and self._repeated != last and not self.answers[last].is_dtmf:
            return last
        return self.next_answer

    _repeated = -1  # the answer already said twice

    def _start_answer(self, index: int, *, barge_in: bool) -> None:
        answer = self.answers[index]
        if index < self.next_answer:
            self._repeated = index
            self.note("caller", "says it again")
        self._prompts_heard = []
        self.current, self.pos, self.next_answer = answer, 0, max(self.next_answer, index + 1)
        self._last_answer_tick = self.tick + len(answer.frames)
        self.heard_bot = False
        self._barging = barge_in
        self.result.answers_spoken += 1
        what = f"{answer.label}" + (f" 「{answer.text}」" if answer.text else "")
        self.note("caller", ("barges in: " if barge_in else "") + what)
        if barge_in:
            self.result.barge_in_stop_ms.append(None)  # filled when the bot's clear arrives

    _barging = False

    def _caller_should_hang_up(self) -> bool:
        if self.current is not None or self.next_answer < len(self.answers):
            return False
        if self.playback or self.current is not None:
            self._quiet_since = None
            return False
        quiet_ticks = self.tick - max(self.last_bot_tick, self._last_answer_tick)
        if quiet_ticks * FRAME_MS < self.opt.hangup_after_s * 1000:
            return False
        now = time.monotonic()
        if self._quiet_since is None or self._quiet_tick != self.last_bot_tick:
            self._quiet_since, self._quiet_tick = now, self.last_bot_tick
        return now - self._quiet_since >= min(self.opt.hangup_after_wall_s, self.opt.hangup_after_s)

    # ---- what the bot sends ------------------------------------------------------------------
    async def _receive(self, ws: ClientConnection) -> None:
        try:
            async for message in ws:
                msg = self.wire.decode(message)
                now = time.monotonic()
                if msg.kind == "audio":
                    self._bot_audio(msg.pcm, now)
                elif msg.kind == "mark":
                    self.playback.append(msg.name)
                elif msg.kind == "clear":
                    self._clear(ws, now)
                elif msg.kind == "transfer":
                    self.result.transfer_target = msg.name
                    self.note("bot", f"transfers the call to {msg.name}")
                    self._end("transfer")
                elif msg.kind == "hangup":
                    self.note("bot", "hangs up")
                    self._end("bot_hangup")
        except ConnectionClosed:
            pass
        if not self.ended.is_set():
            self.note("bot", "closes the stream")
        self._end("bot_hangup")

    def _bot_audio(self, pcm: bytes, now: float) -> None:
        if self.result.greeting_latency_ms is None:
            self.result.greeting_latency_ms = round((now - self.t_start) * 1000, 1)
        if self.t_last_voiced is not None:
            if now - self.last_bot_recv > 0.2:  # a new stretch of bot speech: the reply
                self.result.turn_latencies_ms.append(round((now - self.t_last_voiced) * 1000, 1))
            self.t_last_voiced = None
        self.last_bot_recv = now
        self.result.bot_audio_s += len(pcm) / 2 / self.rate
        data = self._partial + pcm
        size = frame_bytes(self.rate)
        whole = len(data) - len(data) % size
        for i in range(0, whole, size):
            self.playback.append(data[i:i + size])
        self._partial = data[whole:]

    def _clear(self, ws: ClientConnection, now: float) -> None:
        dropped = [item for item in self.playback if isinstance(item, str)]
        frames = sum(1 for item in self.playback if isinstance(item, bytes))
        self.playback.clear()
        self._partial = b""
        self._marks_due.extend(dropped)  # Twilio echoes marks dropped by clear
        if self.result.barge_in_stop_ms and self.result.barge_in_stop_ms[-1] is None and self.t_barge_voiced:
            self.result.barge_in_stop_ms[-1] = round((now - self.t_barge_voiced) * 1000, 1)
            self.t_barge_voiced = None
        self.note("bot", f"clears playback ({frames * FRAME_MS} ms dropped)")

    async def _fetch_record(self) -> dict[str, Any] | None:
        parts = urllib.parse.urlsplit(self.opt.url)
        scheme = "https" if parts.scheme == "wss" else "http"
        url = f"{scheme}://{parts.netloc}/calls/{urllib.parse.quote(self.wire.call_id)}"
        headers = {"Authorization": f"Bearer {self.opt.token}"} if self.opt.token else {}
        async with httpx.AsyncClient(timeout=5.0) as client:
            for _ in range(50):
                try:
                    response = await client.get(url, headers=headers)
                except httpx.HTTPError:
                    return None
                if response.status_code == 200:
                    data: dict[str, Any] = response.json()
                    return data
                if response.status_code != 202:  # 202: the call is still being saved
                    return None
                await asyncio.sleep(0.1)
        return None
