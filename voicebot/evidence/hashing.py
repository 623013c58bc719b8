"""File hashes for the manifest: SHA-256 of the whole file plus one per 64 KiB block, so a
verification can say which bytes of a file were changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

BLOCK = 65536
FORMAT = "voicebot-evidence/1"


def file_entry(path: Path) -> dict[str, Any]:
    whole = hashlib.sha256()
    blocks: list[str] = []
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(BLOCK):
            whole.update(chunk)
            blocks.append(hashlib.sha256(chunk).hexdigest())
            size += len(chunk)
    return {"sha256": whole.hexdigest(), "bytes": size, "block_size": BLOCK, "blocks": blocks}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return str(file_entry(path)["sha256"])


def changed_ranges(path: Path, entry: dict[str, Any]) -> list[str]:
    """Byte ranges of ``path`` whose blocks differ from the sealed ``entry``."""
    now = file_entry(path)
    size = int(entry.get("block_size", BLOCK))
    old: list[str] = list(entry.get("blocks", []))
    out = [f"bytes {i * size}-{(i + 1) * size - 1}"
           for i, (a, b) in enumerate(zip(old, now["blocks"], strict=False)) if a != b]
    if now["bytes"] != entry.get("bytes"):
        out.append(f"length {now['bytes']} bytes, sealed {entry.get('bytes')}")
    return out


def dump_json(data: Any) -> bytes:
    """The one serialisation used for evidence JSON (stable, UTF-8, readable)."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def write_atomic(path: Path, data: bytes) -> None:
    import os

    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
