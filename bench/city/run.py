"""城市运行体征指标 ingestion over HTTP on PostgreSQL (issue 19, "Measured", first figure).

``make bench-city`` (``python bench/city/run.py``):

1. a private PostgreSQL 15 cluster (``bench/case_lifecycle/run.py``'s ``Postgres``), ``migrate``
   and ``seed_demo`` (the demo API client ``demo-city-sensors`` of the 城市运行管理中心), then
   ``--indicators`` per-district bench indicators (× 8 区县 = the keys) and ``--preload``
   readings written straight into the table (``generate_series``; not measured), ANALYZE;
2. ``shuzheng serve`` (2 workers × 4 threads, as the other HTTP benchmarks);
3. **ingestion**: ``--clients`` threads each POST ``/api/v1/city/readings`` in batches of
   ``--batch`` (every size given, 1,000–10,000) for ``--seconds``: each batch is one time step
   of distinct keys, a small share of readings crosses a threshold (and the next step comes
   back), so thresholds are evaluated, alerts raised and cleared as in production;
   readings/s = accepted readings / wall time; target ≥ 5,000/s;
4. **alert latency**: while one ingestion client keeps loading the server, a probe POSTs one
   reading above the red line of a probe indicator and polls ``GET /api/v1/city/alerts`` until
   the alert is listed (then a normal reading clears it); the time from sending the POST to
   reading the alert back, p50/p99 over ``--probes``; target p99 < 1 s;
5. the database is checked: rows stored = readings accepted by the clients.

Client, server and database share this machine's cores (and other jobs may run): the figures
are a lower bound.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "city.json"
_spec = importlib.util.spec_from_file_location(
    "case_lifecycle_run", ROOT / "bench" / "case_lifecycle" / "run.py"
)
assert _spec and _spec.loader
cl: Any = importlib.util.module_from_spec(_spec)
sys.modules["case_lifecycle_run"] = cl
_spec.loader.exec_module(cl)
cl.WORK = Path(os.environ.get("BENCH_WORK", "/tmp/shuzheng-bench-city"))

TARGET_PER_S = 5000.0
TARGET_ALERT_P99_MS = 1000.0
CLIENT = "demo-city-sensors"
DISTRICTS = ("441202", "441203", "441204", "441223", "441224", "441225", "441226", "441284")
PROBE = "bench-probe"
YELLOW, RED = 80.0, 95.0  # bench indicators: normal values 20–60, crossings 85–99


# ---- inside Django (a child process with DATABASE_URL set) -----------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    import django

    django.setup()


def prepare(indicators: int, preload: int) -> dict[str, Any]:
    _django()
    from django.db import connection
    from django.utils import timezone

    from shuzheng.governance.models import Indicator

    specs = [
        Indicator(
            code=f"bench-{i:04d}",
            name=f"压测指标 {i}",
            unit="",
            department="441200-ZSJ",
            function="social",
            source="push",
            frequency="realtime",
            direction="above",
            yellow=YELLOW,
            red=RED,
            per_district=True,
        )
        for i in range(indicators)
    ]
    specs.append(
        Indicator(
            code=PROBE,
            name="时延探针",
            department="441200-ZSJ",
            function="social",
            source="push",
            frequency="realtime",
            direction="above",
            yellow=YELLOW,
            red=RED,
        )
    )
    Indicator.objects.bulk_create(specs, ignore_conflicts=True)
    ids = list(
        Indicator.objects.filter(code__startswith="bench-")
        .exclude(code=PROBE)
        .values_list("pk", flat=True)
    )
    t0 = time.perf_counter()
    if preload:
        # history: one reading per key every `step` seconds, ending 400 days ago (older than
        # anything the load sends), written in one statement — setup, not measured
        keys = len(ids) * len(DISTRICTS)
        per_key = max(1, preload // keys)
        end = timezone.now() - dt.timedelta(days=400)
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO governance_reading (indicator_id, district, at, value, source)
                SELECT i, d, %s - make_interval(mins => s), 20 + (s %% 40), 'preload'
                FROM unnest(%s::bigint[]) AS i, unnest(%s::text[]) AS d,
                     generate_series(1, %s) AS s
                """,
                [end, ids, list(DISTRICTS), per_key],
            )
            cur.execute("ANALYZE governance_reading")
            cur.execute("SELECT count(*) FROM governance_reading")
            rows = cur.fetchone()[0]
    else:
        rows = 0
    return {"indicators": len(ids), "preloaded": rows, "preload_s": time.perf_counter() - t0}


def count() -> dict[str, Any]:
    _django()
    from shuzheng.governance.models import Alert, Reading

    return {
        "readings": Reading.objects.exclude(source="preload").count(),
        "alerts": Alert.objects.count(),
    }


def child(action: str, env: dict[str, str], *args: str, script: str = __file__) -> dict[str, Any]:
    """Run ``script action args…`` in a child process with Django on the bench's database
    (``env``); its last line of output is the JSON it returns. events.py and dashboard.py
    run theirs through this too."""
    res = subprocess.run(
        [sys.executable, script, action, *args],
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if res.returncode != 0:
        raise RuntimeError(f"{action} failed")
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


# ---- the load ----------------------------------------------------------------------------------


def client_token(h: Any) -> str:
    body, _ = h.api(
        "POST", "/api/v1/auth/token", "", {"client_id": CLIENT, "client_secret": cl.DEMO_PASSWORD}
    )
    return str(body["access_token"])


class Ingest(threading.Thread):
    """POST batches of ``batch`` readings: each batch one time step of distinct keys."""

    def __init__(self, port: int, token: str, codes: list[str], batch: int, n: int, k: int):
        super().__init__(daemon=True)
        self.h = cl.Http(port)
        self.token, self.batch = token, batch
        self.rng = random.Random(1000 * k + batch)
        keys = [(c, d) for c in codes for d in DISTRICTS]
        share = len(keys) // n  # each thread its own keys
        self.keys = keys[k * share : (k + 1) * share]
        self.start_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=300)
        self.step = 0
        self.stop_flag = threading.Event()
        self.accepted = self.duplicates = self.alerts = self.cleared = self.failed = 0
        self.ms: list[float] = []

    def body(self) -> dict[str, Any]:
        out = []
        i0 = (self.step * self.batch) % len(self.keys)
        t = (self.start_at + dt.timedelta(seconds=self.step)).isoformat()
        for j in range(self.batch):
            code, district = self.keys[(i0 + j) % len(self.keys)]
            hot = self.rng.random() < 0.002  # 0.2 % cross a threshold
            value = self.rng.uniform(85, 99) if hot else self.rng.uniform(20, 60)
            out.append({"indicator": code, "district": district, "at": t, "value": round(value, 2)})
        self.step += 1
        return {"readings": out}

    def run(self) -> None:
        while not self.stop_flag.is_set():
            payload = self.body()
            try:
                r, ms = self.h.api("POST", "/api/v1/city/readings", self.token, payload)
            except (cl.HttpError, OSError) as e:
                self.failed += 1
                print(f"    ingest error: {str(e)[:200]}", flush=True)
                continue
            self.ms.append(ms)
            self.accepted += r["accepted"]
            self.duplicates += r["duplicates"]
            self.alerts += len(r["alerts"])
            self.cleared += len(r["cleared"])


def ingest(
    port: int, token: str, codes: list[str], batch: int, clients: int, seconds: float
) -> dict[str, Any]:
    threads = [Ingest(port, token, codes, batch, clients, k) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    for t in threads:
        t.stop_flag.set()
    for t in threads:
        t.join(timeout=300)
    wall = time.perf_counter() - t0
    ms = [m for t in threads for m in t.ms]
    accepted = sum(t.accepted for t in threads)
    return {
        "batch": batch,
        "clients": clients,
        "wall_s": wall,
        "calls": len(ms),
        "accepted": accepted,
        "duplicates": sum(t.duplicates for t in threads),
        "alerts_raised": sum(t.alerts for t in threads),
        "alerts_cleared": sum(t.cleared for t in threads),
        "failed": sum(t.failed for t in threads),
        "per_s": accepted / wall,
        "call": cl.summary(ms),
    }


def alert_latency(
    port: int, token: str, codes: list[str], probes: int, batch: int
) -> dict[str, Any]:
    """Probe while one ingestion client loads the server."""
    load = Ingest(port, token, codes, batch, 1, 0)
    load.start()
    h = cl.Http(port)
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
    samples: list[float] = []
    misses = 0
    try:
        for i in range(probes):
            at = (base + dt.timedelta(minutes=2 * i)).isoformat()
            t0 = time.perf_counter()
            r, _ = h.api("POST", "/api/v1/city/readings", token,
                         {"readings": [{"indicator": PROBE, "value": 97.5, "at": at}]})  # fmt: skip
            want = r["alerts"][0]["id"] if r["alerts"] else None
            seen = False
            while time.perf_counter() - t0 < 5:
                lst, _ = h.api(
                    "GET", f"/api/v1/city/alerts?indicator={PROBE}&status=active&limit=5", token
                )
                if want is not None and any(a["id"] == want for a in lst["alerts"]):
                    seen = True
                    break
                time.sleep(0.01)
            if seen:
                samples.append((time.perf_counter() - t0) * 1000)
            else:
                misses += 1
            at2 = (base + dt.timedelta(minutes=2 * i + 1)).isoformat()
            h.api("POST", "/api/v1/city/readings", token,
                  {"readings": [{"indicator": PROBE, "value": 30.0, "at": at2}]})  # fmt: skip
    finally:
        load.stop_flag.set()
        load.join(timeout=300)
    busy = max(1e-9, sum(load.ms) / 1000)
    return {
        "probes": probes,
        "misses": misses,
        "latency": cl.summary(samples),
        "background_readings_per_s": load.accepted / busy,
        "background_accepted": load.accepted,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "started": dt.datetime.now().isoformat(),
        "args": vars(args) | {"out": str(args.out)},
    }
    with contextlib.ExitStack() as stack:
        pg = cl.Postgres()
        stack.callback(pg.stop)
        pg.start()
        out["postgres"] = cl.sh([str(cl.PG_BIN / "postgres"), "--version"]).strip()
        env = cl.base_env(pg.url)
        for cmd in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            cl.sh([str(cl.BIN / "shuzheng"), *cmd], env)
        print(f"  preloading {args.preload:,} readings …", flush=True)
        out["prepare"] = child("_prepare", env, str(args.indicators), str(args.preload))
        out["db_size_before"] = pg.size()
        print(f"  {out['prepare']}; database {out['db_size_before']}", flush=True)
        port = cl.free_port()
        server = cl.Server(env, port, args.workers, args.threads, cl.WORK / "server-city.log")
        stack.callback(server.stop)
        server.wait_ready()
        h = cl.Http(port)
        token = client_token(h)
        codes = [f"bench-{i:04d}" for i in range(args.indicators)]
        roots = lambda: [os.getpid(), pg.postmaster_pid()]  # noqa: E731
        out["ingest"] = []
        for batch in args.batch:
            meter = cl.CpuMeter(roots)
            r = ingest(port, token, codes, batch, args.clients, args.seconds)
            r["cpu"] = meter.read()
            out["ingest"].append(r)
            print(
                f"  batch {batch:>6,}: {r['accepted']:,} readings in {r['wall_s']:.0f} s = "
                f"{r['per_s']:,.0f}/s; call p50 {cl._f(r['call']['p50_ms'])} ms, p99 "
                f"{cl._f(r['call']['p99_ms'])} ms; alerts +{r['alerts_raised']} "
                f"-{r['alerts_cleared']}; failed {r['failed']}; other processes "
                f"{r['cpu']['other_share']:.0%} of the machine",
                flush=True,
            )
        out["alert"] = alert_latency(port, token, codes, args.probes, min(args.batch))
        a = out["alert"]["latency"]
        print(
            f"  alert readable after its reading's POST: p50 {cl._f(a['p50_ms'])} ms, "
            f"p99 {cl._f(a['p99_ms'])} ms ({out['alert']['misses']} misses)",
            flush=True,
        )
        server.stop()
        out["db_size_after"] = pg.size()
        after = child("_count", env)
        sent = (
            sum(r["accepted"] for r in out["ingest"])
            + out["alert"]["background_accepted"]
            + 2 * out["alert"]["probes"]  # each probe: one crossing reading, one back
        )
        out["db_check"] = {
            **after,
            "accepted_by_clients": sent,
            "ok": after["readings"] == sent,
        }
    return out


def report(out: dict[str, Any]) -> None:
    best = max(out["ingest"], key=lambda r: r["per_s"])
    p99 = out["alert"]["latency"]["p99_ms"]
    print("\n城市运行体征指标 ingestion over HTTP, PostgreSQL, "
          f"{out['prepare']['preloaded']:,} preloaded readings")  # fmt: skip
    for r in out["ingest"]:
        print(f"  batch {r['batch']:,}: {r['per_s']:,.0f} readings/s")
    print(f"  best {best['per_s']:,.0f} readings/s (batch {best['batch']:,}); target ≥ "
          f"{TARGET_PER_S:,.0f} {'PASS' if best['per_s'] >= TARGET_PER_S else 'FAIL'}")  # fmt: skip
    print(f"  alert p99 {cl._f(p99)} ms; target < {TARGET_ALERT_P99_MS:.0f} "
          f"{'PASS' if p99 is not None and p99 < TARGET_ALERT_P99_MS else 'FAIL'}")  # fmt: skip
    print(f"  database: {out['db_check']}; size {out['db_size_before']} → {out['db_size_after']}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_prepare":
        print(json.dumps(prepare(int(argv[1]), int(argv[2])), default=str))
        return 0
    if argv and argv[0] == "_count":
        print(json.dumps(count()))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1250, help="× 8 区县 = keys")
    parser.add_argument("--preload", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
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
