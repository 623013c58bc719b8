"""Verification of the evidence: every file against its manifest, every manifest against the
database and its predecessor (the hash chain), and the chain head against the last call.
Each problem names the call, the file and what exactly is wrong."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from voicebot.evidence.chain import MANIFEST, TOMBSTONE
from voicebot.evidence.hashing import changed_ranges, file_entry, sha256_bytes
from voicebot.store import calls
from voicebot.store.db import Database
from voicebot.store.models import Call, ChainHead


@dataclass
class Problem:
    call_id: str
    seq: int | None
    kind: str  # file_altered | file_missing | folder_missing | manifest_* | chain_broken | …
    detail: str
    file: str | None = None


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked,
                "problems": [asdict(p) for p in self.problems]}


def _check_folder(call: Call, calls_dir: Path, out: list[Problem]) -> dict[str, Any] | None:
    """Check one call's own folder; returns its manifest when it could be read."""
    p = lambda kind, detail, f=None: out.append(Problem(call.id, call.seq, kind, detail, f))  # noqa: E731
    folder = calls_dir / call.folder
    if not folder.is_dir():
        p("folder_missing", f"the call's folder {call.folder} is gone (call deleted?)")
        return None
    path = folder / MANIFEST
    if not path.exists():
        p("manifest_missing", "manifest.json is gone", MANIFEST)
        return None
    data = path.read_bytes()
    if sha256_bytes(data) != call.manifest_sha256:
        p("manifest_altered", "manifest.json differs from the hash recorded when sealed", MANIFEST)
    try:
        manifest: dict[str, Any] = json.loads(data)
    except ValueError:
        p("manifest_unreadable", "manifest.json is not valid JSON", MANIFEST)
        return None
    if manifest.get("call_id") != call.id:
        p("manifest_mismatch", f"manifest belongs to call {manifest.get('call_id')}", MANIFEST)
    if manifest.get("seq") != call.seq:
        p("reordered", f"manifest has sequence {manifest.get('seq')}, database {call.seq}", MANIFEST)
    files: dict[str, Any] = manifest.get("files", {})
    purged = call.purged_at is not None
    if purged and not (folder / TOMBSTONE).exists():
        p("tombstone_missing", "the call was purged but its tombstone.json is gone", TOMBSTONE)
    for name, entry in sorted(files.items()):
        fpath = folder / name
        if not fpath.exists():
            if not purged:
                p("file_missing", f"{name} is gone", name)
            continue
        if file_entry(fpath)["sha256"] != entry.get("sha256"):
            where = "; ".join(changed_ranges(fpath, entry)) or "content"
            p("file_altered", f"{name} changed after sealing: {where}", name)
    known = set(files) | {MANIFEST, TOMBSTONE}
    for extra in sorted(f.name for f in folder.iterdir() if f.name not in known):
        p("unexpected_file", f"{extra} was added after sealing", extra)
    return manifest


def _check_link(call: Call, prev: Call | None, manifest: dict[str, Any] | None,
                out: list[Problem]) -> None:
    want = prev.manifest_sha256 if prev is not None else ""
    if call.prev_manifest_sha256 != want:
        out.append(Problem(call.id, call.seq, "chain_broken",
                           f"links to {call.prev_manifest_sha256 or 'nothing'} but the call "
                           f"before it ({prev.id if prev else 'none'}) has {want or 'nothing'}"))
    if manifest is not None and manifest.get("prev_manifest_sha256") != call.prev_manifest_sha256:
        out.append(Problem(call.id, call.seq, "chain_broken",
                           "manifest's previous-call hash differs from the database", MANIFEST))


def verify(db: Database, calls_dir: Path, call_id: str | None = None) -> VerifyReport:
    report = VerifyReport()
    out = report.problems
    with db.session() as s:
        chain = list(calls.sealed_in_order(s))
        head = s.get(ChainHead, 1)
        open_or_unsealed = s.scalars(select(Call.id).where(Call.seq.is_(None))).all()
        by_seq = {c.seq: i for i, c in enumerate(chain)}
        if call_id is not None:
            call = calls.get(s, call_id)
            if call.seq is None:
                out.append(Problem(call.id, None, "not_sealed", f"call is {call.status}, not sealed"))
                report.checked = 1
                return report
            i = by_seq[call.seq]
            targets = [i]
        else:
            targets = list(range(len(chain)))
        for i in targets:
            call = chain[i]
            prev = chain[i - 1] if i > 0 else None
            if prev is not None and call.seq != (prev.seq or 0) + 1:
                out.append(Problem(call.id, call.seq, "call_missing",
                                   f"sequence jumps from {prev.seq} to {call.seq}: "
                                   f"{(call.seq or 0) - (prev.seq or 0) - 1} call(s) deleted"))
            elif prev is None and call.seq != 1:
                out.append(Problem(call.id, call.seq, "call_missing",
                                   f"the chain starts at {call.seq}: earlier calls deleted"))
            manifest = _check_folder(call, calls_dir, out)
            _check_link(call, prev, manifest, out)
            report.checked += 1
        if call_id is None and head is not None:
            last = chain[-1] if chain else None
            if head.last_seq != (last.seq if last else 0) or \
                    head.last_manifest_sha256 != (last.manifest_sha256 if last else ""):
                out.append(Problem(last.id if last else "-", head.last_seq, "chain_head_mismatch",
                                   f"the chain head says call {head.last_seq} is last; the "
                                   f"newest call left is {last.seq if last else 'none'}"))
            known = {c.folder for c in chain} | set(
                s.scalars(select(Call.folder).where(Call.id.in_(open_or_unsealed))).all())
            for manifest_path in sorted(calls_dir.glob(f"*/*/*/{MANIFEST}")):
                rel = manifest_path.parent.relative_to(calls_dir).as_posix()
                if rel not in known:
                    out.append(Problem(manifest_path.parent.name, None, "unknown_folder",
                                       f"{rel} has a manifest but no call in the database"))
    return report
