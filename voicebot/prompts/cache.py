"""Disk cache of rendered prompts, keyed by everything that changes the audio.

One WAV file per key (PCM16 mono at the key's sample rate) so people can listen to what the
bot says. Writes go to a temporary file in the same folder and are moved into place with
``os.replace``, which is atomic: a reader sees the old file, the new file or none, never half a
file, whether the writer is another thread or another process. Two writers of the same key
write identical content, so the last one winning is harmless.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheKey:
    text: str
    voice: str
    rate: int  # words per minute
    sample_rate: int  # Hz
    engine: str = ""  # synthesiser + version + text conversion version: a change invalidates

    @property
    def digest(self) -> str:
        raw = json.dumps([self.text, self.voice, self.rate, self.sample_rate, self.engine],
                         ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


class PromptCache:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, key: CacheKey) -> Path:
        digest = key.digest
        return self.folder / digest[:2] / f"{digest}.wav"

    def get(self, key: CacheKey) -> bytes | None:
        """The cached PCM, or None (missing, or unreadable: then it is re-rendered and replaced)."""
        p = self.path(key)
        try:
            data, rate = sf.read(str(p), dtype="int16", always_2d=False)
        except FileNotFoundError:
            return None
        except (sf.LibsndfileError, RuntimeError) as exc:
            if not p.exists():
                return None
            log.warning("prompt cache entry %s is unreadable (%s); rendering again", p, exc)
            return None
        if rate != key.sample_rate or data.ndim != 1 or data.size == 0:
            log.warning("prompt cache entry %s does not match its key; rendering again", p)
            return None
        return np.asarray(data, dtype="<i2").tobytes()

    def put(self, key: CacheKey, pcm: bytes) -> Path:
        p = self.path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".wav", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                sf.write(fh, np.frombuffer(pcm, dtype="<i2"), key.sample_rate,
                         subtype="PCM_16", format="WAV")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return p

    def entries(self) -> int:
        return sum(1 for _ in self.folder.glob("*/*.wav")) if self.folder.is_dir() else 0
