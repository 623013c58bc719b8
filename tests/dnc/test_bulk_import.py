"""The bulk import's fast path: big loads (index rebuilt on SQLite, indexes dropped and rebuilt
on an empty PostgreSQL table), re-import semantics, per-row tails, failures leave no trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from voicebot.config import DncSettings
from voicebot.dnc import DncList
from voicebot.dnc.csvio import import_csv
from voicebot.errors import ImportRowsError
from voicebot.store import Database, audit

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BIG = 12_000  # above the size where the SQLite load rebuilds the expiry index


@pytest.fixture
def dnc(store_db: Database) -> DncList:
    return DncList(store_db, DncSettings(default_days=365, minimum_days=180))


def numbers(n: int, start: int = 0) -> list[str]:
    return [f"1370{i:07d}" for i in range(start, start + n)]


def write(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def indexes_intact(db: Database) -> None:
    insp = inspect(db.engine)
    uniques = {u["name"] for u in insp.get_unique_constraints("dnc_entries")}
    assert {"uq_dnc_entries_number_source", "uq_dnc_entries_digest_source"} <= uniques
    assert "ix_dnc_entries_expires_at" in {i["name"] for i in insp.get_indexes("dnc_entries")}


def test_big_import_then_reimport_only_extends_expiry(
        dnc: DncList, store_db: Database, tmp_path: Path) -> None:
    nums = numbers(BIG)
    first = write(tmp_path / "a.csv", "number,reason,days",
                  [f"{n},industry,400" for n in nums] + [f"+86 {nums[0]},dup,365"])
    assert import_csv(dnc, first, added_by="ops", at=T0).rows == BIG + 1
    assert dnc.count() == BIG
    # the in-file duplicate keeps the later expiry (400 days, not 365)
    assert dnc.is_blocked(nums[0], T0 + timedelta(days=399))
    indexes_intact(store_db)
    # Re-import (big again): a shorter expiry never shortens, a longer one extends, new rows add.
    shorter = write(tmp_path / "b.csv", "number,days", [f"{n},200" for n in nums[:BIG // 2]])
    import_csv(dnc, shorter, added_by="ops", at=T0)
    assert dnc.is_blocked(nums[1], T0 + timedelta(days=399))
    longer = write(tmp_path / "c.csv", "number,days",
                   [f"{n},800" for n in nums[:10]] + [f"{n},365" for n in numbers(5, BIG)])
    import_csv(dnc, longer, added_by="ops", at=T0)
    assert dnc.count() == BIG + 5
    assert dnc.is_blocked(nums[3], T0 + timedelta(days=799))
    assert not dnc.is_blocked(nums[10], T0 + timedelta(days=401))
    indexes_intact(store_db)
    # constraints still enforce one entry per (number, source)
    dnc.add(nums[0], source="industry", at=T0)
    assert dnc.count() == BIG + 5
    with store_db.session() as s:
        assert len(audit.entries(s, action="dnc.import")) == 3


def test_a_bad_row_in_a_big_file_imports_nothing(
        dnc: DncList, store_db: Database, tmp_path: Path) -> None:
    lines = [f"{n},industry" for n in numbers(BIG)]
    lines[5000] = "1370abc,industry"
    lines[9000] = "13700009000,partner"
    f = write(tmp_path / "bad.csv", "number,source", lines)
    with pytest.raises(ImportRowsError) as err:
        import_csv(dnc, f, added_by="ops", at=T0)
    assert [line for line, _ in err.value.rows] == [5002, 9002]
    assert dnc.count() == 0
    indexes_intact(store_db)
    # the same failure on a list that already has entries
    dnc.add("13800000001", at=T0)
    with pytest.raises(ImportRowsError):
        import_csv(dnc, f, added_by="ops", at=T0)
    assert dnc.count() == 1
    indexes_intact(store_db)


def test_per_row_dates_and_repeated_bad_tails(dnc: DncList, tmp_path: Path) -> None:
    f = write(tmp_path / "dates.csv", "number,reason,source,added_at,expires_at", [
        "13800000001,refused,company,2025-01-01T00:00:00+00:00,2026-01-01T00:00:00+00:00",
        "13800000002,complaint,complaint,2025-02-01,2026-06-01",
        "13800000003,old,industry,2020-01-01,2021-01-01",
        "13800000004,old,industry,2020-01-01,2021-01-01",
        "13800000005,,industry,,",
        "",  # blank lines are skipped
        "13800000006,short row",
    ])
    with pytest.raises(ImportRowsError) as err:
        import_csv(dnc, f, added_by="ops", at=T0)
    assert [(line, "expired" in why) for line, why in err.value.rows] == [(4, True), (5, True)]
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join(line for line in f.read_text().splitlines()
                               if ",old," not in line) + "\n")
    assert import_csv(dnc, fixed, added_by="ops", at=T0).rows == 4
    one = dnc.check("13800000001", T0).entries[0]
    assert one["source"] == "company" and one["expires_at"].startswith("2026-01-01")
    assert dnc.check("13800000002", T0).entries[0]["source"] == "complaint"
    six = dnc.check("13800000006", T0).entries[0]
    assert six["reason"] == "short row" and six["source"] == "industry"
    assert six["added_by"] == "ops" and six["expires_at"].startswith("2026-03-01")
