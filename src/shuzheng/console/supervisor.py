"""How ``shuzheng serve`` keeps its child processes running: restart with exponential backoff.

A child that exits while ``serve`` is not stopping is started again after 1 s, then 2, 4, 8 …
seconds up to 60 s between attempts; once a child has stayed up for 60 s the next failure waits
1 s again. Each child runs in its own process group, so whatever it leaves behind (granian's
web workers, when its main process dies) can be stopped with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays between restarts: ``first`` doubling up to ``cap``; back to ``first`` after a run
    of at least ``stable`` seconds."""

    first: float = 1.0
    cap: float = 60.0
    stable: float = 60.0
    _next: float = field(default=0.0, init=False)

    def delay(self, *, ran_for: float) -> float:
        if ran_for >= self.stable or not self._next:
            self._next = self.first
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return delay


def stop_group(pgid: int, *, timeout: float) -> None:
    """SIGTERM a process group, wait up to ``timeout`` for it to go, then SIGKILL what is left.
    (Zombies reparented to an init that does not reap still count as members: the wait is
    bounded.)"""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass
class Child:
    """One supervised child process. ``argv`` is called at each start (a new worker id each
    time); ``on_exit(returncode)`` runs after an unexpected exit, before the restart is
    scheduled."""

    name: str
    argv: Callable[[], list[str]]
    env: dict[str, str]
    on_exit: Callable[[int], None] = lambda code: None
    backoff: Backoff = field(default_factory=Backoff)
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    _terminated: bool = False

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv(), env=self.env, start_new_session=True)  # noqa: S603
        self.started = time.monotonic()
        self.restart_at = None

    def check(self, log: Callable[[str], None]) -> None:
        """Called every few tenths of a second: notice an exit, restart when due."""
        now = time.monotonic()
        if self.proc is None:
            if self.restart_at is not None and now >= self.restart_at:
                self.restarts += 1
                self.start()
                log(f"{self.name}: restarted (restart {self.restarts}, pid {self.pid})")
            return
        code = self.proc.poll()
        if code is None:
            return
        pid = self.proc.pid
        self.proc = None
        ran = now - self.started
        # a web server's main process may leave its workers behind: stop its whole group
        stop_group(pid, timeout=5)
        try:
            self.on_exit(code)
        except Exception as exc:  # the restart matters more than the bookkeeping
            log(f"{self.name}: after exit: {type(exc).__name__}: {exc}")
        delay = self.backoff.delay(ran_for=ran)
        self.restart_at = now + delay
        log(
            f"{self.name}: process {pid} exited with {code} after {ran:.0f} s; "
            f"restarting in {delay:.0f} s"
        )

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def terminate(self) -> None:
        """SIGTERM the child once (a second SIGTERM makes a task worker cut its task short)."""
        if self.proc is not None and self.proc.poll() is None and not self._terminated:
            self.proc.send_signal(signal.SIGTERM)
            self._terminated = True

    def stop(self, *, timeout: float) -> int:
        """Terminate the child (it stops its own workers), wait up to ``timeout``, then kill its
        group; returns the child's exit code (0 when it was not running)."""
        if self.proc is None:
            return 0
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything still there
        return self.proc.wait()
