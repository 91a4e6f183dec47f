"""Logs, metrics and probes (issue 22 item 9): /livez never touches the database, /readyz does
and says why it is not ready, /metrics is for the monitoring network only, and every request
is one JSON access line with its request id."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzheng.console import observability


def test_livez_answers_without_the_database(client):
    # no django_db mark: any query would raise "Database access not allowed"
    r = client.get("/livez")
    assert r.status_code == 200 and r.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_is_migrated(client):
    observability._migrated.clear()
    r = client.get("/readyz")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "ready"
    assert body["checks"]["migrations"] == {"status": "ok", "pending": 0}


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    observability._migrated.clear()
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["migrations"] == {"status": "pending", "pending": 1}
    assert "default" not in observability._migrated  # asked again next time


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("down")

    monkeypatch.setattr(connection, "cursor", refuse)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["database"] == {"status": "error", "error": "ConnectionError"}


@pytest.mark.django_db
def test_metrics_lists_requests_queue_backlogs_and_the_scheduler(client):
    from shuzheng.audit import facade as audit
    from shuzheng.console import scheduler

    client.get("/livez")
    scheduler.lease_acquire(holder="a", now=scheduler.db_now(), seconds=30)
    audit.record(actor="user:t", action="test.metrics", object_type="t", object_id="1")
    r = client.get("/metrics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    text = r.content.decode()
    assert 'shuzheng_http_requests_total{method="GET",route="/livez",status="200"}' in text
    assert 'shuzheng_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    lines = dict(
        line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    assert lines["shuzheng_scheduler_leaders"] == "1.0"
    for name in (
        "shuzheng_tasks_ready",
        "shuzheng_tasks_oldest_ready_age_seconds",
        "shuzheng_tasks_running",
        "shuzheng_task_workers_alive",
        "shuzheng_sms_pending",
    ):
        assert name in lines, name
    # the test settings chain inline: nothing waits for the sealer
    assert lines["shuzheng_audit_unsealed_records"] == str(float(audit.backlog()))


@pytest.mark.django_db
def test_metrics_refuses_the_public_and_wants_the_token_when_one_is_set(client, settings):
    # through the reverse proxy (it adds X-Forwarded-For): refused
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="58.248.1.9").status_code == 404
    # from a public address: refused
    assert client.get("/metrics", REMOTE_ADDR="58.248.1.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", REMOTE_ADDR="58.248.1.9")
    assert ok.status_code == 200


def test_every_request_is_one_json_access_line_with_its_request_id(client, caplog):
    formatter = observability.JsonFormatter()
    with caplog.at_level(logging.INFO, logger="shuzheng.request"):
        r = client.get("/livez", HTTP_X_REQUEST_ID="req-abcdef12")
        client.get("/no-such-page-here")
    assert r["X-Request-ID"] == "req-abcdef12"
    lines = [rec for rec in caplog.records if rec.name == "shuzheng.request"]
    first, second = (json.loads(formatter.format(rec)) for rec in lines)
    assert first["request_id"] == "req-abcdef12"
    assert {k: first[k] for k in ("logger", "method", "path", "route", "status")} == {
        "logger": "shuzheng.request",
        "method": "GET",
        "path": "/livez",
        "route": "/livez",
        "status": 200,
    }
    assert isinstance(first["duration_ms"], float) and first["level"] == "INFO"
    assert second["status"] == 404 and second["route"] == "unmatched"
    assert len(second["request_id"]) == 32  # generated: none was sent


def test_a_log_line_written_during_a_request_carries_its_id():
    from shuzheng.core.context import reset_request_id, set_request_id

    record = logging.makeLogRecord(
        {"name": "x", "levelname": "ERROR", "msg": "出错 %s", "args": (1,)}
    )
    token = set_request_id("abc12345")
    try:
        out = json.loads(observability.JsonFormatter().format(record))
    finally:
        reset_request_id(token)
    assert out["message"] == "出错 1" and out["request_id"] == "abc12345"


@pytest.mark.django_db
def test_metrics_scrape_costs_a_fixed_number_of_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/metrics")
    assert len(ctx.captured_queries) <= 12
