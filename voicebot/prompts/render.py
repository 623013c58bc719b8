"""Prompt audio for calls: a recording from the prompt pack, else cached synthesis.

Lookup order for ``render``: prompt pack (if it has a current recording of the prompt) →
memory → disk cache → synthesis (then stored in both caches). Fixed prompts are rendered ahead
with ``prerender_script`` and the policy-specific ones at call start with ``prepare_call``, so
during a call ``render`` only reads memory or a small file.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voicebot.config import Settings
from voicebot.prompts.cache import CacheKey, PromptCache
from voicebot.prompts.errors import PromptTextError
from voicebot.prompts.pack import PromptPack
from voicebot.prompts.speakable import SPEAKABLE_VERSION
from voicebot.prompts.synth import Synthesizer

if TYPE_CHECKING:
    from voicebot.dialogs.policy import Policy
    from voicebot.dialogs.schema import Script

log = logging.getLogger(__name__)

CALL_RATE = 8000  # Hz: what telephone gateways carry
ELDERLY_AGE = 60
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class PromptAudio:
    prompt_id: str
    text: str
    pcm: bytes  # PCM16 mono little-endian
    sample_rate: int  # Hz
    source: str  # pack | cache | synth

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def is_elderly(policy: Policy) -> bool:
    """Customers aged 60+ hear the slower ``tts.elderly_rate``."""
    return (policy.age or 0) >= ELDERLY_AGE


def fill_template(template: str, policy: Policy) -> str | None:
    """The template with the policy's spoken values, or None when the record lacks one."""
    from voicebot.dialogs.policy import speak_field

    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        spoken = speak_field(policy, match.group(1))
        missing = missing or spoken is None
        return spoken or ""

    text = _PLACEHOLDER.sub(value, template)
    return None if missing else text


class PromptRenderer:
    def __init__(
        self,
        settings: Settings,
        *,
        synthesizer: Synthesizer | None = None,
        pack: PromptPack | None = None,
        cache: PromptCache | None = None,
        memory_entries: int = 512,
    ) -> None:
        tts = settings.tts
        self.voice = tts.voice
        self.rate = tts.rate
        self.elderly_rate = tts.elderly_rate
        self.synthesizer = synthesizer or Synthesizer(tts.voice, text_mode=tts.text_mode)
        if pack is None and tts.prompt_pack:
            pack = PromptPack(Path(tts.prompt_pack).expanduser(), sample_rates=(CALL_RATE,))
        self.pack = pack
        self.cache = cache or PromptCache(settings.cache_dir / "prompts")
        self.stats: Counter[str] = Counter()  # how each render was served: pack/memory/cache/synth
        self._memory: OrderedDict[CacheKey, bytes] = OrderedDict()
        self._memory_entries = memory_entries
        self._lock = threading.Lock()
        self._engine: str | None = None

    # ---- keys ------------------------------------------------------------------------------
    def rate_for(self, elderly: bool) -> int:
        return self.elderly_rate if elderly else self.rate

    def key(self, text: str, *, elderly: bool = False, sample_rate: int = CALL_RATE) -> CacheKey:
        if self._engine is None:
            s = self.synthesizer
            self._engine = f"espeak-ng {s.engine_version}/{s.text_mode}/v{SPEAKABLE_VERSION}"
        return CacheKey(text.strip(), self.voice, self.rate_for(elderly), sample_rate, self._engine)

    # ---- rendering -------------------------------------------------------------------------
    def render(
        self, prompt_id: str, text: str, *, elderly: bool = False, sample_rate: int = CALL_RATE
    ) -> PromptAudio:
        if _PLACEHOLDER.search(text):
            raise PromptTextError(f"prompt {prompt_id} still has placeholders: {text!r}",
                                  hint="fill it from the policy first (fill_template)")
        if self.pack is not None and self.pack.matches(prompt_id, text):
            return self._done(prompt_id, text, self.pack.audio(prompt_id, sample_rate), sample_rate, "pack")
        key = self.key(text, elderly=elderly, sample_rate=sample_rate)
        with self._lock:
            pcm = self._memory.get(key)
            if pcm is not None:
                self._memory.move_to_end(key)
        if pcm is not None:
            return self._done(prompt_id, text, pcm, sample_rate, "cache", stat="memory")
        pcm = self.cache.get(key)
        source = "cache"
        if pcm is None:
            pcm = self.synthesizer.synthesize(key.text, rate=key.rate, sample_rate=sample_rate)
            self.cache.put(key, pcm)
            source = "synth"
        self._remember(key, pcm)
        return self._done(prompt_id, text, pcm, sample_rate, source)

    async def render_async(
        self, prompt_id: str, text: str, *, elderly: bool = False, sample_rate: int = CALL_RATE
    ) -> PromptAudio:
        return await asyncio.to_thread(self.render, prompt_id, text, elderly=elderly,
                                       sample_rate=sample_rate)

    def _remember(self, key: CacheKey, pcm: bytes) -> None:
        with self._lock:
            self._memory[key] = pcm
            self._memory.move_to_end(key)
            while len(self._memory) > self._memory_entries:
                self._memory.popitem(last=False)

    def _done(self, prompt_id: str, text: str, pcm: bytes, rate: int, source: str,
              stat: str | None = None) -> PromptAudio:
        with self._lock:
            self.stats[stat or source] += 1
        return PromptAudio(prompt_id, text, pcm, rate, source)

    # ---- whole scripts and calls -----------------------------------------------------------
    def prerender_script(
        self,
        script: Script,
        *,
        elderly: bool = False,
        sample_rate: int = CALL_RATE,
        on_rendered: Callable[[PromptAudio], None] | None = None,
    ) -> list[PromptAudio]:
        """Render every fixed prompt of ``script`` (those without policy placeholders)."""
        done = []
        for info in script.prompts():
            if info.dynamic:
                continue
            audio = self.render(info.prompt_id, info.template, elderly=elderly, sample_rate=sample_rate)
            done.append(audio)
            if on_rendered is not None:
                on_rendered(audio)
        return done

    def prepare_call(
        self, script: Script, policy: Policy, *, sample_rate: int = CALL_RATE
    ) -> dict[str, PromptAudio]:
        """Render this policy's dynamic prompts (and make sure the fixed ones are ready).

        Blocking: from a call session use ``await prepare_call_async(...)``. Prompts whose
        placeholders the record cannot fill (e.g. payment years of a single premium) are skipped:
        the dialog does not ask them for such a policy.
        """
        elderly = is_elderly(policy)
        ready: dict[str, PromptAudio] = {}
        for info in script.prompts():
            text = fill_template(info.template, policy) if info.dynamic else info.template
            if text is None:
                continue
            ready[info.prompt_id] = self.render(info.prompt_id, text, elderly=elderly,
                                                sample_rate=sample_rate)
        return ready

    async def prepare_call_async(
        self, script: Script, policy: Policy, *, sample_rate: int = CALL_RATE
    ) -> dict[str, PromptAudio]:
        return await asyncio.to_thread(self.prepare_call, script, policy, sample_rate=sample_rate)
