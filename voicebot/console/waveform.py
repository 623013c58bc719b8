"""A two-lane waveform (caller on the left channel, bot on the right) as inline SVG, so a
reviewer sees who spoke when and can click to seek. Computed from the recording on request."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from voicebot.errors import AudioError

BINS = 800
LANE_H = 48


@dataclass(frozen=True)
class Waveform:
    duration_s: float
    caller: list[float]  # 0..1 peak per bin
    bot: list[float]


def peaks(path: Path, bins: int = BINS) -> Waveform:
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"cannot read recording {path}: {exc}",
                         hint="verify the call's evidence; the file may be damaged") from exc
    frames = data.shape[0]
    left = np.abs(data[:, 0])
    right = np.abs(data[:, 1]) if data.shape[1] > 1 else left
    n = max(1, min(bins, frames))
    edges = np.linspace(0, frames, n + 1).astype(int)

    def reduce(channel: np.ndarray) -> list[float]:
        if frames == 0:
            return []
        out = np.maximum.reduceat(channel, edges[:-1])
        top = float(out.max()) or 1.0
        return [round(float(v) / top, 3) for v in out]

    return Waveform(frames / rate if rate else 0.0, reduce(left), reduce(right))


def svg(wave: Waveform) -> str:
    """Two mirrored lanes; viewBox units: one per bin across, LANE_H per lane."""
    width = max(1, len(wave.caller))
    parts = [f'<svg class="wave" viewBox="0 0 {width} {2 * LANE_H + 4}" preserveAspectRatio="none"'
             f' role="img" aria-label="Recording waveform: caller above, bot below"'
             f' data-duration="{wave.duration_s:.3f}">']
    for lane, (name, values) in enumerate((("caller", wave.caller), ("bot", wave.bot))):
        mid = lane * (LANE_H + 4) + LANE_H / 2
        d = "".join(f"M{i} {mid - v * LANE_H / 2:.1f}V{mid + v * LANE_H / 2:.1f}"
                    for i, v in enumerate(values) if v > 0.004)
        parts.append(f'<path class="lane-{name}" d="{d}"/>')
    parts.append(f'<line class="playhead" x1="0" x2="0" y1="0" y2="{2 * LANE_H + 4}"/>')
    parts.append("</svg>")
    return "".join(parts)
