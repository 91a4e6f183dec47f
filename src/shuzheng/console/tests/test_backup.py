"""Backup and restore (issue 16): a backup restored into a NEW database verifies its audit chain
and the anchored head there. On PostgreSQL with pg_dump/pg_restore; on SQLite with its backup
API (each database runs its own variant, so `make test-sqlite` and `make test-postgres` both
restore something)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from shuzheng.audit import facade as audit
from shuzheng.console.backup import BackupError, backup_restore

pytestmark = pytest.mark.django_db(transaction=True)

CLI = [sys.executable, "-m", "shuzheng.cli"]
UPLOAD = "uploads/2026/03/申请材料.pdf"
UPLOAD_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 40


@pytest.fixture
def source(settings, tmp_path):
    """A platform with audited changes, an upload and two anchors (the second made by the
    backup itself), in this test's own directories."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    (settings.MEDIA_ROOT / UPLOAD).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / UPLOAD).write_bytes(UPLOAD_BYTES)
    for batch in range(2):
        with transaction.atomic():
            for i in range(3):
                audit.record(
                    actor="user:tester",
                    action="test.backup",
                    object_type="test.thing",
                    object_id=f"{batch}-{i}",
                    after={"名": "备份测试", "i": i},
                )
        if batch == 0:
            assert audit.anchor() is not None
    return tmp_path


def _backup(tmp_path: Path) -> tuple[Path, dict]:
    call_command("backup", str(tmp_path / "backups"))
    (out,) = (tmp_path / "backups").iterdir()
    return out, json.loads((out / "manifest.json").read_text())


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """The restored platform: a new database, new files and anchor directories."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHUZHENG_DEMO": "1",
        "SHUZHENG_TESTING": "",
        "SHUZHENG_TEST_TODAY": "",
        "SHUZHENG_STATIC_ROOT": str(tmp_path / "static"),
        "SHUZHENG_MEDIA_ROOT": str(tmp_path / "restored-media"),
        "SHUZHENG_AUDIT_ANCHOR_DIR": str(tmp_path / "restored-anchors"),
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=300)


def _restore_and_verify(tmp_path: Path, backup: Path, manifest: dict, database_url: str) -> None:
    env = _env(tmp_path, database_url)
    restored = _cli(env, "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    anchor = manifest["anchor"]
    assert anchor is not None and manifest["counts"]["anchors"] == 2
    assert f"锚点：已校验 2 个，最新锚定第 {anchor['seq']} 条。" in restored.stdout
    assert "审计链完整" in restored.stdout
    # the restored platform on its own: chain and anchored head verify
    verified = _cli(env, "audit_verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"最新锚定第 {anchor['seq']} 条" in verified.stdout
    assert (tmp_path / "restored-media" / UPLOAD).read_bytes() == UPLOAD_BYTES
    for src in (tmp_path / "anchors").iterdir():
        assert (tmp_path / "restored-anchors" / src.name).read_bytes() == src.read_bytes()
    # a restore never goes over a database that is not empty
    again = _cli(env, "restore", str(backup))
    assert again.returncode != 0 and "不是空的" in again.stderr


def _refuses_a_damaged_backup(backup: Path) -> None:
    damaged = backup / "media.tar"
    data = bytearray(damaged.read_bytes())
    data[600] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"media\.tar 的 SHA-256 与清单不符"):
        backup_restore(source=backup)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…) for pg_dump/pg_restore; "
    "test_backup_restores_into_a_new_sqlite_database runs instead",
)
def test_backup_restores_into_a_new_postgresql_database(source):
    import psycopg

    backup, manifest = _backup(source)
    assert manifest["database"] == {"vendor": "postgresql", "file": "database.dump"}
    assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    db = connection.settings_dict
    name = f"{db['NAME']}_restore_{os.getpid()}"
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
        _restore_and_verify(source, backup, manifest, url)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _refuses_a_damaged_backup(backup)


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the SQLite variant (backup API); on PostgreSQL the pg_dump/pg_restore test runs",
)
def test_backup_restores_into_a_new_sqlite_database(source):
    backup, manifest = _backup(source)
    assert manifest["database"] == {"vendor": "sqlite", "file": "database.sqlite3"}
    target = source / "restored.sqlite3"
    _restore_and_verify(source, backup, manifest, f"sqlite:///{target}")
    _refuses_a_damaged_backup(backup)


def test_a_backup_records_what_it_holds(source):
    backup, manifest = _backup(source)
    head_seq, head_hash = audit.head()
    assert manifest["format"] == "shuzheng-backup/1"
    assert manifest["audit_head"] == {"seq": head_seq, "hash": head_hash}
    assert manifest["anchor"]["seq"] == head_seq and manifest["anchor"]["hash"] == head_hash
    assert manifest["counts"] == {"media_files": 1, "anchors": 2}
    assert sorted(p.name for p in backup.iterdir()) == sorted(
        [manifest["database"]["file"], "media.tar", "anchors.tar", "manifest.json"]
    )
