"""PromptRenderer: pack first, then memory/disk cache, synthesis only on a miss."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from voicebot.config import Settings
from voicebot.dialogs.policy import Policy
from voicebot.dialogs.schema import PromptInfo
from voicebot.prompts.errors import PromptTextError
from voicebot.prompts.render import PromptRenderer, fill_template, is_elderly
from voicebot.prompts.synth import Synthesizer

GREETING = "您好，这里是安康人寿客户服务中心。"


class ScriptStub:
    """Just the part of a Script the renderer reads: its prompt list."""

    def __init__(self, prompts: list[tuple[str, str]]) -> None:
        self._prompts = [PromptInfo(pid, text, "{" in text) for pid, text in prompts]
        self.name = "stub"

    def prompts(self) -> list[PromptInfo]:
        return self._prompts


STUB = ScriptStub([
    ("greeting", GREETING),
    ("identity", "请问您是投保人{holder}本人吗？"),
    ("q7_payment", "您的保费是{frequency}{premium}，交费期间{payment_years}。"),
    ("closing", "感谢您的配合，再见！"),
])


def policy(**over: object) -> Policy:
    data: dict[str, object] = {
        "policy_no": "P0001", "holder_name": "张伟", "holder_gender": "male",
        "product": "安康终身寿险", "contract_date": "2026-03-01", "holder_id_last": "1234",
        "premium_yuan": 5200, "payment_years": 10, "holder_age": 45,
    }
    data.update(over)
    return Policy.from_dict(data)


def test_second_render_is_a_cache_hit_without_synthesis(settings: Settings, spy: Synthesizer) -> None:
    renderer = PromptRenderer(settings, synthesizer=spy)
    first = renderer.render("greeting", GREETING)
    second = renderer.render("greeting", GREETING)
    assert first.source == "synth" and second.source == "cache"
    assert len(spy.calls) == 1
    assert second.pcm == first.pcm and second.sample_rate == 8000
    # a new process (new renderer, empty memory) finds it on disk
    again = PromptRenderer(settings, synthesizer=spy).render("greeting", GREETING)
    assert again.source == "cache" and again.pcm == first.pcm
    assert len(spy.calls) == 1


def test_cache_key_covers_rate_and_sample_rate(settings: Settings, spy: Synthesizer) -> None:
    renderer = PromptRenderer(settings, synthesizer=spy)
    normal = renderer.render("greeting", GREETING)
    slow = renderer.render("greeting", GREETING, elderly=True)
    wide = renderer.render("greeting", GREETING, sample_rate=16000)
    assert [a.source for a in (normal, slow, wide)] == ["synth"] * 3
    assert slow.duration_s > normal.duration_s * 1.15  # elderly customers hear it slower
    assert abs(wide.duration_s - normal.duration_s) < 0.05
    assert [c[1] for c in spy.calls] == [settings.tts.rate, settings.tts.elderly_rate,
                                         settings.tts.rate]


def test_prerender_then_call_never_synthesises_fixed_text(settings: Settings, spy: Synthesizer) -> None:
    renderer = PromptRenderer(settings, synthesizer=spy)
    done = renderer.prerender_script(STUB)
    assert [a.prompt_id for a in done] == ["greeting", "closing"]
    before = len(spy.calls)
    ready = renderer.prepare_call(STUB, policy())
    synthesised = [c[0] for c in spy.calls[before:]]
    assert synthesised == [ready["identity"].text, ready["q7_payment"].text]
    assert ready["identity"].text == "请问您是投保人张伟先生本人吗？"
    assert ready["greeting"].source == "cache" and ready["closing"].source == "cache"
    # during the call every prompt comes from the cache
    for audio in ready.values():
        assert renderer.render(audio.prompt_id, audio.text).source == "cache"
    assert len(spy.calls) == before + 2


def test_prepare_call_uses_the_elderly_rate_and_skips_prompts_the_record_cannot_fill(
    settings: Settings, spy: Synthesizer
) -> None:
    renderer = PromptRenderer(settings, synthesizer=spy)
    older = policy(holder_age=67, payment_frequency="single", payment_years=None)
    ready = asyncio.run(renderer.prepare_call_async(STUB, older))
    assert "q7_payment" not in ready  # single premium: no payment years to say
    assert {c[1] for c in spy.calls} == {settings.tts.elderly_rate}


def test_fill_template_and_unfilled_placeholders() -> None:
    assert is_elderly(policy(holder_age=60)) and not is_elderly(policy(holder_age=59))
    assert fill_template("请问{holder_surname}在吗？", policy()) == "请问张先生在吗？"
    assert fill_template("交费期间{payment_years}", policy(payment_years=None)) is None


def test_render_refuses_text_with_placeholders(settings: Settings, spy: Synthesizer) -> None:
    with pytest.raises(PromptTextError, match="placeholders"):
        PromptRenderer(settings, synthesizer=spy).render("identity", "请问您是{holder}本人吗？")


async def test_render_async_runs_off_the_event_loop(settings: Settings, spy: Synthesizer) -> None:
    audio = await PromptRenderer(settings, synthesizer=spy).render_async("closing", "再见！")
    assert audio.source == "synth" and audio.duration_s > 0.3


def test_memory_cache_is_bounded(settings: Settings, spy: Synthesizer, tmp_path: Path) -> None:
    renderer = PromptRenderer(settings, synthesizer=spy, memory_entries=2)
    for text in ("一。", "二。", "三。"):
        renderer.render("x", text)
    assert len(renderer._memory) == 2
    assert renderer.render("x", "一。").source == "cache"  # from disk
    assert renderer.stats["synth"] == 3 and renderer.stats["cache"] == 1
