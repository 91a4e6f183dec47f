"""The one NinjaAPI instance: routers of every module, bearer auth, one error format."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from shuzheng import __version__
from shuzheng.api.messages import field_name, message_for
from shuzheng.api.openapi import UniqueNamesSchema, document_errors
from shuzheng.appointments.api import router as appointments_router
from shuzheng.cases.api import router as cases_router
from shuzheng.cases.api_documents import router as case_documents_router
from shuzheng.catalog.api import router as catalog_router
from shuzheng.console.api import router as console_router
from shuzheng.core.api import router as core_router
from shuzheng.core.errors import STATUS_ERRORS, DomainError
from shuzheng.documents.api import router as documents_router
from shuzheng.exchange.api import router as exchange_router
from shuzheng.files.api import router as files_router
from shuzheng.governance.api import router as governance_router
from shuzheng.governance.api_dashboard import router as governance_dashboard_router
from shuzheng.hotline.api import router as hotline_router
from shuzheng.hotline.api_dashboard import router as hotline_dashboard_router
from shuzheng.identity.api import router as identity_router
from shuzheng.identity.api_mandates import router as identity_mandates_router
from shuzheng.knowledge.api import router as knowledge_router
from shuzheng.licenses.api import router as licenses_router
from shuzheng.payments.api import router as payments_router
from shuzheng.proactive.api import router as proactive_router
from shuzheng.ratings.api import router as ratings_router
from shuzheng.reporting.api import router as reporting_router
from shuzheng.rules.api import router as rules_router
from shuzheng.seals.api import router as seals_router
from shuzheng.supervision.api import router as supervision_router


class ChineseJSONRenderer(JSONRenderer):
    """Chinese text stays readable in responses (UTF-8, no \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


class ShuzhengAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """ninja's schema, with unique component names and every operation's error responses
        (``api/openapi.py``)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return document_errors(UniqueNamesSchema(self, path_prefix))


api = ShuzhengAPI(
    renderer=ChineseJSONRenderer(),
    title="数政 shuzheng API",
    version=f"v1 ({__version__})",
    description=(
        "数政开放接口 v1。认证：`POST /api/v1/auth/token` 获取令牌后使用 "
        "`Authorization: Bearer <token>`。所有错误格式统一为 "
        '`{"code", "message", "errors": [{"field", "message"}]}`。'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    errors: list[dict[str, str]] | None = None,
    **extra: object,
) -> HttpResponse:
    body = {"code": code, "message": message, "errors": errors or [], **extra}
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": field_name(e.get("loc", ())), "message": message_for(e)} for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "body", "message": "请求无效。"}
    return _error(
        request, 422, "validation_error", f"字段 {first['field']}：{first['message']}", errors
    )


@api.exception_handler(AuthenticationError)
def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "unauthenticated", "未登录或令牌无效、已过期。")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "未找到。")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit / 1024 / 1024:.1f} MB" if limit and limit >= 1024 * 1024 else f"{limit} 字节"
    message = f"请求体过大（上限 {size}）。"
    return _error(
        request, 413, "payload_too_large", message, [{"field": "body", "message": message}]
    )


@api.exception_handler(HttpError)
def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja could not parse the body (invalid JSON, not UTF-8): it names no field; we do
        message = message_for({"type": "json_invalid"})
        return _error(
            request,
            422,
            "validation_error",
            f"字段 body：{message}",
            [{"field": "body", "message": message}],
        )
    code, message = STATUS_ERRORS.get(exc.status_code, ("error", "请求失败。"))
    text = str(exc)
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        message = text  # raised by our code, in Chinese: keep it
    return _error(request, exc.status_code, code, message)


api.add_router("/", identity_router)
api.add_router("/", identity_mandates_router)
api.add_router("/", core_router)
api.add_router("/", console_router)
api.add_router("/", catalog_router)
api.add_router("/", files_router)
api.add_router("/", case_documents_router)  # before cases': /cases/progress, not a case_no
api.add_router("/", cases_router)
api.add_router("/", ratings_router)
api.add_router("/", hotline_router)
api.add_router("/", hotline_dashboard_router)
api.add_router("/", licenses_router)
api.add_router("/", seals_router)
api.add_router("/", rules_router)
api.add_router("/", proactive_router)
api.add_router("/", exchange_router)
api.add_router("/", payments_router)
api.add_router("/", appointments_router)
api.add_router("/", knowledge_router)
api.add_router("/", reporting_router)
api.add_router("/", governance_router)
api.add_router("/", governance_dashboard_router)
api.add_router("/", supervision_router)
api.add_router("/", documents_router)
