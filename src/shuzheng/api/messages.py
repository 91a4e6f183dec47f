"""Chinese messages for request-validation errors from pydantic/ninja."""

from __future__ import annotations

from typing import Any

_BY_TYPE = {
    "missing": "此字段必填。",
    "string_type": "应为文本。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "float_parsing": "应为数字。",
    "bool_parsing": "应为 true 或 false。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "datetime_parsing": "时间格式应为 ISO 8601。",
    "string_too_long": "内容过长。",
    "string_too_short": "内容过短。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "请求体格式不正确。",
    "enum": "取值不在允许范围内。",
    "literal_error": "取值不在允许范围内。",
}


def field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    # ninja prefixes body fields with the parameter name ("body", "payload" ...): drop it
    if len(parts) > 1 and parts[0] in ("body", "payload", "data"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def message_for(error: dict[str, Any]) -> str:
    return _BY_TYPE.get(str(error.get("type", "")), "取值无效。")
