"""Dispatch throughput: lease → report(completed) cycles per second.

SQLite (one node, a real file) and PostgreSQL with one and with two node processes leasing from
the same fresh schema. Prints a JSON summary with the machine. Scale with --tasks.

    .venv/bin/python scripts/bench_dispatch.py [--tasks 2000] [--leases N] [--pg URL]

``--leases`` stops after N cycles per run (split over the nodes), so a big backlog (--tasks
50000) shows what each lease costs when many tasks are due, without draining it all.
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
    with db.engine.begin() as conn:  # statistics, as autovacuum would have them on a live database
        conn.exec_driver_sql("ANALYZE")


def worker(url: str, node: str, go: Path, limit: int) -> None:
    db = Database.open(url, upgrade=False)
    c = Campaign()
    rep = Reporter(db, c)
    while not go.exists():
        time.sleep(0.002)
    n, t0 = 0, time.perf_counter()
    while (n < limit or not limit) and (ls := lease(db, c, node, now=NOW)) is not None:
        rep.report(ls.task_id, ls.attempt, node, "completed", now=NOW)
        n += 1
    print(json.dumps({"node": node, "leases": n, "seconds": time.perf_counter() - t0}), flush=True)


def run_nodes(url: str, nodes: int, leases: int = 0) -> dict[str, float]:
    go = Path(tempfile.gettempdir()) / f"bench-go-{uuid.uuid4().hex}"
    limit = str(-(-leases // nodes)) if leases else "0"
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", url, f"node-{i}", str(go), limit],
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
    ap.add_argument("--leases", type=int, default=0, help="stop after this many cycles (0: drain)")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], Path(args.worker[2]), int(args.worker[3]))
        return
    out: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                    "python": platform.python_version()},
        "tasks": args.tasks, "leases_cap": args.leases or None,
        "cycle": "lease + report(completed), each its own transaction"}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db = Database.open(url)
        seed(db, args.tasks)
        db.dispose()
        out["sqlite_1_node"] = run_nodes(url, 1, args.leases)
    for nodes in (1, 2):
        url, admin, schema = pg_schema(args.pg)
        try:
            db = Database.open(url)
            seed(db, args.tasks)
            db.dispose()
            out[f"postgresql_{nodes}_nodes"] = run_nodes(url, nodes, args.leases)
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
