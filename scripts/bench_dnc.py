"""Do-not-call benchmark: CSV import time and lookups per second at scale.

    .venv/bin/python scripts/bench_dnc.py --n 1000000 [--url postgresql+psycopg://…]

Prints one JSON summary: machine, backend, n, import seconds, cache load seconds, and
lookups/s for the in-process cache (one at a time and vectorised) and the database check.
Numbers are random mobiles; half the probes are listed, half are not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from voicebot.config import DncSettings
from voicebot.dnc import DncList
from voicebot.dnc.cache import DncCache
from voicebot.dnc.csvio import import_csv
from voicebot.dnc.numbers import number_key
from voicebot.machine import cpu_model
from voicebot.store import Database


def rate(fn: object, probes: list[str]) -> float:
    started = time.perf_counter()
    for p in probes:
        fn(p)  # type: ignore[operator]
    return len(probes) / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="entries to import")
    ap.add_argument("--url", default="", help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--probes", type=int, default=100_000)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        numbers = [f"1{rng.randint(3, 9)}{rng.randrange(10**9):09d}" for _ in range(args.n)]
        csv_path = Path(tmp) / "dnc.csv"
        with csv_path.open("w") as f:
            f.write("number,reason\n")
            f.writelines(f"{n},industry list\n" for n in numbers)
        db = Database.open(url)
        dnc = DncList(db, DncSettings())
        result = import_csv(dnc, csv_path, added_by="bench")
        stored = dnc.count()
        cache = DncCache(dnc, max_age_s=3600)
        t = time.perf_counter()
        cache.refresh(force=True)
        load_s = time.perf_counter() - t
        listed = rng.sample(numbers, args.probes // 2)
        unlisted = [f"1{rng.randint(3, 9)}{rng.randrange(10**9):09d}" for _ in range(args.probes // 2)]
        probes = listed + unlisted
        rng.shuffle(probes)
        single = rate(cache.is_blocked, probes)
        t = time.perf_counter()
        hits = sum(cache.blocked_many(probes))
        many = len(probes) / (time.perf_counter() - t)
        keys = np.array([number_key(p) for p in probes], np.int64)
        t = time.perf_counter()
        key_hits = int(cache.blocked_keys(keys).sum())
        by_keys = len(probes) / (time.perf_counter() - t)
        db_rate = rate(dnc.is_blocked, probes[:2000])
        print(json.dumps({
            "machine": {"cores": os.cpu_count(), "cpu": cpu_model()},
            "backend": db.dialect, "n": args.n, "stored": stored,
            "import_s": round(result.seconds, 2), "import_rows_per_s": round(args.n / result.seconds),
            "cache_load_s": round(load_s, 2), "cache_entries": len(cache),
            "probes": len(probes), "hits": hits, "hits_by_keys": key_hits,
            "lookups_per_s": {"cache_one_at_a_time": round(single), "cache_batch": round(many),
                              "cache_batch_prenormalised": round(by_keys),
                              "database_query": round(db_rate)},
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        }, indent=2))
        db.dispose()


if __name__ == "__main__":
    main()
