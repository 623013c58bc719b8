"""PCM helpers: G.711 codecs, resampling, 20 ms framing, audio files and voice activity.

Everything inside the bot speaks PCM16 little-endian mono bytes; these modules convert
at the edges (telephony codecs, files, recogniser sample rates).
"""

from __future__ import annotations

from voicebot.audio.files import read_pcm16, write_wav
from voicebot.audio.frames import FRAME_MS, FrameBuffer, frame_bytes, frame_samples, silence
from voicebot.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from voicebot.audio.resample import Resampler, resample

__all__ = [
    "FRAME_MS",
    "FrameBuffer",
    "Resampler",
    "alaw_decode",
    "alaw_encode",
    "frame_bytes",
    "frame_samples",
    "read_pcm16",
    "resample",
    "silence",
    "ulaw_decode",
    "ulaw_encode",
    "write_wav",
]
