"""指挥调度 dashboard APIs on PostgreSQL with 1 M events and 10 M readings (issue 19, "Measured",
second figure): ``python bench/city/dashboard.py [--events 1000000] [--preload 10000000]``.

1. a private PostgreSQL 15 cluster (``bench/case_lifecycle/run.py``'s ``Postgres``), ``migrate``,
   ``seed_demo``; the demo vital signs (``seed_city``, 7 days) and 预案; ``--preload`` readings
   of 1,250 per-district bench indicators (``bench/city/run.py``'s ``prepare``; then switched off:
   the readings stay, the dashboard shows the demo's dozen indicators) and ``--events``
   city events written straight into the table (``generate_series``: a year of them, 3 % still
   open, spread over the 8 区县), 20 running 预案 with 6 steps each; ANALYZE (setup, not measured);
2. ``shuzheng serve`` (2 workers × 4 threads, as the other HTTP benchmarks);
3. as the center (``demo-hotline``), ``--requests`` sequential calls of each dashboard API
   (``GET /api/v1/city/dashboard``, ``/city/alerts?status=active``, ``/city/plan-runs?status=
   active``, ``/city/indicators``) after a warm-up: p50/p95/p99; target p95 < 200 ms.

Client, server and database share this machine's cores (and other jobs may run): the figures
are a lower bound.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "city_dashboard.json"
_spec = importlib.util.spec_from_file_location("city_run", ROOT / "bench" / "city" / "run.py")
assert _spec and _spec.loader
city: Any = importlib.util.module_from_spec(_spec)
sys.modules["city_run"] = city
_spec.loader.exec_module(city)
cl = city.cl
cl.WORK = Path("/tmp/shuzheng-bench-city-dashboard")

TARGET_P95_MS = 200.0
CENTER = "demo-hotline"
APIS = (
    "/api/v1/city/dashboard",
    "/api/v1/city/alerts?status=active&limit=20",
    "/api/v1/city/plan-runs?status=active",
    "/api/v1/city/indicators",
)


def prepare(events: int, preload: int) -> dict[str, Any]:
    out = city.prepare(1250, preload)  # also sets Django up
    from django.db import connection
    from django.utils import timezone

    from shuzheng.governance.demo import seed_city
    from shuzheng.governance.models import Alert, EventClass, Indicator, Plan
    from shuzheng.governance.services.plans import start_plan_for_alert

    # the bench indicators hold the 10 M readings (storage); a city's dashboard shows dozens of
    # indicators, not 1,250 × 8 区县 tiles: they are switched off, their readings stay
    Indicator.objects.filter(code__startswith="bench-").update(active=False)
    seed_city(days=7)
    t0 = time.perf_counter()
    cls = EventClass.objects.order_by("pk").values_list("pk", flat=True).first()
    if cls is None:
        raise RuntimeError("no event class (the events migration seeds them)")
    now = timezone.now()
    with connection.cursor() as cur:
        # one event every ~31 s over a year; every 33rd still open (3 %), the rest closed
        cur.execute(
            """
            INSERT INTO governance_cityevent (event_no, event_class_id, source, status, level,
                description, address, district, town_code, reporter, reporter_name,
                reporter_department, department, checker, photos, hotline_ticket_no,
                external_ref, outcome, rework_count, urge_count, supervise_count, rating,
                created_at, filed_at, dispatched_at, due_at, handled_at, closed_at, is_demo)
            SELECT 'YC' || lpad(s::text, 10, '0'), %s, 'patrol',
                   CASE WHEN s %% 33 = 0 THEN (ARRAY['reported','filed','dispatched','checking',
                        'checked'])[1 + (s / 33) %% 5] ELSE 'closed' END,
                   0, '压测事件', '', (%s::text[])[1 + s %% 8], '', 'bench', '', '',
                   '441200-CGJ', '', '[]', '', '', '', 0, 0, 0, '',
                   c, c + interval '1 hour', c + interval '2 hours', c + interval '3 days',
                   CASE WHEN s %% 33 = 0 THEN NULL ELSE c + interval '1 day' END,
                   CASE WHEN s %% 33 = 0 THEN NULL ELSE c + interval '2 days' END, false
            FROM (SELECT s, %s - make_interval(secs => s * 31) AS c
                  FROM generate_series(1, %s) AS s) AS g
            """,
            [cls, list(city.DISTRICTS), now, events],
        )
        cur.execute("ANALYZE governance_cityevent")
    out["events_s"] = time.perf_counter() - t0
    # 20 running plans (each for an alert of its own), 6 steps each
    plan = Plan.objects.get(code="flood-xijiang-4")
    alerts = list(Alert.objects.order_by("-pk")[:20])
    for a in alerts:
        start_plan_for_alert(a, "system:bench", plan=plan)
    out["events"] = events
    out["runs"] = len(alerts)
    return out


def child(action: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    return dict(city.child(action, env, *args, script=__file__))


def measure(port: int, requests: int) -> dict[str, Any]:
    h = cl.Http(port)
    token = cl.token_for(h, CENTER)
    out = {}
    for path in APIS:
        for _ in range(5):  # warm-up
            h.api("GET", path, token)
        ms = []
        for _ in range(requests):
            _, t = h.api("GET", path, token)
            ms.append(t)
        out[path] = cl.summary(ms)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"started": dt.datetime.now().isoformat(), "args": vars(args)}
    with contextlib.ExitStack() as stack:
        pg = cl.Postgres()
        stack.callback(pg.stop)
        pg.start()
        env = cl.base_env(pg.url) | {"SHUZHENG_DEMO": "1"}
        for cmd in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            cl.sh([str(cl.BIN / "shuzheng"), *cmd], env)
        print(f"  preloading {args.preload:,} readings and {args.events:,} events …", flush=True)
        out["prepare"] = child("_prepare", env, str(args.events), str(args.preload))
        out["db_size"] = pg.size()
        print(f"  {out['prepare']}; database {out['db_size']}", flush=True)
        port = cl.free_port()
        server = cl.Server(env, port, args.workers, args.threads, cl.WORK / "server-dash.log")
        stack.callback(server.stop)
        server.wait_ready()
        meter = cl.CpuMeter(lambda: [pg.postmaster_pid()])
        out["apis"] = measure(port, args.requests)
        out["cpu"] = meter.read()
    return out


def report(out: dict[str, Any]) -> None:
    print(f"\n指挥调度 APIs, PostgreSQL, {out['prepare']['preloaded']:,} readings, "
          f"{out['prepare']['events']:,} events")  # fmt: skip
    for path, s in out["apis"].items():
        ok = s["p95_ms"] is not None and s["p95_ms"] < TARGET_P95_MS
        print(f"  {path}: p50 {cl._f(s['p50_ms'])} ms, p95 {cl._f(s['p95_ms'])} ms, "
              f"p99 {cl._f(s['p99_ms'])} ms — target p95 < {TARGET_P95_MS:.0f} ms "
              f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    print(f"  other processes: {out['cpu']['other_share']:.0%} of the machine")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_prepare":
        print(json.dumps(prepare(int(argv[1]), int(argv[2])), default=str))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--preload", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (cl.PG_BIN / "initdb").exists():
        print(f"PostgreSQL binaries not found in {cl.PG_BIN} (set PG_BIN)", file=sys.stderr)
        return 2
    cl.WORK.mkdir(parents=True, exist_ok=True)
    out = run(args)
    report(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), "utf-8")
    print(f"  results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
