"""The asyncio wrapper: audio in order, results out, commands in sequence, clean shutdown."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from voicebot.asr.base import AsrResult
from voicebot.asr.stream import RecognizerStream
from voicebot.asr.vosk import VoskEngine
from voicebot.audio.frames import frame_bytes, silence


async def test_real_vosk_through_the_stream(ko_engine: VoskEngine, korean: Callable[[str, int], bytes]) -> None:
    pcm = korean("아니요", 8000) + silence(8000, 200)
    got: list[AsrResult] = []
    async with RecognizerStream(ko_engine.new_stream(8000), max_queue=8) as stream:
        reader = asyncio.get_running_loop().create_task(_collect(stream, got))
        await stream.set_hints(["아니요", "네"])
        step = frame_bytes(8000)
        for i in range(0, len(pcm), step):
            await stream.feed(pcm[i : i + step])
        final = await stream.flush()
    await asyncio.wait_for(reader, 5)
    assert final is not None and final.text == "아니요" and final.source == "grammar"
    assert got[-1] == final  # the flush final is also published on results()


async def _collect(stream: RecognizerStream, into: list[AsrResult]) -> None:
    async for result in stream.results():
        into.append(result)


class FakeRecognizer:
    """Test double: records calls, can block or fail, to test the wrapper's plumbing alone."""

    sample_rate = 8000

    def __init__(self, fail_on: int = -1) -> None:
        self.calls: list[tuple[str, object]] = []
        self.fail_on = fail_on
        self.release = threading.Event()
        self.release.set()

    def accept(self, pcm: bytes) -> list[AsrResult]:
        self.release.wait(5)
        self.calls.append(("accept", len(pcm)))
        if len(self.calls) == self.fail_on:
            raise RuntimeError("decoder exploded")
        return [AsrResult(f"{len(pcm)}", False)]

    def flush(self) -> AsrResult | None:
        self.calls.append(("flush", None))
        return AsrResult("done", True)

    def reset(self) -> None:
        self.calls.append(("reset", None))

    def set_hints(self, phrases: list[str] | None) -> None:
        self.calls.append(("hints", phrases))

    def close(self) -> None:
        self.calls.append(("close", None))


async def test_commands_keep_their_place_among_audio() -> None:
    fake = FakeRecognizer()
    async with RecognizerStream(fake) as stream:
        await stream.feed(b"\x00" * 320)
        await stream.set_hints(["是的"])
        await stream.feed(b"\x00" * 320)
        await stream.reset()
        assert (await stream.flush()) == AsrResult("done", True)
    names = [c[0] for c in fake.calls]
    assert names == ["accept", "hints", "accept", "reset", "flush", "close"]


async def test_backpressure_and_batching() -> None:
    fake = FakeRecognizer()
    fake.release.clear()  # the recogniser is stuck: the queue must fill, then feed must wait
    stream = RecognizerStream(fake, max_queue=3)
    stream.start()
    for _ in range(4):  # one taken by the worker, three queued
        await asyncio.wait_for(stream.feed(b"\x00" * 320), 1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(stream.feed(b"\x00" * 320), 0.2)
    fake.release.set()
    await stream.flush()
    await stream.aclose()
    sizes = [n for name, n in fake.calls if name == "accept"]
    assert sum(sizes) == 4 * 320 and len(sizes) < 4  # queued chunks went in one call


async def test_worker_error_reaches_the_caller() -> None:
    fake = FakeRecognizer(fail_on=1)
    stream = RecognizerStream(fake)
    stream.start()
    await stream.feed(b"\x00" * 320)
    with pytest.raises(RuntimeError, match="exploded"):
        async for _ in stream.results():
            pass
    with pytest.raises(RuntimeError, match="exploded"):
        await stream.feed(b"\x00" * 320)
    await stream.aclose()


async def test_aclose_cancels_a_busy_worker() -> None:
    fake = FakeRecognizer()
    fake.release.clear()
    stream = RecognizerStream(fake)
    stream.start()
    await stream.feed(b"\x00" * 320)
    await asyncio.sleep(0.05)
    await asyncio.wait_for(stream.aclose(), 2)  # does not wait for the stuck decoder
    fake.release.set()
    assert stream._task is None
    with pytest.raises(RuntimeError, match="closed"):
        await stream.feed(b"")
