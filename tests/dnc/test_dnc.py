"""The do-not-call list: normalisation, blocking, expiry, audit, CSV and hashed exchange."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from voicebot.config import DncSettings
from voicebot.dnc import DncList, normalize_number
from voicebot.dnc.cache import DncCache
from voicebot.dnc.csvio import export_csv, import_csv
from voicebot.errors import DncError, ImportRowsError
from voicebot.store import Database, audit
from voicebot.store.types import utcnow

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def dnc(store_db: Database) -> DncList:
    return DncList(store_db, DncSettings(default_days=365, minimum_days=180))


@pytest.mark.parametrize("raw", ["13800000001", "+86 138 0000 0001", "0086-138-0000-0001",
                                 "8613800000001", "(138) 0000-0001", "138.0000.0001"])
def test_numbers_are_normalised(raw: str) -> None:
    assert normalize_number(raw) == "13800000001"


@pytest.mark.parametrize("raw", ["", "abc", "1380000000", "+1 650 555 0100", "23800000001x",
                                 "138０００００００1"])
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(DncError):
        normalize_number(raw)


def test_a_listed_number_is_blocked_and_others_are_not(dnc: DncList) -> None:
    dnc.add("+86 138-0000-0001", reason="asked during call", added_by="agent7", at=T0)
    assert dnc.is_blocked("13800000001", T0 + timedelta(days=1))
    assert not dnc.is_blocked("13800000002", T0 + timedelta(days=1))
    check = dnc.check("138 0000 0001", T0)
    assert check.blocked and check.entries[0]["added_by"] == "agent7"


def test_entries_expire_after_the_default_days(dnc: DncList) -> None:
    entry = dnc.add("13800000001", at=T0)
    assert entry["expires_at"] == (T0 + timedelta(days=365)).isoformat()
    assert dnc.is_blocked("13800000001", T0 + timedelta(days=364))
    assert not dnc.is_blocked("13800000001", T0 + timedelta(days=366))
    dnc.add("13800000001", source="complaint", days=730, at=T0)
    assert dnc.is_blocked("13800000001", T0 + timedelta(days=366))


def test_expiry_below_the_minimum_is_refused(dnc: DncList, store_db: Database) -> None:
    with pytest.raises(DncError, match="minimum"):
        dnc.add("13800000001", days=30)
    with pytest.raises(DncError):
        DncList(store_db, DncSettings(default_days=90, minimum_days=180))
    assert dnc.count() == 0


def test_remove_unblocks_and_every_change_is_audited(dnc: DncList, store_db: Database) -> None:
    dnc.add("13800000001", added_by="ops", at=T0)
    assert dnc.remove("13800000001", removed_by="supervisor", reason="entered by mistake") == 1
    assert not dnc.is_blocked("13800000001", T0)
    with store_db.session() as s:
        log = [(e.actor, e.action, e.target) for e in audit.entries(s, action="dnc.*")]
    assert log == [("supervisor", "dnc.remove", "13800000001"), ("ops", "dnc.add", "13800000001")]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_bad_rows_reports_lines_and_imports_nothing(
        dnc: DncList, store_db: Database, tmp_path: Path) -> None:
    f = write(tmp_path / "list.csv",
              "number,reason,source,expires_at\n"
              "13800000001,ok,industry,\n"
              "12345,too short,industry,\n"
              "13800000003,ok,company,\n"
              "13800000004,bad source,partner,\n"
              "13800000005,,industry,2020-01-01\n")
    with pytest.raises(ImportRowsError) as err:
        import_csv(dnc, f, added_by="ops", at=T0)
    assert [line for line, _ in err.value.rows] == [3, 5, 6]
    assert "source" in err.value.rows[1][1] and "expired" in err.value.rows[2][1]
    assert dnc.count() == 0
    with store_db.session() as s:
        assert audit.entries(s, action="dnc.import") == []


def test_csv_header_problems_are_reported(dnc: DncList, tmp_path: Path) -> None:
    with pytest.raises(ImportRowsError) as err:
        import_csv(dnc, write(tmp_path / "x.csv", "phone_no,why\n1,2\n"), added_by="ops")
    assert [r[0] for r in err.value.rows] == [1, 1, 1]


def test_csv_import_and_reimport(dnc: DncList, tmp_path: Path) -> None:
    rows = "".join(f"1390000{i:04d},industry list\n" for i in range(2000))
    f = write(tmp_path / "big.csv", "number,reason\n" + rows + "13900000000,dup in file\n")
    assert import_csv(dnc, f, added_by="ops", at=T0).rows == 2001
    assert dnc.count() == 2000
    assert dnc.is_blocked("13900001999", T0) and not dnc.is_blocked("13900002000", T0)
    later = T0 + timedelta(days=100)
    import_csv(dnc, f, added_by="ops", at=later)  # same file again: no duplicates, expiry extends
    assert dnc.count() == 2000
    assert dnc.is_blocked("13900000005", T0 + timedelta(days=400))


def test_hashed_export_and_import(dnc: DncList, tmp_path: Path) -> None:
    now = utcnow()  # relative to the clock DncCache reads, not a calendar date
    dnc.add("13800000001", at=now)
    dnc.add("13800000002", at=now)
    out = io.StringIO()
    assert export_csv(dnc, out, exported_by="ops", salt="assoc-2025", at=now) == 2
    text = out.getvalue()
    assert "13800000001" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    want = hashlib.sha256(b"assoc-202513800000001").hexdigest()
    assert want in {r["sha256"] for r in rows}
    # The partner imports the hashes and blocks the numbers (same database, plain entries gone).
    dnc.remove("13800000001")
    dnc.remove("13800000002")
    partner = dnc
    f = write(tmp_path / "hashed.csv", text)
    import_csv(partner, f, added_by="assoc", salt="assoc-2025", salt_label="assoc", at=now)
    assert partner.is_blocked("+86 138 0000 0002", now + timedelta(days=1))
    assert not partner.is_blocked("13800000003", now)
    assert partner.check("13800000001", now).entries[0]["digest"] == want
    assert DncCache(partner).blocked_many(["13800000001", "13800000003"]) == [True, False]
    with pytest.raises(DncError, match="different salt"):
        import_csv(partner, f, added_by="assoc", salt="other", salt_label="assoc", at=now)
    with pytest.raises(ImportRowsError):  # a hashed file needs --salt
        import_csv(partner, f, added_by="assoc", at=now)


def test_plain_export_round_trips(dnc: DncList, tmp_path: Path) -> None:
    dnc.add("13800000001", reason="refused", at=T0)
    out = io.StringIO()
    export_csv(dnc, out, exported_by="ops", at=T0)
    assert out.getvalue().splitlines()[1].startswith("13800000001,refused,company,")


def test_cache_answers_in_bulk_and_sees_changes(dnc: DncList) -> None:
    now = utcnow()  # relative to the clock DncCache reads, not a calendar date
    dnc.add("13800000001")
    cache = DncCache(dnc, max_age_s=0)
    assert cache.blocked_many(["13800000001", "13800000002"]) == [True, False]
    dnc.add("13800000002", source="complaint")
    assert cache.is_blocked("138-0000-0002")
    dnc.remove("13800000001")
    assert cache.blocked_many(["13800000001", "13800000002"]) == [False, True]
    assert not cache.is_blocked("13800000002", now + timedelta(days=400))
