"""A bot node for the multi-process tests: leases from the database at argv[1] as argv[2] until
no task is left (reporting every tenth as completed; the rest stay leased), and writes what it got to argv[3] (JSON).
With argv[4] == "crash" it leases one task, says so on stdout, and waits to be killed."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import lease
from voicebot.campaigns.results import Reporter
from voicebot.store.db import Database


def main() -> None:
    url, node, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "drain"
    now = datetime.fromisoformat(sys.argv[5]) if len(sys.argv) > 5 else None
    db = Database.open(url, upgrade=False)
    c = Campaign()
    rep = Reporter(db, c)
    start = Path(str(out) + ".go")
    while not start.exists():  # both nodes begin together
        time.sleep(0.005)
    got: list[list[int]] = []
    if mode == "crash":
        ls = lease(db, c, node, now=now)
        print(json.dumps(ls.to_dict() if ls else None), flush=True)
        time.sleep(3600)
    empty = 0
    while empty < 3:
        ls = lease(db, c, node, now=now)
        if ls is None:
            empty += 1
            continue
        empty = 0
        got.append([ls.task_id, ls.attempt])
        if ls.task_id % 10 == 0:  # some results come back while the other node leases
            rep.report(ls.task_id, ls.attempt, node, "completed", now=now)
    out.write_text(json.dumps(got))
    db.dispose()


if __name__ == "__main__":
    main()
