from __future__ import annotations

import numpy as np

from voicebot.audio.resample import Resampler, resample


def test_resampling_is_deterministic() -> None:
    """Same audio in, same samples out: libsoxr dithers integer output at random, which made a
    recogniser hear one recording differently from run to run."""
    rng = np.random.default_rng(7)
    pcm = (rng.standard_normal(8000) * 3000).astype("<i2").tobytes()

    def stream() -> bytes:
        r = Resampler(8000, 16000)
        out = b"".join(r.process(pcm[i : i + 320]) for i in range(0, len(pcm), 320))
        return out + r.flush()

    assert stream() == stream()
    assert resample(pcm, 8000, 16000) == resample(pcm, 8000, 16000)
