"""12345 intake benchmark: tickets/s over HTTP with the 派单建议, and the dashboard API p95, on
PostgreSQL with 1,000,000 existing tickets.

    cd /work/main && make bench-hotline-intake
    .venv/bin/python bench/hotline_intake/run.py --existing 1000000 --seconds 60 --repeat 3

1. A private PostgreSQL cluster (started and stopped by this script, durable defaults) and a
   fresh database prepared exactly as ``make demo`` does (the ``shuzheng`` commands read from
   the Makefile: migrate, seed_demo … seed_hotline, collectstatic) — the helpers of
   ``bench/case_lifecycle/run.py`` (``Postgres``, ``Server``, ``Http``, ``CpuMeter``), reused.
2. N existing tickets (default 1,000,000) ``COPY``-ed into ``hotline_ticket`` over three years
   before today: the demo's category leaves and their departments, 肇庆's 区县/镇街, realistic
   outcomes (most closed, some answered, in handling, waiting), phones with repeat callers. The
   secondary indexes are dropped for the load and rebuilt, then ``VACUUM ANALYZE``. Not timed
   into any figure.
3. The real server, ``shuzheng serve`` (granian + task worker), on a free port.
4. C concurrent clients (threads, keep-alive) as the 12345 operator ``demo-hotline``: each
   intake is ``POST /api/v1/hotline/suggest`` with the caller's words and place, then ``POST
   /api/v1/hotline/tickets`` with the suggested 诉求类型 and category (what the operator
   confirms with one key). The words are the 328 colloquial 肇庆 诉求 of
   ``bench/hotline/eval.jsonl`` (those the intake accepts: a place in 肇庆), round-robin.
   Measured: intakes/s (both calls), p50/p95 per call. Repeated ``--repeat`` times against the
   same server (the median reported).
5. The dashboard API, read one at a time as ``demo-hotline-lead``: ``GET /hotline/metrics`` (30
   days, per department), ``GET /hotline/hotspots`` (this month, level 2, with the previous
   month), ``GET /hotline/signals`` (弱信号 now): p50/p95 each.

Targets (issue 18): ≥ 100 tickets/s on this 2-core machine with 1 M existing tickets;
dashboard API p95 < 200 ms. Peer (quoted, not re-measured, as ``bench/case_lifecycle`` cites
it): the DIGIT complaint service (PGR), 6.3 complaint lifecycles/s at 1 M records — a whole
lifecycle, not an intake, so not the same unit; stated for scale only. The machine is shared:
the CPU used by other processes during each window is printed next to the figures. Results go
to bench/results/hotline_intake.json (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import itertools
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "hotline_intake.json"
EVAL = ROOT / "bench" / "hotline" / "eval.jsonl"
OPERATOR, LEAD = "demo-hotline", "demo-hotline-lead"

_spec = importlib.util.spec_from_file_location(
    "case_lifecycle_run", ROOT / "bench" / "case_lifecycle" / "run.py"
)
assert _spec and _spec.loader
cl: Any = importlib.util.module_from_spec(_spec)
sys.modules["case_lifecycle_run"] = cl
_spec.loader.exec_module(cl)
cl.WORK = Path(os.environ.get("BENCH_WORK", "/tmp/shuzheng-bench-hotline"))

TARGET_PER_S = 100.0
TARGET_DASHBOARD_P95_MS = 200.0
PEER = cl.PEER  # "DIGIT complaint service (PGR)"
PEER_LIFECYCLES_PER_S = cl.PEER_LIFECYCLES_PER_S
YEARS = 3
SEED = 18
PRELOAD_VERSION = 2  # raise when ``preload`` writes other rows: a kept template is then rebuilt


# =============================================================================================
# Inside Django (a subprocess with DATABASE_URL set): the preload
# =============================================================================================

OUTCOMES = [  # (status, share) of tickets older than a month; younger ones are less finished
    ("closed", 0.93),
    ("answered", 0.02),
    ("handling", 0.02),
    ("unsatisfied", 0.005),
    ("dispatched", 0.01),
    ("registered", 0.005),
    ("merged", 0.01),
]
TYPES = [("consult", 25), ("help", 30), ("complaint", 30), ("report", 5), ("suggest", 8),
         ("praise", 2)]  # fmt: skip
TYPE_NAMES = [t for t, _ in TYPES]
OUTCOME_NAMES = [s for s, _ in OUTCOMES]


def preload(n: int, seed: int) -> dict[str, Any]:
    cl._django()
    from django.db import connection
    from django.utils import timezone

    from shuzheng.hotline import places
    from shuzheng.hotline.models import Category, Ticket

    started = time.perf_counter()
    rnd = random.Random(seed)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    leaves = [
        (c.pk, c.name, list(c.departments))
        for c in Category.objects.filter(active=True)
        if not c.children.exists() and c.departments
    ]
    cat_w = [1 / (i + 1) ** 0.8 for i in range(len(leaves))]
    rnd.shuffle(cat_w)
    _names, counties, towns = places._gazetteer()
    town_list = sorted(towns)
    town_w = [rnd.lognormvariate(0, 0.8) for _ in town_list]
    fields = [f for f in Ticket._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.has_default():
            v = f.get_default()
            defaults[f.column] = json.dumps(v) if isinstance(v, (list, dict)) else v
        elif f.null:
            defaults[f.column] = None
        else:
            defaults[f.column] = ""
    days = 365 * YEARS
    shape = [1.15 if d.weekday() == 0 else 0.8 if d.weekday() >= 5 else 1.0 for d in (
        today - dt.timedelta(days=days - i) for i in range(days))]  # fmt: skip
    per_day = [int(n * w / sum(shape)) for w in shape]
    per_day[-1] += n - sum(per_day)  # yesterday takes the rounding; never today (live serials)
    cat_cum = list(itertools.accumulate(cat_w))
    town_cum = list(itertools.accumulate(town_w))
    type_cum = list(itertools.accumulate(w for _, w in TYPES))
    old_cum = list(itertools.accumulate(w for _, w in OUTCOMES))
    connection.ensure_connection()
    raw = connection.connection
    table = Ticket._meta.db_table
    indexes = cl._secondary_indexes(raw, "postgresql", (table, table))
    for name, _sql in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    raw.commit()
    repeaters = [f"1390758{i:04d}" for i in range(3000)]
    done = 0
    t0 = time.perf_counter()

    def build(day: dt.date, age: int, j: int) -> list[Any]:
        """One realistic ticket of ``day`` (its outcome as a ticket ``age`` days old)."""
        stamp = day.strftime("%Y%m%d")
        row = dict(defaults)
        at = dt.datetime.combine(day, dt.time(8), tzinfo=tz) + dt.timedelta(
            minutes=rnd.randint(0, 12 * 60)
        )
        cat, cat_name, depts = rnd.choices(leaves, cum_weights=cat_cum)[0]
        town = rnd.choices(town_list, cum_weights=town_cum)[0]
        kind = rnd.choices(TYPE_NAMES, cum_weights=type_cum)[0]
        status = (
            rnd.choices(OUTCOME_NAMES, cum_weights=old_cum)[0]
            if age > 30
            else rnd.choice(["closed", "closed", "answered", "handling", "dispatched"])
        )
        phone = (
            rnd.choice(repeaters) if rnd.random() < 0.12 else f"13{rnd.randint(0, 999_999_999):09d}"
        )
        direct = kind == "consult" and rnd.random() < 0.7
        row.update(
            ticket_no=f"12345-{stamp}-{500_000 + j:06d}",
            channel=rnd.choice(["phone"] * 7 + ["web", "mobile", "api"]),
            ticket_type=kind,
            category_id=cat,
            title=f"{towns[town]}{cat_name}",
            content=f"{counties[town[:6]]}{towns[town]}市民反映{cat_name}问题，"
            f"请有关部门尽快处理。（历史工单 {j}）",
            address=f"{counties[town[:6]]}{towns[town]}",
            region_code=town[:6],
            town_code=town,
            urgency=rnd.choices(["normal", "urgent", "critical"], [95, 4, 1])[0],
            confidential=kind == "report",
            caller_phone=phone,
            caller_name="市民",
            status=status,
            created_at=at,
            created_by="system:bench",
            updated_at=at,
        )
        if not direct and status != "registered":
            disp = at + dt.timedelta(minutes=rnd.randint(2, 30))
            row.update(
                lead_department=depts[0],
                dispatched_at=disp,
                sign_due_at=disp + dt.timedelta(hours=2),
                due_at=disp + dt.timedelta(days=10),
                limit_amount=10,
                limit_unit="working_days",
            )
            if status != "dispatched":
                signed_ok = rnd.random() < 0.93
                row.update(
                    signed_at=disp + dt.timedelta(minutes=rnd.randint(5, 180)),
                    signed_in_time=signed_ok,
                    return_count=1 if rnd.random() < 0.06 else 0,
                )
            if status in ("answered", "closed", "unsatisfied"):
                row.update(
                    answer="已核实处理，感谢您的反映。",
                    answered_at=disp + dt.timedelta(days=rnd.randint(1, 12)),
                    answered_by=depts[0],
                    answered_in_time=rnd.random() < 0.9,
                )
            if status in ("closed", "unsatisfied"):
                sat = (
                    "unsatisfied"
                    if status == "unsatisfied"
                    else rnd.choices(["satisfied", "basic", "unreachable"], [70, 18, 4])[0]
                )
                row.update(satisfaction=sat)
        if status == "closed":
            row.update(
                closed_at=at + dt.timedelta(days=rnd.randint(0, 15)),
                closed_how="direct" if direct else "callback",
            )
            if direct:
                row.update(answer="已按知识库答复。", answered_at=at, answered_in_time=True)
        if status == "merged":
            row.update(status="closed", closed_how="master", closed_at=at)
        return [row[c] for c in columns]

    # A pool of realistic rows, each shifted to its day (times relative to the creation moves
    # with it): the preload is then bound by COPY, not by building rows in Python.
    ref = today - dt.timedelta(days=400)
    pools = {old: [build(ref, 400 if old else 5, 0) for _ in range(6000)] for old in (True, False)}
    dt_cols = [i for i, c in enumerate(columns) if isinstance(pools[True][0][i], dt.datetime)
               or c.endswith("_at")]  # fmt: skip
    no_col, phone_col = columns.index("ticket_no"), columns.index("caller_phone")
    with raw.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cp_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        for day_i, k in enumerate(per_day):
            day = today - dt.timedelta(days=days - day_i)
            pool = pools[(today - day).days > 30]
            stamp = day.strftime("%Y%m%d")
            with cur.copy(cp_sql) as cp:
                for j in range(k):
                    row = list(pool[rnd.randrange(len(pool))])
                    shift = (day - ref) + dt.timedelta(minutes=rnd.randint(-240, 240))
                    for i in dt_cols:
                        if row[i] is not None:
                            row[i] += shift
                    row[no_col] = f"12345-{stamp}-{500_000 + j:06d}"
                    if rnd.random() < 0.88:
                        row[phone_col] = f"13{rnd.randint(0, 999_999_999):09d}"
                    cp.write_row(row)
            done += k
            if day_i % 30 == 29 or day_i == len(per_day) - 1:
                raw.commit()
                rate = done / (time.perf_counter() - t0)
                sys.stderr.write(f"\r  preload {done:>10,}/{n:,} tickets {rate:,.0f}/s ")
                sys.stderr.flush()
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    for _name, sql in indexes:
        raw.execute(sql)
    raw.commit()
    index_s = time.perf_counter() - t1
    # The steady state the server's scheduler keeps (hotline.tasks.refresh_warnings): a ticket
    # past its 签收 limit was escalated then, and the open ones carry their yellow/red flags —
    # else the task worker would escalate some 10,000 tickets during the measured runs.
    from shuzheng.hotline.services import warnings_refresh

    t3 = time.perf_counter()
    Ticket.objects.filter(
        status="dispatched", escalated=False, sign_due_at__lt=timezone.now()
    ).update(escalated=True)
    flags = warnings_refresh()
    # 重复来电 flags as the intake sets them, by migration 0005's backfill (one window scan)
    from django.apps import apps as django_apps

    backfill = importlib.import_module("shuzheng.hotline.migrations.0005_repeat_call")
    backfill.mark_repeat_calls(django_apps, None)
    steady_s = time.perf_counter() - t3
    t2 = time.perf_counter()
    raw.autocommit = True
    raw.execute(f"VACUUM ANALYZE {table}")
    raw.execute("CHECKPOINT")
    return {
        "tickets": done,
        "method": "COPY (secondary indexes dropped and rebuilt)",
        "load_s": load_s,
        "index_s": index_s,
        "escalated_and_flags_s": steady_s,
        "warning_flags_set": flags,
        "vacuum_analyze_s": time.perf_counter() - t2,
        "total_s": time.perf_counter() - started,
        "indexes": [name for name, _ in indexes],
    }


def count_tickets() -> dict[str, Any]:
    cl._django()
    from shuzheng.hotline.models import Ticket

    return {
        "by_operator": Ticket.objects.filter(created_by="user:demo-hotline").count(),
        "total": Ticket.objects.count(),
    }


# =============================================================================================
# Outside: the server and the clients
# =============================================================================================


class KeptPostgres(cl.Postgres):
    """The private cluster of ``--keep``: in ``BENCH_WORK/pg`` and left there when stopped, so the
    1 M preload (minutes) is done once. After a preload the database is copied to a template
    named after the preload (tickets, seed, today's date, as the rows are dated from today); a
    later run clones the template (``CREATE DATABASE … TEMPLATE``, a file copy) and migrates it,
    so every run starts from the same rows. ``--fresh`` drops the kept cluster first."""

    def __init__(self, data: Path) -> None:
        super().__init__()
        shutil.rmtree(self.data, ignore_errors=True)  # the base class's temporary directory
        self.data = data
        self.existed = (data / "PG_VERSION").exists()
        if not self.existed:
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir(parents=True)
            if self.as_pg:
                shutil.chown(data, "postgres", "postgres")

    def start(self) -> None:
        if not self.existed:
            super().start()
            return
        opts = (
            f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=512MB "
            "-c max_wal_size=4GB -c checkpoint_timeout=15min -c max_connections=200"
        )
        pg_ctl = str(cl.PG_BIN / "pg_ctl")
        cl.sh([*self.as_pg, pg_ctl, "-D", str(self.data), "-l", str(self.data / "server.log"),
               "-w", "-o", opts, "start"])  # fmt: skip
        self.started = True

    def stop(self) -> None:
        if self.started:
            pg_ctl = str(cl.PG_BIN / "pg_ctl")
            subprocess.run([*self.as_pg, pg_ctl, "-D", str(self.data), "-m", "fast", "stop"],
                           capture_output=True, check=False)  # fmt: skip
            self.started = False

    def sql(self, statement: str, db: str = "postgres") -> str:
        psql = shutil.which("psql") or str(cl.PG_BIN / "psql")
        return cl.sh([psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
                      "-Atc", statement]).strip()  # fmt: skip

    def has_database(self, name: str) -> bool:
        return self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"

    def clone(self, source: str, target: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        self.sql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def load_pool() -> list[dict[str, str]]:
    rows = [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line.strip()]
    return [{"text": r["text"], "address": r.get("address", "")} for r in rows]


def one_intake(h: Any, token: str, item: dict[str, str], i: int) -> tuple[float, float, str]:
    """(suggest ms, create ms, ticket_no) — raises ``cl.HttpError`` on an unexpected answer."""
    s, ms_s = h.api(
        "POST", "/api/v1/hotline/suggest", token, {"text": item["text"], "address": item["address"]}
    )
    body = {
        "content": item["text"],
        "address": item["address"],
        "type": (s.get("type") or {}).get("name", ""),
        "category": (s.get("category") or {}).get("code", ""),
        "caller_phone": f"139{i % 100_000_000:08d}",
        "caller_name": "市民",
    }
    t, ms_c = h.api("POST", "/api/v1/hotline/tickets", token, body, expect=201)
    return ms_s, ms_c, str(t["ticket_no"])


def accepted_pool(port: int, token: str, pool: list[dict[str, str]]) -> list[dict[str, str]]:
    """The texts the intake accepts (a place in 肇庆, content in bounds): one intake each, which
    also warms the server's workers up."""
    h = cl.Http(port)
    ok = []
    for i, item in enumerate(pool):
        try:
            one_intake(h, token, item, 90_000_000 + i)
            ok.append(item)
        except cl.HttpError:
            continue
    return ok


def drive(port: int, token: str, pool: list[dict[str, str]], clients: int, seconds: float) -> dict:
    results: list[tuple[float, float, float, float]] = []  # start, end, suggest ms, create ms
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    def client(c: int) -> None:
        h = cl.Http(port)
        while time.perf_counter() < deadline and not cl.STOP.is_set():
            with lock:
                i = next(counter)
            item = pool[i % len(pool)]
            t0 = time.perf_counter()
            try:
                ms_s, ms_c, _no = one_intake(h, token, item, i)
            except (cl.HttpError, OSError) as exc:
                with lock:
                    errors.append(str(exc)[:200])
                continue
            with lock:
                results.append((t0, time.perf_counter(), ms_s, ms_c))

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(clients)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    try:
        for th in threads:
            th.join()
    finally:
        cl.STOP.set()
    cl.STOP.clear()
    span = (max(r[1] for r in results) - min(r[0] for r in results)) if results else 0.0
    return {
        "clients": clients,
        "tickets": len(results),
        "failed": len(errors),
        "errors": sorted(set(errors))[:5],
        "elapsed_s": time.perf_counter() - start,
        "per_s": len(results) / span if span else 0.0,
        "intake": cl.summary([(r[1] - r[0]) * 1000 for r in results]),
        "suggest": cl.summary([r[2] for r in results]),
        "create": cl.summary([r[3] for r in results]),
    }


def dashboard_reads(port: int, token: str, samples: int) -> dict[str, Any]:
    h = cl.Http(port)
    paths = {
        "metrics": "/api/v1/hotline/metrics",
        "hotspots": "/api/v1/hotline/hotspots?period=month&level=2",
        "signals": "/api/v1/hotline/signals",
    }
    out: dict[str, Any] = {}
    for name, path in paths.items():
        for _ in range(2):
            h.api("GET", path, token)
        times = [h.api("GET", path, token)[1] for _ in range(samples)]
        out[name] = {"path": path, **cl.summary(times)}
    return out


def day_counts(env: dict[str, str]) -> dict[str, Any]:
    """The 弱信号 counts of the closed days, as the scheduler's hourly ``hotline.day_counts``
    keeps them (else the dashboard reads would count the month live, or the task worker would
    store it during the first measured run)."""
    res = subprocess.run(
        [sys.executable, __file__, "_day_counts"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def count(env: dict[str, str]) -> dict[str, Any]:
    res = subprocess.run(
        [sys.executable, __file__, "_count"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"existing": args.existing, "started": dt.datetime.now().isoformat()}
    with contextlib.ExitStack() as stack:
        kept = cl.WORK / "pg"
        if args.fresh:
            shutil.rmtree(kept, ignore_errors=True)
        pg = KeptPostgres(kept) if args.keep else cl.Postgres()
        stack.callback(pg.stop)
        pg.start()
        out["postgres"] = cl.sh([str(cl.PG_BIN / "postgres"), "--version"]).strip()
        env = cl.base_env(pg.url)
        template = f"bench_{args.existing}_{SEED}_v{PRELOAD_VERSION}_{dt.date.today():%Y%m%d}"
        t0 = time.perf_counter()
        if args.keep and pg.has_database(template):
            pg.clone(template, "shuzheng")
            cl.sh([str(cl.BIN / "shuzheng"), "migrate", "--noinput", "-v0"], env)
            if not (cl.WORK / "static").exists():
                cl.sh([str(cl.BIN / "shuzheng"), "collectstatic", "--noinput", "-v0"], env)
            out["setup_s"] = time.perf_counter() - t0
            out["preload"] = {"tickets": args.existing, "reused": template}
            print(f"  kept preload {template} cloned and migrated: {out['setup_s']:.0f} s")
        else:
            if args.keep and pg.existed:
                pg.clone("template0", "shuzheng")
            steps = cl.demo_steps()
            for cmd in steps:
                cl.sh([str(cl.BIN / "shuzheng"), *cmd], env)
            out["setup_s"] = time.perf_counter() - t0
            print(f"  {' + '.join(c[0] for c in steps)}: {out['setup_s']:.0f} s", flush=True)
            print(f"  preloading {args.existing:,} existing tickets …", flush=True)
            res = subprocess.run(
                [sys.executable, __file__, "_preload", "--existing", str(args.existing)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            if res.returncode != 0:
                raise RuntimeError("preload failed")
            out["preload"] = json.loads(res.stdout.strip().splitlines()[-1])
            p = out["preload"]
            print(
                f"\n  preload: {p['tickets']:,} tickets in {p['load_s']:.0f} s + indexes "
                f"{p['index_s']:.0f} s + vacuum analyze {p['vacuum_analyze_s']:.0f} s — not "
                "part of the measured figures",
                flush=True,
            )
            if args.keep:
                kept_before = pg.sql("SELECT datname FROM pg_database WHERE datname LIKE 'bench_%'")
                for old in kept_before.split():  # one kept preload at a time (disk)
                    pg.sql(f'DROP DATABASE "{old}"')
                pg.clone("shuzheng", template)
                print(f"  kept as the template {template} for the next --keep run", flush=True)
        out["day_counts"] = day_counts(env)
        print(
            f"  弱信号 day counts: {out['day_counts']['days']} closed days stored in "
            f"{out['day_counts']['s']:.1f} s (not timed)",
            flush=True,
        )
        out["db_size"] = pg.size()
        before = count(env)
        port = cl.free_port()
        log = cl.WORK / "server-hotline.log"
        server = cl.Server(env, port, args.workers, args.threads, log)
        stack.callback(server.stop)
        server.wait_ready()
        h = cl.Http(port)
        op, lead = cl.token_for(h, OPERATOR), cl.token_for(h, LEAD)
        pool = accepted_pool(port, op, load_pool())
        out["pool"] = len(pool)
        print(f"  server on port {port}; {len(pool)} accepted texts (warm-up)", flush=True)
        roots = lambda: [os.getpid(), pg.postmaster_pid()]  # noqa: E731
        out["runs"] = []
        for k in range(args.repeat):
            meter = cl.CpuMeter(roots)
            r = drive(port, op, pool, args.concurrency, args.seconds)
            r["cpu"] = meter.read()
            out["runs"].append(r)
            print(
                f"  run {k + 1}: {r['tickets']} tickets in {r['elapsed_s']:.0f} s = "
                f"{r['per_s']:.1f}/s, {r['failed']} failed; p95 suggest "
                f"{cl._f(r['suggest']['p95_ms'])} ms, create {cl._f(r['create']['p95_ms'])} ms; "
                f"other processes {r['cpu']['other_share']:.0%} of the machine",
                flush=True,
            )
        meter = cl.CpuMeter(roots)
        out["dashboard"] = dashboard_reads(port, lead, args.samples)
        out["dashboard_cpu"] = meter.read()
        server.stop()
        after = count(env)
        made = out["pool"] + sum(r["tickets"] for r in out["runs"])
        out["db_check"] = {
            "before": before,
            "after": after,
            "tickets_counted_by_clients": made,
            "ok": after["by_operator"] - before["by_operator"] == made,
        }
    return out


def report(out: dict[str, Any]) -> None:
    rates = [r["per_s"] for r in out["runs"]]
    med = statistics.median(rates)
    out["median_per_s"] = med
    d = out["dashboard"]
    worst = max(v["p95_ms"] for v in d.values())
    print("\n12345 intake over HTTP (suggest + create), PostgreSQL, "
          f"{out['preload']['tickets']:,} existing tickets")  # fmt: skip
    print(f"  tickets/s: median {med:.1f} of {len(rates)} runs "
          f"({', '.join(f'{x:.1f}' for x in rates)}); target ≥ {TARGET_PER_S:.0f} "
          f"{'PASS' if med >= TARGET_PER_S else 'FAIL'}")  # fmt: skip
    # CPU per intake of the benchmark's own processes, and what it would allow on this machine
    # alone: a bound derived from the measurement, printed as such — on a shared machine the
    # measured rate above is what counts against the target
    cpu = [r["cpu"]["benchmark_cpu_s"] * 1000 / r["tickets"] for r in out["runs"] if r["tickets"]]
    other = [r["cpu"]["other_share"] for r in out["runs"]]
    if cpu:
        cores, cpu_med = os.cpu_count() or 1, statistics.median(cpu)
        out["cpu_ms_per_intake"] = cpu_med
        print(f"  CPU per intake (server + database + clients): median {cpu_med:.1f} "
              f"ms ({', '.join(f'{x:.1f}' for x in cpu)}); other processes used "
              f"{min(other):.0%}–{max(other):.0%} of the machine; with its {cores} cores to "
              f"itself that is at most {cores * 1000 / cpu_med:.0f}/s "
              "(derived, not measured)")  # fmt: skip
    for v in d.values():
        print(f"  GET {v['path']}: p50 {v['p50_ms']:.0f} ms, p95 {v['p95_ms']:.0f} ms")
    print(f"  dashboard API worst p95 {worst:.0f} ms; target < {TARGET_DASHBOARD_P95_MS:.0f} "
          f"{'PASS' if worst < TARGET_DASHBOARD_P95_MS else 'FAIL'}")  # fmt: skip
    print(f"  peer: {PEER}, {PEER_LIFECYCLES_PER_S} complaint lifecycles/s at 1 M records "
          "(published, quoted; a whole lifecycle, not an intake — for scale only)")  # fmt: skip
    print(f"  database after the run: {out['db_check']}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_preload":
        p = argparse.ArgumentParser()
        p.add_argument("--existing", type=int, required=True)
        p.add_argument("--seed", type=int, default=SEED)
        a = p.parse_args(argv[1:])
        print(json.dumps(preload(a.existing, a.seed), default=str))
        return 0
    if argv and argv[0] == "_day_counts":
        cl._django()
        from shuzheng.hotline import daycounts

        t0 = time.perf_counter()
        days = daycounts.refresh()
        print(json.dumps({"days": days, "s": time.perf_counter() - t0}))
        return 0
    if argv and argv[0] == "_count":
        print(json.dumps(count_tickets()))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--existing", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs (the median is reported)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--samples", type=int, default=40, help="reads per dashboard API")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the cluster in BENCH_WORK/pg and the preload as a template for the next run",
    )
    parser.add_argument("--fresh", action="store_true", help="with --keep: drop the kept cluster")
    args = parser.parse_args(argv)
    if not (cl.PG_BIN / "initdb").exists():
        print(f"PostgreSQL binaries not found in {cl.PG_BIN} (set PG_BIN)", file=sys.stderr)
        return 2

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    cl.WORK.mkdir(parents=True, exist_ok=True)
    try:
        out = run(args)
    except KeyboardInterrupt:
        print("\ninterrupted — server and database stopped", file=sys.stderr)
        return 130
    report(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), "utf-8")
    print(f"  results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
