"""Dispatch throughput: lease → report(completed) cycles per second.

SQLite (one node, a real file) and PostgreSQL with one and with two node processes leasing from
the same fresh schema. Prints a JSON summary with the machine. Scale with --tasks.

    .venv/bin/python scripts/bench_dispatch.py [--tasks 2000] [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import lease
from voicebot.campaigns.results import Reporter
from voicebot.store.db import Database
from voicebot.store.models import CallbackTask, Policy, TaskStatus

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # inside calling hours


def seed(db: Database, n: int) -> None:
    with db.session() as s:
        s.execute(sa.insert(Policy), [{"policy_no": f"B{i:07d}", "holder_name": f"客户{i}",
                                       "holder_phone": f"139{i:08d}", "extra": {}} for i in range(n)])
        ids = dict(s.execute(sa.select(Policy.policy_no, Policy.id)).all())
        s.execute(sa.insert(CallbackTask), [
            {"policy_id": ids[f"B{i:07d}"], "script": "new_policy", "kind": "new_policy", "detail": {},
             "status": TaskStatus.PENDING, "priority": i % 5, "attempts": 0, "note": "",
             "next_attempt_at": NOW - timedelta(minutes=i % 60), "latest_day": NOW.date() + timedelta(days=9)}
            for i in range(n)])


def worker(url: str, node: str, go: Path) -> None:
    db = Database.open(url, upgrade=False)
    c = Campaign()
    rep = Reporter(db, c)
    while not go.exists():
        time.sleep(0.002)
    n, t0 = 0, time.perf_counter()
    while (ls := lease(db, c, node, now=NOW)) is not None:
        rep.report(ls.task_id, ls.attempt, node, "completed", now=NOW)
        n += 1
    print(json.dumps({"node": node, "leases": n, "seconds": time.perf_counter() - t0}), flush=True)


def run_nodes(url: str, nodes: int) -> dict[str, float]:
    go = Path(tempfile.gettempdir()) / f"bench-go-{uuid.uuid4().hex}"
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", url, f"node-{i}", str(go)],
                              stdout=subprocess.PIPE, text=True) for i in range(nodes)]
    time.sleep(1.5)  # let every process import and connect before the clock starts
    t0 = time.perf_counter()
    go.touch()
    results = [json.loads(p.communicate()[0]) for p in procs]
    wall = time.perf_counter() - t0
    go.unlink()
    total = sum(r["leases"] for r in results)
    return {"nodes": nodes, "leases": total, "wall_s": round(wall, 2), "leases_per_s": round(total / wall, 1),
            "per_node": [r["leases"] for r in results]}


def pg_schema(base: str) -> tuple[str, sa.Engine, str]:
    admin = sa.create_engine(base)
    schema = f"vb_bench_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", admin, schema


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--pg", default=os.environ.get("VOICEBOT_TEST_PG_URL",
                                                   "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], Path(args.worker[2]))
        return
    out: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                    "python": platform.python_version()},
        "tasks": args.tasks, "cycle": "lease + report(completed), each its own transaction"}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db = Database.open(url)
        seed(db, args.tasks)
        db.dispose()
        out["sqlite_1_node"] = run_nodes(url, 1)
    for nodes in (1, 2):
        url, admin, schema = pg_schema(args.pg)
        try:
            db = Database.open(url)
            seed(db, args.tasks)
            db.dispose()
            out[f"postgresql_{nodes}_nodes"] = run_nodes(url, nodes)
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
