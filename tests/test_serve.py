"""`shuzheng serve` (what `make demo` runs): web + worker start, answer, and stop on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
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


@pytest.mark.skipif(not (BIN / "gunicorn").exists(), reason="gunicorn not installed")
def test_serve_starts_web_and_worker_and_stops_cleanly(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHUZHENG_DEMO": "1",
        "SHUZHENG_TESTING": "",
        "SHUZHENG_STATIC_ROOT": str(tmp_path / "static"),
    }
    cli = [sys.executable, "-m", "shuzheng.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "1"], env=env)
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
        assert len(kids) == 2  # gunicorn master + task worker
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
