"""Restores re-verify the audit chain and its anchored head (docs/deploy/backup.md): a platform
database with audited actions and anchors is backed up both ways a site does it — a base backup
(``pg_basebackup -X stream``, started as a cluster of its own) and a dump (``pg_dump -Fc`` →
``pg_restore`` into a new database) — and ``shuzheng verify_restore`` passes on each restored
copy; a row rewritten, or the newest records lost, and it fails naming them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy import pgcluster
from tests.deploy.conftest import Replicated

pytestmark = [pytest.mark.deploy, pytest.mark.django_db]

CLI = [sys.executable, "-m", "shuzheng.cli"]
# audited actions and two anchors, written by the platform itself into the primary
WRITE = """
import django; django.setup()
from django.db import transaction
from shuzheng.audit import facade as audit
for batch in range(2):
    with transaction.atomic():
        for i in range(3):
            audit.record(actor="user:tester", action="test.restore", object_type="test.thing",
                         object_id=f"{batch}-{i}", after={"名": "恢复测试", "i": i})
    ref = audit.anchor()
print(ref.seq)
"""


@dataclass
class Restored:
    source: Replicated
    cluster: pgcluster.Cluster  # the base backup, started
    anchors: Path
    head: int  # the anchored head written before the backups

    def env(self, cluster: pgcluster.Cluster, db: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": cluster.url(db),
            "SHUZHENG_DEMO": "1",
            "SHUZHENG_TESTING": "",
            "SHUZHENG_TEST_TODAY": "",
            "SHUZHENG_AUDIT_ANCHOR_DIR": str(self.anchors),
        }

    def verify(
        self, cluster: pgcluster.Cluster, db: str, *args: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, "verify_restore", *args], env=self.env(cluster, db),
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip


@pytest.fixture(scope="module")
def restored(replicated: Replicated) -> Iterator[Restored]:
    root = Path(tempfile.mkdtemp(prefix="shuzheng-restore-"))
    pgcluster.own(root)
    anchors = root / "anchors"
    primary, db = replicated.primary, replicated.db
    env = {**Restored(replicated, primary, anchors, 0).env(primary, db)}
    wrote = subprocess.run(
        [sys.executable, "-c", WRITE], env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert wrote.returncode == 0, wrote.stderr[-3000:]
    head = int(wrote.stdout.split()[-1])
    # a base backup with the WAL it needs, started as a cluster of its own on another port
    base = root / "base"
    base.mkdir(mode=0o700)
    pgcluster.own(base)
    pgcluster.run(
        [str(primary.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
         "-U", "postgres", "-D", str(base), "-X", "stream", "-c", "fast"]
    )  # fmt: skip
    cluster = pgcluster.Cluster(primary.bindir, base, pgcluster.free_port())
    cluster.start()
    try:
        yield Restored(replicated, cluster, anchors, head)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_base_backup_restores_with_its_chain_and_anchored_head(restored):  # type: ignore[no-untyped-def]
    done = restored.verify(restored.cluster, restored.source.db, "--head", str(restored.head))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "审计链完整" in done.stdout
    assert f"锚点：已校验 2 个，最新锚定第 {restored.head} 条。" in done.stdout
    assert f"预期的链头（第 {restored.head} 条）在链中" in done.stdout


def test_a_dump_restores_into_a_new_database_and_a_rewritten_row_fails(restored):  # type: ignore[no-untyped-def]
    primary, cluster = restored.source.primary, restored.cluster
    cluster.psql("postgres", "CREATE DATABASE from_dump")
    dump = subprocess.Popen(
        [str(primary.bindir / "pg_dump"), "-Fc", "-h", "127.0.0.1", "-p", str(primary.port),
         "-U", "postgres", restored.source.db],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    subprocess.run(
        [str(primary.bindir / "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
         "-d", "from_dump"],
        stdin=dump.stdout, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert dump.wait(timeout=60) == 0
    ok = restored.verify(cluster, "from_dump", "--head", str(restored.head))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    # someone with the database's keys rewrites a record before the anchored head
    seq = restored.head - 2
    cluster.psql(
        "from_dump",
        f'UPDATE audit_auditrecord SET after = \'{{"名": "改过"}}\' WHERE seq = {seq}',
    )
    bad = restored.verify(cluster, "from_dump")
    assert bad.returncode != 0
    assert "审计链校验失败" in bad.stderr and f"第 {seq} 条" in bad.stderr


def test_records_lost_after_the_anchor_fail(restored):  # type: ignore[no-untyped-def]
    cluster = restored.cluster
    cluster.psql("postgres", "CREATE DATABASE cut TEMPLATE shuzheng")
    cluster.psql("cut", f"DELETE FROM audit_auditrecord WHERE seq >= {restored.head}")
    lost = restored.verify(cluster, "cut")
    assert lost.returncode != 0
    assert "审计链校验失败" in lost.stderr
    short = restored.verify(cluster, "cut", "--head", str(restored.head + 1))
    assert short.returncode != 0
