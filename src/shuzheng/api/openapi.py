"""The error responses of every operation in the OpenAPI schema, documented in one place.

ninja documents only what an endpoint returns on success. Errors are rendered centrally
(``router.py``, ``core.middleware.ApiErrorMiddleware``), so they are documented centrally too,
from what the operation declares:

- a bearer token (``security``): 401 (no, bad or expired token) and 403 (the caller's kind or
  roles do not allow it);
- a path parameter: 404 (nothing there, or nothing the caller may see);
- any parameter or a body: 422 (the field is named in ``errors``);
- a body: 413 (larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``);
- a write (POST/PUT/PATCH/DELETE) by an authenticated caller: 409 (not in the object's
  current state; ``allowed_actions`` when the object has a lifecycle);
- what an operation answers beyond these rules is listed in ``EXTRA``, by operation id.

Every error response refers to a shared response (``#/components/responses/Error401`` …) whose
body is the one ``Error`` schema.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja.openapi.schema import OpenAPISchema

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "平台统一错误格式；message 为中文说明，errors 逐项指出出错的字段。",
    "properties": {
        "code": {"type": "string", "description": "机器可读的错误代码"},
        "message": {"type": "string", "description": "中文错误说明"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
        "allowed_actions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "409/422：调用者当前可执行的操作",
        },
        "request_id": {"type": "string", "description": "5xx：请求编号，联系运维时提供"},
    },
    "required": ["code", "message", "errors"],
}

DESCRIPTIONS = {
    401: "未登录，或令牌无效、已过期",
    403: "无权执行此操作",
    404: "对象不存在或调用者无权查看",
    409: "与对象当前状态冲突",
    413: "请求体过大",
    422: "请求参数或请求体有误（errors 指出字段）",
    429: "请求过于频繁",
}

# Statuses an operation gives beyond the rules above, by operation id.
EXTRA: dict[str, tuple[int, ...]] = {
    # wrong credentials or a locked account; failed logins throttled per IP and per name
    "shuzheng_identity_api_token": (401, 429),
    "shuzheng_identity_api_register": (429,),  # registrations per IP and hour
    # 代办授权: requests per asker and hour; codes texted per principal (cooldown, hourly cap)
    "shuzheng_identity_api_mandates_request_mandate": (429,),
    "shuzheng_identity_api_mandates_send_code": (429,),
    # an item, bundle or enterprise named in the query or body that the caller cannot see
    "shuzheng_cases_api_create": (404,),
    "shuzheng_cases_api_prepare": (404,),
    "shuzheng_exchange_api_consent_list": (404,),
    "shuzheng_exchange_api_consent_create": (404,),
    "shuzheng_exchange_api_my_data": (404,),
    "shuzheng_exchange_api_usage": (404,),
    "shuzheng_exchange_api_correction_create": (404,),
    "shuzheng_exchange_api_data_one": (429,),  # the consumer's quota (exchange.data_api)
    "shuzheng_exchange_api_data_batch": (429,),
    # 办件进度查询: one 404 for an unknown case and a wrong phone; lookups per client IP and hour
    "shuzheng_cases_api_documents_progress_query": (404, 429),
    "shuzheng_cases_api_documents_notice_pdf": (409,),  # the case has not reached that point
    # a payment backend's notification (no token): a signature that does not verify, an order
    # no longer waiting for payment
    "shuzheng_payments_api_callback": (403, 409),
    "shuzheng_payments_api_receipt_pdf": (409,),  # the order is not paid yet
}

WRITES = {"post", "put", "patch", "delete"}


def statuses_for(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses ``operation`` may answer, from what it declares."""
    params = operation.get("parameters", [])
    body = "requestBody" in operation
    out: set[int] = set(EXTRA.get(operation.get("operationId", ""), ()))
    if operation.get("security"):  # a bad token is refused even where a token is optional
        out |= {401, 403}
        if method in WRITES:
            out.add(409)
    if any(p.get("in") == "path" for p in params):
        out.add(404)
    if params or body:
        out.add(422)
    if body:
        out.add(413)
    return out


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the ``Error`` schema, one shared response per error status and each operation's
    error responses (references to those) to ``schema``, in place."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    shared = components.setdefault("responses", {})
    for status, description in DESCRIPTIONS.items():
        shared[f"Error{status}"] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            security = operation.get("security", [])
            if (
                any(name.startswith("Optional") for s in security for name in s)
                and {} not in security
            ):
                security.insert(0, {})  # a token is optional: anonymous callers are served too
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses_for(method, operation)):
                # ninja's keys are ints (JSON makes them strings); a response ninja documents wins
                if status not in responses and str(status) not in responses:
                    responses[status] = {"$ref": f"#/components/responses/Error{status}"}
    return schema


class UniqueNamesSchema(OpenAPISchema):
    """ninja's schema builder, refusing two different models under one component name: ninja
    keeps the last one, so an operation documented another module's ``VerifyOut``."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                raise ImproperlyConfigured(
                    f"Two API schemas are named {name!r}; rename one (component names are global)."
                )
        super().add_schema_definitions(definitions)
