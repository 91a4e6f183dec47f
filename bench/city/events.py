"""城市管理事件 closed loop over HTTP on PostgreSQL (issue 19, "Measured", third figure):
``.venv/bin/python bench/city/events.py [--clients 2] [--seconds 30]``.

1. a private PostgreSQL 15 cluster (``bench/case_lifecycle/run.py``'s ``Postgres``), ``migrate``
   (the event classes and grid cells of migration 0005) and ``seed_demo``; the two demo 网格员
   (``demo_events.seed_members``) — setup, not measured;
2. ``shuzheng serve`` (2 workers × 4 threads, as the other HTTP benchmarks);
3. one photo uploaded by the reporting 网格员 and one by the department (``POST /api/v1/files``;
   reused by every event: the services check the owner and the type, not uniqueness);
4. ``--clients`` threads, each for ``--seconds``, take events through the whole loop, one HTTP
   call per step: ``POST /api/v1/city/events`` (demo-grid, with the photo) → ``file`` →
   ``dispatch`` (the center, demo-hotline) → ``feedback`` (市水务局, demo-handler-sw, after-photo,
   核查 by demo-grid2) → ``check_pass`` (demo-grid2) → ``close`` (the center);
   events/s = closed events / wall time; per-call and per-event p50/p99;
5. the database is checked: events closed = events the clients closed, six steps each.

Client, server and database share this machine's cores (and other jobs may run): the figures
are a lower bound.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "city_events.json"
_spec = importlib.util.spec_from_file_location("city_run", ROOT / "bench" / "city" / "run.py")
assert _spec and _spec.loader
city: Any = importlib.util.module_from_spec(_spec)
sys.modules["city_run"] = city
_spec.loader.exec_module(city)
cl = city.cl
cl.WORK = Path(os.environ.get("BENCH_WORK", "/tmp/shuzheng-bench-city-events"))

GRID, CHECKER, CENTER, WATER = "demo-grid", "demo-grid2", "demo-hotline", "demo-handler-sw"
CELL = "441202001001"
STEPS = ("report", "file", "dispatch", "feedback", "check_pass", "close")


def _django() -> None:
    city._django()


def prepare() -> dict[str, Any]:
    _django()
    from shuzheng.governance.demo_events import seed_members
    from shuzheng.governance.models import EventClass, GridCell

    seed_members()
    return {"classes": EventClass.objects.count(), "cells": GridCell.objects.count()}


def count() -> dict[str, Any]:
    _django()
    from shuzheng.governance.models import CityEvent, EventStep

    return {
        "closed": CityEvent.objects.filter(status="closed").count(),
        "events": CityEvent.objects.count(),
        "steps": EventStep.objects.count(),
    }


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 100, 110)).save(buf, format="PNG")
    return buf.getvalue()


class Loop(threading.Thread):
    def __init__(self, port: int, tokens: dict[str, str], photos: dict[str, str], seconds: float):
        super().__init__(daemon=True)
        self.h = cl.Http(port)
        self.tokens, self.photos, self.seconds = tokens, photos, seconds
        self.closed = 0
        self.failed = 0
        self.event_ms: list[float] = []
        self.call_ms: dict[str, list[float]] = {s: [] for s in STEPS}
        self.busy = 0.0

    def _act(self, who: str, no: str, action: str, **params: Any) -> None:
        _, ms = self.h.api(
            "POST", f"/api/v1/city/events/{no}/actions", self.tokens[who],
            {"action": action, **params},
        )  # fmt: skip
        self.call_ms[action].append(ms)

    def run(self) -> None:
        end = time.perf_counter() + self.seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            try:
                body, ms = self.h.api(
                    "POST", "/api/v1/city/events", self.tokens[GRID],
                    {"category": "BJ-0102", "description": "压测：污水井盖缺失", "grid": CELL,
                     "photos": [self.photos[GRID]]},
                    expect=201,
                )  # fmt: skip
                self.call_ms["report"].append(ms)
                no = body["event_no"]
                self._act(CENTER, no, "file")
                self._act(CENTER, no, "dispatch", department="441200-SWUJ")
                self._act(WATER, no, "feedback", note="已更换井盖", photos=[self.photos[WATER]],
                          checker=CHECKER)  # fmt: skip
                self._act(CHECKER, no, "check_pass")
                self._act(CENTER, no, "close")
            except cl.HttpError as e:
                self.failed += 1
                print(f"  failed: {e}", flush=True)
                continue
            ms = (time.perf_counter() - t0) * 1000
            self.busy += ms / 1000
            self.event_ms.append(ms)
            self.closed += 1


def child(action: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    return dict(city.child(action, env, *args, script=__file__))


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
        out["prepare"] = child("_prepare", env)
        port = cl.free_port()
        server = cl.Server(env, port, args.workers, args.threads, cl.WORK / "server-events.log")
        stack.callback(server.stop)
        server.wait_ready()
        h = cl.Http(port)
        tokens = {u: cl.token_for(h, u) for u in (GRID, CHECKER, CENTER, WATER)}
        png = _png()
        photos = {u: h.upload(tokens[u], "photo.png", png)[0]["file_id"] for u in (GRID, WATER)}
        roots = lambda: [os.getpid(), pg.postmaster_pid()]  # noqa: E731
        meter = cl.CpuMeter(roots)
        loops = [Loop(port, tokens, photos, args.seconds) for _ in range(args.clients)]
        t0 = time.perf_counter()
        for loop in loops:
            loop.start()
        for loop in loops:
            loop.join()
        wall = time.perf_counter() - t0
        closed = sum(x.closed for x in loops)
        out["loop"] = {
            "clients": args.clients,
            "wall_s": wall,
            "closed": closed,
            "failed": sum(x.failed for x in loops),
            "events_per_s": closed / wall,
            "event": cl.summary([ms for x in loops for ms in x.event_ms]),
            "calls": {s: cl.summary([ms for x in loops for ms in x.call_ms[s]]) for s in STEPS},
            "cpu": meter.read(),
        }
        server.stop()
        after = child("_count", env)
        out["db_check"] = {
            **after,
            "closed_by_clients": closed,
            "ok": after["closed"] == closed == after["events"]
            and after["steps"] == closed * len(STEPS),
        }
    return out


def report(out: dict[str, Any]) -> None:
    r = out["loop"]
    print("\n城市管理事件 closed loop over HTTP, PostgreSQL "
          f"({r['clients']} clients, {r['wall_s']:.0f} s)")  # fmt: skip
    print(f"  {r['closed']:,} events 上报 → 立案 → 派遣 → 反馈 → 核查 → 结案 = "
          f"{r['events_per_s']:.1f} events/s ({6 * r['events_per_s']:.0f} calls/s); "
          f"failed {r['failed']}")  # fmt: skip
    print(f"  one event end to end: p50 {cl._f(r['event']['p50_ms'])} ms, "
          f"p99 {cl._f(r['event']['p99_ms'])} ms")  # fmt: skip
    for step, s in r["calls"].items():
        print(f"    {step:<10} p50 {cl._f(s['p50_ms'])} ms, p99 {cl._f(s['p99_ms'])} ms")
    print(f"  other processes {r['cpu']['other_share']:.0%} of the machine")
    print(f"  database: {out['db_check']}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_prepare":
        print(json.dumps(prepare()))
        return 0
    if argv and argv[0] == "_count":
        print(json.dumps(count()))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (cl.PG_BIN / "initdb").exists():
        print(f"PostgreSQL binaries not found in {cl.PG_BIN} (set PG_BIN)", file=sys.stderr)
        return 2
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
