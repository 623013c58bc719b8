"""A prompt pack: recordings by a voice talent, one audio file per prompt id.

Layout: ``<folder>/<prompt_id>.wav`` (any rate, channels or format libsndfile reads: WAV PCM,
μ-law, A-law, FLAC, OGG), plus an optional ``pack.toml``::

    [pack]
    name = "安康人寿 2026 录音"

    [prompts.greeting]
    file = "greeting_v2.wav"     # default: greeting.wav
    text = "您好，这里是……"        # if given, the recording stands for exactly this text

A recording whose manifest text differs from the text a call wants is stale and is not used
(the renderer synthesises instead, with a warning). Every file is decoded and converted to the
call rate once, when the pack is loaded; further rates are converted once on first use.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicebot.audio.files import read_pcm16
from voicebot.errors import AudioError
from voicebot.prompts.errors import PromptPackError

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")
MANIFEST = "pack.toml"


@dataclass(frozen=True)
class PackEntry:
    prompt_id: str
    path: Path
    text: str | None = None  # the words recorded, when the manifest says


class PromptPack:
    def __init__(self, folder: str | Path, *, sample_rates: tuple[int, ...] = (8000,)) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise PromptPackError(
                f"prompt pack folder {self.folder} not found",
                hint="set tts.prompt_pack to a folder of <prompt_id>.wav files, or leave it empty",
            )
        self.name = self.folder.name
        self.entries: dict[str, PackEntry] = {}
        self._audio: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()
        self._scan()
        for rate in sample_rates:
            for prompt_id in self.entries:
                self.audio(prompt_id, rate)

    def _scan(self) -> None:
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith("."):
                self.entries[path.stem] = PackEntry(path.stem, path)
        manifest = self.folder / MANIFEST
        if manifest.is_file():
            self._read_manifest(manifest)

    def _read_manifest(self, manifest: Path) -> None:
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PromptPackError(f"{manifest} is not valid TOML: {exc}", hint="fix the line named") from exc
        unknown = set(data) - {"pack", "prompts"}
        if unknown:
            raise PromptPackError(f"{manifest}: unknown tables {sorted(unknown)}",
                                  hint="only [pack] and [prompts.<id>] are read")
        self.name = str(data.get("pack", {}).get("name", self.name))
        prompts: dict[str, Any] = data.get("prompts", {})
        for prompt_id, spec in prompts.items():
            if not isinstance(spec, dict) or set(spec) - {"file", "text"}:
                raise PromptPackError(f"{manifest}: [prompts.{prompt_id}] may hold only file and text",
                                      hint='e.g. file = "greeting.wav", text = "您好……"')
            path = self.folder / str(spec.get("file", f"{prompt_id}.wav"))
            if not path.is_file():
                raise PromptPackError(f"{manifest}: [prompts.{prompt_id}] names {path}, which does not exist",
                                      hint="add the recording or fix the file name")
            if path.stem != prompt_id:
                self.entries.pop(path.stem, None)  # the file belongs to this id, not its own stem
            text = spec.get("text")
            self.entries[prompt_id] = PackEntry(prompt_id, path, None if text is None else str(text))

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, prompt_id: str, text: str) -> bool:
        """Whether a recording exists for this prompt and stands for ``text``."""
        entry = self.entries.get(prompt_id)
        if entry is None:
            return False
        if entry.text is not None and entry.text.strip() != text.strip():
            log.warning("recording %s is for %r, not %r; synthesising instead",
                        entry.path, entry.text, text)
            return False
        return True

    def audio(self, prompt_id: str, sample_rate: int) -> bytes:
        """PCM16 mono at ``sample_rate``; decoded and converted once per rate, then kept."""
        key = (prompt_id, sample_rate)
        with self._lock:
            if key not in self._audio:
                entry = self.entries[prompt_id]
                try:
                    self._audio[key] = read_pcm16(entry.path, sample_rate)
                except AudioError as exc:
                    raise PromptPackError(
                        f"prompt pack recording {entry.path} (prompt {prompt_id}) is unusable: "
                        f"{exc.message}",
                        hint="re-export it as WAV (e.g. `sox in.wav -r 8000 -c 1 out.wav`) or remove it",
                    ) from exc
            return self._audio[key]
