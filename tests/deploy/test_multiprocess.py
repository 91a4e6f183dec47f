"""The platform as several processes (issue 22, Done when): two web nodes (``shuzheng web``), two
task workers (``shuzheng worker``) and a scheduler (``shuzheng scheduler``) on a PostgreSQL
primary with a streaming replica (fixture ``replicated``) and an S3-compatible store
(moto_server). A case with an upload is filed through one web node and read, with the upload's
bytes, from the other; tasks run on both workers; then the scheduler and a worker are killed
(SIGKILL), a new scheduler takes over, and every task ran exactly once, no scheduler slot ran
twice, and the audit chain verifies.

Run it on its own: ``DATABASE_URL=postgres://… pytest tests/deploy/test_multiprocess.py``.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shuzheng.files.tests import samples
from shuzheng.identity.demo import DEMO_PASSWORD
from tests.deploy import objectstore, pgcluster
from tests.deploy.conftest import Replicated

pytestmark = [pytest.mark.deploy, pytest.mark.django_db]

CLI = [sys.executable, "-m", "shuzheng.cli"]
BUCKET = "shuzheng-multiprocess"
LEASE = 2.0  # the scheduler's lease, short so that a takeover happens within the test

SEED_CATALOG = """
import django; django.setup()
import datetime as dt, time_machine
from shuzheng.catalog import services
from shuzheng.cases.tests.conftest import license_item
with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
    services.catalog_import(actor="user:demo-admin", doc={"items": [license_item()]}, publish=True)
from shuzheng.catalog.tests import fixtures
print(fixtures.code_of(license_item()))
"""
ENQUEUE = """
import sys, django; django.setup()
from shuzheng.console.tests.tasks_for_tests import note_run
for n in range(int(sys.argv[2]), int(sys.argv[3])):
    note_run.enqueue(sys.argv[1], n, 0.1)
"""


class Platform:
    def __init__(self, replicated: Replicated, s3: objectstore.S3Server, root: Path) -> None:
        self.db = replicated
        self.s3 = s3
        self.item = ""  # the catalog item the case is filed under
        self.root = root
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.log = (root / "roles.log").open("w")
        self.ports = [pgcluster.free_port(), pgcluster.free_port()]
        self.env = {
            **os.environ,
            "DATABASE_URL": replicated.primary.url(replicated.db),
            "SHUZHENG_REPLICA_URL": replicated.replica.url(replicated.db),
            **s3.env(BUCKET),
            "SHUZHENG_DEMO": "1",
            "SHUZHENG_TESTING": "",
            "SHUZHENG_TEST_TODAY": "",
            "SHUZHENG_LOG_LEVEL": "WARNING",
            "SHUZHENG_MEDIA_ROOT": str(root / "media"),
            "SHUZHENG_STATIC_ROOT": str(root / "static"),
            "SHUZHENG_AUDIT_ANCHOR_DIR": str(root / "anchors"),
        }

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        p = subprocess.Popen([*CLI, *args], env=self.env, stdout=self.log, stderr=self.log)
        self.procs[name] = p
        return p

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*CLI, *args] if args[0] != "-c" else [sys.executable, *args],
            env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        return done.stdout

    def sql(self, query: str) -> str:
        return self.db.primary.psql(self.db.db, query)

    def url(self, node: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[node]}{path}"

    def logs(self) -> str:
        self.log.flush()
        return (self.root / "roles.log").read_text(errors="replace")[-6000:]

    def wait(self, what: str, check: Any, timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, p in self.procs.items():
                assert p.poll() is None or name.startswith("killed"), (
                    f"{name} exited\n{self.logs()}"
                )
            found = check()
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{what}: not within {timeout} s {_last_answer}\n{self.logs()}")

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        self.log.close()


_last_answer: dict[str, str] = {}


def _ready(url: str) -> bool:
    try:
        r = requests.get(url, timeout=2)
    except requests.RequestException as exc:
        _last_answer[url] = str(exc)
        return False
    _last_answer[url] = r.text
    return r.status_code == 200


def _holder_pid(platform: Platform) -> int | None:
    holder = platform.sql("SELECT holder FROM console_schedulerlease WHERE expires_at > now()")
    return int(holder.rsplit("-", 2)[1]) if holder else None


@pytest.fixture(scope="module")
def platform(replicated: Replicated) -> Iterator[Platform]:
    binary = objectstore.moto_server_path()
    if binary is None:
        pytest.skip("moto_server not installed (pip install -e '.[dev]' installs moto[server])")
    root = Path(tempfile.mkdtemp(prefix="shuzheng-roles-"))
    s3 = objectstore.start(binary)
    p = Platform(replicated, s3, root)
    try:
        s3.client().create_bucket(Bucket=BUCKET)
        p.item = p.run("-c", SEED_CATALOG).split()[-1]
        for node, port in enumerate(p.ports):
            p.start(f"web{node + 1}", "web", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", "1", "--threads", "2")  # fmt: skip
        for w in ("w1", "w2"):
            p.start(w, "worker", "--worker-id", w, "--interval", "0.1", "--no-startup-delay")
        p.start("scheduler", "scheduler", "--lease", str(LEASE), "--renew", "0.5")
        for node in (0, 1):
            p.wait(f"web{node + 1} ready", lambda n=node: _ready(p.url(n, "/readyz")))
        p.wait(
            "two workers running",
            lambda: p.sql("SELECT count(*) FROM core_taskworker WHERE state = 'running'") == "2",
        )
        p.wait("a scheduler leading", lambda: _holder_pid(p))
        yield p
    finally:
        p.stop()
        s3.stop()
        import shutil

        shutil.rmtree(root, ignore_errors=True)


def test_a_case_filed_on_one_node_is_read_with_its_upload_on_the_other(platform):  # type: ignore[no-untyped-def]
    web1 = requests.Session()  # a browser keeps its cookies (the replica pin) for the domain
    token = web1.post(
        platform.url(0, "/api/v1/auth/token"),
        json={"username": "demo-citizen", "password": DEMO_PASSWORD},
        timeout=60,
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    scans = {code: samples.pdf(n) for n, code in enumerate(("M1", "M2", "M3"), start=1)}
    ids = {}
    for code, data in scans.items():
        r = web1.post(
            platform.url(0, "/api/v1/files"),
            files={"file": (f"{code}.pdf", data, "application/pdf")},
            headers=auth, timeout=60,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        ids[code] = r.json()["file_id"]
    prep = web1.get(
        platform.url(0, f"/api/v1/cases/prepare?item_code={platform.item}"),
        headers=auth,
        timeout=60,
    )
    assert prep.status_code == 200, prep.text
    body = {
        "item_code": platform.item,
        "form": {**prep.json()["prefill"], "enterprise_name": "肇庆市星湖味道餐饮有限公司"},
        "materials": [{"material_code": c, "file_id": f} for c, f in ids.items()],
    }
    filed = web1.post(platform.url(0, "/api/v1/cases"), json=body, headers=auth, timeout=60)
    assert filed.status_code == 201, filed.text
    case_no = filed.json()["case_no"]

    # the other node, right after (pinned to the primary by the cookie the writes set)
    web2 = requests.Session()
    web2.cookies.update(web1.cookies)
    case = web2.get(platform.url(1, f"/api/v1/cases/{case_no}"), headers=auth, timeout=60)
    assert case.status_code == 200, case.text
    assert {m["file_id"] for m in case.json()["materials"]} == set(ids.values())
    for code, fid in ids.items():
        got = web2.get(platform.url(1, f"/api/v1/files/{fid}"), headers=auth, timeout=60)
        assert got.status_code == 200 and got.content == scans[code]

    # a client without the pin, once the replica has replayed: read from the replica
    pgcluster.wait_replayed(platform.db.primary, platform.db.replica, platform.db.db)
    fresh = requests.get(platform.url(1, f"/api/v1/cases/{case_no}"), headers=auth, timeout=60)
    assert fresh.status_code == 200 and fresh.json()["case_no"] == case_no

    keys = platform.s3.keys(BUCKET)
    for fid in ids.values():
        assert f"uploads/{fid.replace('-', '')[:2]}/{fid.replace('-', '')}.pdf" in keys
    media = Path(platform.env["SHUZHENG_MEDIA_ROOT"])
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_kill_the_scheduler_and_a_worker_nothing_lost_or_run_twice(platform):  # type: ignore[no-untyped-def]
    runs = platform.root / "runs.txt"
    done_sql = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE '%note_run' AND status = 'SUCCESSFUL'"
    )
    platform.run("-c", ENQUEUE, str(runs), "0", "8")
    platform.wait("8 tasks done", lambda: platform.sql(done_sql) == "8", timeout=90)

    leader = _holder_pid(platform)
    assert leader == platform.procs["scheduler"].pid
    for name in ("scheduler", "w1"):
        platform.procs[name].send_signal(signal.SIGKILL)
        platform.procs[name].wait(timeout=10)
        platform.procs[f"killed-{name}"] = platform.procs.pop(name)

    platform.run("-c", ENQUEUE, str(runs), "8", "16")  # only w2 is left to run them
    platform.start("scheduler2", "scheduler", "--lease", str(LEASE), "--renew", "0.5")
    new = platform.wait(
        "the new scheduler leads",
        lambda: (pid := _holder_pid(platform)) not in (None, leader) and pid,
        timeout=120,
    )
    assert new == platform.procs["scheduler2"].pid
    platform.wait("16 tasks done", lambda: platform.sql(done_sql) == "16", timeout=90)

    counts = collections.Counter(int(line.split()[0]) for line in runs.read_text().splitlines())
    assert counts == dict.fromkeys(range(16), 1)  # every task ran, and ran once
    claimed = platform.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE '%note_run' AND jsonb_array_length(worker_ids) <> 1"
    )
    assert claimed == "0"
    twice = platform.sql(
        "SELECT count(*) FROM (SELECT job, slot FROM console_scheduledrun "
        "GROUP BY job, slot HAVING count(*) > 1) t"
    )
    assert twice == "0"
    holders = platform.sql("SELECT count(DISTINCT holder) FROM console_scheduledrun")
    assert int(holders) >= 1
    out = platform.run("audit_verify")
    assert "审计链完整" in out
