"""Logs, metrics and probes for the people who run the platform (docs/deploy/observability.md).

- ``JsonFormatter``: with ``SHUZHENG_LOG_FORMAT=json`` every log line is one JSON object with
  the request id of the request it was written in. The standard library's ``logging.Formatter``
  is enough for that (one ``json.dumps`` of the record's fields): no dependency for a dozen
  lines, and ``LOGGING`` stays a plain dictConfig.
- ``RequestMetricsMiddleware``: one access line per request (logger ``shuzheng.request``: id,
  method, path, route, status, duration) and the Prometheus request counter and latency
  histogram, labelled by the URL *pattern* (never the raw path: the label set stays small).
- ``metrics``: ``/metrics`` in Prometheus' text format — the request metrics of every web worker
  of this ``shuzheng web`` (prometheus-client's multiprocess mode) plus what the database says
  at the time of the scrape: task queue depth and oldest age, live workers, audit backlog, SMS
  backlog, the scheduler's lease. Guarded by ``METRICS_TOKEN`` or, without one, by the caller's
  address (``metrics_allowed``).
- ``livez`` (the process answers; touches nothing) and ``readyz`` (the database answers and
  every migration is applied): the two probes an orchestrator needs. ``/healthz`` stays the
  detailed status for monitoring (``core.views.healthz``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from shuzheng import __version__
from shuzheng.core.context import get_request_id

access_log = logging.getLogger("shuzheng.request")

REQUESTS = Counter(
    "shuzheng_http_requests",
    "HTTP requests answered, by method, URL pattern and status code",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "shuzheng_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by method and URL pattern",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# the standard attributes of a LogRecord: everything else on a record came from ``extra=``
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id
    (when written inside a request), the fields passed with ``extra=``, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or get_request_id()
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in out:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or "")


class RequestMetricsMiddleware:
    """Counts and times every request; writes its access line (INFO on ``shuzheng.request``:
    on with ``SHUZHENG_LOG_FORMAT=json``). Placed right after ``RequestIdMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            seconds = time.perf_counter() - start
            route = _route(request)
            REQUESTS.labels(request.method or "", route, str(status)).inc()
            LATENCY.labels(request.method or "", route).observe(seconds)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    status,
                    extra={
                        "request_id": getattr(request, "request_id", None),
                        "method": request.method,
                        "path": request.path,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                    },
                )


# --- /metrics -----------------------------------------------------------------------------------


def _private(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private


def metrics_allowed(request: HttpRequest) -> bool:
    """With ``METRICS_TOKEN`` set: only ``Authorization: Bearer <token>``. Without: only a
    direct request from a loopback or private address — one that came through the reverse
    proxy (it carries ``X-Forwarded-For``) is refused, so the public never reads it."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return constant_time_compare(given, f"Bearer {token}")
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    return _private(request.META.get("REMOTE_ADDR", ""))


class DatabaseCollector(Collector):
    """What the database says at scrape time (a few indexed counts; the same on every node)."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        from shuzheng.audit import facade as audit
        from shuzheng.console import scheduler
        from shuzheng.core import workers
        from shuzheng.notify import facade as notify

        health = workers.health()
        yield _gauge("shuzheng_tasks_ready", "Tasks waiting for a worker", health["ready"])
        yield _gauge(
            "shuzheng_tasks_oldest_ready_age_seconds",
            "Seconds the oldest waiting task has waited (0: none waits)",
            health["oldest_ready_seconds"],
        )
        yield _gauge(
            "shuzheng_tasks_running",
            "Tasks a worker is running",
            DBTaskResult.objects.filter(status="RUNNING").count(),
        )
        yield _gauge(
            "shuzheng_task_workers_alive",
            "Task workers whose heartbeat is recent",
            health["worker"]["alive"],
        )
        yield _gauge(
            "shuzheng_audit_unsealed_records",
            "Audit records not yet chained (deferred mode: the sealer's backlog)",
            audit.backlog(),
        )
        yield _gauge(
            "shuzheng_sms_pending",
            "Notifications whose SMS waits for dispatch (deferred mode)",
            notify.sms_backlog(),
        )
        now = scheduler.db_now()
        holder = scheduler.lease_holder(now=now)
        yield _gauge(
            "shuzheng_scheduler_leaders",
            "Schedulers holding a valid lease (1 when one leads, 0 when none does)",
            1 if holder else 0,
        )


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        MultiProcessCollector(workers)  # every web worker's counters, summed
        own = generate_latest(workers)
    else:
        own = generate_latest(REGISTRY)
    db = CollectorRegistry()
    db.register(DatabaseCollector())
    return own + generate_latest(db)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format. 404 to whoever may not read it (nothing to learn from it)."""
    if not metrics_allowed(request):
        return HttpResponse("未找到。", status=404, content_type="text/plain; charset=utf-8")
    return HttpResponse(_exposition(), content_type=CONTENT_TYPE_LATEST)


# --- probes -------------------------------------------------------------------------------------


@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers requests. Touches no database: restart the process only
    when this fails."""
    return JsonResponse({"status": "ok", "version": __version__})


_migrated: set[str] = set()  # databases seen fully migrated (a migration is never unapplied)


def _unapplied(alias: str = DEFAULT_DB_ALIAS) -> int:
    if alias in _migrated:
        return 0
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        _migrated.add(alias)
    return len(plan)


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: this node can serve — the database answers and every migration of this
    code is applied. 503 otherwise: the load balancer sends it no traffic (during an upgrade,
    before ``migrate``; while the database is unreachable)."""
    checks: dict[str, Any] = {}
    ready = True
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:
        ready = False
        checks["database"] = {"status": "error", "error": type(exc).__name__}
    if ready:
        try:
            pending = _unapplied()
            checks["migrations"] = {
                "status": "ok" if not pending else "pending",
                "pending": pending,
            }
            ready = not pending
        except Exception as exc:
            ready = False
            checks["migrations"] = {"status": "error", "error": type(exc).__name__}
    return JsonResponse(
        {"status": "ready" if ready else "not_ready", "version": __version__, "checks": checks},
        status=200 if ready else 503,
    )
