"""Verification catches edited bytes, deleted calls and a reordered chain, and says where."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from evidence_helpers import make_call
from sqlalchemy import delete, update

from voicebot.cli import dnc as dnc_cli
from voicebot.cli import evidence as evidence_cli
from voicebot.evidence import EvidenceStore, Sealed, verify
from voicebot.evidence.export import export_call
from voicebot.store.models import Call, OutcomeRow, Turn


@pytest.fixture
def three(evidence: EvidenceStore) -> list[Sealed]:
    return [make_call(evidence) for _ in range(3)]


def kinds(evidence: EvidenceStore, call_id: str | None = None) -> set[tuple[str, str | None]]:
    report = verify(evidence.db, evidence.calls_dir, call_id)
    return {(p.kind, p.file) for p in report.problems}


def test_untouched_evidence_verifies(evidence: EvidenceStore, three: list[Sealed]) -> None:
    report = verify(evidence.db, evidence.calls_dir)
    assert report.ok and report.checked == 3
    assert verify(evidence.db, evidence.calls_dir, three[1].call_id).ok


def test_an_edited_byte_is_found_in_its_file_and_block(
        evidence: EvidenceStore, three: list[Sealed]) -> None:
    wav = three[1].folder / "recording.wav"
    data = bytearray(wav.read_bytes())
    data[40_000] ^= 0x01
    wav.write_bytes(bytes(data))
    report = verify(evidence.db, evidence.calls_dir)
    assert [(p.call_id, p.kind, p.file) for p in report.problems] == [
        (three[1].call_id, "file_altered", "recording.wav")]
    assert "bytes 0-65535" in report.problems[0].detail
    assert ("file_altered", "recording.wav") in kinds(evidence, three[1].call_id)
    assert kinds(evidence, three[0].call_id) == set()


def test_an_edited_transcript_or_manifest_is_found(
        evidence: EvidenceStore, three: list[Sealed]) -> None:
    t = three[0].folder / "transcript.json"
    t.write_text(t.read_text().replace("是我本人", "不是我"))
    m = three[2].folder / "manifest.json"
    data = json.loads(m.read_text())
    data["outcome"] = "problem_case"
    m.write_text(json.dumps(data))
    assert kinds(evidence) == {("file_altered", "transcript.json"),
                               ("manifest_altered", "manifest.json")}


def test_a_deleted_call_folder_is_found(evidence: EvidenceStore, three: list[Sealed]) -> None:
    shutil.rmtree(three[1].folder)
    report = verify(evidence.db, evidence.calls_dir)
    assert [(p.call_id, p.kind) for p in report.problems] == [(three[1].call_id, "folder_missing")]


def test_a_call_deleted_from_folder_and_database_breaks_the_chain(
        evidence: EvidenceStore, three: list[Sealed]) -> None:
    gone = three[1].call_id
    shutil.rmtree(three[1].folder)
    with evidence.db.session() as s:
        s.execute(delete(Turn).where(Turn.call_id == gone))
        s.execute(delete(OutcomeRow).where(OutcomeRow.call_id == gone))
        s.execute(delete(Call).where(Call.id == gone))
    report = verify(evidence.db, evidence.calls_dir)
    assert {(p.call_id, p.kind) for p in report.problems} == {
        (three[2].call_id, "call_missing"), (three[2].call_id, "chain_broken")}


def test_deleting_the_newest_call_is_found_by_the_chain_head(
        evidence: EvidenceStore, three: list[Sealed]) -> None:
    gone = three[2].call_id
    with evidence.db.session() as s:
        s.execute(delete(Turn).where(Turn.call_id == gone))
        s.execute(delete(OutcomeRow).where(OutcomeRow.call_id == gone))
        s.execute(delete(Call).where(Call.id == gone))
    assert kinds(evidence) == {("chain_head_mismatch", None), ("unknown_folder", None)}


def test_a_reordered_chain_is_found(evidence: EvidenceStore, three: list[Sealed]) -> None:
    a, b = three[0].call_id, three[1].call_id
    with evidence.db.session() as s:  # swap sequence numbers (via a free value: unique index)
        s.execute(update(Call).where(Call.id == a).values(seq=-1))
        s.execute(update(Call).where(Call.id == b).values(seq=1))
        s.execute(update(Call).where(Call.id == a).values(seq=2))
    report = verify(evidence.db, evidence.calls_dir)
    found = {(p.call_id, p.kind) for p in report.problems}
    assert {(a, "reordered"), (b, "reordered"), (b, "chain_broken"), (a, "chain_broken")} <= found


def test_purge_keeps_the_chain_verifiable(evidence: EvidenceStore, three: list[Sealed]) -> None:
    old = three[0].call_id
    with evidence.db.session() as s:
        s.execute(update(Call).where(Call.id == old).values(keep_until=date(2020, 1, 1)))
        s.execute(update(Call).where(Call.id == three[1].call_id)
                  .values(keep_until=date(2020, 1, 1), complaint_open=True))
    from voicebot.evidence import purge

    plan = purge.plan(evidence.db, date(2025, 1, 1), include_held=True)
    assert [(p.call_id, p.purgeable) for p in plan] == [
        (old, True), (three[1].call_id, False), (three[2].call_id, False)]
    assert "complaint open" in plan[1].why
    done = purge.purge(evidence.db, evidence.calls_dir, date(2025, 1, 1), actor="test")
    assert [d.call_id for d in done] == [old]
    assert sorted(p.name for p in three[0].folder.iterdir()) == ["manifest.json", "tombstone.json"]
    assert verify(evidence.db, evidence.calls_dir).ok
    (three[0].folder / "tombstone.json").unlink()
    assert kinds(evidence) == {("tombstone_missing", "tombstone.json")}


def test_export_bundles_the_folder(evidence: EvidenceStore, three: list[Sealed],
                                   tmp_path: Path) -> None:
    out = export_call(evidence.db, evidence.calls_dir, three[1].call_id, tmp_path / "b.zip",
                      actor="test")
    with zipfile.ZipFile(out) as z:
        names = sorted(n.split("/", 1)[1] for n in z.namelist())
        chain = json.loads(z.read(f"{three[1].call_id}/chain.json"))
    assert names == ["chain.json", "manifest.json", "outcome.json", "recording.wav",
                     "transcript.json"]
    assert chain["prev_manifest_sha256"] == three[0].manifest_sha256
    assert chain["verification"]["ok"] is True


def _cli(module: object, argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    module.register(sub)  # type: ignore[attr-defined]
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_verify_reports_problems_as_json(
        evidence: EvidenceStore, three: list[Sealed], store_url: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOICEBOT_DATABASE_URL", store_url)
    monkeypatch.setenv("VOICEBOT_DATA_DIR", str(evidence.calls_dir.parent))
    assert _cli(evidence_cli, ["evidence", "verify", "--all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["checked"] == 3
    shutil.rmtree(three[0].folder)
    assert _cli(evidence_cli, ["evidence", "verify", "--all"]) == 1
    assert "folder_missing" in capsys.readouterr().out
    assert _cli(dnc_cli, ["dnc", "check", "13800000001", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["blocked"] is False
