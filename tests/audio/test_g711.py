"""G.711 against the standard's reference values, a scalar reference and libsndfile's codec."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from voicebot.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

ALL_PCM = np.arange(-32768, 32768, dtype="<i2").tobytes()


def _ulaw_scalar(sample: int) -> int:
    """Straight transcription of the G.711 μ-law segment rules, one sample at a time."""
    s = sample >> 2
    mask = 0x7F if s < 0 else 0xFF
    mag = min(-s if s < 0 else s, 8159) + 33
    seg = mag.bit_length() - 6
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((mag >> (seg + 1)) & 0x0F)) ^ mask


def _alaw_scalar(sample: int) -> int:
    s = sample >> 3
    mask, mag = (0xD5, s) if s >= 0 else (0x55, -s - 1)
    seg = max(mag.bit_length() - 5, 0)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((mag >> (seg if seg >= 2 else 1)) & 0x0F)) ^ mask


@pytest.mark.parametrize(
    ("code", "value"),
    [(0xFF, 0), (0x7F, 0), (0x80, 32124), (0x00, -32124), (0xFE, 8), (0xEF, 132), (0x0F, -16764)],
)
def test_ulaw_decode_reference_values(code: int, value: int) -> None:
    assert np.frombuffer(ulaw_decode(bytes([code])), "<i2")[0] == value


@pytest.mark.parametrize(
    ("code", "value"),
    [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256), (0x80, 5504), (0x00, -5504)],
)
def test_alaw_decode_reference_values(code: int, value: int) -> None:
    assert np.frombuffer(alaw_decode(bytes([code])), "<i2")[0] == value


def test_encode_reference_values() -> None:
    pcm = np.array([0, 32767, -32768, 1000, -1000], dtype="<i2").tobytes()
    assert list(ulaw_encode(pcm)) == [0xFF, 0x80, 0x00, 0xCE, 0x4E]
    assert list(alaw_encode(pcm)) == [0xD5, 0xAA, 0x2A, 0xFA, 0x7A]


def test_encoders_match_scalar_reference_for_every_sample() -> None:
    samples = range(-32768, 32768)
    assert ulaw_encode(ALL_PCM) == bytes(_ulaw_scalar(s) for s in samples)
    assert alaw_encode(ALL_PCM) == bytes(_alaw_scalar(s) for s in samples)


@pytest.mark.parametrize(
    ("subtype", "encode", "decode"),
    [("ULAW", ulaw_encode, ulaw_decode), ("ALAW", alaw_encode, alaw_decode)],
)
def test_encoders_agree_with_libsndfile(subtype: str, encode: object, decode: object) -> None:
    # libsndfile rounds negative samples at segment edges one code differently from the ITU
    # reference (which sox and the fixtures use): allow exactly that, nothing more.
    buf = io.BytesIO()
    sf.write(buf, np.frombuffer(ALL_PCM, "<i2"), 8000, subtype=subtype, format="RAW")
    ours, theirs = encode(ALL_PCM), buf.getvalue()  # type: ignore[operator]
    a = np.frombuffer(decode(ours), "<i2").astype(int)  # type: ignore[operator]
    b = np.frombuffer(decode(theirs), "<i2").astype(int)  # type: ignore[operator]
    differ = a != b
    assert differ.mean() < 0.01
    x = np.frombuffer(ALL_PCM, "<i2").astype(int)
    assert (x[differ] < 0).all()
    assert (np.abs(a - b)[differ] <= np.abs(x[differ]) / 8 + 16).all()


@pytest.mark.parametrize(("subtype", "decode"), [("ULAW", ulaw_decode), ("ALAW", alaw_decode)])
def test_decoders_match_libsndfile(subtype: str, decode: object) -> None:
    codes = bytes(range(256))
    ref, _ = sf.read(
        io.BytesIO(codes), dtype="int16", samplerate=8000, channels=1, subtype=subtype, format="RAW"
    )
    assert decode(codes) == ref.astype("<i2").tobytes()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("encode", "decode"), [(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)]
)
def test_round_trip_error_is_within_half_a_step(encode: object, decode: object) -> None:
    x = np.frombuffer(ALL_PCM, "<i2").astype(np.int64)
    y = np.frombuffer(decode(encode(ALL_PCM)), "<i2").astype(np.int64)  # type: ignore[operator]
    err = np.abs(x - y)
    # relative error of a log codec: about 1/32 of the magnitude for loud samples
    loud = np.abs(x) > 1024
    assert (err[loud] / np.abs(x[loud])).max() < 0.07
    assert err[~loud].max() <= 64
    # re-encoding decoded values is lossless (decoded values are code points)
    codes = encode(ALL_PCM)  # type: ignore[operator]
    assert encode(decode(codes)) == codes  # type: ignore[operator]


def test_sine_round_trip_snr() -> None:
    t = np.arange(8000) / 8000
    x = (10000 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    for enc, dec in ((ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)):
        y = np.frombuffer(dec(enc(x.tobytes())), "<i2").astype(float)
        snr = 10 * np.log10(np.sum(x.astype(float) ** 2) / np.sum((x - y) ** 2))
        assert snr > 35  # G.711 gives ~38 dB on a loud tone


def test_odd_byte_count_is_refused() -> None:
    with pytest.raises(ValueError, match="even"):
        ulaw_encode(b"\x00\x01\x02")
