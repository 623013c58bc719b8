"""Repair of a WAV file whose writer died: keep every whole frame on disk, fix the sizes."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from voicebot.errors import EvidenceError


@dataclass
class RepairResult:
    frames: int
    changed: bool  # the header or length had to be fixed
    dropped_bytes: int  # a partial frame cut off the end


def _chunks(data: bytes) -> tuple[int, int, int]:
    """(block_align, data chunk offset, data size field) of a RIFF/WAVE header."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EvidenceError("not a WAV file (no RIFF/WAVE header)", hint="the file is not a recording")
    pos, block_align = 12, 0
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            block_align = struct.unpack("<H", data[pos + 20:pos + 22])[0]
        if cid == b"data":
            if not block_align:
                raise EvidenceError("WAV data before its format chunk", hint="cannot repair")
            return block_align, pos + 8, size
        pos += 8 + size + (size & 1)
    raise EvidenceError("WAV header has no data chunk", hint="the writer died before any audio")


def repair_wav(path: Path) -> RepairResult:
    """Make ``path`` a valid WAV holding every whole frame written before a crash."""
    with path.open("r+b") as f:
        head = f.read(4096)
        block_align, offset, declared = _chunks(head)
        size = f.seek(0, 2)
        available = size - offset
        whole = available - available % block_align
        changed = whole != declared or available != whole
        if changed:
            f.truncate(offset + whole)
            f.seek(offset - 4)
            f.write(struct.pack("<I", whole))
            f.seek(4)
            f.write(struct.pack("<I", offset + whole - 8))
    info = sf.info(str(path))  # proves the file now reads
    return RepairResult(info.frames, changed, available - whole)
