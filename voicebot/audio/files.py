"""Read any common audio file (WAV incl. μ-law/A-law, FLAC, OGG, MP3, AIFF …) as PCM16 mono."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from voicebot.audio.resample import resample
from voicebot.errors import AudioError

_HINT = (
    "give a mono or stereo audio file libsndfile can read (WAV PCM/μ-law/A-law, FLAC, OGG, MP3); "
    "convert others first, e.g. `sox in.xyz -r 16000 -c 1 out.wav`"
)


def read_pcm16(path: str | Path, sample_rate: int = 16000) -> bytes:
    """Decode ``path``, mix down to mono and resample to ``sample_rate``; PCM16 LE bytes."""
    p = Path(path)
    if not p.is_file():
        raise AudioError(f"audio file {p} not found", hint="check the path")
    try:
        data, rate = sf.read(str(p), dtype="int16", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise AudioError(f"cannot read audio file {p}: {exc}", hint=_HINT) from exc
    if data.shape[0] == 0:
        raise AudioError(f"audio file {p} holds no samples", hint="record or export it again")
    if data.shape[1] > 1:
        # average the channels in int32 so loud stereo does not overflow
        mono = data.astype(np.int32).mean(axis=1).round().astype("<i2")
    else:
        mono = data[:, 0].astype("<i2")
    return resample(mono.tobytes(), int(rate), sample_rate)


def audio_info(path: str | Path) -> dict[str, object]:
    """Rate, channels, frames, duration and encoding of a file, without decoding it all."""
    p = Path(path)
    try:
        info = sf.info(str(p))
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"cannot read audio file {p}: {exc}", hint=_HINT) from exc
    return {
        "sample_rate": info.samplerate,
        "channels": info.channels,
        "frames": info.frames,
        "duration_s": info.duration,
        "format": info.format,
        "subtype": info.subtype,
    }


def write_wav(path: str | Path, pcm: bytes, sample_rate: int, *, encoding: str = "PCM_16") -> Path:
    """Write PCM16 mono bytes as WAV; ``encoding`` PCM_16, ULAW or ALAW."""
    p = Path(path)
    samples = np.frombuffer(pcm, dtype="<i2")
    try:
        sf.write(str(p), samples, sample_rate, subtype=encoding, format="WAV")
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"cannot write {p}: {exc}", hint="check the folder and the encoding") from exc
    return p
