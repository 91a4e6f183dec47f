"""Deployment benchmark: case lifecycles/s with one web node versus two, every role its own
process (issue 22), against a private PostgreSQL cluster.

    cd /work/main && make bench-deploy
    .venv/bin/python bench/deploy/run.py --seconds 30 --concurrency 8 --web-workers 1

1. a private PostgreSQL cluster, prepared by the commands of ``make demo`` that a lifecycle
   needs (``--all-demo-data``: all of them; both from
   bench/case_lifecycle, whose harness this reuses: ``Postgres``, ``demo_steps``, ``Http``,
   ``one_lifecycle``, ``token_for``, ``CpuMeter``);
2. the roles as in production: ``shuzheng worker`` ×2, ``shuzheng scheduler`` ×1 and
   ``shuzheng web`` (granian) on its own port per node;
3. phase "1 web node": C clients drive complete lifecycles (prepare, upload, submit, accept,
   approve, close, rate) against node A for the given seconds;
4. phase "2 web nodes": node B starts; the same C clients, half on A and half on B (what the
   proxy's round robin does), for the same seconds;
5. lifecycles/s of each phase, their ratio, and the machine's CPU use during each phase
   (clients, web + roles, database). Results go to bench/results/deploy.json (git-ignored).

All processes run on this machine: with 2 cores, two web nodes share the same CPUs as one, so
the ratio measures the overhead of a second node, not the gain of a second machine. On separate
machines the web tier scales with the nodes until the database is the limit (see
docs/deploy/README.md for the extrapolation).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(1, str(ROOT))

from bench.case_lifecycle import run as lifecycle  # noqa: E402  (the real-server harness)

RESULTS = ROOT / "bench" / "results" / "deploy.json"
# what a case lifecycle needs of make demo's commands (the whole list: --all-demo-data)
SETUP = [["migrate", "--noinput", "-v0"], ["seed_demo"], ["seed_catalog"], ["seed_licenses"],
         ["seed_exchange"], ["seed_rules"], ["collectstatic", "--noinput", "-v0"]]  # fmt: skip
WORK = lifecycle.WORK.parent / "shuzheng-bench-deploy"


class Role:
    """One ``shuzheng <role>`` process in its own process group, logging to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log = WORK / f"{name}.log"
        self.fh = self.log.open("wb")
        self.proc = subprocess.Popen(
            [str(lifecycle.BIN / "shuzheng"), *argv],
            env=env,
            cwd=ROOT,
            stdout=self.fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def tail(self) -> str:
        self.fh.flush()
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.fh.close()


def wait_ready(port: int, role: Role, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if role.proc.poll() is not None:
            raise RuntimeError(f"{role.name} exited ({role.proc.returncode}):\n{role.tail()}")
        with contextlib.suppress(OSError):
            h = lifecycle.Http(port)
            body, _ = h.api("GET", "/readyz", "")
            if body.get("status") == "ready":
                return
        time.sleep(0.5)
    raise RuntimeError(f"{role.name} not ready after {timeout:.0f} s:\n{role.tail()}")


def drive(
    ports: list[int], tokens: list[lifecycle.ClientTokens], item: str, seconds: float
) -> tuple[list[lifecycle.Lifecycle], float]:
    """Client i drives lifecycles against ports[i % len(ports)] until the time is up."""
    results: list[lifecycle.Lifecycle] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client(i: int, t: lifecycle.ClientTokens) -> None:
        h = lifecycle.Http(ports[i % len(ports)])
        while time.perf_counter() < deadline:
            lc = lifecycle.one_lifecycle(h, t, item)
            with lock:
                results.append(lc)

    threads = [
        threading.Thread(target=client, args=(i, t), daemon=True) for i, t in enumerate(tokens)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results, time.perf_counter() - start


def phase(
    name: str,
    ports: list[int],
    tokens: list[lifecycle.ClientTokens],
    args: argparse.Namespace,
    pg: lifecycle.Postgres,
) -> dict[str, Any]:
    warm, _ = drive(ports, tokens, args.item, seconds=3)
    bad = [lc for lc in warm if not lc.ok]
    if bad:
        raise RuntimeError(f"{name}: warm-up failed: {bad[0].error}")
    print(f"  {name}: {len(tokens)} clients on {len(ports)} node(s), {args.seconds:.0f} s …")
    meter = lifecycle.CpuMeter(lambda: [os.getpid(), pg.postmaster_pid()])
    results, elapsed = drive(ports, tokens, args.item, args.seconds)
    cpu = meter.read()
    ok = [lc for lc in results if lc.ok]
    span = (max(lc.ended for lc in ok) - min(lc.started for lc in ok)) if ok else elapsed
    total = [lc.total_ms for lc in ok]
    return {
        "web_nodes": len(ports),
        "completed": len(ok),
        "failed": len(results) - len(ok),
        "errors": sorted({lc.error for lc in results if not lc.ok})[:5],
        "per_s": len(ok) / span if span else 0.0,
        "lifecycle_ms": lifecycle.summary(total),
        "cpu": cpu,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=30.0, help="measured seconds per phase")
    p.add_argument("--concurrency", type=int, default=8, help="clients")
    p.add_argument("--web-workers", type=int, default=1, help="granian workers per web node")
    p.add_argument("--threads", type=int, default=4, help="threads per granian worker")
    p.add_argument("--item", default=lifecycle.DEFAULT_ITEM)
    p.add_argument("--all-demo-data", action="store_true", help="run every command of make demo")
    args = p.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"args": vars(args), "cores": os.cpu_count()}
    with contextlib.ExitStack() as stack:
        pg = lifecycle.Postgres()
        stack.callback(pg.stop)
        print("=== preparing PostgreSQL and the demo data (make demo's commands)", flush=True)
        pg.start()
        env = lifecycle.base_env(pg.url)
        env["SHUZHENG_STATIC_ROOT"] = str(WORK / "static")
        env["SHUZHENG_MEDIA_ROOT"] = str(WORK / "media")
        t0 = time.perf_counter()
        for cmd in lifecycle.demo_steps() if args.all_demo_data else SETUP:
            lifecycle.sh([str(lifecycle.BIN / "shuzheng"), *cmd], env)
        print(f"  ready in {time.perf_counter() - t0:.0f} s", flush=True)

        roles: list[Role] = []
        stack.callback(lambda: [r.stop() for r in reversed(roles)])
        for i in (1, 2):
            roles.append(Role(f"worker-{i}", ["worker", "--worker-id", f"bench-w{i}"], env))
        roles.append(Role("scheduler", ["scheduler"], env))

        def web(name: str) -> int:
            port = lifecycle.free_port()
            role = Role(
                name,
                [
                    "web",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.web_workers),
                    "--threads",
                    str(args.threads),
                ],
                env,
            )
            roles.append(role)
            wait_ready(port, role)
            return port

        port_a = web("web-a")
        h = lifecycle.Http(port_a)
        tokens = []
        for i in range(args.concurrency):
            citizen = lifecycle.CITIZENS[i % len(lifecycle.CITIZENS)]
            t = lifecycle.ClientTokens(
                citizen=lifecycle.token_for(h, citizen),
                clerk=lifecycle.token_for(h, lifecycle.CLERK),
                reviewer=lifecycle.token_for(h, lifecycle.REVIEWER),
                citizen_name=citizen,
            )
            t.me, _ = h.api("GET", "/api/v1/me", t.citizen)
            tokens.append(t)

        one = phase("1 web node", [port_a], tokens, args, pg)
        port_b = web("web-b")
        two = phase("2 web nodes", [port_a, port_b], tokens, args, pg)
        out["phases"] = [one, two]
        out["ratio"] = two["per_s"] / one["per_s"] if one["per_s"] else None

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    print()
    print(f"{'web nodes':>10} {'lifecycles/s':>13} {'p50 ms':>8} {'p95 ms':>8} {'failed':>7}")
    for ph in out["phases"]:
        ms = ph["lifecycle_ms"]
        print(
            f"{ph['web_nodes']:>10} {ph['per_s']:>13.1f} {ms['p50_ms'] or 0:>8.0f} "
            f"{ms['p95_ms'] or 0:>8.0f} {ph['failed']:>7}"
        )
    if out["ratio"] is not None:
        print(f"two nodes / one: {out['ratio']:.2f}×  ({out['cores']} cores on this machine)")
    for ph in out["phases"]:
        c = ph["cpu"]
        print(
            f"  {ph['web_nodes']} node(s): CPU clients {c['clients_cpu_s']:.0f} s, roles "
            f"{c['server_cpu_s']:.0f} s, database {c['database_cpu_s']:.0f} s, other load "
            f"{c['other_share']:.0%} of the machine, idle {c['idle_share']:.0%}"
        )
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
