"""The database: migrations equal the models, SQLite pragmas, sessions, repositories."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from voicebot.dialogs.outcome import FollowUps, Outcome, OutcomeRecord, ProblemItem
from voicebot.errors import StoreError
from voicebot.store import Database, audit, calls, outcomes, turns, users
from voicebot.store.models import Base, Call, Counter
from voicebot.store.turns import TurnData


def test_migrations_create_exactly_the_models(store_db: Database) -> None:
    with store_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []
    head = ScriptDirectory.from_config(store_db._alembic_config()).get_current_head()
    assert store_db.current_revision() == head
    assert {"calls", "turns", "dnc_entries", "callback_tasks", "users", "reviews",
            "audit_log", "policies", "follow_ups", "problem_items"} <= set(store_db.table_names())


def test_upgrade_twice_is_harmless(store_url: str) -> None:
    Database.open(store_url).dispose()
    db = Database.open(store_url)
    with db.session() as s:
        assert s.get(Counter, "dnc") is not None
    db.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'data' / 'vb.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(Exception, match="FOREIGN KEY"), db.session() as s:
        s.add(Call(id="c1", task_id=999))
    db.dispose()


def test_bad_url_is_a_store_error() -> None:
    with pytest.raises(StoreError) as err:
        Database.open("nonsense:://")
    assert err.value.code == "VB500"


def test_session_rolls_back_on_error(store_db: Database) -> None:
    with pytest.raises(RuntimeError), store_db.session() as s:
        calls.create(s, "c1", phone="13800000001")
        raise RuntimeError("boom")
    with store_db.session() as s:
        assert calls.find(s, "c1") is None


def test_turns_outcome_problems_and_follow_ups(store_db: Database) -> None:
    with store_db.session() as s:
        calls.create(s, "c1", phone="13800000001", policy_no="P1", script="new_policy")
        turns.add(s, "c1", TurnData("bot", 0, 2400, prompt_id="q5", prompt_text="退保会有损失",
                                    heard_until_ms=1800, question_id="q5", barged_in=True))
        turns.add(s, "c1", TurnData("caller", 1800, 2600, text="不知道", intent="deny",
                                    confidence=0.82))
    rec = OutcomeRecord(
        call_id="c1", script="new_policy", policy_no="P1", outcome=Outcome.PROBLEM_CASE,
        started_at="2025-01-01T10:00:00+08:00", ended_at="2025-01-01T10:03:00+08:00",
        problem_items=[ProblemItem("q5", 5, "not_understood", "不知道")],
        follow_ups=FollowUps(callback_at="2025-01-02T15:00:00+08:00", letter_or_visit=True))
    with store_db.session() as s:
        outcomes.save(s, rec)
    with store_db.session() as s:
        got = [turns.to_dict(t) for t in turns.for_call(s, "c1")]
        assert [(t["idx"], t["speaker"], t["heard_until_ms"]) for t in got] == [
            (0, "bot", 1800), (1, "caller", None)]
        assert got[1]["confidence"] == pytest.approx(0.82)
        assert calls.get(s, "c1").outcome == "problem_case"
        row = outcomes.get(s, "c1")
        assert row is not None and row.record["problem_items"][0]["question_no"] == 5
        assert [(p.question_id, p.reason) for p in outcomes.problem_items(s, "c1")] == [
            ("q5", "not_understood")]
        kinds = {f.kind: f for f in outcomes.follow_ups(s, "c1")}
        assert set(kinds) == {"callback", "letter_or_visit"}
        due = kinds["callback"].due_at
        assert due is not None and due.isoformat() == "2025-01-02T07:00:00+00:00"
        assert calls.list_calls(s, outcome="problem_case")[0].id == "c1"
        assert calls.list_calls(s, outcome="completed") == []


def test_turn_with_unknown_speaker_is_refused(store_db: Database) -> None:
    with pytest.raises(StoreError), store_db.session() as s:
        calls.create(s, "c1")
        turns.add(s, "c1", TurnData("robot", 0))


def test_users_and_passwords(store_db: Database) -> None:
    with store_db.session() as s:
        users.create(s, "li", "qa", "s3cret!")
        with pytest.raises(StoreError):
            users.create(s, "wang", "boss", "x")
    with store_db.session() as s:
        user = users.authenticate(s, "li", "s3cret!")
        assert user is not None and user.role == "qa" and "s3cret" not in user.password_hash
        assert users.authenticate(s, "li", "wrong") is None


def test_audit_entries_are_listed_newest_first(store_db: Database) -> None:
    with store_db.session() as s:
        audit.record(s, "ops", "dnc.add", "13800000001", source="company")
        audit.record(s, "ops", "call.read", "c1")
    with store_db.session() as s:
        assert [e.action for e in audit.entries(s)] == ["call.read", "dnc.add"]
        assert [e.detail for e in audit.entries(s, action="dnc.*")] == [{"source": "company"}]
