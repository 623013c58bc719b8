"""Tasks from imports, pre-checks, leasing and results, on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from voicebot.campaigns.checks import dnc_blocked
from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import lease, release
from voicebot.campaigns.errors import LeaseLostError
from voicebot.campaigns.results import Reporter
from voicebot.campaigns.rules import CampaignRules
from voicebot.campaigns.tasks import import_file, release_hold
from voicebot.dnc import DncList
from voicebot.dnc.numbers import salted_digest
from voicebot.errors import ImportRowsError
from voicebot.store.db import Database
from voicebot.store.models import (
    CallbackAttempt,
    CallbackTask,
    DncEntry,
    DncSalt,
    FollowUp,
    NumberDay,
    Policy,
    TaskStatus,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # a Monday morning
HEADER = "policy_no,kind,holder_name,holder_id_no,phone,receipt_date,term_years,region,grace_end"


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


def campaign(**attempts: int) -> Campaign:
    return Campaign(CampaignRules.from_dict({"attempts": attempts} if attempts else {}))


def write_csv(tmp_path: Path, rows: list[str], name: str = "tasks.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return p


def statuses(db: Database) -> dict[str, str]:
    with db.session() as s:
        q = select(Policy.policy_no, CallbackTask.status).join(Policy, CallbackTask.policy_id == Policy.id)
        return {k: v for k, v in s.execute(q)}


def drain(db: Database, c: Campaign, now: datetime, node: str = "n1") -> list[int]:
    got = []
    while (ls := lease(db, c, node, now=now)) is not None:
        got.append(ls.task_id)
    return got


def test_import_prechecks_and_nothing_half_imported(db: Database, tmp_path: Path) -> None:
    c = campaign()
    DncList(db).add("13900000009", reason="test", at=NOW - timedelta(days=1))
    path = write_csv(tmp_path, [
        "P1,new_policy,张三,110101199001011234,13800000001,2026-11-20,10,,",
        "P2,new_policy,李四,,,2026-11-20,10,,",  # no phone → re-verification
        "P3,new_policy,王五,110101199001015678,13800000003,2026-11-20,10,,",
        "P4,new_policy,赵六,110101199001019999,13800000003,2026-11-20,10,,",  # same phone, other holder
        "P5,new_policy,钱七,,13900000009,2026-11-20,10,,",  # on the do-not-call list
        "P6,new_policy,孙八,,13800000006,2026-10-01,10,,",  # cooling-off already over
        "P7,new_policy,周九,,13800000007,2026-11-20,1,,",  # one-year policy: no callback
        "P8,grace_before,吴十,,13800000008,,,,2027-01-29",  # needs 2027 → override below
    ])
    with pytest.raises(Exception, match="2027"):
        import_file(db, c, path, now=NOW)
    path = write_csv(tmp_path, [
        "P1,new_policy,张三,110101199001011234,13800000001,2026-11-20,10,,",
        "P2,new_policy,李四,,,2026-11-20,10,,",
        "P3,new_policy,王五,110101199001015678,13800000003,2026-11-20,10,,",
        "P4,new_policy,赵六,110101199001019999,13800000003,2026-11-20,10,,",
        "P5,new_policy,钱七,,13900000009,2026-11-20,10,,",
        "P6,new_policy,孙八,,13800000006,2026-10-01,10,,",
        "P7,new_policy,周九,,13800000007,2026-11-20,1,,",
    ])
    summary = import_file(db, c, path, now=NOW)
    assert (summary.created, summary.pending) == (6, 1)
    assert [n for n, _ in summary.not_required] == [8]
    assert statuses(db) == {"P1": "pending", "P2": "reverify", "P3": "held", "P4": "held",
                            "P5": "blocked", "P6": "expired"}
    with db.session() as s:
        kinds = sorted(s.scalars(select(FollowUp.kind)))
    assert kinds == ["duplicate_phone", "duplicate_phone", "missed_window", "reverify"]
    # the same file again creates nothing new
    again = import_file(db, c, path, now=NOW)
    assert (again.created, again.already) == (0, 6)
    # a file with one bad row changes nothing at all
    bad = write_csv(tmp_path, ["P9,new_policy,新人,,13800000010,2026-11-20,10,,",
                               "P10,new_policy,坏行,,13800000011,2026-11-31,10,,"], "bad.csv")
    with pytest.raises(ImportRowsError) as info:
        import_file(db, c, bad, now=NOW)
    assert info.value.rows[0][0] == 3
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Policy)) == 6  # P7 needs no callback
        assert s.scalar(select(func.count()).select_from(CallbackTask)) == 6
    # only P1 is ever offered
    assert [statuses(db)["P1"]] == ["pending"]
    got = drain(db, c, NOW)
    assert len(got) == 1
    assert statuses(db)["P1"] == "leased"


def test_do_not_call_check_sees_numbers_and_partner_hashes(db: Database) -> None:
    """checks.dnc_blocked (one SQL statement on PostgreSQL, hashing there) agrees with DncList."""
    dnc = DncList(db)
    dnc.add("13800000001", at=NOW)
    with db.session() as s:
        salt = DncSalt(label="assoc", salt="assoc-2026")
        s.add(salt)
        s.flush()
        s.add(DncEntry(digest=salted_digest("13800000002", "assoc-2026"), salt_id=salt.id,
                       source="industry", added_at=NOW, expires_at=NOW + timedelta(days=365)))
    with db.session() as s:
        got = [dnc_blocked(s, n, NOW) for n in ("13800000001", "13800000002", "13800000003")]
        assert got == [True, True, False]
        assert not dnc_blocked(s, "13800000002", NOW + timedelta(days=366))
        assert not dnc_blocked(s, "13800000001", NOW + timedelta(days=400))
    assert [dnc.is_blocked(n, NOW) for n in ("13800000001", "13800000002", "13800000003")] == got


def test_do_not_call_number_is_never_offered(db: Database, tmp_path: Path) -> None:
    c = campaign()
    import_file(db, c, write_csv(tmp_path, [
        f"P{i},new_policy,客户{i},,1380000{i:04d},2026-11-20,10,," for i in range(20)]), now=NOW)
    DncList(db).add("13800000007", reason="asked", at=NOW)  # after import, before dialling
    DncList(db).add("13800000011", reason="asked", at=NOW)
    got = drain(db, c, NOW)
    with db.session() as s:
        offered = set(s.scalars(select(CallbackAttempt.phone)))
    assert len(got) == 18
    assert "13800000007" not in offered and "13800000011" not in offered
    st = statuses(db)
    assert st["P7"] == st["P11"] == "blocked"


def test_retries_spacing_and_failure(db: Database, tmp_path: Path) -> None:
    c = campaign(max_attempts=3, per_number_daily_limit=5)
    rep = Reporter(db, c)
    import_file(db, c, write_csv(tmp_path, ["P1,new_policy,张三,,13800000001,2026-11-20,10,,"]), now=NOW)
    t = NOW
    for n in (1, 2):
        ls = lease(db, c, "n1", now=t)
        assert ls is not None and ls.attempt == n
        res = rep.report(ls.task_id, ls.attempt, "n1", "no_answer", now=t)
        assert res.status == "pending" and res.next_attempt_at is not None
        nxt = datetime.fromisoformat(res.next_attempt_at)
        assert nxt - t >= timedelta(hours=2)
        assert lease(db, c, "n1", now=nxt - timedelta(minutes=1)) is None  # not before its time
        t = nxt
    ls = lease(db, c, "n1", now=t)
    assert ls is not None and ls.attempt == 3
    res = rep.report(ls.task_id, 3, "n1", "busy", now=t)
    assert (res.status, res.follow_ups) == ("failed", ["not_reached"])


def test_per_number_limit_and_calling_hours(db: Database, tmp_path: Path) -> None:
    c = campaign(per_number_daily_limit=1)
    import_file(db, c, write_csv(tmp_path, [  # one holder, two policies, one phone
        "P1,new_policy,张三,110101199001011234,13800000001,2026-11-20,10,,",
        "P2,new_policy,张三,110101199001011234,13800000001,2026-11-20,10,,"]), now=NOW)
    late = NOW.replace(hour=21, minute=30)
    assert lease(db, c, "n1", now=late) is None  # nobody at 21:30
    with db.session() as s:
        assert set(s.scalars(select(CallbackTask.next_attempt_at))) == {NOW.replace(day=24, hour=9)}
    first = lease(db, c, "n1", now=NOW.replace(day=24, hour=9))
    assert first is not None
    Reporter(db, c).report(first.task_id, 1, "n1", "completed", now=NOW.replace(day=24, hour=9, minute=4))
    assert lease(db, c, "n1", now=NOW.replace(day=24, hour=9, minute=5)) is None  # limit 1 per day
    second = lease(db, c, "n1", now=NOW.replace(day=25, hour=9))
    assert second is not None and second.task_id != first.task_id


def test_callback_later_at_the_customers_time(db: Database, tmp_path: Path) -> None:
    c = campaign()
    rep = Reporter(db, c)
    import_file(db, c, write_csv(tmp_path, ["P1,new_policy,张三,,13800000001,2026-11-20,10,,"]), now=NOW)
    ls = lease(db, c, "n1", now=NOW)
    assert ls is not None
    res = rep.report(ls.task_id, ls.attempt, "n1", "callback_later",
                     callback_at=NOW.replace(hour=22).isoformat(), now=NOW)
    assert datetime.fromisoformat(res.next_attempt_at or "") == NOW.replace(day=24, hour=9)
    # the customer asked: offered then, even when the number's daily limit is used up
    c2 = campaign(per_number_daily_limit=1)
    with db.session() as s:
        s.execute(update(NumberDay).values(calls=5))
        s.add(NumberDay(phone="13800000001", day=NOW.replace(day=24).date(), calls=5))
    again = lease(db, c2, "n1", now=NOW.replace(day=24, hour=9))
    assert again is not None and again.requested


def test_crashed_leaseholder_task_comes_back(db: Database, tmp_path: Path) -> None:
    c = campaign()
    rep = Reporter(db, c)
    import_file(db, c, write_csv(tmp_path, ["P1,new_policy,张三,,13800000001,2026-11-20,10,,"]), now=NOW)
    dead = lease(db, c, "dead-node", now=NOW)
    assert dead is not None
    assert lease(db, c, "n2", now=NOW + timedelta(seconds=c.settings.lease_seconds - 1)) is None
    back = lease(db, c, "n2", now=NOW + timedelta(seconds=c.settings.lease_seconds + 1))
    assert back is not None and (back.task_id, back.attempt) == (dead.task_id, 2)
    with pytest.raises(LeaseLostError):
        rep.report(dead.task_id, dead.attempt, "dead-node", "completed", now=NOW + timedelta(minutes=6))
    with db.session() as s:
        outcomes = {k: v for k, v in s.execute(select(CallbackAttempt.attempt, CallbackAttempt.outcome))}
    assert outcomes == {1: "completed", 2: None}  # the late result is kept with its attempt
    assert rep.report(back.task_id, 2, "n2", "completed", now=NOW + timedelta(minutes=7)).status == "done"
    release(db, c, back.task_id, 2, "n2")  # nothing to give back any more
    assert statuses(db)["P1"] == "done"


def test_results_make_follow_ups(db: Database, tmp_path: Path) -> None:
    c = campaign()
    rep = Reporter(db, c)
    import_file(db, c, write_csv(tmp_path, [
        f"P{i},new_policy,客户{i},,1380000{i:04d},2026-11-20,10,," for i in range(1, 6)]), now=NOW)
    record = {"problem_items": [{"question_id": "q5_surrender", "question_no": 5, "reason": "deny",
                                 "answer_text": "业务员说随时能全额取出来"}],
              "follow_ups": {"compliance_flags": [{"question_id": "q5_surrender", "words": "他说这是存款"}]}}
    results = {}
    for outcome in ("refused", "problem_case", "compliance_flag", "wrong_person", "do_not_call"):
        ls = lease(db, c, "n1", now=NOW)
        assert ls is not None
        results[outcome] = rep.report(ls.task_id, ls.attempt, "n1", outcome, record=record, now=NOW)
    assert results["refused"].follow_ups == ["letter_or_visit"]
    assert results["wrong_person"].status == "reverify"
    with db.session() as s:
        detail = {k: d for k, d in s.execute(select(FollowUp.kind, FollowUp.detail))}
    assert "业务员说随时能全额取出来" in detail["problem_case"]
    assert "他说这是存款" in detail["compliance"]
    dnc_phone = next(iter({ls for ls in [results["do_not_call"].task_id]}))
    with db.session() as s:
        phone = s.scalar(select(Policy.holder_phone).join(CallbackTask, CallbackTask.policy_id == Policy.id)
                         .where(CallbackTask.id == dnc_phone))
    assert DncList(db).is_blocked(phone or "", NOW)
    # a person re-verifies the wrong number: the task comes back with the corrected phone
    t = release_hold(db, c, results["wrong_person"].task_id, actor="qa", phone="13911112222", now=NOW)
    assert t.status == TaskStatus.PENDING
    again = lease(db, c, "n1", now=NOW)
    assert again is not None and again.phone == "13911112222"
