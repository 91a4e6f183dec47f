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
