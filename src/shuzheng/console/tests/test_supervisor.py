"""How `serve` keeps its children running (console/supervisor.py): backoff and restarts."""

import os
import sys
import time
from pathlib import Path

import pytest

from shuzheng.console.supervisor import Backoff, Child


def test_backoff_doubles_to_the_cap_and_starts_over_after_a_stable_run():
    b = Backoff(first=1, cap=60, stable=60)
    assert [b.delay(ran_for=2) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert b.delay(ran_for=61) == 1  # it had stayed up: back to the first delay
    assert b.delay(ran_for=0.5) == 2


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_child_that_exits_is_restarted_and_what_it_left_is_stopped(tmp_path):
    """The child starts a grandchild in its process group and exits 3 (as granian's main process
    leaves its web workers): the grandchild is stopped, the exit logged, the child restarted."""
    pids = tmp_path / "pids"
    script = (
        "import subprocess, sys; "
        "p = subprocess.Popen(['sleep', '60']); "
        f"open({str(pids)!r}, 'a').write(f'{{p.pid}}\\n'); sys.exit(3)"
    )
    exits: list[int] = []
    child = Child(
        "demo",
        lambda: [sys.executable, "-c", script],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        on_exit=exits.append,
        backoff=Backoff(first=0.2, cap=0.2),
    )
    lines: list[str] = []
    child.start()
    first = child.pid
    deadline = time.monotonic() + 30
    while child.restarts < 2 and time.monotonic() < deadline:
        child.check(lines.append)
        time.sleep(0.05)
    try:
        assert child.restarts == 2, lines
        assert exits[:2] == [3, 3]
        assert lines[0].startswith(f"demo: process {first} exited with 3 after ")
        assert lines[0].endswith("restarting in 0 s")
        assert lines[1].startswith("demo: restarted (restart 1, pid ")
        grandchildren = [int(x) for x in pids.read_text().split()]
        assert grandchildren and not _alive(grandchildren[0])  # stopped with its group
    finally:
        child.stop(timeout=5)
