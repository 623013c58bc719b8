"""Run many replay items as fast as the CPU allows: a process pool with one driver (one speech
model) per worker, results judged as they arrive so the progress bar moves per call."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from voicebot.errors import VoicebotError
from voicebot.qa.judge import judge
from voicebot.qa.model import ItemResult, ReplayItem

log = logging.getLogger(__name__)


class ReplayError(VoicebotError):
    code = "VB710"


class Driver(Protocol):
    """Replays one item through a call and reports what happened (``judge`` adds the verdict)."""

    name: str

    def run(self, item: ReplayItem) -> ItemResult: ...

    def close(self) -> None: ...


class DriverSpec(Protocol):
    """A picklable recipe for a driver: each pool worker builds its own (its own model)."""

    backend: str
    label: str  # names the driver in reports

    def build(self, threads: int) -> Driver: ...


def _safe_run(driver: Driver, item: ReplayItem) -> ItemResult:
    started = time.perf_counter()
    try:
        result = driver.run(item)
    except Exception as exc:  # one broken item must not stop the batch; it is reported
        log.exception("replay of %s failed", item.name)
        result = ItemResult(item.name, item.kind, item.source, item.script,
                            error=f"{type(exc).__name__}: {exc}")
    result.wall_s = time.perf_counter() - started
    return judge(item, result)


_worker_driver: Driver | None = None


def _init_worker(spec: DriverSpec, threads: int) -> None:
    global _worker_driver
    _worker_driver = spec.build(threads)
    # Pool workers end through multiprocessing's exit path, which runs Finalize callbacks
    # (not atexit): close the driver there so its temporary data folder goes too.
    multiprocessing.util.Finalize(None, _worker_driver.close, exitpriority=10)


def _worker_run(item: ReplayItem) -> ItemResult:
    assert _worker_driver is not None, "worker not initialised"
    return _safe_run(_worker_driver, item)


def default_jobs(items: int) -> int:
    return max(1, min(os.cpu_count() or 1, items))


def iter_batch(items: list[ReplayItem], spec: DriverSpec,
               jobs: int | None = None) -> Iterator[tuple[int, ItemResult]]:
    """(index, judged result) pairs as they finish, from ``jobs`` workers."""
    jobs = default_jobs(len(items)) if jobs is None else max(1, min(jobs, len(items) or 1))
    threads = max(1, (os.cpu_count() or 1) // jobs)  # inference threads per worker
    try:
        yield from _iterate(items, spec, jobs, threads)
    except BrokenProcessPool as exc:
        raise ReplayError("a replay worker died (out of memory, or a crash in a native library)",
                          hint="run with --jobs 1 to see the error, or free memory") from exc


def run_batch(items: list[ReplayItem], spec: DriverSpec, *, jobs: int | None = None,
              on_result: Callable[[ItemResult], None] | None = None) -> list[ItemResult]:
    """Replay ``items``; results come back in the items' order."""
    results: dict[int, ItemResult] = {}
    for index, result in iter_batch(items, spec, jobs):
        results[index] = result
        if on_result is not None:
            on_result(result)
    return [results[i] for i in range(len(items))]


def _iterate(items: list[ReplayItem], spec: DriverSpec, jobs: int,
             threads: int) -> Iterator[tuple[int, ItemResult]]:
    if jobs == 1:
        driver = spec.build(threads)
        try:
            for i, item in enumerate(items):
                yield i, _safe_run(driver, item)
        finally:
            driver.close()
        return
    # spawn: workers must not inherit the parent's threads or half-initialised native libraries
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(spec, threads)) as pool:
        futures: dict[Future[ItemResult], int] = {
            pool.submit(_worker_run, item): i for i, item in enumerate(items)}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
