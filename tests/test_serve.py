"""`shuzheng serve` (what `make demo` runs): web + worker start, answer, and stop on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


CLI = [sys.executable, "-m", "shuzheng.cli"]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A fresh SQLite demo outside the test settings, with these SHUZHENG_* settings."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHUZHENG_DEMO": "1",
        "SHUZHENG_TESTING": "",
        "SHUZHENG_STATIC_ROOT": str(tmp_path / "static"),
        **{f"SHUZHENG_{k}": v for k, v in settings.items()},
    }


def _serve_web_only(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """`serve --no-worker` on a free port (its scheduler still runs the deferred backlogs)."""
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "1", "--no-worker"], env=env
    )
    return proc, port


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
def test_serve_starts_web_and_worker_and_stops_cleanly(tmp_path):
    env = _env(tmp_path)
    subprocess.run([*CLI, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*CLI, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen([*CLI, "serve", "--port", str(port), "--workers", "1"], env=env)
    try:
        body = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None and body["status"] == "ok"
        assert body["checks"]["tasks"]["backend"] == "DatabaseBackend"
        kids = _children(proc.pid)
        assert len(kids) == 2  # granian main process + task worker
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    time.sleep(0.5)
    alive = [
        k
        for k in kids
        if subprocess.run(["kill", "-0", str(k)], capture_output=True).returncode == 0
    ]
    assert alive == []


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
def test_serve_seals_deferred_audit_records(tmp_path):
    """With AUDIT_CHAIN=deferred (PostgreSQL's default) the web process writes audit records
    unchained and `serve` chains them within a second."""
    import sqlite3

    db = tmp_path / "db.sqlite3"
    env = _env(tmp_path, AUDIT_CHAIN="deferred")
    subprocess.run([*CLI, "migrate", "-v0"], env=env, check=True)
    proc, port = _serve_web_only(env)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        # a refused client login is audited (identity.client_auth_failed)
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            data=json.dumps({"client_id": "nobody", "client_secret": "x"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(req, timeout=10)
        rows: list = []
        for _ in range(40):
            with sqlite3.connect(db) as conn:
                rows = conn.execute(
                    "SELECT seq, hash FROM audit_auditrecord "
                    "WHERE action = 'identity.client_auth_failed'"
                ).fetchall()
            if rows and rows[0][0] is not None:
                break
            time.sleep(0.25)
        assert rows and rows[0][0] is not None and len(rows[0][1]) == 64, rows
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    out = subprocess.run([*CLI, "audit_verify"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "OK" in out.stdout, out.stdout + out.stderr


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
def test_serve_texts_deferred_notifications(tmp_path):
    """With NOTIFY_SMS=deferred (PostgreSQL's default) a committed notification waits with
    ``sms_pending`` and `serve` texts it within a second (here: into the demo outbox)."""
    import sqlite3

    db = tmp_path / "db.sqlite3"
    env = _env(tmp_path, NOTIFY_SMS="deferred")
    subprocess.run([*CLI, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*CLI, "seed_demo"], env=env, check=True, capture_output=True)
    with sqlite3.connect(db) as conn:  # what notify.send stores in deferred mode
        conn.execute(
            "INSERT INTO notify_notification (recipient_kind, recipient_id, title, body, link, "
            "created_at, sms_pending) VALUES ('person', '441202199005120317', '办件', "
            "'您的申请已受理。', '', '2026-11-23 08:00:00', 1)"
        )
    proc, _port = _serve_web_only(env)
    try:
        rows: list = []
        for _ in range(60):
            with sqlite3.connect(db) as conn:
                rows = conn.execute(
                    "SELECT recipient, body FROM core_outboxmessage WHERE body LIKE '%已受理%'"
                ).fetchall()
                pending = conn.execute(
                    "SELECT COUNT(*) FROM notify_notification WHERE sms_pending"
                ).fetchone()[0]
            if rows and not pending:
                break
            time.sleep(0.25)
        assert rows == [("13800000001", "【数政】您的申请已受理。")] and pending == 0, rows
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
