"""Prompt packs (recordings converted once on load) and the atomic disk cache."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

import voicebot.prompts.pack as pack_module
from voicebot.config import Settings
from voicebot.prompts.cache import CacheKey, PromptCache
from voicebot.prompts.errors import PromptPackError
from voicebot.prompts.pack import PromptPack
from voicebot.prompts.render import PromptRenderer

GREETING = "您好，这里是安康人寿客户服务中心。"


def studio_wav(path: Path, seconds: float = 1.5, rate: int = 44100) -> Path:
    """A 44.1 kHz stereo 'recording': a 440 Hz tone left, 660 Hz right (made in code)."""
    t = np.arange(int(seconds * rate)) / rate
    stereo = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)], axis=1)
    sf.write(str(path), stereo, rate, subtype="PCM_16")
    return path


def test_pack_recording_at_44k_stereo_is_converted_once_to_8k_mono(
    settings: Settings, spy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    studio_wav(folder / "greeting.wav")
    reads: list[tuple[Path, int]] = []
    real_read = pack_module.read_pcm16

    def counting_read(path: Path, sample_rate: int = 16000) -> bytes:
        reads.append((Path(path), sample_rate))
        return real_read(path, sample_rate)

    monkeypatch.setattr(pack_module, "read_pcm16", counting_read)
    settings.tts.prompt_pack = str(folder)
    renderer = PromptRenderer(settings, synthesizer=spy)
    assert reads == [(folder / "greeting.wav", 8000)]  # converted when the pack is loaded
    first = renderer.render("greeting", GREETING)
    second = renderer.render("greeting", GREETING)
    assert len(reads) == 1 and spy.calls == []
    assert first.source == second.source == "pack"
    assert first.sample_rate == 8000 and abs(first.duration_s - 1.5) < 0.01
    samples = np.frombuffer(first.pcm, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples))
    peaks = sorted(np.argsort(spectrum)[-2:] * 8000 / len(samples))
    assert abs(peaks[0] - 440) < 5 and abs(peaks[1] - 660) < 5  # both channels mixed into one
    # prompts without a recording are synthesised
    assert renderer.render("closing", "再见！").source == "synth"


def test_manifest_maps_files_and_stale_recordings_are_not_played(
    settings: Settings, spy: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    studio_wav(folder / "hello_v2.wav", seconds=1.0, rate=16000)
    studio_wav(folder / "closing.wav", seconds=0.5, rate=22050)
    (folder / "pack.toml").write_text(
        '[pack]\nname = "安康 2026"\n\n'
        f'[prompts.greeting]\nfile = "hello_v2.wav"\ntext = "{GREETING}"\n\n'
        '[prompts.closing]\ntext = "感谢您的配合，再见！"\n',
        encoding="utf-8",
    )
    pack = PromptPack(folder)
    assert pack.name == "安康 2026" and sorted(pack.entries) == ["closing", "greeting"]
    renderer = PromptRenderer(settings, synthesizer=spy, pack=pack)
    assert renderer.render("greeting", GREETING).source == "pack"
    # the script now says something else than the recording: synthesise, do not play old words
    assert renderer.render("closing", "感谢您的配合，祝您生活愉快，再见！").source == "synth"


def test_corrupt_pack_recording_is_an_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    studio_wav(folder / "greeting.wav")
    (folder / "q3_read.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(PromptPackError) as err:
        PromptPack(folder)
    assert "q3_read.wav" in str(err.value) and err.value.code == "VB351"
    assert "re-export" in err.value.hint


@pytest.mark.parametrize("manifest, words", [
    ("[prompts.greeting]\nfile = \"missing.wav\"\n", "missing.wav"),
    ("[prompts.greeting]\nspeaker = \"王\"\n", "only file and text"),
    ("[prompt]\n", "unknown tables"),
    ("[prompts\n", "not valid TOML"),
])
def test_bad_manifest_is_a_clear_error(tmp_path: Path, manifest: str, words: str) -> None:
    (tmp_path / "pack.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(PromptPackError, match=words):
        PromptPack(tmp_path)


def test_missing_pack_folder_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    settings.tts.prompt_pack = str(tmp_path / "nope")
    with pytest.raises(PromptPackError, match="not found"):
        PromptRenderer(settings)


def test_cache_roundtrip_atomic_and_corrupt_entries_are_rendered_again(
    settings: Settings, spy: Any, tmp_path: Path
) -> None:
    cache = PromptCache(tmp_path / "c")
    key = CacheKey("你好", "v", 130, 8000, "e1")
    pcm = np.arange(-800, 800, dtype="<i2").tobytes()
    assert cache.get(key) is None
    cache.put(key, pcm)
    assert cache.get(key) == pcm and cache.entries() == 1
    assert not list((tmp_path / "c").rglob(".tmp-*"))
    assert cache.get(CacheKey("你好", "v", 130, 8000, "e2")) is None  # engine change → new key

    renderer = PromptRenderer(settings, synthesizer=spy)
    good = renderer.render("greeting", GREETING)
    path = renderer.cache.path(renderer.key(GREETING))
    path.write_bytes(path.read_bytes()[:30])  # a torn file, as a crash mid-copy would leave
    fresh = PromptRenderer(settings, synthesizer=spy).render("greeting", GREETING)
    assert fresh.source == "synth" and abs(len(fresh.pcm) - len(good.pcm)) < 2000  # espeak-ng jitters
    assert PromptRenderer(settings, synthesizer=spy).render("greeting", GREETING).source == "cache"


def test_concurrent_renderers_sharing_one_cache_agree(settings: Settings, spy: Any) -> None:
    texts = [f"请问您是否清楚第{i}项？" for i in range(4)]
    results: list[bytes] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        renderer = PromptRenderer(settings, synthesizer=spy)  # like separate processes
        try:
            for text in texts:
                audio = renderer.render("q", text)
                with lock:
                    results.append(audio.pcm)
        except BaseException as exc:  # collected and re-raised by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    cache = PromptRenderer(settings, synthesizer=spy).cache
    assert cache.entries() == 4 and not list(cache.folder.rglob(".tmp-*"))
    for text in texts:
        stored = PromptRenderer(settings, synthesizer=spy).render("q", text)
        assert stored.source == "cache" and stored.pcm in results
