"""The desk page in headless Chromium with a fake microphone, against a FakeTarget call: the
queue updates live, Take bridges the microphone (non-silent PCM reaches the call) and plays the
caller, a second agent sees who holds the call, hand-back picks the question, and closing the
page is a drop (holding prompt, back in the queue)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from voicebot.agents import DeskStatus
from voicebot.nlu.types import Intent

from .browser import agent_wav, chromium, sign_in
from .conftest import Desk
from .fakes import FakeTarget

pytestmark = pytest.mark.browser


async def feed_caller(t: FakeTarget) -> None:
    frame = (np.sin(np.arange(160) / 3) * 3000).astype("<i2").tobytes()
    while True:
        t.live.caller_audio(frame)  # type: ignore[union-attr]
        await asyncio.sleep(0.02)


async def until(check: object, tries: int = 300) -> None:
    for _ in range(tries):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


async def test_desk_page_takes_a_call_with_the_microphone(desk: Desk, tmp_path: Path) -> None:
    t = FakeTarget()
    t.live = desk.registry.register(t)
    caller = asyncio.create_task(feed_caller(t))
    try:
        async with chromium(agent_wav(tmp_path / "agent.wav")) as browser:
            page = await browser.new_page()
            await sign_in(page, desk.url, "alice")
            await page.wait_for_selector("#queue tr[data-call='call-1'][data-status='bot']")
            t.answer(Intent.REQUEST_AGENT, "我要转人工")
            row = page.locator("#queue tr[data-call='call-1'][data-status='waiting']")
            await row.wait_for()
            await row.click()
            await page.wait_for_selector("#live-transcript .caller:has-text('我要转人工')")
            await page.click("#take")
            await page.wait_for_selector("#holder-actions:not([hidden])")
            await page.wait_for_function("window.desk.stats.sentFrames > 100", timeout=20000)
            await page.wait_for_function("window.desk.stats.callerFrames > 20")
            peak = max(int(np.abs(np.frombuffer(f, "<i2")).max()) for f in t.played)
            assert peak > 2000, "the agent's microphone audio should not be silent"

            other = await browser.new_page()
            await sign_in(other, desk.url, "bob")
            await other.click("#queue tr[data-call='call-1']")
            await other.wait_for_selector("#call-holder:has-text('Held by Alice Wang')")
            assert await other.locator("#take").is_hidden()

            await page.select_option("#resume-question", "q3_read")
            await page.click("#hand-back")
            await page.wait_for_selector("#queue tr[data-call='call-1'][data-status='bot']")
            assert t.dialog.current_question_id == "q3_read"

            t.answer(Intent.REQUEST_AGENT, "还是转人工吧")
            await row.wait_for()
            await page.click("#take")
            await page.wait_for_function("window.desk.audio && window.desk.stats.sentFrames > 0")
            await page.wait_for_selector("#audio-status:has-text('on the call')")
            await page.close()  # the browser drops
            await until(lambda: desk.registry.calls()[0].status is DeskStatus.WAITING)
            assert t.said == [desk.registry.settings.holding_prompt]
            await other.wait_for_selector("#queue tr[data-call='call-1'][data-status='waiting']")
    finally:
        caller.cancel()
        await asyncio.gather(caller, return_exceptions=True)
        await desk.registry.unregister("call-1")
