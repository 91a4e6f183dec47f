"""Profile one 12345 intake in process (no server, no PostgreSQL): where the CPU of
``POST /api/v1/hotline/suggest`` + ``POST /api/v1/hotline/tickets`` goes, and how many SQL
statements each call makes.

    .venv/bin/python bench/hotline_intake/profile.py [--n 300] [--top 30]

A fresh SQLite database in a temporary directory (migrated, the demo accounts of
``seed_demo``), Django's test ``Client`` as ``demo-hotline``, the texts of
``bench/hotline/eval.jsonl`` the intake accepts, as ``run.py`` drives them (the suggested type
and category sent back). A warm-up pass over the texts first (models and memos loaded, as in a
running server), then ``--n`` intakes timed, then the same under ``cProfile`` (CPU time, not
wall time: waiting for the database is not this process's cost): the mean CPU ms per intake,
the statements per call (counted by an ``execute_wrapper``, not Django's debug cursor, whose
recording of every statement would add its own cost to the timing) and the top cumulative
entries. ``--sql`` prints the statements of one intake.
The figures are for comparing before/after on the same machine, not the benchmark's numbers.
"""

from __future__ import annotations

import os
import sys

# this file is named profile.py: its folder off the path, so that cProfile imports the stdlib's
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "bench" / "hotline" / "eval.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="timed intakes (default 300)")
    ap.add_argument("--top", type=int, default=30, help="cumulative entries printed")
    ap.add_argument(
        "--database-url",
        default="",
        help="a database prepared as run.py prepares it (e.g. the cluster run.py --keep leaves "
        "in BENCH_WORK/pg, started by hand), instead of a fresh SQLite one",
    )
    ap.add_argument("--sql", action="store_true", help="print the statements of one intake")
    ap.add_argument("--dump", default="", help="also write the profile here (pstats format)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="hotline-profile-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/db.sqlite3"
    os.environ["SHUZHENG_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shuzheng.identity.demo import DEMO_PASSWORD, seed_demo

    settings.ALLOWED_HOSTS = ["*"]
    if not args.database_url:
        print(f"database {tmp}/db.sqlite3: migrating …", flush=True)
        call_command("migrate", "--noinput", verbosity=0)
        seed_demo()

    client = Client()
    r = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "demo-hotline", "password": DEMO_PASSWORD}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {r.json()['access_token']}"}

    def post(path: str, body: dict) -> tuple[int, dict]:
        r = client.post(path, json.dumps(body), content_type="application/json", **auth)
        return r.status_code, r.json() if r.content else {}

    counter = iter(range(10**9))
    executed = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed[0] += 1
        return execute(sql, params, many, context)

    def statements(path: str, body: dict) -> tuple[int, dict, int]:
        executed[0] = 0
        with connection.execute_wrapper(count):
            status, out = post(path, body)
        return status, out, executed[0]

    def intake(item: dict[str, str]) -> tuple[int, int, bool]:
        _, s, n_suggest = statements("/api/v1/hotline/suggest", item)
        body = {
            "content": item["text"],
            "address": item["address"],
            "type": (s.get("type") or {}).get("name", ""),
            "category": (s.get("category") or {}).get("code", ""),
            "caller_phone": f"139{next(counter):08d}",
            "caller_name": "市民",
        }
        status, _, n_create = statements("/api/v1/hotline/tickets", body)
        return n_suggest, n_create, status == 201

    rows = [json.loads(x) for x in EVAL.read_text("utf-8").splitlines() if x.strip()]
    pool = [{"text": r["text"], "address": r.get("address", "")} for r in rows]
    ok = [item for item in pool if intake(item)[2]]  # warm-up; the accepted texts
    print(f"{len(ok)} of {len(pool)} texts accepted (warm-up: {len(ok)} tickets open)")

    counts = []
    cpu0 = time.process_time()
    for i in range(args.n):
        counts.append(intake(ok[i % len(ok)]))
    cpu = (time.process_time() - cpu0) * 1000 / args.n

    if args.sql:  # the statements of one more intake, as the database receives them
        item = ok[0]
        for path in ("/api/v1/hotline/suggest", "/api/v1/hotline/tickets"):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as qs:
                if path.endswith("suggest"):
                    _, s = post(path, item)
                else:
                    post(path, {"content": item["text"], "address": item["address"],
                                "type": (s.get("type") or {}).get("name", ""),
                                "category": (s.get("category") or {}).get("code", ""),
                                "caller_phone": "13900000000", "caller_name": "市民"})  # fmt: skip
            print(f"\n{path}: {len(qs)} statements")
            for q in qs.captured_queries:
                print("  ", q["sql"][:160])

    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for i in range(args.n):
        intake(ok[i % len(ok)])
    prof.disable()

    suggest_q = [c[0] for c in counts]
    create_q = [c[1] for c in counts]
    print(
        f"\nCPU per intake (suggest + create, in process, {connection.vendor}): {cpu:.1f} ms "
        f"over {args.n} (this process only, not the database's)"
    )
    print(
        f"statements per call: suggest median {statistics.median(suggest_q)} "
        f"(max {max(suggest_q)}), create median {statistics.median(create_q)} "
        f"(max {max(create_q)})"
    )
    print(f"\ntop {args.top} by cumulative CPU time (profiled pass):")
    pstats.Stats(prof).strip_dirs().sort_stats("cumulative").print_stats(args.top)
    if args.dump:
        prof.dump_stats(args.dump)


if __name__ == "__main__":
    main()
