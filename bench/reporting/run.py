"""填表报数 benchmark (issue 21 "Measured"): the typing meter over the demo, and roll-up speed.

    cd /work/main && .venv/bin/python bench/reporting/run.py        # make bench-reporting

(a) A fresh SQLite database with the demo (``migrate``, ``seed_demo``, ``seed_reporting``
    without history): the ten demo reports issued to the 20 村/社区 of 端州区 for three periods
    (monthly 2026-09..11, quarterly 2026Q2..Q4).
(b) Every village fills every report, period by period, the way ``reporting.demo.fill`` does:
    each value the platform offers is confirmed, every other value is typed; each submission
    goes through ``services.task_save`` (validation, sources, audit) and is approved by its
    街道. Before each submission **every offered value is checked equal to its source**, read
    independently: a ``prefill:<resource>`` value against the registry figure of the unit and
    period, a ``reused:<report>`` value against that report's value of the same dictionary
    entry, a ``previous`` value against the unit's previous period.
(c) The typing meter (``selectors.metrics``): typed values against all values, per report and
    overall; targets: at least 60% fewer typed values overall (the seeds' figure), aim 80%.
(d) Roll-up: one 街道 with 1,000 villages whose 高龄津贴 reports are approved; the 街道's
    summary (its page's data: the sums of the villages, computed, and their progress) timed
    30 times: p50/p95; target p95 < 500 ms (the issue names PostgreSQL; measured here on SQLite
    only — see README).

Writes bench/results/reporting.json (git-ignored).
"""

from __future__ import annotations

import json
import os
import statistics
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


def setup() -> None:
    os.environ.setdefault("SHUZHENG_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
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
    from shuzheng.reporting import services
    from shuzheng.reporting.models import FieldValue, SourceFigure

    entry_of = {f["name"]: f.get("entry", "") for f in task.definition.spec["fields"]}
    checked, wrong = 0, []
    for name, hint in hints.items():
        kind, _sep, what = hint.source.partition(":")
        if kind == "prefill":
            truth = SourceFigure.objects.get(
                entry__key=entry_of[name], unit=task.unit, period=task.period
            ).value
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
                c, w = check_sources(task, services.suggestions(task))
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


def rollup(villages: int = 1000, runs: int = 30) -> dict[str, Any]:
    from django.db import transaction

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
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        view = selectors.task_view(who, ReportTask.objects.get(pk=town_task.pk))
        progress = selectors.children_progress(who, town_task)
        times.append((time.perf_counter() - t0) * 1000)
    got = {f.name: f.value for f in view.fields}
    assert got == expected, (got, expected)
    assert len(progress) == villages and all(p["done"] for p in progress)
    p50, p95 = statistics.median(times), pct(times, 95)
    print(
        f"  roll-up of {villages} villages (sums + progress, SQLite): p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (target p95 < {ROLLUP_P95_MS:.0f} ms: "
        f"{'met' if p95 < ROLLUP_P95_MS else 'NOT met'}); sums checked equal"
    )
    return {
        "villages": villages,
        "runs": runs,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "database": "sqlite",
    }


def main() -> int:
    print("== 填表报数: typing meter over the demo reports × villages × 3 periods", flush=True)
    setup()
    result = {"meter": meter()}
    print("== roll-up", flush=True)
    result["rollup"] = rollup()
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    ok = (
        not result["meter"]["wrong"]
        and result["meter"]["meter"]["reduction"] >= TARGET
        and result["rollup"]["p95_ms"] < ROLLUP_P95_MS
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
