"""Deployment benchmark: case lifecycles/s with one web node versus two, every role its own
process (issue 22), against a private PostgreSQL primary with a streaming replica, and the
replica's share of the web nodes' reads.

    cd /work/main && make bench-deploy
    .venv/bin/python bench/deploy/run.py --seconds 30 --concurrency 8 --web-workers 1

1. a private PostgreSQL primary (durable defaults, ``pg_stat_statements`` loaded), prepared by
   the commands of ``make demo`` that a lifecycle needs (``--all-demo-data``: all of them; from
   bench/case_lifecycle, whose harness this reuses: ``demo_steps``, ``Http``, ``one_lifecycle``,
   ``token_for``, ``CpuMeter``), then a hot standby streaming from it, made with
   ``pg_basebackup -R`` by tests/deploy/pgcluster.py (the helper tests/deploy starts its replica
   with);
2. the roles as in production: ``shuzheng worker`` ×2, ``shuzheng scheduler`` ×1 and
   ``shuzheng web`` (granian) on its own port per node, every role with ``DATABASE_URL`` and
   ``SHUZHENG_REPLICA_URL`` as docs/deploy/storage-and-replicas.md says; the web nodes log in to
   both databases as their own role (``shuzheng_web``), the other roles as ``postgres``, so that
   each database's statements can be told apart by who sent them;
3. phase "1 web node": C clients drive complete lifecycles (prepare, upload, submit, accept,
   approve, close, rate) against node A for the given seconds;
4. phase "2 web nodes": node B starts; the same C clients, half on A and half on B (what the
   proxy's round robin does), for the same seconds;
5. lifecycles/s of each phase, their ratio, and the machine's CPU use during each phase
   (clients, web + roles, primary, replica);
6. per phase, from ``pg_stat_statements`` of both clusters (reset when the phase starts): the
   web nodes' reads (``SELECT`` statements and their rows) on the replica and on the primary,
   the writes on each, and the other roles' statements; how many of the lifecycles' GET requests
   left with the client pinned to the primary (``shuzheng_primary`` cookie); the replica's
   refused writes (its log) and lag. ``pg_stat_database`` deltas are kept beside them in the
   JSON. Results go to bench/results/deploy.json (git-ignored).

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
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(1, str(ROOT))

from bench.case_lifecycle import run as lifecycle  # noqa: E402  (the real-server harness)
from tests.deploy import pgcluster  # noqa: E402  (primary + streaming replica, as tests/deploy)

from shuzheng.core.dbrouter import PIN_COOKIE  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "deploy.json"
# what a case lifecycle needs of make demo's commands (the whole list: --all-demo-data)
SETUP = [["migrate", "--noinput", "-v0"], ["seed_demo"], ["seed_catalog"], ["seed_licenses"],
         ["seed_exchange"], ["seed_rules"], ["collectstatic", "--noinput", "-v0"]]  # fmt: skip
WORK = lifecycle.WORK.parent / "shuzheng-bench-deploy"
DB = "shuzheng"
WEB_USER = "shuzheng_web"  # the web nodes' login on both databases; the other roles: postgres
# as bench/case_lifecycle's cluster (durable defaults), plus pg_stat_statements; a hot standby
# needs max_connections at least the primary's
TUNING = ("-c shared_buffers=512MB", "-c max_connections=200",
          "-c shared_preload_libraries=pg_stat_statements",
          "-c pg_stat_statements.track_utility=off")  # fmt: skip
PRIMARY_TUNING = ("-c max_wal_size=4GB", "-c checkpoint_timeout=15min")
PROBES = 10  # requests per probed GET
MARK = "/* bench-deploy */"  # this script's own queries, left out of the counts


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


def stop_all(things: Any) -> None:
    """Stop each, the last started first."""
    for thing in reversed(list(things)):
        thing.stop()


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
    ports: list[int],
    tokens: list[lifecycle.ClientTokens],
    item: str,
    seconds: float,
    pinned: list[bool] | None = None,
) -> tuple[list[lifecycle.Lifecycle], float]:
    """Client i drives lifecycles against ports[i % len(ports)] until the time is up;
    ``pinned`` gets, per lifecycle, whether its first request (the one GET, ``prepare``) left
    with the client pinned to the primary by a write of the last REPLICA_PIN_SECONDS."""
    results: list[lifecycle.Lifecycle] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client(i: int, t: lifecycle.ClientTokens) -> None:
        h = lifecycle.Http(ports[i % len(ports)])
        while time.perf_counter() < deadline:
            until = h.cookies.get(PIN_COOKIE, "")
            is_pinned = until.isdigit() and int(until) > time.time()
            lc = lifecycle.one_lifecycle(h, t, item)
            with lock:
                results.append(lc)
                if pinned is not None:
                    pinned.append(is_pinned)

    threads = [
        threading.Thread(target=client, args=(i, t), daemon=True) for i, t in enumerate(tokens)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results, time.perf_counter() - start


def kind(sql: str) -> str:
    """read, locking read (``FOR UPDATE``/``SHARE``: the primary's alone), write or other
    (connection set-up and health checks, transaction control)."""
    text = sql.replace(MARK, "").lstrip(" (\n").upper()
    head = text.split(None, 1)[0] if text else ""
    if head in {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE"}:
        return "write"
    if head == "WITH" and re.search(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b", text):
        return "write"
    if re.match(r"SELECT\s+(SET_CONFIG\(|1\s*$)", text):
        return "other"  # a new connection's settings, Django's health check: no data read
    if head in {"SELECT", "WITH", "VALUES", "TABLE"}:
        locking = re.search(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", text)
        return "locking read" if locking else "read"
    return "other"


STATEMENTS = rf"""{MARK} SELECT coalesce(json_agg(s), '[]') FROM (
  SELECT r.rolname AS role, s.calls, s.rows, s.query FROM pg_stat_statements s
  JOIN pg_roles r ON r.oid = s.userid JOIN pg_database d ON d.oid = s.dbid
  WHERE d.datname = '{DB}' AND s.query NOT LIKE '%bench-deploy%') s"""
DATABASE = f"""{MARK} SELECT row_to_json(d) FROM (SELECT xact_commit, xact_rollback,
  tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, conflicts
  FROM pg_stat_database WHERE datname = '{DB}') d"""
REFUSED = re.compile(r"read-only transaction|recovery is in progress")


class DbStats:
    """What each cluster ran during a phase, from ``pg_stat_statements`` (reset at the start;
    exact: an entry is counted when its statement ends) and ``pg_stat_database`` (deltas;
    backends flush these about once a second, so they are approximate at the edges and count
    every role together)."""

    def __init__(self, clusters: dict[str, pgcluster.Cluster]) -> None:
        self.clusters = clusters
        self.replica_log = clusters["replica"].datadir / "server.log"

    def start(self) -> None:
        for c in self.clusters.values():
            c.psql(DB, f"{MARK} SELECT pg_stat_statements_reset()")
        self.db0 = {n: json.loads(c.psql(DB, DATABASE)) for n, c in self.clusters.items()}
        self.log0 = self.replica_log.stat().st_size

    def read(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, c in self.clusters.items():
            rows = json.loads(c.psql(DB, STATEMENTS))
            db1 = json.loads(c.psql(DB, DATABASE))
            by: dict[str, dict[str, dict[str, int]]] = {}
            top: list[dict[str, Any]] = []
            for r in rows:
                who = "web" if r["role"] == WEB_USER else "other roles"
                k = kind(r["query"])
                cell = by.setdefault(who, {}).setdefault(k, {"statements": 0, "rows": 0})
                cell["statements"] += r["calls"]
                cell["rows"] += r["rows"]
                if who == "web" and k in {"read", "locking read"}:
                    top.append({"calls": r["calls"], "kind": k, "query": r["query"][:300]})
            top.sort(key=lambda t: -t["calls"])
            out[name] = {
                "statements": by,
                "top_web_reads": top[:12],
                "pg_stat_database": {k: v - self.db0[name][k] for k, v in db1.items()},
            }
        with self.replica_log.open("rb") as fh:
            fh.seek(self.log0)
            log = fh.read().decode(errors="replace")
        out["replica"]["refused_writes_in_log"] = len(REFUSED.findall(log))
        lag = self.clusters["primary"].psql(
            DB,
            f"{MARK} SELECT coalesce(extract(epoch FROM max(replay_lag)), 0), "
            "coalesce(max(pg_wal_lsn_diff(sent_lsn, replay_lsn)), 0) FROM pg_stat_replication",
        )
        seconds, behind = lag.split("|")
        out["replica"]["lag_at_end"] = {"seconds": float(seconds), "bytes": int(float(behind))}
        return out


def share(stats: dict[str, Any]) -> dict[str, Any]:
    """The replica's share of the web nodes' reads (statements and rows), and the writes and
    other statements per database."""

    def cell(db: str, who: str, k: str, what: str) -> int:
        return int(stats[db]["statements"].get(who, {}).get(k, {}).get(what, 0))

    out: dict[str, Any] = {}
    for what in ("statements", "rows"):
        on_r = cell("replica", "web", "read", what)
        on_p = cell("primary", "web", "read", what) + cell("primary", "web", "locking read", what)
        out[what] = {"replica": on_r, "primary": on_p, "share": on_r / (on_r + on_p or 1)}
    out["primary_locking_reads"] = cell("primary", "web", "locking read", "statements")
    out["web_writes"] = {
        db: cell(db, "web", "write", "statements") for db in ("primary", "replica")
    }
    out["other_roles"] = {
        db: sum(v["statements"] for v in stats[db]["statements"].get("other roles", {}).values())
        for db in ("primary", "replica")
    }
    return out


def probe(
    port: int,
    t: lifecycle.ClientTokens,
    case_no: str,
    args: argparse.Namespace,
    clusters: dict[str, pgcluster.Cluster],
) -> list[dict[str, Any]]:
    """Where the reads of single GET requests go when their client is not pinned (a fresh
    client, no cookie; nothing else running): the lifecycle's ``prepare``, a citizen's check of
    a case's progress, the list of their cases, and the anonymous home page. Each is requested
    ``PROBES`` times; per request, the web nodes' reads and writes on each database."""
    gets = [
        ("GET /api/v1/cases/prepare", f"/api/v1/cases/prepare?item_code={args.item}", t.citizen),
        ("GET /api/v1/cases/{no}", f"/api/v1/cases/{case_no}", t.citizen),
        ("GET /api/v1/cases", "/api/v1/cases", t.citizen),
        ("GET / (home page)", "/", ""),
    ]
    out = []
    for name, path, token in gets:
        db = DbStats(clusters)
        db.start()
        for _ in range(PROBES):
            h = lifecycle.Http(port)  # no cookie: not pinned
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            status, _, _, _ = h.request("GET", path, None, headers)
            if status != 200:
                raise RuntimeError(f"{name}: {status}")
        stats = db.read()
        rs = share(stats)
        out.append(
            {
                "request": name,
                "replica_reads": rs["statements"]["replica"] / PROBES,
                "primary_reads": rs["statements"]["primary"] / PROBES,
                "writes": rs["web_writes"]["primary"] / PROBES,
                "primary_statements": stats["primary"]["top_web_reads"],
                "replica_statements": stats["replica"]["top_web_reads"],
            }
        )
    return out


def phase(
    name: str,
    ports: list[int],
    tokens: list[lifecycle.ClientTokens],
    args: argparse.Namespace,
    clusters: dict[str, pgcluster.Cluster],
) -> dict[str, Any]:
    warm, _ = drive(ports, tokens, args.item, seconds=3)
    bad = [lc for lc in warm if not lc.ok]
    if bad:
        raise RuntimeError(f"{name}: warm-up failed: {bad[0].error}")
    print(f"  {name}: {len(tokens)} clients on {len(ports)} node(s), {args.seconds:.0f} s …")
    db = DbStats(clusters)
    db.start()
    pids = {n: c.postmaster_pid() for n, c in clusters.items()}
    meter = lifecycle.CpuMeter(lambda: [os.getpid(), *pids.values()])
    replica_meter = lifecycle.CpuMeter(lambda: [pids["replica"]])
    load0 = os.getloadavg()
    pinned: list[bool] = []
    results, elapsed = drive(ports, tokens, args.item, args.seconds, pinned)
    cpu = meter.read()
    cpu["replica_cpu_s"] = replica_meter.read()["database_cpu_s"]
    cpu["primary_cpu_s"] = cpu["database_cpu_s"] - cpu["replica_cpu_s"]
    load1 = os.getloadavg()
    stats = db.read()
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
        "loadavg_1min": {"start": load0[0], "end": load1[0]},
        "gets_pinned": {"pinned": sum(pinned), "of": len(pinned)},
        "replica_share": share(stats),
        "databases": stats,
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
    bindir = lifecycle.PG_BIN if (lifecycle.PG_BIN / "initdb").exists() else pgcluster.pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries not found (PG_BIN=…/bin)")
    with contextlib.ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="shuzheng-bench-deploy-pg."))
        stack.callback(shutil.rmtree, root, True)
        pgcluster.own(root)
        clusters: dict[str, pgcluster.Cluster] = {}
        stack.callback(stop_all, clusters.values())
        print("=== preparing PostgreSQL and the demo data (make demo's commands)", flush=True)
        primary = pgcluster.make_primary(bindir, root, *TUNING, *PRIMARY_TUNING, durable=True)
        clusters["primary"] = primary
        primary.psql("postgres", f"CREATE DATABASE {DB}")
        # the web nodes' own login, with the rights the migrations' tables will need
        primary.psql(
            DB,
            f"CREATE EXTENSION pg_stat_statements; CREATE ROLE {WEB_USER} LOGIN; "
            f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public "
            f"GRANT ALL ON TABLES TO {WEB_USER}; "
            f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public "
            f"GRANT ALL ON SEQUENCES TO {WEB_USER}",
        )
        env = lifecycle.base_env(primary.url(DB))
        env["SHUZHENG_STATIC_ROOT"] = str(WORK / "static")
        env["SHUZHENG_MEDIA_ROOT"] = str(WORK / "media")
        t0 = time.perf_counter()
        for cmd in lifecycle.demo_steps() if args.all_demo_data else SETUP:
            lifecycle.sh([str(lifecycle.BIN / "shuzheng"), *cmd], env)
        replica = pgcluster.make_replica(primary, root, *TUNING)
        clusters["replica"] = replica
        pgcluster.wait_replayed(primary, replica, DB)
        print(f"  ready in {time.perf_counter() - t0:.0f} s (primary and replica)", flush=True)
        # docs/deploy/storage-and-replicas.md §2: DATABASE_URL and SHUZHENG_REPLICA_URL on
        # every node (REPLICA_PIN_SECONDS left at its default)
        env["SHUZHENG_REPLICA_URL"] = replica.url(DB)
        web_env = {
            **env,
            "DATABASE_URL": primary.url(DB, WEB_USER),
            "SHUZHENG_REPLICA_URL": replica.url(DB, WEB_USER),
        }

        roles: list[Role] = []
        stack.callback(stop_all, roles)
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
                web_env,
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

        one = phase("1 web node", [port_a], tokens, args, clusters)
        port_b = web("web-b")
        two = phase("2 web nodes", [port_a, port_b], tokens, args, clusters)
        out["phases"] = [one, two]
        out["ratio"] = two["per_s"] / one["per_s"] if one["per_s"] else None
        print("  probing where single unpinned GET requests read …", flush=True)
        mine, _ = h.api("GET", "/api/v1/cases", tokens[0].citizen)
        out["probe"] = probe(port_a, tokens[0], mine["items"][0]["case_no"], args, clusters)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    print()
    print(
        f"{'web nodes':>10} {'lifecycles/s':>13} {'p50 ms':>8} {'p95 ms':>8} {'failed':>7}"
        f"  {'replica share of web reads':>27}"
    )
    for ph in out["phases"]:
        ms, rs = ph["lifecycle_ms"], ph["replica_share"]
        print(
            f"{ph['web_nodes']:>10} {ph['per_s']:>13.1f} {ms['p50_ms'] or 0:>8.0f} "
            f"{ms['p95_ms'] or 0:>8.0f} {ph['failed']:>7}  "
            f"{rs['statements']['share']:>10.1%} of statements, {rs['rows']['share']:.1%} of rows"
        )
    if out["ratio"] is not None:
        print(f"two nodes / one: {out['ratio']:.2f}×  ({out['cores']} cores on this machine)")
    for ph in out["phases"]:
        c, rs, n = ph["cpu"], ph["replica_share"], ph["web_nodes"]
        st, rows, rep = rs["statements"], rs["rows"], ph["databases"]["replica"]
        print(
            f"  {n} node(s): CPU clients {c['clients_cpu_s']:.0f} s, roles "
            f"{c['server_cpu_s']:.0f} s, primary {c['primary_cpu_s']:.0f} s, replica "
            f"{c['replica_cpu_s']:.1f} s, other load {c['other_share']:.0%} of the machine, "
            f"idle {c['idle_share']:.0%}; load average {ph['loadavg_1min']['start']:.1f} → "
            f"{ph['loadavg_1min']['end']:.1f}"
        )
        print(
            f"    web nodes' reads: replica {st['replica']:,} statements ({rows['replica']:,} "
            f"rows), primary {st['primary']:,} ({rows['primary']:,} rows; "
            f"{rs['primary_locking_reads']:,} FOR UPDATE/SHARE); writes: primary "
            f"{rs['web_writes']['primary']:,}, replica {rs['web_writes']['replica']}; "
            f"worker + scheduler statements: primary {rs['other_roles']['primary']:,}, replica "
            f"{rs['other_roles']['replica']}"
        )
        sd = {db: ph["databases"][db]["pg_stat_database"] for db in ("primary", "replica")}
        print(
            "    pg_stat_database (every role, catalog reads and this script's queries "
            f"included): transactions primary {sd['primary']['xact_commit']:,}, replica "
            f"{sd['replica']['xact_commit']:,}; rows returned + fetched primary "
            f"{sd['primary']['tup_returned'] + sd['primary']['tup_fetched']:,}, replica "
            f"{sd['replica']['tup_returned'] + sd['replica']['tup_fetched']:,}"
        )
        gp = ph["gets_pinned"]
        print(
            f"    lifecycles whose GET (prepare) went pinned to the primary: {gp['pinned']} of "
            f"{gp['of']}; writes refused in the replica's log: {rep['refused_writes_in_log']}; "
            f"replica lag at the end {rep['lag_at_end']['seconds']:.2f} s "
            f"({rep['lag_at_end']['bytes']:,} bytes)"
        )
    print("  single GETs from a client that has not written (per request; nothing else running):")
    for pr in out["probe"]:
        print(
            f"    {pr['request']:<28} reads on the replica {pr['replica_reads']:>4.1f}, on the "
            f"primary {pr['primary_reads']:>4.1f}; writes {pr['writes']:.1f}"
        )
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
