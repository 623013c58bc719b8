"""Run a blocking ``Recognizer`` off the event loop for one call.

``RecognizerStream`` owns one worker task. Audio goes into a bounded queue (``feed`` waits when
the recogniser falls behind: back-pressure instead of unbounded memory); the worker drains what
is queued, hands it to the recogniser in one executor call and publishes the results on
``results()``. Commands (hints, reset, flush) travel through the same queue, so they apply in
order with the audio. ``aclose`` (or leaving ``async with``) stops and awaits the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from voicebot.asr.base import AsrResult, Recognizer

log = logging.getLogger(__name__)


@dataclass
class _Command:
    name: str  # "hints" | "reset" | "flush"
    arg: Any = None
    done: asyncio.Future[Any] | None = field(default=None)


_CLOSE = object()


class RecognizerStream:
    def __init__(
        self, recognizer: Recognizer, *, max_queue: int = 100, executor: Executor | None = None
    ) -> None:
        self.recognizer = recognizer
        self._executor = executor
        self._inbox: asyncio.Queue[bytes | _Command | object] = asyncio.Queue(max_queue)
        self._results: asyncio.Queue[AsrResult | object] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._closed = False

    async def __aenter__(self) -> RecognizerStream:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="asr-worker")

    async def feed(self, pcm: bytes) -> None:
        """Queue audio; waits while the queue is full. Raises the worker's error, if any."""
        self._check()
        await self._inbox.put(bytes(pcm))

    async def set_hints(self, phrases: list[str] | None) -> None:
        await self._command("hints", phrases)

    async def reset(self) -> None:
        await self._command("reset")

    async def flush(self) -> AsrResult | None:
        """Finish the open utterance after all queued audio; the final is also on ``results()``."""
        result = await self._command("flush")
        return result if isinstance(result, AsrResult) else None

    async def results(self) -> AsyncIterator[AsrResult]:
        """Partials and finals in order; ends when the stream closes (re-raises worker errors)."""
        while True:
            item = await self._results.get()
            if item is _CLOSE:
                if self._error is not None:
                    raise self._error
                return
            assert isinstance(item, AsrResult)
            yield item

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._call(self.recognizer.close)
        self._results.put_nowait(_CLOSE)

    # -- internals --------------------------------------------------------------------------
    def _check(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise RuntimeError("recognizer stream is closed")

    async def _command(self, name: str, arg: Any = None) -> Any:
        self._check()
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self._inbox.put(_Command(name, arg, done))
        return await done

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _run(self) -> None:
        try:
            while True:
                item = await self._inbox.get()
                if isinstance(item, bytes):
                    chunks, item = [item], None
                    # drain audio already waiting: one executor hop instead of many
                    while item is None and not self._inbox.empty():
                        nxt = self._inbox.get_nowait()
                        if isinstance(nxt, bytes):
                            chunks.append(nxt)
                        else:
                            item = nxt  # a command: run it after this audio
                    for result in await self._call(self.recognizer.accept, b"".join(chunks)):
                        self._results.put_nowait(result)
                if isinstance(item, _Command):
                    await self._run_command(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("speech recogniser failed")
            self._error = exc
            self._results.put_nowait(_CLOSE)
            self._fail_waiting(exc)

    async def _run_command(self, cmd: _Command) -> None:
        try:
            if cmd.name == "hints":
                value: Any = await self._call(self.recognizer.set_hints, cmd.arg)
            elif cmd.name == "reset":
                value = await self._call(self.recognizer.reset)
            else:
                value = await self._call(self.recognizer.flush)
                if value is not None:
                    self._results.put_nowait(value)
        except Exception as exc:
            if cmd.done is not None and not cmd.done.done():
                cmd.done.set_exception(exc)
            raise
        if cmd.done is not None and not cmd.done.done():
            cmd.done.set_result(value)

    def _fail_waiting(self, exc: BaseException) -> None:
        while not self._inbox.empty():
            item = self._inbox.get_nowait()
            if isinstance(item, _Command) and item.done is not None and not item.done.done():
                item.done.set_exception(exc)
