"""Private PostgreSQL clusters for the deployment tests and bench/deploy: a primary
(``wal_level=replica``) and a streaming replica made from it with ``pg_basebackup -R``, on free
ports in a temp directory, run as the current user (as ``postgres`` through ``runuser`` when that
is root, like .ci/run). Tests run them with ``fsync`` off (fast); the benchmark with
``durable=True`` (PostgreSQL's defaults)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed from Debian, or None."""
    dirs = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name or 0)
    )
    dirs = [d for d in dirs if (Path(d) / "initdb").exists()]
    return Path(dirs[-1]) if dirs else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_pg(args), check=True, capture_output=True, text=True, timeout=120, **kw
    )


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int
    durable: bool = False  # fsync and full-page writes as PostgreSQL's defaults (benchmarks)

    def url(self, db: str, user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{db}"

    def postmaster_pid(self) -> int:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def psql(self, db: str, sql: str) -> str:
        done = run(
            [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql]
        )  # fmt: skip
        return done.stdout.strip()

    def start(self, *options: str) -> None:
        opts = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.datadir}",
                "-c listen_addresses=127.0.0.1",
                *([] if self.durable else ["-c fsync=off", "-c full_page_writes=off"]),
                *options,
            ]
        )
        run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l",
             str(self.datadir / "server.log"), "-w", "-t", "60", "-o", opts, "start"]
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_pg([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                    "-w", "stop"]),
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip


def own(path: Path) -> None:
    """Make ``path`` the postgres user's when running as root (initdb refuses root)."""
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def make_primary(bindir: Path, root: Path, *options: str, durable: bool = False) -> Cluster:
    """A new cluster that replicas can stream from; ``options`` (``-c name=value``) come last and
    so override the defaults here."""
    datadir = root / "primary"
    datadir.mkdir(mode=0o700)
    own(datadir)
    run(
        [str(bindir / "initdb"), "-D", str(datadir), "-A", "trust", "-U", "postgres", "-E", "UTF8",
         "--locale=C.UTF-8"]
    )  # fmt: skip
    with (datadir / "pg_hba.conf").open("a") as f:
        f.write("host replication postgres 127.0.0.1/32 trust\n")
    primary = Cluster(bindir, datadir, free_port(), durable)
    primary.start("-c wal_level=replica", "-c max_wal_senders=5", "-c max_connections=60", *options)
    return primary


def make_replica(primary: Cluster, root: Path, *options: str) -> Cluster:
    """A hot standby streaming from ``primary`` (``pg_basebackup -R`` writes its
    ``primary_conninfo`` and ``standby.signal``)."""
    datadir = root / "replica"
    datadir.mkdir(mode=0o700)
    own(datadir)
    run(
        [str(primary.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
         "-U", "postgres", "-D", str(datadir), "-R", "-X", "stream", "-c", "fast"]
    )  # fmt: skip
    replica = Cluster(primary.bindir, datadir, free_port(), primary.durable)
    replica.start("-c hot_standby=on", "-c max_connections=60", *options)
    return replica


def wait_replayed(primary: Cluster, replica: Cluster, db: str, timeout: float = 20) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = primary.psql(db, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = replica.psql(db, f"SELECT pg_last_wal_replay_lsn() < '{target}'::pg_lsn")
        if behind == "f":
            return
        time.sleep(0.05)
    raise TimeoutError(f"replica did not replay {target} in {timeout} s")
