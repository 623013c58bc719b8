"""An asyncio event loop on a virtual clock, so a replayed call runs as fast as the CPU allows.

``loop.time()`` is call time, not wall time. Whenever the loop would sleep until its next
timer and no worker-thread job (recogniser decode, database write, prompt synthesis) is
outstanding, the clock jumps straight to that timer. While a job runs, the clock stands
still and the loop waits for it for real: work costs no call time, so a call replays with
the same timing however slow the machine is, and every timer in the session (20 ms pacing,
mark waits, silence timeouts) keeps its meaning unchanged.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar, TypeVarTuple

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

REAL_POLL_S = 1.0  # bound on one real wait, so a wake-up nobody announced is noticed


class _Selector(selectors.DefaultSelector):
    """Turns "sleep until the next timer" into a jump of the virtual clock."""

    loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        loop = self.loop
        if loop is None or timeout == 0:
            return super().select(timeout)
        if loop.jobs or timeout is None:
            # a worker thread is busy (its completion wakes us), or nothing is scheduled
            return super().select(REAL_POLL_S)
        loop.advance(timeout)
        return super().select(0)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        selector = _Selector()
        super().__init__(selector)
        selector.loop = self
        self.now = 0.0  # seconds of call time
        self.jobs = 0  # executor jobs not yet finished

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def run_in_executor(self, executor: Executor | None, func: Callable[[*Ts], T],
                        *args: *Ts) -> asyncio.Future[T]:
        future = super().run_in_executor(executor, func, *args)
        self.jobs += 1
        future.add_done_callback(self._job_done)
        return future

    def _job_done(self, _: asyncio.Future[Any]) -> None:
        self.jobs -= 1


def _replay_loop() -> VirtualTimeLoop:
    loop = VirtualTimeLoop()
    # One worker thread: the recogniser's soxr resampler stream gives different samples when
    # successive chunks run on different threads, which made replays differ run to run.
    loop.set_default_executor(ThreadPoolExecutor(1, thread_name_prefix="replay"))
    return loop


def run_virtual(main: Callable[[], Any]) -> Any:
    """Run the coroutine ``main()`` returns on a fresh virtual-time loop; returns its result."""
    with asyncio.Runner(loop_factory=_replay_loop) as runner:
        return runner.run(main())
