"""填表报数 benchmark (issue 21 "Measured"): the typing meter over the demo, and roll-up speed
on SQLite and PostgreSQL.

    cd /work/main && .venv/bin/python bench/reporting/run.py        # make bench-reporting
    .venv/bin/python bench/reporting/run.py --db postgres --rounds 3 --meter-everywhere

Each database runs in a child process of its own (``DATABASE_URL`` set before Django starts):
SQLite in ``bench/results/reporting.sqlite3``, PostgreSQL in a private cluster in a temporary
directory (``initdb``/``pg_ctl`` from ``PG_BIN``, default /usr/lib/postgresql/15/bin, as
bench/case_lifecycle does), started and removed by this script; without the binaries the
PostgreSQL part is skipped with a reason.

(a) A fresh database with the demo (``migrate``, ``seed_demo``, ``seed_reporting`` without
    history — which registers the exchange's per-village statistics, grants 填表报数 and
    publishes the registry figures through it): the ten demo reports issued to the 20 村/社区
    of 端州区 for three periods (monthly 2026-09..11, quarterly 2026Q2..Q4).
(b) Every village fills every report, period by period, the way ``reporting.demo.fill`` does:
    each value the platform offers is confirmed, every other value is typed; each submission
    goes through ``services.task_save`` (validation, sources, audit) and is approved by its
    街道. Before each submission **every offered value is checked equal to its source**, read
    independently: a ``prefill:<registry>`` value against the figure the source system
    published to the exchange (``RegionFigure``) for the unit and period, a ``reused:<report>``
    value against that report's value of the same dictionary entry, a ``previous`` value
    against the unit's previous period.
(c) The typing meter (``selectors.metrics``): typed values against all values, per report and
    overall; targets: at least 60% fewer typed values overall (the seeds' figure), aim 80%.
    (b) and (c) run on the first database only unless ``--meter-everywhere``.
(d) Roll-up: one 街道 with 1,000 villages whose 高龄津贴 reports are approved; the 街道's
    summary (its page's data: the sums of the villages, computed, and their progress) timed
    ``--samples`` times per round, ``--rounds`` rounds (default 3): p50/p95 per round and the
    median of the rounds' p95; target p95 < 500 ms on PostgreSQL.

Writes bench/results/reporting.json (git-ignored).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "bench" / "results" / "reporting.sqlite3"
RESULTS = ROOT / "bench" / "results" / "reporting.json"
TARGET, AIM, ROLLUP_P95_MS = 0.60, 0.80, 500.0


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def setup(url: str) -> None:
    os.environ.setdefault("SHUZHENG_TESTING", "1")
    os.environ.setdefault("SHUZHENG_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    os.environ["DATABASE_URL"] = url
    if url.startswith("sqlite"):
        DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB}{suffix}").unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0)
    from shuzheng.reporting.demo import seed_reporting

    seed_reporting(history=False)
    print(f"  setup (migrate, seed_demo, seed_reporting): {time.perf_counter() - t0:.1f} s")


def check_sources(task: Any, hints: dict[str, Any]) -> tuple[int, list[str]]:
    """Every offered value compared with its source, read independently of the service."""
    from shuzheng.exchange.models import RegionFigure
    from shuzheng.reporting import services
    from shuzheng.reporting.models import DictEntry, FieldValue

    entry_of = {f["name"]: f.get("entry", "") for f in task.definition.spec["fields"]}
    checked, wrong = 0, []
    for name, hint in hints.items():
        kind, _sep, what = hint.source.partition(":")
        if kind == "prefill":
            item = DictEntry.objects.get(key=entry_of[name]).item
            truth = (
                RegionFigure.objects.filter(region=task.unit.code, period=task.period)
                .filter(resource__items__key=item)
                .get()
                .data[item]
            )
        elif kind == "reused":
            truth = FieldValue.objects.filter(
                task__definition__name=what,
                task__unit=task.unit,
                task__period=task.period,
                entry=entry_of[name],
            ).values_list("value", flat=True)[0]
        elif kind == "previous":
            before = services.previous_period(task.period, task.definition.frequency)
            truth = FieldValue.objects.get(
                task__definition=task.definition,
                task__unit=task.unit,
                task__period=before,
                name=name,
            ).value
        else:
            continue
        checked += 1
        if truth != hint.value:
            wrong.append(f"{task.definition.code}/{task.unit.code}/{task.period}/{name}")
    return checked, wrong


def meter() -> dict[str, Any]:
    import random

    from shuzheng.identity.contracts import Principal
    from shuzheng.reporting import selectors, services
    from shuzheng.reporting.demo import MONTHS, QUARTERS, fill
    from shuzheng.reporting.models import ReportTask

    rng = random.Random(21)
    checked, wrong, submissions = 0, [], 0
    t0 = time.perf_counter()
    for step in range(3):
        for period in (MONTHS[step], QUARTERS[step]):
            qs = ReportTask.objects.filter(period=period, unit__level="village").select_related(
                "definition", "unit", "unit__parent"
            )
            # dictionary order: the reports that collect a figure first come first, as in life
            for task in qs.order_by("definition__code", "unit__code"):
                c, w = check_sources(task, services.suggestions(task, actor="user:bench"))
                checked += c
                wrong += w
                fill(task, rng, username=f"cadre-{task.unit.code}")
                services.task_act(
                    principal=Principal(kind="staff", username=f"reviewer-{task.unit.parent.code}"),
                    task_id=task.pk,
                    action="approve",
                )
                submissions += 1
    took = time.perf_counter() - t0
    m = selectors.metrics(Principal(kind="staff", username="bench", is_superuser=True))
    print(
        f"  {submissions} submissions in {took:.1f} s; offered values checked: {checked}, "
        f"different from their source: {len(wrong)}"
    )
    print(f"  {'report':<24}{'typed':>8}{'total':>8}{'reduction':>11}")
    for r in m["by_report"]:
        print(f"  {r['name']:<20}{r['typed']:>8}{r['total']:>8}{r['reduction']:>10.1%}")
    print(
        f"  {'overall':<22}{m['typed']:>8}{m['total']:>8}{m['reduction']:>10.1%}  "
        f"(target ≥ {TARGET:.0%}, aim {AIM:.0%}: "
        f"{'met' if m['reduction'] >= TARGET else 'NOT met'})"
    )
    per_period = {}
    for step in range(3):
        rows = ReportTask.objects.filter(
            unit__level="village", period__in=(MONTHS[step], QUARTERS[step])
        ).values_list("typed", "total")
        typed, total = sum(r[0] for r in rows), sum(r[1] for r in rows)
        per_period[f"{MONTHS[step]}/{QUARTERS[step]}"] = round(1 - typed / total, 4)
    print(
        "  by period (first period has no previous values): "
        + ", ".join(f"{k} {v:.1%}" for k, v in per_period.items())
    )
    return {
        "submissions": submissions,
        "seconds": round(took, 1),
        "checked": checked,
        "wrong": wrong,
        "meter": m,
        "by_period": per_period,
    }


def rollup(villages: int = 1000, rounds: int = 3, samples: int = 30) -> dict[str, Any]:
    from django.db import connection, transaction

    from shuzheng.identity.contracts import Principal
    from shuzheng.reporting import selectors
    from shuzheng.reporting.models import FieldValue, ReportDefinition, ReportTask, Unit

    d = ReportDefinition.objects.get(code="GLJT")
    county = Unit.objects.get(code="441202")
    with transaction.atomic():
        town = Unit.objects.create(code="441202999", name="基准街道", level="town", parent=county)
        Unit.objects.bulk_create(
            [
                Unit(
                    code=f"441202999{i:03d}"[:12] if i < 1000 else f"44120299{i:04d}",
                    name=f"基准村{i}",
                    level="village",
                    parent=town,
                )
                for i in range(villages)
            ]
        )
        kids = list(Unit.objects.filter(parent=town))
        deadline = ReportTask.objects.filter(definition=d, period="2026-11").first().deadline
        ReportTask.objects.bulk_create(
            [
                ReportTask(
                    definition=d,
                    unit=u,
                    period="2026-11",
                    state="approved",
                    deadline=deadline,
                    typed=2,
                    total=7,
                )
                for u in kids
            ]
            + [ReportTask(definition=d, unit=town, period="2026-11", deadline=deadline)]
        )
        tasks = ReportTask.objects.filter(definition=d, period="2026-11", unit__parent=town)
        names = [f["name"] for f in d.spec["fields"]]
        FieldValue.objects.bulk_create(
            [
                FieldValue(
                    task=t, name=n, value=(t.pk % 50) + k, number=(t.pk % 50) + k, source="typed"
                )
                for t in tasks
                for k, n in enumerate(names)
            ],
            batch_size=2000,
        )
    town_task = ReportTask.objects.get(definition=d, period="2026-11", unit=town)
    expected = {n: sum((t.pk % 50) + k for t in tasks) for k, n in enumerate(names)}
    who = Principal(kind="staff", username="bench", is_superuser=True)
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")  # fresh statistics, as autovacuum would have by now
    per_round = []
    for r in range(rounds):
        times = []
        for _ in range(samples):
            t0 = time.perf_counter()
            view = selectors.task_view(who, ReportTask.objects.get(pk=town_task.pk))
            progress = selectors.children_progress(who, town_task)
            times.append((time.perf_counter() - t0) * 1000)
        got = {f.name: f.value for f in view.fields}
        assert got == expected, (got, expected)
        assert len(progress) == villages and all(p["done"] for p in progress)
        p50, p95 = statistics.median(times), pct(times, 95)
        per_round.append({"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)})
        print(f"  round {r + 1}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    p95 = statistics.median(x["p95_ms"] for x in per_round)
    p50 = statistics.median(x["p50_ms"] for x in per_round)
    print(
        f"  roll-up of {villages} villages (sums + progress, {vendor}): median of {rounds} "
        f"rounds p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < {ROLLUP_P95_MS:.0f} ms: "
        f"{'met' if p95 < ROLLUP_P95_MS else 'NOT met'}); sums checked equal"
    )
    return {
        "villages": villages,
        "samples": samples,
        "rounds": per_round,
        "p50_ms": p50,
        "p95_ms": p95,
        "database": vendor,
    }


def child(args: argparse.Namespace) -> int:
    """One database, inside Django: setup, the meter (if asked), the roll-up; JSON to --out."""
    setup(args.url)
    result: dict[str, Any] = {}
    if args.meter:
        result["meter"] = meter()
    result["rollup"] = rollup(rounds=args.rounds, samples=args.samples)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    return 0


def _postgres() -> Any:
    """bench/case_lifecycle's private cluster class (initdb, pg_ctl, removed on stop)."""
    spec = importlib.util.spec_from_file_location(
        "case_lifecycle_run", ROOT / "bench" / "case_lifecycle" / "run.py"
    )
    assert spec and spec.loader
    cl: Any = importlib.util.module_from_spec(spec)
    sys.modules["case_lifecycle_run"] = cl
    spec.loader.exec_module(cl)
    if not (cl.PG_BIN / "initdb").exists():
        return None, f"no PostgreSQL binaries in {cl.PG_BIN} (set PG_BIN)"
    return cl.Postgres(), ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--rounds", type=int, default=3, help="roll-up rounds (median reported)")
    ap.add_argument("--samples", type=int, default=30, help="roll-up timings per round")
    ap.add_argument("--meter-everywhere", action="store_true", help="the meter on each database")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--meter", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", default="", help=argparse.SUPPRESS)
    ap.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)
    result: dict[str, Any] = {}
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for i, db in enumerate(dbs):
        print(f"== {db}", flush=True)
        pg = None
        if db == "postgres":
            pg, why = _postgres()
            if pg is None:
                print(f"  skipped: {why}")
                result[db] = {"skipped": why}
                continue
            pg.start()
            url = pg.url
        else:
            url = f"sqlite:///{DB}"
        out = RESULTS.with_suffix(f".{db}.json")
        cmd = [sys.executable, __file__, "--child", "--url", url, "--out", str(out)]
        cmd += ["--rounds", str(args.rounds), "--samples", str(args.samples)]
        if i == 0 or args.meter_everywhere:
            cmd.append("--meter")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        try:
            code = subprocess.run(cmd, env=env, cwd=ROOT, check=False).returncode
        finally:
            if pg is not None:
                pg.stop()
        if code != 0:
            print(f"  {db} run failed ({code})")
            return code
        result[db] = json.loads(out.read_text("utf-8"))
        out.unlink()
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    meters = [r["meter"] for r in result.values() if "meter" in r]
    rollups = {db: r["rollup"] for db, r in result.items() if "rollup" in r}
    ok = all(not m["wrong"] and m["meter"]["reduction"] >= TARGET for m in meters) and all(
        r["p95_ms"] < ROLLUP_P95_MS for r in rollups.values()
    )
    print(
        "== summary: "
        + "; ".join(f"{db} roll-up p95 {r['p95_ms']:.1f} ms" for db, r in rollups.items())
        + (f"; typed values {meters[0]['meter']['reduction']:.1%} fewer" if meters else "")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
