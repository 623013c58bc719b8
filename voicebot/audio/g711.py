"""G.711 μ-law and A-law, both directions, vectorised with numpy (no ``audioop``).

Encoding uses a 65,536-entry table indexed by the PCM16 sample, decoding a 256-entry table;
both are computed once at import from the ITU-T G.711 segment rules, so a 20 ms frame is one
numpy fancy-index operation.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_ULAW_BIAS = 0x84  # 132 = 33 << 2: makes every segment start at a power of two
_ULAW_CLIP14 = 8159  # largest 14-bit magnitude μ-law represents
_ULAW_BIAS14 = 0x21


def _ulaw_encode_table() -> npt.NDArray[np.uint8]:
    # The G.711 reference works on 14-bit samples: truncating (>> 2) before taking the
    # magnitude matches the ITU tables, sox and libsndfile bit for bit.
    pcm = np.arange(-32768, 32768, dtype=np.int32)
    p14 = pcm >> 2
    mask = np.where(p14 < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(p14), _ULAW_CLIP14) + _ULAW_BIAS14
    seg = np.floor(np.log2(mag)).astype(np.int32) - 5  # mag >= 33, so seg >= 0
    code = np.where(seg >= 8, 0x7F, (seg << 4) | ((mag >> (seg + 1)) & 0x0F)) ^ mask
    table = np.empty(65536, dtype=np.uint8)
    table[pcm.astype(np.int16).view(np.uint16)] = code  # index by the uint16 view of the sample
    return table


def _ulaw_decode_table() -> npt.NDArray[np.int16]:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    mag = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(code & 0x80, -mag, mag).astype(np.int16)


def _alaw_encode_table() -> npt.NDArray[np.uint8]:
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 3  # 13-bit linear
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    mag = np.where(pcm >= 0, pcm, -pcm - 1)
    # segment: 0 for mag < 32, then one per doubling (upper ends 0x1F, 0x3F, ... 0xFFF)
    seg = np.clip(np.floor(np.log2(np.maximum(mag, 1))).astype(np.int32) - 4, 0, 8)
    seg = np.where(mag <= 0x1F, 0, seg)
    shift = np.where(seg < 2, 1, seg)
    aval = (seg << 4) | ((mag >> shift) & 0x0F)
    code = np.where(seg >= 8, 0x7F, aval) ^ mask
    table = np.empty(65536, dtype=np.uint8)
    table[np.arange(-32768, 32768, dtype=np.int32).astype(np.int16).view(np.uint16)] = code
    return table


def _alaw_decode_table() -> npt.NDArray[np.int16]:
    code = np.arange(256, dtype=np.int32) ^ 0x55
    seg = (code & 0x70) >> 4
    t = (code & 0x0F) << 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(code & 0x80, t, -t).astype(np.int16)


_ULAW_ENC = _ulaw_encode_table()
_ULAW_DEC = _ulaw_decode_table()
_ALAW_ENC = _alaw_encode_table()
_ALAW_DEC = _alaw_decode_table()


def _as_index(pcm: bytes) -> npt.NDArray[np.uint16]:
    if len(pcm) % 2:
        raise ValueError(f"PCM16 data must have an even byte count, got {len(pcm)}")
    return np.frombuffer(pcm, dtype="<i2").view(np.uint16)


def ulaw_encode(pcm: bytes) -> bytes:
    """PCM16 little-endian → μ-law, one byte per sample."""
    return _ULAW_ENC[_as_index(pcm)].tobytes()


def ulaw_decode(data: bytes) -> bytes:
    """μ-law → PCM16 little-endian."""
    return _ULAW_DEC[np.frombuffer(data, dtype=np.uint8)].astype("<i2").tobytes()


def alaw_encode(pcm: bytes) -> bytes:
    """PCM16 little-endian → A-law, one byte per sample."""
    return _ALAW_ENC[_as_index(pcm)].tobytes()


def alaw_decode(data: bytes) -> bytes:
    """A-law → PCM16 little-endian."""
    return _ALAW_DEC[np.frombuffer(data, dtype=np.uint8)].astype("<i2").tobytes()


ULAW_SILENCE = 0xFF  # μ-law code of 0
ALAW_SILENCE = 0xD5  # A-law code of 0 (smallest positive step)
