"""moto's standalone S3 server (``moto_server``, from the dev dependency ``moto[server]``) as a
process of its own on a free port: the S3-compatible store of the deployment tests. MinIO or Ceph
are not installable from the registries CI reaches (PyPI, Debian, npm); moto's server speaks the
S3 REST protocol over HTTP, so django-storages and boto3 talk to it exactly as to a real store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "shuzheng-test"
SECRET_KEY = "shuzheng-test-secret"
REGION = "us-east-1"


def moto_server_path() -> str | None:
    beside = Path(sys.executable).with_name("moto_server")
    return str(beside) if beside.exists() else shutil.which("moto_server")


@dataclass
class S3Server:
    process: subprocess.Popen[bytes]
    endpoint: str

    def env(self, bucket: str) -> dict[str, str]:
        """The settings (environment) that put shuzheng's files into ``bucket`` here."""
        return {
            "SHUZHENG_STORAGE": "s3",
            "SHUZHENG_S3_ENDPOINT_URL": self.endpoint,
            "SHUZHENG_S3_BUCKET": bucket,
            "SHUZHENG_S3_REGION": REGION,
            "SHUZHENG_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "SHUZHENG_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(binary: str) -> S3Server:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_DEFAULT_REGION": REGION},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until it accepts connections (it starts in ~1 s)
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return S3Server(process, f"http://127.0.0.1:{port}")
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto_server did not start in 30 s")
