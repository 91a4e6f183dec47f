"""Run as its own process against a primary and a replica (DATABASE_URL, SHUZHENG_REPLICA_URL):
request pages through Django's test client and print, as JSON, which statements each request
sent to which database (tests/deploy/test_replica.py)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from shuzheng.core.dbrouter import PIN_COOKIE  # noqa: E402

setup_test_environment()
seen: dict[str, list[str]] = {}


def counter(alias: str) -> Callable[..., Any]:
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        seen.setdefault(alias, []).append(" ".join(sql.split())[:160])
        return execute(sql, params, many, ctx)

    return wrapper


def step(name: str, call: Callable[[], Any]) -> dict[str, Any]:
    seen.clear()
    with (
        connections["default"].execute_wrapper(counter("default")),
        connections["replica"].execute_wrapper(counter("replica")),
    ):
        response = call()
    return {
        "step": name,
        "status": response.status_code,
        "pinned": PIN_COOKIE in response.cookies and response.cookies[PIN_COOKIE].value != "",
        "default": seen.get("default", []),
        "replica": seen.get("replica", []),
    }


def wait_replayed() -> None:
    with connections["default"].cursor() as c:
        c.execute("SELECT pg_current_wal_lsn()")
        target = c.fetchone()[0]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as c:
            c.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if c.fetchone()[0]:
                return
        time.sleep(0.05)
    raise SystemExit("replica did not catch up")


client = Client()
Client().get("/")  # fills the per-process caches (core.cache builds them on the primary)
out = [step("anonymous page", lambda: client.get("/"))]
out.append(
    step(
        "login (POST)",
        lambda: client.post("/accounts/login/", {"username": sys.argv[1], "password": sys.argv[2]}),
    )
)
out.append(step("code page, just after the POST", lambda: client.get("/accounts/login/code/")))
wait_replayed()
del client.cookies[PIN_COOKIE]  # as when the pin has expired
out.append(step("code page, later", lambda: client.get("/accounts/login/code/")))
print(json.dumps(out))
