"""Health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from shuzheng import __version__
from shuzheng.core import calendar
from shuzheng.core.errors import NotFound


@csrf_exempt  # it changes nothing; a POST must get the 404 too, not Django's CSRF page
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error format, not an HTML page."""
    return JsonResponse(
        NotFound("接口不存在。").as_dict(), status=404, json_dumps_params={"ensure_ascii": False}
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the API's error format under /api/ (its endpoints take bearer
    tokens and are exempt; this covers any view mounted there later), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "csrf_failed",
                "message": "CSRF 校验失败：请刷新页面后重试；接口调用请使用 Bearer 令牌。",
                "errors": [],
            },
            status=403,
            json_dumps_params={"ensure_ascii": False},
        )
    return csrf.csrf_failure(request, reason=reason)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """What a load balancer and monitoring read.

    ``status`` is "ok", "degraded" (HTTP 200: the web serves, but no task worker is alive or the
    task queue lags — alert, do not take the node out) or "error" (HTTP 503: the database does
    not answer, so the node cannot serve). docs/howto/worker.md lists the fields. The
    ``calendar`` check says "warning" while administrators must enter a year's holidays
    (``calendar.health``); it does not change ``status``: the node serves all the same."""
    checks: dict[str, object] = {}
    status = "ok"
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # pragma: no cover - exercised by the failure test
        status = "error"
        checks["database"] = {"status": "error", "error": type(exc).__name__}
    try:
        from django_tasks import task_backends

        backend = type(task_backends["default"]).__name__
        info: dict[str, object] = {"status": "ok", "backend": backend}
        if backend == "DatabaseBackend":
            from shuzheng.core import workers

            info.update(workers.health())
            if info["status"] != "ok" and status == "ok":
                status = "degraded"
        checks["tasks"] = info
    except Exception as exc:  # pragma: no cover
        status = "error"
        checks["tasks"] = {"status": "error", "error": type(exc).__name__}
    try:
        checks["calendar"] = calendar.health(timezone.localdate())
    except Exception as exc:  # pragma: no cover
        checks["calendar"] = {"status": "error", "error": type(exc).__name__}
    return JsonResponse(
        json_dumps_params={"ensure_ascii": False},
        data={"status": status, "version": __version__, "checks": checks},
        status=503 if status == "error" else 200,
    )
