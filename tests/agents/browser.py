"""Headless Chromium for desk tests: a fake microphone fed from a WAV of the agent speaking
(made with the project's espeak-ng voice), and the desk's sign-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from voicebot.prompts.synth import Synthesizer

from .conftest import PASSWORDS

CHROMIUM = "/usr/bin/chromium"
AGENT_LINE = "您好，我是人工客服小王，您刚才的问题由我来帮您处理。"


def agent_wav(path: Path, rate: int = 16000) -> Path:
    """The agent's words, then a second of quiet (Chromium loops the file)."""
    speech = Synthesizer("cmn-latn-pinyin+f3").synthesize(AGENT_LINE, rate=130, sample_rate=rate)
    samples = np.concatenate([np.frombuffer(speech, "<i2"), np.zeros(rate, np.int16)])
    sf.write(str(path), samples, rate, subtype="PCM_16")
    return path


@asynccontextmanager
async def chromium(wav: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Any, url: str, name: str) -> None:
    await page.goto(url + "/agent")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORDS[name])
    await page.click("button[type=submit]")
    await page.wait_for_url("**/agent")
