"""E-licence benchmark: issuances/s and token verifications/s per SM2 backend and suite.

    make bench-licenses        # or: SHUZHENG_TESTING=1 .venv/bin/python bench/licenses/run.py
    make bench-licenses LICENSES_ARGS="--verifications 100 --http-seconds 5"   # a short run

Builds a fresh SQLite database (WAL, the demo's settings) with the demo data and measures, in
one run (see bench/licenses/README.md for what each figure includes):

in process — the platform's own services called directly, no HTTP, one process unless said:
(a) **full issuance** (``licenses.services.license_issue``): validate, allocate the serial,
    sign the canonical payload, render the PDF (reportlab), PAdES-sign it (pyHanko, P-256),
    store it with its history event and audit record — one transaction each;
(b) **token verification, online** (``presentation_verify``): parse, check the seal signature,
    look up the presentation and the licence's status, write the 用证记录 row and the audit
    record — one transaction each, what ``POST /api/v1/licenses/verify`` does;
(c) **token verification, signature only**: parse + seal signature check (what an offline
    verifier with the PEM does, and the part that differs between backends);
(d) for (b) the cost of the audit record alone (hash-chained, SM3 through OpenSSL via
    ``cryptography``, as ``audit/hashing.py`` does), and (a)–(c) again with 2 forked processes
    (like the 2 web workers);

for SM2-SM3 with each backend (``gmssl-pyx`` C, ``gmssl`` pure Python) and for the alternative
suites ED25519 and ECDSA-P256-SHA256;

over HTTP — the real server, same run, same database:
(e) ``shuzheng serve --port N --no-worker`` (granian, 2 workers × 4 threads, SHUZHENG_DEMO=1),
    started as ``bench/exchange/run.py`` starts it, driven by that benchmark's asyncio
    keep-alive HTTP/1.1 client in this process: anonymous ``POST /api/v1/licenses/verify``
    with ``{"token": …}`` over several distinct 亮证 tokens of the demo licences (SM2-SM3, the
    default backend), at concurrency 8 for ``--http-seconds`` after a 2 s warm-up. Every
    response must say ``valid: true``; afterwards the bench checks that exactly one 用证记录
    row (kind verify) and one audit record (``licenses.verify``) were written per call, and
    that the audit chain verifies. Client and server share the machine's cores.

Targets on the 2-core machine: ≥ 20 issuances/s and ≥ 500 token verifications/s. Results also
go to bench/results/licenses.json (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(1, str(ROOT))  # for bench.exchange.run (the server starter and HTTP client)
os.environ.setdefault("SHUZHENG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
_BENCH_DB = Path(os.environ.get("BENCH_DB", "/tmp/shuzheng-bench-licenses.sqlite3"))
os.environ["DATABASE_URL"] = f"sqlite:///{_BENCH_DB}"

import django  # noqa: E402

django.setup()

from bench.exchange.run import _read_response, free_port, start_server, stop_server  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from shuzheng.audit import facade as audit  # noqa: E402
from shuzheng.audit.models import AuditRecord  # noqa: E402
from shuzheng.core.errors import DomainError  # noqa: E402
from shuzheng.identity.contracts import Principal  # noqa: E402
from shuzheng.identity.demo import seed_demo  # noqa: E402
from shuzheng.licenses import demo, services, tokens  # noqa: E402
from shuzheng.licenses.models import License, LicenseUse  # noqa: E402
from shuzheng.seals import backends  # noqa: E402
from shuzheng.seals import facade as seals  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "licenses.json"
TARGET_ISSUE = 20
TARGET_VERIFY = 500
HOLDER = Principal(kind="person", username="demo-citizen", name="李明", id_number=demo.CITIZEN_ID)
DATA = {
    "name": "李明",
    "sex": "男",
    "ethnicity": "汉",
    "birth_date": "1990-05-12",
    "address": "广东省肇庆市端州区城东街道天宁北路12号",
    "id_number": demo.CITIZEN_ID,
    "authority": "肇庆市公安局端州分局",
}
# (label, suite, SM2 backend)
CONFIGS = [
    ("SM2-SM3 / gmssl-pyx (C)", "SM2-SM3", "gmssl-pyx"),
    ("SM2-SM3 / gmssl (pure Python)", "SM2-SM3", "gmssl"),
    ("ED25519 (cryptography)", "ED25519", None),
    ("ECDSA-P256-SHA256 (cryptography)", "ECDSA-P256-SHA256", None),
]
VERIFY_PATH = "/api/v1/licenses/verify"


def fresh_database() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{_BENCH_DB}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    seed_demo()
    services.license_types_load(actor="bench")


def rate(fn: Callable[[], Any], n: int) -> float:
    """Jobs per wall-clock second. Also records jobs per CPU-second of this process
    (``cpu_rate``): on a busy machine the wall figure drops, the CPU figure does not."""
    fn()  # warm up (seal creation, caches)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    wall = n / (time.perf_counter() - start)
    global LAST_CPU
    LAST_CPU = n / max(time.process_time() - cpu, 1e-9)
    return wall


LAST_CPU = 0.0


def issue(suite: str, backend: str | None) -> Any:
    return services.license_issue(
        actor="bench",
        license_type_name="居民身份证",
        holder_kind="person",
        holder_id=demo.CITIZEN_ID,
        holder_name="李明",
        department_code="441200-GAJ",
        data=DATA,
        issued_on="2021-06-15",
        algorithm=suite,
        backend=backend,
    )


def token_for(suite: str, backend: str | None) -> str:
    lic = issue(suite, backend)
    return services.presentation_create(
        principal=HOLDER,
        license_id=lic.license_id,
        fields=["name", "sex"],
        ttl_seconds=600,
        backend=backend,
    ).token


def verify_online(token: str, backend: str | None) -> None:
    v = services.presentation_verify(token=token, actor="anonymous", backend=backend)
    assert v.valid, v.reason


def verify_signature(token: str, backend: str | None) -> None:
    p = tokens.parse(token)
    assert p is not None
    d = p.payload
    out = seals.verify(
        d["kid"], p.payload_bytes, p.signature, algorithm=d["alg"], department_code=d["iss"],
        backend=backend,
    )  # fmt: skip
    assert out.valid


def audit_only() -> None:
    with transaction.atomic():
        audit.record(
            actor="anonymous",
            action="licenses.verify",
            object_type="licenses.license",
            object_id="1.2.156.3005.2.11440000MB0000002J001.11441200MB0000015K.202100000001.001.2",
            after={"reason": "ok", "nonce": "0" * 32, "fields": ["name", "sex"], "verifier": "",
                   "purpose": ""},
        )  # fmt: skip


def _child(job: Callable[[], Any], n: int) -> None:
    connections.close_all()
    for _ in range(n):
        job()


def parallel(job: Callable[[], Any], n: int, procs: int) -> float:
    """Throughput of ``procs`` processes doing ``n`` jobs each (like 2 web workers)."""
    job()  # warm up in the parent (caches are inherited by fork)
    connections.close_all()
    ctx = mp.get_context("fork")
    workers = [ctx.Process(target=_child, args=(job, n)) for _ in range(procs)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - start
    return procs * n / wall


# --- over HTTP: the real server, the same database ----------------------------------------------


def demo_tokens() -> list[tuple[int, str]]:
    """亮证 tokens (presentation pk, token) for the demo licences, made through the services by
    their holders: two field selections per licence, SM2-SM3 with the default backend."""
    demo.seed_licenses()
    agent = Principal(
        kind="agent",
        username="demo-agent",
        id_number=demo.AGENT_ID,
        enterprises=(demo.ENTERPRISE_USCC,),
    )
    out: list[tuple[int, str]] = []
    for lic in License.objects.filter(source="seed").select_related("license_type"):
        if lic.holder_kind == "person":
            holder = Principal(kind="person", username="bench-holder", id_number=lic.holder_id)
        else:
            holder = agent
        filled = [f for f in lic.license_type.labels() if lic.data.get(f)]
        for fields in (filled[:2], filled[:4]):
            try:
                p = services.presentation_create(
                    principal=holder, license_id=lic.license_id, fields=fields, ttl_seconds=600
                )
            except DomainError as exc:  # e.g. a demo licence past its validity
                print(f"  (no token for {lic.license_type.name} of {lic.holder_name}: {exc})")
                continue
            out.append((p.pk, p.token))
    return out


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of the live processes in ``root``'s process tree (the server:
    ``shuzheng serve``, the granian main process and its workers), from /proc."""
    parent: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(d.name)] = int(fields[1])
        times[int(d.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [c for c, pp in parent.items() if pp == pid and c not in tree]
    return sum(times.get(pid, 0.0) for pid in tree)


def wait_idle(pid: int, limit: float = 30.0) -> float:
    """Wait until the freshly started server is idle (each web worker builds the catalog
    search index in a background thread at start): its CPU time grows by < 0.02 s in 0.5 s."""
    start = time.perf_counter()
    last = tree_cpu_seconds(pid)
    while time.perf_counter() - start < limit:
        time.sleep(0.5)
        now = tree_cpu_seconds(pid)
        if now - last < 0.02:
            break
        last = now
    return round(time.perf_counter() - start, 1)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    answered: int = 0  # responses received, warm-up included
    valid: int = 0  # of those, bodies saying "valid": true
    reconnects: int = 0
    not_valid_sample: str = ""


async def _verify_worker(
    port: int, requests: list[bytes], measure_from: float, stop_at: float, t: Tally, seed: int
) -> None:
    """bench/exchange/run.py's keep-alive worker, also reading each body's verdict."""
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop_at:
        req = requests[rng.randrange(len(requests))]
        t0 = time.perf_counter()
        writer.write(req)
        try:
            status, body, close = await _read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            t.reconnects += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        t1 = time.perf_counter()
        t.answered += 1
        try:
            ok = status == 200 and json.loads(body)["valid"] is True
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            t.valid += 1
        elif not t.not_valid_sample:
            t.not_valid_sample = f"{status} {body[:300]!r}"
        if t0 >= measure_from:
            t.latencies.append(t1 - t0)
            t.statuses[status] += 1
        if close:
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


def verify_load(
    port: int,
    tokens_: list[str],
    *,
    server_pid: int,
    concurrency: int,
    warmup: float,
    seconds: float,
) -> dict[str, Any]:
    requests = []
    for tok in tokens_:
        body = json.dumps({"token": tok}).encode()
        requests.append(
            (
                f"POST {VERIFY_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: keep-alive\r\n\r\n"
            ).encode()
            + body
        )
    t = Tally()
    server_cpu: list[float] = []

    async def sample_server_cpu(measure_from: float, stop_at: float) -> None:
        for when in (measure_from, stop_at):
            await asyncio.sleep(max(0.0, when - time.perf_counter()))
            server_cpu.append(tree_cpu_seconds(server_pid))

    async def main() -> None:
        measure_from = time.perf_counter() + warmup
        stop_at = measure_from + seconds
        await asyncio.gather(
            sample_server_cpu(measure_from, stop_at),
            *[
                _verify_worker(port, requests, measure_from, stop_at, t, i)
                for i in range(concurrency)
            ],
        )

    cpu0 = time.process_time()
    asyncio.run(main())
    client_cpu = time.process_time() - cpu0
    lat = sorted(t.latencies)

    def pct(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else float("nan")

    return {
        "calls": len(lat),
        "calls_including_warmup": t.answered,
        "calls_per_s": round(len(lat) / seconds, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(lat), 2) if lat else None,
        "statuses": {str(k): v for k, v in sorted(t.statuses.items())},
        "all_valid": t.valid == t.answered > 0,
        "valid_responses": t.valid,
        "not_valid_sample": t.not_valid_sample,
        "reconnects": t.reconnects,
        "client_cpu_share": round(client_cpu / (warmup + seconds), 2),
        # per CPU-second of the server's processes (approximate: the calls counted are those
        # that started in the window): what the server does per core when it has the core to
        # itself — no client, no other processes
        "calls_per_server_cpu_s": round(len(lat) / max(server_cpu[1] - server_cpu[0], 1e-9), 1),
        "server_cpu_ms_per_call": round(1000 * (server_cpu[1] - server_cpu[0]) / len(lat), 2)
        if lat
        else None,
    }


def http_verify(args: argparse.Namespace) -> dict[str, Any]:
    pairs = demo_tokens()
    if not pairs:
        raise SystemExit("no demo licence could be presented")
    pks = [pk for pk, _ in pairs]
    uses = LicenseUse.objects.filter(kind=LicenseUse.Kind.VERIFY)
    verify_audits = AuditRecord.objects.filter(action="licenses.verify")
    before = {"uses": uses.count(), "audit": verify_audits.count()}
    connections.close_all()
    port = free_port()
    server = start_server(f"sqlite:///{_BENCH_DB}", port, audit=True)
    try:
        settle_s = wait_idle(server.pid)
        r = verify_load(
            port,
            [tok for _, tok in pairs],
            server_pid=server.pid,
            concurrency=args.http_concurrency,
            warmup=args.http_warmup,
            seconds=args.http_seconds,
        )
    finally:
        stop_server(server)
    r["server_settled_after_s"] = settle_s
    r["distinct_tokens"] = len(pairs)
    r["concurrency"] = args.http_concurrency
    r["seconds"] = args.http_seconds
    r["server_sm2_backend"] = os.environ.get("SHUZHENG_SM2_BACKEND") or backends.default_name()
    answered = r["calls_including_warmup"]
    r["use_rows_added"] = uses.count() - before["uses"]
    r["use_rows_for_these_tokens"] = uses.filter(presentation_id__in=pks).count()
    r["use_rows_not_ok"] = uses.filter(presentation_id__in=pks).exclude(result="ok").count()
    r["audit_records_added"] = verify_audits.count() - before["audit"]
    r["one_use_row_and_one_audit_record_per_call"] = (
        r["use_rows_added"] == r["use_rows_for_these_tokens"] == answered
        and r["audit_records_added"] == answered
        and r["use_rows_not_ok"] == 0
    )
    t0 = time.perf_counter()
    chain = audit.verify()
    r["audit_chain"] = {
        "ok": chain.ok,
        "checked": chain.checked,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return r


def verdict(value: float, target: float) -> str:
    return "meets" if value >= target else "MISSES"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--issues", type=int, default=40, help="issuances per configuration")
    ap.add_argument("--verifications", type=int, default=400, help="per configuration")
    ap.add_argument("--procs", type=int, default=2, help="processes for the parallel figure")
    ap.add_argument(
        "--http-seconds",
        type=float,
        default=10.0,
        help="measured seconds of HTTP token verification against the real server (0: skip)",
    )
    ap.add_argument("--http-warmup", type=float, default=2.0)
    ap.add_argument("--http-concurrency", type=int, default=8)
    args = ap.parse_args()
    fresh_database()
    load_before = os.getloadavg()
    print(f"shuzheng e-licence benchmark · {platform.python_version()} · {os.cpu_count()} cores")
    print(f"SM2 backends available: {', '.join(backends.available())}; database: {_BENCH_DB}")
    print(
        f"load average before: {', '.join(f'{x:.2f}' for x in load_before)}"
        " (the machine is shared: other processes take their part of the cores)\n"
    )
    rows: list[dict[str, Any]] = []
    for label, suite, backend in CONFIGS:
        slow = backend == "gmssl"
        n_issue = max(5, args.issues // 4) if slow else args.issues
        n_verify = max(20, args.verifications // 10) if slow else args.verifications
        issued = rate(lambda s=suite, b=backend: issue(s, b), n_issue)  # type: ignore[misc]
        issued_cpu = LAST_CPU
        token = token_for(suite, backend)
        online = rate(lambda t=token, b=backend: verify_online(t, b), n_verify)  # type: ignore[misc]
        online_cpu = LAST_CPU
        sig_only = rate(lambda t=token, b=backend: verify_signature(t, b), n_verify * 2)  # type: ignore[misc]
        sig_cpu = LAST_CPU
        rows.append(
            {
                "config": label,
                "issuances_per_s": round(issued, 1),
                "verifications_online_per_s": round(online, 1),
                "verifications_signature_only_per_s": round(sig_only, 1),
                "issuances_per_cpu_s": round(issued_cpu, 1),
                "verifications_online_per_cpu_s": round(online_cpu, 1),
                "verifications_signature_only_per_cpu_s": round(sig_cpu, 1),
            }
        )
    print("IN PROCESS (services called directly, no HTTP), one process;")
    print("per wall-clock second, and [per CPU-second of the process]")
    print(f"{'configuration':34} {'issue/s (≥20)':>20} {'verify/s (≥500)':>20} {'sig-only/s':>20}")
    for r in rows:
        print(
            f"{r['config']:34}"
            f" {r['issuances_per_s']:8.1f} [{r['issuances_per_cpu_s']:8.1f}] "
            f" {r['verifications_online_per_s']:8.1f} [{r['verifications_online_per_cpu_s']:8.1f}] "
            f" {r['verifications_signature_only_per_s']:8.1f} "
            f"[{r['verifications_signature_only_per_cpu_s']:8.1f}]"
        )
    # where the online verification time goes, and 2 processes, for the default backend
    token = token_for("SM2-SM3", "gmssl-pyx")
    audit_rate = rate(audit_only, args.verifications // 2)
    audit_cpu = LAST_CPU
    par = parallel(lambda: verify_online(token, "gmssl-pyx"), args.verifications // 2, args.procs)
    par_sig = parallel(lambda: verify_signature(token, "gmssl-pyx"), args.verifications, args.procs)
    par_issue = parallel(lambda: issue("SM2-SM3", "gmssl-pyx"), args.issues // 2, args.procs)
    print()
    print(
        f"audit record alone (OpenSSL SM3 chain hash):        {audit_rate:8.1f} /s"
        f" [{audit_cpu:.1f} per CPU-s]"
    )
    print(f"{args.procs} processes (SM2-SM3, gmssl-pyx), like {args.procs} web workers:")
    print(f"  full issuance:                                    {par_issue:8.1f} /s")
    print(f"  online verify:                                    {par:8.1f} /s")
    print(f"  signature-only verify:                            {par_sig:8.1f} /s")

    http: dict[str, Any] | None = None
    if args.http_seconds > 0:
        print(
            f"\nOVER HTTP: POST {VERIFY_PATH} (anonymous), the real server "
            "`shuzheng serve --no-worker` (granian 2 workers × 4 threads, SHUZHENG_DEMO=1) on "
            f"this run's database; {args.http_concurrency} keep-alive connections from an "
            f"asyncio client in this process, {args.http_seconds:g} s measured after "
            f"{args.http_warmup:g} s warm-up — client and server share the {os.cpu_count()} "
            "cores",
            flush=True,
        )
        http = http_verify(args)
        print(
            f"  {http['calls_per_s']:8.1f} calls/s   p50 {http['p50_ms']:.2f} ms   "
            f"p99 {http['p99_ms']:.2f} ms   statuses {http['statuses']}   "
            f"{http['distinct_tokens']} distinct tokens (SM2-SM3, {http['server_sm2_backend']})"
        )
        print(
            f"  valid=true in every response: {http['all_valid']} "
            f"({http['valid_responses']} of {http['calls_including_warmup']}, warm-up included)"
            + (f"; first other: {http['not_valid_sample']}" if http["not_valid_sample"] else "")
            + (f"; {http['reconnects']} reconnects" if http["reconnects"] else "")
        )
        print(
            f"  written: {http['use_rows_added']} 用证记录 rows (kind verify), "
            f"{http['audit_records_added']} audit records (licenses.verify) for "
            f"{http['calls_including_warmup']} calls — one each: "
            f"{http['one_use_row_and_one_audit_record_per_call']}; audit chain verifies: "
            f"{http['audit_chain']['ok']} ({http['audit_chain']['checked']} records)"
        )
        print(
            f"  server CPU: {http['server_cpu_ms_per_call']} ms per call = "
            f"{http['calls_per_server_cpu_s']:.1f} calls per server CPU-second (granian "
            f"main process + workers, from /proc); the client took ~"
            f"{100 * http['client_cpu_share']:.0f}% of one core"
        )

    gmssl_pyx = rows[0]
    print(
        f"\nTARGETS (SM2-SM3, gmssl-pyx): ≥ {TARGET_ISSUE} issuances/s, "
        f"≥ {TARGET_VERIFY} verifications/s"
    )
    summary = [
        ("full issuance, in process, 1 process", gmssl_pyx["issuances_per_s"], TARGET_ISSUE),
        (f"full issuance, in process, {args.procs} processes", par_issue, TARGET_ISSUE),
        (
            "token verification, in process, 1 process",
            gmssl_pyx["verifications_online_per_s"],
            TARGET_VERIFY,
        ),
        (f"token verification, in process, {args.procs} processes", par, TARGET_VERIFY),
    ]
    if http is not None:
        summary.append(
            (
                "token verification over HTTP (client on the same cores)",
                http["calls_per_s"],
                TARGET_VERIFY,
            )
        )
    for label, value, target in summary:
        print(f"  {label:58} {value:8.1f} /s  {verdict(value, target)} ≥ {target}")
    load_after = os.getloadavg()
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in load_after)}")
    print("(CPU-second figures exclude time spent waiting for the CPU on a busy machine.)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "cpu_count": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
                "rows": rows,
                "audit_record_per_s": round(audit_rate, 1),
                "audit_record_per_cpu_s": round(audit_cpu, 1),
                f"issuances_{args.procs}_procs_per_s": round(par_issue, 1),
                f"online_verify_{args.procs}_procs_per_s": round(par, 1),
                f"signature_only_verify_{args.procs}_procs_per_s": round(par_sig, 1),
                "http_verify": http,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
