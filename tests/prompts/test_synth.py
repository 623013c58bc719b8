"""Real espeak-ng synthesis through pyttsx3's binding: audible, plausible length, right rate."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from voicebot.prompts.errors import PromptTextError, TtsUnavailableError
from voicebot.prompts.speakable import speakable
from voicebot.prompts.synth import Synthesizer, mandarin_voices

TEXT = "请问您是投保人本人吗？"  # 10 syllables


def rms(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2)))


def test_synthesis_is_audible_speech_of_plausible_length_at_8khz() -> None:
    pcm = Synthesizer("cmn-latn-pinyin+f3").synthesize(TEXT, rate=130, sample_rate=8000)
    seconds = len(pcm) / 2 / 8000
    assert 1.5 < seconds < 8.0  # 10 syllables at 130 wpm plus the end pause
    assert rms(pcm) > 500  # speech, not silence (full scale is 32768)
    assert rms(pcm[:1600]) < rms(pcm)  # starts quieter than the average: not a constant tone


def test_sample_rate_changes_sample_count_not_duration() -> None:
    synth = Synthesizer("cmn-latn-pinyin")
    at8 = synth.synthesize(TEXT, rate=130, sample_rate=8000)
    at16 = synth.synthesize(TEXT, rate=130, sample_rate=16000)
    assert abs(len(at8) / 16000 - len(at16) / 32000) < 0.05


def test_slower_rate_gives_longer_audio_and_every_rate_change_takes_effect() -> None:
    synth = Synthesizer("cmn-latn-pinyin+f3")
    lengths = [len(synth.synthesize(TEXT, rate=r)) for r in (130, 105, 130, 200, 105)]
    assert lengths[1] > lengths[0] * 1.15
    assert lengths[3] < lengths[0]
    assert abs(lengths[2] - lengths[0]) < 800 and abs(lengths[4] - lengths[1]) < 800


def test_concurrent_synthesis_is_serialised_and_each_caller_gets_its_own_audio() -> None:
    synth = Synthesizer("cmn-latn-pinyin+f3")
    texts = ["您好。", TEXT, "感谢您的配合，祝您生活愉快，再见！"] * 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda t: len(synth.synthesize(t, rate=130)), texts))
    alone = [len(synth.synthesize(t, rate=130)) for t in texts[:3]]
    for i, n in enumerate(together):
        assert abs(n - alone[i % 3]) < 800, (i, n, alone)


def test_mandarin_voices_lists_the_pinyin_voice() -> None:
    ids = [v.id for v in mandarin_voices()]
    assert "cmn-latn-pinyin" in ids and "cmn" in ids


def test_unknown_voice_and_empty_text_are_clear_errors() -> None:
    with pytest.raises(TtsUnavailableError, match="no voice 'klingon'") as err:
        Synthesizer("klingon").synthesize(TEXT, rate=130)
    assert err.value.code == "VB350"
    with pytest.raises(PromptTextError):
        Synthesizer("cmn-latn-pinyin").synthesize(" ，", rate=130)
    with pytest.raises(PromptTextError, match="outside"):
        Synthesizer("cmn-latn-pinyin").synthesize(TEXT, rate=5)


def test_missing_espeak_ng_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['pyttsx3.drivers._espeak'] = None\n"
        "from voicebot.prompts.synth import Synthesizer\n"
        "Synthesizer('cmn-latn-pinyin').synthesize('你好', rate=130)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "TtsUnavailableError" in result.stderr and "apt-get install espeak-ng" in result.stderr


def test_speakable_reads_polyphones_by_word_and_years_digit_by_digit() -> None:
    assert speakable("银行") == "yin2 hang2"  # espeak-ng's own dictionary says yin xing
    assert speakable("重新") == "chong2 xin1"
    assert speakable("2026年3月15日") == "er4 ling2 er4 liu4 nian2 san1 yue4 shi2 wu3 ri4"
    assert speakable("2026年", "chars") == "二零二六年"
    assert speakable("您好，再见。").count("，") == 1  # pauses kept
    with pytest.raises(ValueError):
        speakable("你好", "ipa")
