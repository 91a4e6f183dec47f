"""E-licence benchmark: issuances/s and token verifications/s per SM2 backend and suite.

    make bench-licenses        # or: SHUZHENG_TESTING=1 .venv/bin/python bench/licenses/run.py

Runs the platform's own services on a fresh SQLite database (WAL, the demo's settings) with
the demo data, in one process unless ``--procs`` says otherwise:

(a) **full issuance** (``licenses.services.license_issue``): validate, allocate the serial,
    sign the canonical payload, render the PDF (reportlab), PAdES-sign it (pyHanko, P-256),
    store it with its history event and audit record — one transaction each;
(b) **token verification, online** (``presentation_verify``): parse, check the seal signature,
    look up the presentation and the licence's status, write the 用证记录 row and the audit
    record — one transaction each, what ``POST /api/v1/licenses/verify`` does;
(c) **token verification, signature only**: parse + seal signature check (what an offline
    verifier with the PEM does, and the part that differs between backends);
(d) for (b) the cost of the audit record alone, and (what-if, labelled) the online figure if
    ``audit/hashing.py`` hashed with OpenSSL's SM3 (``cryptography``) instead of the
    pure-Python ``gmssl`` SM3 it uses today — identical digests;

for SM2-SM3 with each backend (``gmssl-pyx`` C, ``gmssl`` pure Python) and for the alternative
suites ED25519 and ECDSA-P256-SHA256. Targets on the 2-core machine: ≥ 20 issuances/s and
≥ 500 token verifications/s. Results also go to bench/results/licenses.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("SHUZHENG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
_BENCH_DB = Path(os.environ.get("BENCH_DB", "/tmp/shuzheng-bench-licenses.sqlite3"))
os.environ["DATABASE_URL"] = f"sqlite:///{_BENCH_DB}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from shuzheng.audit import facade as audit  # noqa: E402
from shuzheng.identity.contracts import Principal  # noqa: E402
from shuzheng.identity.demo import seed_demo  # noqa: E402
from shuzheng.licenses import demo, services, tokens  # noqa: E402
from shuzheng.seals import backends  # noqa: E402
from shuzheng.seals import facade as seals  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "licenses.json"
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
    """Throughput of ``procs`` processes doing ``n`` jobs each (like 2 gunicorn workers)."""
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--issues", type=int, default=40, help="issuances per configuration")
    ap.add_argument("--verifications", type=int, default=400, help="per configuration")
    ap.add_argument("--procs", type=int, default=2, help="processes for the parallel figure")
    args = ap.parse_args()
    fresh_database()
    print(f"shuzheng e-licence benchmark · {platform.python_version()} · {os.cpu_count()} cores")
    print(f"SM2 backends available: {', '.join(backends.available())}; database: {_BENCH_DB}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
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
    print("one process; per wall-clock second, and [per CPU-second of the process]")
    print(f"{'configuration':34} {'issue/s (≥20)':>20} {'verify/s (≥500)':>20} {'sig-only/s':>20}")
    for r in rows:
        print(
            f"{r['config']:34}"
            f" {r['issuances_per_s']:8.1f} [{r['issuances_per_cpu_s']:8.1f}] "
            f" {r['verifications_online_per_s']:8.1f} [{r['verifications_online_per_cpu_s']:8.1f}] "
            f" {r['verifications_signature_only_per_s']:8.1f} "
            f"[{r['verifications_signature_only_per_cpu_s']:8.1f}]"
        )
    # where the online verification time goes, for the default backend
    token = token_for("SM2-SM3", "gmssl-pyx")
    audit_rate = rate(audit_only, args.verifications // 2)
    audit_cpu = LAST_CPU
    par = parallel(lambda: verify_online(token, "gmssl-pyx"), args.verifications // 2, args.procs)
    par_sig = parallel(lambda: verify_signature(token, "gmssl-pyx"), args.verifications, args.procs)
    par_issue = parallel(lambda: issue("SM2-SM3", "gmssl-pyx"), args.issues // 2, args.procs)
    from shuzheng.audit import hashing

    original = hashing.digest

    def fast_digest(algorithm: str, data: bytes) -> str:
        return backends.sm3(data).hex() if algorithm == "sm3" else original(algorithm, data)

    assert fast_digest("sm3", b"abc") == original("sm3", b"abc")
    hashing.digest = fast_digest  # type: ignore[assignment]
    try:
        whatif = rate(lambda: verify_online(token, "gmssl-pyx"), args.verifications)
        whatif_cpu = LAST_CPU
        whatif_par = parallel(
            lambda: verify_online(token, "gmssl-pyx"), args.verifications // 2, args.procs
        )
    finally:
        hashing.digest = original  # type: ignore[assignment]
    print()
    print(
        f"audit record alone (pure-Python SM3 chain hash):    {audit_rate:8.1f} /s"
        f" [{audit_cpu:.1f} per CPU-s]"
    )
    print(f"{args.procs} processes (SM2-SM3, gmssl-pyx), like {args.procs} gunicorn workers:")
    print(f"  full issuance:                                    {par_issue:8.1f} /s")
    print(f"  online verify:                                    {par:8.1f} /s")
    print(f"  signature-only verify:                            {par_sig:8.1f} /s")
    print("what-if audit/hashing.py used OpenSSL's SM3 (same digests):")
    print(
        f"  online verify, SM2 gmssl-pyx, 1 process:          {whatif:8.1f} /s"
        f" [{whatif_cpu:.1f} per CPU-s]"
    )
    print(f"  online verify, SM2 gmssl-pyx, {args.procs} processes:        {whatif_par:8.1f} /s")
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("(CPU-second figures exclude time spent waiting for the CPU on a busy machine.)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "rows": rows,
                "audit_record_per_s": round(audit_rate, 1),
                "audit_record_per_cpu_s": round(audit_cpu, 1),
                f"issuances_{args.procs}_procs_per_s": round(par_issue, 1),
                f"online_verify_{args.procs}_procs_per_s": round(par, 1),
                f"signature_only_verify_{args.procs}_procs_per_s": round(par_sig, 1),
                "whatif_fast_audit_sm3": {
                    "online_verify_1_proc_per_s": round(whatif, 1),
                    "online_verify_1_proc_per_cpu_s": round(whatif_cpu, 1),
                    f"online_verify_{args.procs}_procs_per_s": round(whatif_par, 1),
                },
                "cpu_count": os.cpu_count(),
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
