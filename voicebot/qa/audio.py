"""Caller audio for replay: a whole file mixed to mono, or a slice of a recording's left
(caller) channel, as PCM16 at the rate the call runs at."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from voicebot.audio.files import read_pcm16
from voicebot.audio.resample import resample
from voicebot.errors import AudioError
from voicebot.qa.model import Utterance

CALL_RATE = 8000  # telephone audio, as the gateways deliver it


def utterance_pcm(utt: Utterance, rate: int = CALL_RATE) -> bytes:
    if utt.start_ms is None:
        return read_pcm16(utt.audio, rate)
    try:
        with sf.SoundFile(str(utt.audio)) as f:
            src = f.samplerate
            f.seek(min(f.frames, utt.start_ms * src // 1000))
            count = max(0, ((utt.end_ms or 0) - utt.start_ms) * src // 1000)
            data = f.read(count, dtype="int16", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"cannot read {utt.audio}: {exc}",
                         hint="verify the call's evidence; the recording may be damaged") from exc
    caller = np.ascontiguousarray(data[:, 0]).astype("<i2").tobytes()  # left = caller
    return resample(caller, src, rate)
