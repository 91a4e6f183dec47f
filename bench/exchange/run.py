"""Data API benchmark: grant and consent checks, masking and the audit write, at concurrency.

    cd /work/main && .venv/bin/python bench/exchange/run.py            # SQLite and PostgreSQL
    .venv/bin/python bench/exchange/run.py --db sqlite --seconds 20 --concurrency 8

For each database it
(a) builds a fresh database with the demo data (``migrate``, ``seed_demo``, ``seed_exchange``),
    approves a 婚姻登记 share for demo-mz-system (purpose 政务服务, so two fields are masked)
    and records the consent of 200 registry people to demo-bank for 社保参保 — all through the
    exchange's own services — and lifts the demo clients' rate limits;
(b) starts the server exactly as ``make demo`` does, ``shuzheng serve --port N --no-worker``
    (granian, 2 workers × 4 threads), and drives ``GET /api/v1/exchange/data/{code}?subject=``
    over keep-alive HTTP/1.1 connections from an asyncio client in this process: half the calls
    from the government system (share-grant check), half from the bank (per-subject consent
    check), over ~300 different subjects; every call masks and appends to the hash-chained audit
    log (SM3 by default, like production);
(c) runs the named peer in the same run: **the same calls without the audit write** (the same
    ``shuzheng serve`` command with ``--app bench.exchange.noaudit_app:application``, which
    replaces the data API's audit append by a no-op) — the cost of tamper-evidence; then the
    batch form (POST of 20 subjects per call, one audit record per call), as subjects/s;
(d) checks that every measured call left exactly one audit record and one call-log row, and
    that the audit chain verifies;
(e) prints calls/s and p50/p95/p99 latency, with X-Road's published dimensioning figure as
    context, and writes bench/results/exchange.json (git-ignored).

Client and server share this machine's cores, so the figures are a lower bound.
PostgreSQL runs as a private cluster (``/usr/lib/postgresql/15/bin``, user postgres via
runuser, like ``.ci/run``) with ``synchronous_commit=off``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "exchange.json"
PGBIN = Path("/usr/lib/postgresql/15/bin")
MARRIAGE = "201001/000001"
SOCIAL = "203001/000001"
TARGET_RPS = 500
TARGET_P99_MS = 50.0
XROAD_NOTE = (
    "X-Road (Suomi.fi Data Exchange Layer, published sizing): a 2-vcore security server for "
    "'light production use' is rated at < 50 requests/minute (≤ 500 KB messages) at a "
    "continuous steady load — a dimensioning guideline for signed SOAP/REST messages, not a "
    "like-for-like measurement."
)


# --- preparing a database (runs in a child process with Django configured for it) ----------------


def prepare(database_url: str) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SHUZHENG_DEMO", "1")
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from shuzheng.exchange import services
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.exchange.models import Consumer, RegistryRecord
    from shuzheng.identity.contracts import Principal
    from shuzheng.identity.demo import seed_demo

    call_command("migrate", verbosity=0, interactive=False)
    seed_demo()
    seed_exchange()
    Consumer.objects.update(rate_per_minute=100_000_000)
    mz = Principal(
        kind="client",
        username="demo-mz-system",
        client_id="demo-mz-system",
        client_kind="government",
        client_department="441200-MZJ",
    )
    req = services.request_submit(
        principal=mz,
        resource_code=MARRIAGE,
        fields=[
            "person.marital_status",
            "marriage.registered_on",
            "marriage.spouse_name",
            "marriage.spouse_id_number",
            "marriage.registry_office",
        ],
        purpose="service",
        scenario="最低生活保障审核：核对婚姻状况（基准测试）",
        legal_basis="《社会救助暂行办法》第十一条",
        days=30,
    )
    officer = Principal(
        kind="staff", username="demo-dataofficer", staff_roles=(("data_officer", "441200-MZJ"),)
    )
    services.request_decide(principal=officer, request_id=req.pk, decision="approve", note="同意")
    gov = list(
        RegistryRecord.objects.filter(resource__code=MARRIAGE)
        .order_by("subject_id")
        .values_list("subject_id", flat=True)[:200]
    )
    bank = list(
        RegistryRecord.objects.filter(resource__code=SOCIAL)
        .order_by("-subject_id")
        .values_list("subject_id", flat=True)[:200]
    )
    for n, sid in enumerate(bank):
        person = Principal(kind="person", username=f"bench-{n}", id_number=sid)
        services.consent_grant(
            principal=person,
            requester="demo-bank",
            resource_code=SOCIAL,
            purpose="个人经营贷款审批（基准测试）",
            days=30,
            fields=[
                "social_insurance.status",
                "social_insurance.pension_months",
                "social_insurance.base",
            ],
        )
    return {"gov": gov, "bank": bank}


def check(database_url: str, since: dict[str, int] | None, verify: bool) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SHUZHENG_DEMO", "1")
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    import django

    django.setup()
    from shuzheng.audit import facade as audit
    from shuzheng.audit.models import AuditRecord
    from shuzheng.exchange.models import DataCall

    counts = {
        "audit_data": AuditRecord.objects.filter(action__startswith="exchange.data_").count(),
        "calls": DataCall.objects.count(),
    }
    out: dict[str, Any] = {"counts": counts}
    if since is not None:
        out["delta"] = {k: counts[k] - since[k] for k in counts}
    if verify:
        t0 = time.perf_counter()
        result = audit.verify()
        out["verify"] = {
            "ok": result.ok,
            "checked": result.checked,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    return out


def child(action: str, database_url: str, *args: str) -> Any:
    env = {**os.environ, "DATABASE_URL": database_url, "SHUZHENG_DEMO": "1"}
    env.pop("SHUZHENG_TESTING", None)
    out = subprocess.run(
        [sys.executable, __file__, "--child", action, database_url, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{action} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, port: int, *, audit: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHUZHENG_DEMO": "1",
        "SHUZHENG_LOG_LEVEL": "ERROR",
    }
    env.pop("SHUZHENG_TESTING", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    cmd = [str(BIN / "shuzheng"), "serve", "--port", str(port), "--no-worker"]
    if not audit:  # the same server and command line, with the baseline application
        cmd += ["--app", "bench.exchange.noaudit_app:application"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def token(port: int, client_id: str) -> str:
    body = json.dumps({"client_id": client_id, "client_secret": "Demo@12345"}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return str(json.loads(resp.read())["access_token"])


# --- the load ------------------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and "close" in value.lower():
            close = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    else:
        body = await reader.readexactly(length)
    return status, body, close


async def _worker(
    port: int,
    requests: list[bytes],
    start: float,
    measure_from: float,
    stop_at: float,
    latencies: list[float],
    statuses: Counter[int],
    seed: int,
    total: list[int],
) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        req = requests[rng.randrange(len(requests))]
        t0 = time.perf_counter()
        writer.write(req)
        try:
            status, _, close = await _read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        t1 = time.perf_counter()
        total[0] += 1
        if t0 >= measure_from:
            latencies.append(t1 - t0)
            statuses[status] += 1
        if close:
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


def build_requests(port: int, subjects: dict[str, list[str]], batch: int = 0) -> list[bytes]:
    """Single-subject GETs, or (``batch`` > 0) POSTs of ``batch`` subjects each."""
    tokens = {"gov": token(port, "demo-mz-system"), "bank": token(port, "demo-bank")}
    codes = {"gov": MARRIAGE, "bank": SOCIAL}
    out = []
    for who in ("gov", "bank"):
        head = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {tokens[who]}\r\n"
        ids = subjects[who]
        if not batch:
            for sid in ids:
                out.append(
                    (
                        f"GET /api/v1/exchange/data/{codes[who]}?subject={sid} HTTP/1.1\r\n"
                        f"{head}Connection: keep-alive\r\n\r\n"
                    ).encode()
                )
            continue
        for start in range(0, len(ids) - batch + 1, batch):
            body = json.dumps({"subjects": ids[start : start + batch]}).encode()
            out.append(
                (
                    f"POST /api/v1/exchange/data/{codes[who]} HTTP/1.1\r\n{head}"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    "Connection: keep-alive\r\n\r\n"
                ).encode()
                + body
            )
    return out


def load(
    port: int, requests: list[bytes], *, concurrency: int, warmup: float, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    total = [0]

    async def main() -> None:
        start = time.perf_counter()
        measure_from = start + warmup
        stop_at = measure_from + seconds
        await asyncio.gather(
            *[
                _worker(port, requests, start, measure_from, stop_at, latencies, statuses, i, total)
                for i in range(concurrency)
            ]
        )

    asyncio.run(main())
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else float("nan")

    return {
        "calls": len(lat),
        "calls_including_warmup": total[0],
        "calls_per_s": round(len(lat) / seconds, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(lat), 2) if lat else None,
        "statuses": dict(statuses),
    }


# --- databases -----------------------------------------------------------------------------------


class Postgres:
    """A private PostgreSQL 15 cluster in a temporary directory (like .ci/run)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="shuzheng-bench-pg."))
        self.port = free_port()

    def _as_pg(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._as_pg(
            str(PGBIN / "initdb"),
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._as_pg(
            str(PGBIN / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 "
            "-c synchronous_commit=off -c max_connections=100 -c shared_buffers=256MB",
            "start",
        )
        self._as_pg(
            str(PGBIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "shuzheng",
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/shuzheng"

    def stop(self) -> None:
        try:
            self._as_pg(str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def run_one(db: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {db}: preparing a fresh database with the demo data …", flush=True)
    subjects = child("prepare", url)
    results: dict[str, Any] = {}
    runs = [("with audit (shuzheng)", True, 0), ("peer: same call, no audit write", False, 0)]
    if args.batch:
        runs.append((f"batch of {args.batch} subjects, with audit", True, args.batch))
    for label, audit, batch in runs:
        port = free_port()
        before = child("check", url, "null", "0")["counts"]
        server = start_server(url, port, audit=audit)
        try:
            requests = build_requests(port, subjects, batch)
            r = load(
                port,
                requests,
                concurrency=args.concurrency,
                warmup=args.warmup,
                seconds=args.seconds,
            )
        finally:
            stop_server(server)
        after = child("check", url, json.dumps(before), "1" if audit and args.verify else "0")
        r["audit_records_added"] = after["delta"]["audit_data"]
        r["call_log_rows_added"] = after["delta"]["calls"]
        sent = r["calls_including_warmup"]
        r["one_audit_record_per_call"] = r["audit_records_added"] == (sent if audit else 0)
        r["call_log_rows_per_subject"] = r["call_log_rows_added"] == sent * (batch or 1)
        if "verify" in after:
            r["audit_chain"] = after["verify"]
        results[label] = r
        r["load_average_after"] = round(os.getloadavg()[0], 2)
        if batch:
            r["subjects_per_s"] = round(r["calls_per_s"] * batch, 1)
        print(
            f"   {label:34s} {r['calls_per_s']:8.1f} calls/s   p50 {r['p50_ms']:6.2f} ms   "
            f"p95 {r['p95_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms   statuses {r['statuses']}"
            + (f"   = {r['subjects_per_s']:.0f} subjects/s" if batch else ""),
            flush=True,
        )
    return results


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        action, url = sys.argv[2], sys.argv[3]
        if action == "prepare":
            print(json.dumps(prepare(url)))
        else:
            since = json.loads(sys.argv[4])
            print(json.dumps(check(url, since, sys.argv[5] == "1")))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--batch", type=int, default=20, help="also measure POSTs of this many subjects (0: skip)"
    )
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip walking the whole audit chain afterwards",
    )
    args = parser.parse_args()
    algorithm = os.environ.get("SHUZHENG_AUDIT_HASH", "sm3")
    print(
        f"bench/exchange — {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, audit hash {algorithm}, "
        f"{args.concurrency} connections, {args.seconds:.0f} s measured after {args.warmup:.0f} s; "
        f"load average before: {os.getloadavg()[0]:.2f} (other processes share the cores)"
    )
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cores": os.cpu_count(),
        "audit_hash": algorithm,
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "load_average_before": round(os.getloadavg()[0], 2),
        "results": {},
        "xroad_context": XROAD_NOTE,
    }
    if args.db in ("sqlite", "both"):
        path = Path(tempfile.mkdtemp(prefix="shuzheng-bench-")) / "exchange.sqlite3"
        try:
            report["results"]["sqlite"] = run_one("sqlite", f"sqlite:///{path}", args)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
    if args.db in ("postgres", "both"):
        if not (PGBIN / "initdb").exists():
            print("PostgreSQL 15 binaries not found; skipping PostgreSQL")
        else:
            pg = Postgres()
            try:
                report["results"]["postgres"] = run_one("postgres", pg.start(), args)
            finally:
                pg.stop()
    print(
        f"\nsummary (target ≥ {TARGET_RPS} calls/s, p99 < {TARGET_P99_MS:.0f} ms, "
        "with the audit write):"
    )
    for db, res in report["results"].items():
        main_r = res["with audit (shuzheng)"]
        peer = res["peer: same call, no audit write"]
        ok = main_r["calls_per_s"] >= TARGET_RPS and main_r["p99_ms"] < TARGET_P99_MS
        print(
            f"  {db:8s} {main_r['calls_per_s']:7.1f} calls/s, p99 {main_r['p99_ms']:.1f} ms "
            f"{'MEETS' if ok else 'MISSES'} target; audit costs "
            f"{100 * (1 - main_r['calls_per_s'] / peer['calls_per_s']):.0f}% of throughput vs "
            f"the no-audit peer ({peer['calls_per_s']:.1f} calls/s, p99 {peer['p99_ms']:.1f} ms); "
            f"{main_r['audit_records_added']} audit records for "
            f"{main_r['calls_including_warmup']} calls, one each: "
            f"{main_r['one_audit_record_per_call']}"
        )
        for key, b in res.items():
            if key.startswith("batch"):
                print(
                    f"           {key}: {b['subjects_per_s']:.0f} subjects/s "
                    f"({b['calls_per_s']:.1f} calls/s, p99 {b['p99_ms']:.1f} ms), "
                    f"one audit record per call: {b['one_audit_record_per_call']}"
                )
        if "audit_chain" in main_r:
            print(f"           audit chain verifies: {main_r['audit_chain']}")
    print(f"  context: {XROAD_NOTE}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
