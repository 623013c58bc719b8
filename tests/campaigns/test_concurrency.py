"""Two bot node PROCESSES lease from one PostgreSQL database at once: no task is handed out
twice and none is lost. A node killed mid-call gives its task back when the lease runs out.
SQLite: one node works alone."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import lease
from voicebot.store.db import Database
from voicebot.store.models import CallbackAttempt, CallbackTask, Policy, TaskStatus

WORKER = Path(__file__).with_name("lease_worker.py")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
N_TASKS = 2000


def seed(db: Database, n: int) -> None:
    with db.session() as s:
        s.execute(insert(Policy), [
            {"policy_no": f"P{i:06d}", "holder_name": f"客户{i}", "holder_phone": f"138{i:08d}",
             "extra": {}} for i in range(n)])
        ids = dict(s.execute(select(Policy.policy_no, Policy.id)).all())
        s.execute(insert(CallbackTask), [
            {"policy_id": ids[f"P{i:06d}"], "script": "new_policy", "kind": "new_policy",
             "status": TaskStatus.PENDING, "priority": i % 5, "attempts": 0, "max_attempts": 5,
             "next_attempt_at": NOW - timedelta(minutes=i % 30), "detail": {}, "note": "",
             "earliest_day": NOW.date(), "latest_day": NOW.date() + timedelta(days=10)}
            for i in range(n)])


def spawn(url: str, node: str, out: Path, mode: str = "drain") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WORKER), url, node, str(out), mode, NOW.isoformat()],
                            stdout=subprocess.PIPE, text=True)


@pytest.mark.postgres
def test_two_processes_never_share_a_task(pg_url: str, tmp_path: Path) -> None:
    db = Database.open(pg_url)
    seed(db, N_TASKS)
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    procs = [spawn(pg_url, f"node-{i}", out) for i, out in enumerate(outs)]
    for out in outs:
        Path(str(out) + ".go").touch()
    for p in procs:
        assert p.wait(timeout=600) == 0
    a, b = (json.loads(o.read_text()) for o in outs)
    ids_a, ids_b = {t for t, _ in a}, {t for t, _ in b}
    assert len(ids_a) == len(a) and len(ids_b) == len(b)  # no node got a task twice
    assert not ids_a & ids_b  # no task went to both
    assert len(ids_a | ids_b) == N_TASKS  # none lost
    assert min(len(a), len(b)) > N_TASKS // 10  # both really worked at once
    with db.session() as s:
        owners = {t: o for t, o in s.execute(select(CallbackTask.id, CallbackTask.lease_owner)
                                            .where(CallbackTask.status == TaskStatus.LEASED))}
        done = set(s.scalars(select(CallbackTask.id).where(CallbackTask.status == TaskStatus.DONE)))
        assert s.scalar(select(func.count()).select_from(CallbackAttempt)) == N_TASKS
    assert len(owners) + len(done) == N_TASKS and done == {t for t in ids_a | ids_b if t % 10 == 0}
    assert all(owners[t] == "node-0" for t in ids_a if t in owners)
    assert all(owners[t] == "node-1" for t in ids_b if t in owners)
    db.dispose()


@pytest.mark.postgres
def test_killed_leaseholder_task_comes_back(pg_url: str, tmp_path: Path) -> None:
    db = Database.open(pg_url)
    seed(db, 1)
    out = tmp_path / "crash.json"
    proc = spawn(pg_url, "doomed", out, "crash")
    Path(str(out) + ".go").touch()
    assert proc.stdout is not None
    held = json.loads(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)  # the node dies mid-call, without a word
    proc.wait(timeout=10)
    proc.stdout.close()
    c = Campaign()
    assert lease(db, c, "survivor", now=NOW + timedelta(seconds=c.settings.lease_seconds - 5)) is None
    back = lease(db, c, "survivor", now=NOW + timedelta(seconds=c.settings.lease_seconds + 1))
    assert back is not None and back.task_id == held["task_id"] and back.attempt == 2
    with db.session() as s:
        first = s.scalar(select(CallbackAttempt.outcome).where(CallbackAttempt.attempt == 1))
    assert first == "lease_expired"
    db.dispose()


def test_sqlite_single_node_drains_in_order(sqlite_db: Database) -> None:
    seed(sqlite_db, 200)
    c = Campaign()
    got = []
    while (ls := lease(sqlite_db, c, "only", now=NOW)) is not None:
        got.append(ls)
    assert len({ls.task_id for ls in got}) == 200
    prios = [int(ls.policy["policy_no"][1:]) % 5 for ls in got]
    assert prios == sorted(prios, reverse=True)  # higher priority first
