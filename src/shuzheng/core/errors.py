"""Domain errors with the platform's one error format.

Every API error is ``{"code": ..., "message": <Chinese text>, "errors": [{"field", "message"}]}``.
Services raise these; the API layer renders them; pages show ``message`` and field errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    message: str
    errors: list[FieldError] = field(default_factory=list)
    code: str = "error"
    status: int = 400
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }
        body.update(self.extra)
        return body


class ValidationFailed(DomainError):
    def __init__(self, errors: list[FieldError], message: str | None = None):
        if message is None:
            message = (
                errors[0].message
                if len(errors) == 1
                else "提交的数据有误：" + "；".join(f"{e.field}：{e.message}" for e in errors)
            )
        super().__init__(message=message, errors=errors, code="validation_error", status=422)

    @classmethod
    def one(cls, field_name: str, message: str) -> ValidationFailed:
        return cls([FieldError(field_name, message)], message=message)


class Unauthenticated(DomainError):
    def __init__(self, message: str = "未登录或登录已失效。"):
        super().__init__(message=message, code="unauthenticated", status=401)


class Forbidden(DomainError):
    def __init__(self, message: str = "无权执行此操作。"):
        super().__init__(message=message, code="forbidden", status=403)


class NotFound(DomainError):
    def __init__(self, message: str = "未找到。"):
        super().__init__(message=message, code="not_found", status=404)


class Conflict(DomainError):
    def __init__(self, message: str, extra: dict[str, Any] | None = None):
        super().__init__(message=message, code="conflict", status=409, extra=extra or {})


class RateLimited(DomainError):
    def __init__(self, message: str = "请求过于频繁，请稍后再试。"):
        super().__init__(message=message, code="rate_limited", status=429)


# What an error the platform did not raise itself means, by HTTP status (the API's own handlers
# and ``core.middleware.ApiErrorMiddleware`` answer with these).
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效。"),
    401: ("unauthenticated", "未登录或令牌无效、已过期。"),
    403: ("forbidden", "无权执行此操作。"),
    404: ("not_found", "接口不存在。"),
    405: ("method_not_allowed", "该接口不支持此请求方法。"),
    406: ("not_acceptable", "无法提供所请求的响应格式。"),
    409: ("conflict", "请求与当前状态冲突。"),
    413: ("payload_too_large", "请求体过大。"),
    415: ("unsupported_media_type", "不支持该请求体格式。"),
    422: ("validation_error", "提交的数据有误。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
    500: ("server_error", "服务器内部错误，请稍后再试。"),
    502: ("bad_gateway", "上游服务暂时不可用，请稍后再试。"),
    503: ("unavailable", "服务暂时不可用，请稍后再试。"),
    504: ("gateway_timeout", "上游服务响应超时，请稍后再试。"),
}


def api_error_body(
    status: int, *, method: str = "", allow: str = "", request_id: str | None = None
) -> dict[str, Any]:
    """The error body for a bare HTTP status: a 405 names the methods in ``allow``; a server
    error carries the request id to quote to support (its traceback stays in the log)."""
    code, message = STATUS_ERRORS.get(
        status,
        ("server_error", STATUS_ERRORS[500][1]) if status >= 500 else ("error", "请求失败。"),
    )
    if status == 405 and allow:
        message = f"该接口不支持 {method} 方法，可用的方法：{allow}。"
    body: dict[str, Any] = {"code": code, "message": message, "errors": []}
    if status >= 500 and request_id:
        body["message"] = f"{message}如需帮助，请提供请求编号 {request_id}。"
        body["request_id"] = request_id
    return body
