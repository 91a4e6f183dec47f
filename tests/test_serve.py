"""`shuzheng serve` (what `make demo` runs): web + worker start, answer, and stop on SIGTERM."""

import json
import os
import shutil
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
        "SHUZHENG_AUDIT_ANCHOR_DIR": str(tmp_path / "anchors"),  # serve anchors the audit chain
        **{f"SHUZHENG_{k}": v for k, v in settings.items()},
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated demo database for the module (migrating takes ~20 s); each test copies it."""
    folder = tmp_path_factory.mktemp("serve-template")
    subprocess.run([*CLI, "migrate", "-v0"], env=_env(folder), check=True)
    return folder / "db.sqlite3"


def _database(tmp_path: Path, migrated: Path) -> None:
    shutil.copyfile(migrated, tmp_path / "db.sqlite3")


def _health(port: int, until=lambda body: True, seconds: float = 30) -> dict:
    """/healthz's body once ``until(body)`` holds, or the last one after ``seconds``."""
    body: dict = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                body = json.load(r)
            if until(body):
                break
        except OSError:
            pass
        time.sleep(0.3)
    return body


def _serve_web_only(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """`serve --no-worker` on a free port (its scheduler still runs the deferred backlogs)."""
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "1", "--no-worker"], env=env
    )
    return proc, port


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
def test_serve_starts_web_and_worker_and_stops_cleanly(tmp_path, migrated):
    env = _env(tmp_path)
    _database(tmp_path, migrated)
    subprocess.run([*CLI, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen([*CLI, "serve", "--port", str(port), "--workers", "1"], env=env)
    try:
        body = _health(port, until=lambda b: b["status"] == "ok")
        assert body["status"] == "ok", body
        assert body["checks"]["tasks"]["backend"] == "DatabaseBackend"
        assert body["checks"]["tasks"]["worker"]["status"] == "alive"
        kids = _children(proc.pid)
        assert len(kids) == 2  # granian main process + task worker
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0

    def alive() -> list[int]:
        return [
            k
            for k in kids
            if subprocess.run(["kill", "-0", str(k)], capture_output=True).returncode == 0
        ]

    deadline = time.monotonic() + 10  # children may take a moment longer on a busy machine
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive() == []


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
def test_serve_seals_deferred_audit_records(tmp_path, migrated):
    """With AUDIT_CHAIN=deferred (PostgreSQL's default) the web process writes audit records
    unchained and `serve` chains them within a second."""
    import sqlite3

    db = tmp_path / "db.sqlite3"
    env = _env(tmp_path, AUDIT_CHAIN="deferred")
    _database(tmp_path, migrated)
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
    assert "锚点：已校验" in out.stdout and "锚点：已校验 0 个" not in out.stdout  # serve anchored


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
def test_serve_texts_deferred_notifications(tmp_path, migrated):
    """With NOTIFY_SMS=deferred (PostgreSQL's default) a committed notification waits with
    ``sms_pending`` and `serve` texts it within a second (here: into the demo outbox)."""
    import sqlite3

    db = tmp_path / "db.sqlite3"
    env = _env(tmp_path, NOTIFY_SMS="deferred")
    _database(tmp_path, migrated)
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


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not (BIN / "granian").exists(), reason="granian not installed")
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_serve_restarts_a_dead_web_server_and_stops_the_workers_it_left(tmp_path, migrated):
    """granian respawns a web worker that dies; when granian's main process itself dies, `serve`
    stops the web workers it orphaned (its process group) and starts granian again, logging it
    (it used to stop everything)."""
    env = _env(tmp_path)
    _database(tmp_path, migrated)
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
            env=env,
            stderr=err,
        )
    try:
        assert _health(port, until=lambda b: "status" in b)
        (granian,) = _children(proc.pid)
        orphans = _children(granian)
        assert len(orphans) == 1  # its one web worker
        os.kill(granian, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            kids = _children(proc.pid)
            if kids and kids != [granian] and not any(_alive(p) for p in orphans):
                break
            time.sleep(0.3)
        assert proc.poll() is None, "serve stopped"
        assert kids and granian not in kids, kids
        assert not any(_alive(p) for p in orphans), "the old web worker still runs"
        body = _health(port, until=lambda b: "status" in b)
        assert body.get("checks", {}).get("database", {}).get("status") == "ok", body
        text = log.read_text()
        assert f"web: process {granian} exited with -9" in text, text
        assert "web: restarted (restart 1" in text, text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
