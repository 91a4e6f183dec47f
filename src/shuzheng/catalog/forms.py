"""Application forms from JSON Schema: server-side HTML fields and validation in Chinese.

Validation runs ``jsonschema`` (Draft 2020-12) with format checkers for 公民身份号码,
统一社会信用代码, 手机号码 and dates, then turns each error into a message that names the
field by its title.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from shuzheng.core.codes import CodeError, validate_id_number, validate_uscc

_checker = FormatChecker()


@_checker.checks("id_number", raises=CodeError)
def _id_number(value: object) -> bool:
    if isinstance(value, str):
        validate_id_number(value)
    return True


@_checker.checks("uscc", raises=CodeError)
def _uscc(value: object) -> bool:
    if isinstance(value, str):
        validate_uscc(value)
    return True


@_checker.checks("phone")
def _phone(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", value))


@_checker.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if isinstance(value, str):
        dt.date.fromisoformat(value)
    return True


ORDER_KEY = "x-order"


def ordered_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The form's properties in the author's order.

    PostgreSQL stores JSON as jsonb, which does not keep key order, so the order is kept as an
    explicit list (``x-order``) written when an item is imported; older schemas without it fall
    back to the dictionary's order.
    """
    props: dict[str, Any] = schema.get("properties", {})
    order = [n for n in schema.get(ORDER_KEY, []) if n in props]
    order += [n for n in props if n not in order]
    return [(n, props[n]) for n in order]


def with_order(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` that records its property order in ``x-order``."""
    return {**schema, ORDER_KEY: [n for n, _ in ordered_properties(schema)]}


@dataclass
class FieldView:
    name: str
    title: str
    kind: str  # text | textarea | number | integer | boolean | select | radio | date
    required: bool
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    error: str = ""
    prefill: str | None = None
    prefilled_from: str = ""  # shown to the applicant: which department the value came from
    input_type: str = "text"
    pattern: str | None = None
    max_length: int | None = None


def field_views(
    schema: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    prefill_sources: dict[str, str] | None = None,
) -> list[FieldView]:
    values = values or {}
    errors = errors or {}
    prefill_sources = prefill_sources or {}
    required = set(schema.get("required", []))
    out: list[FieldView] = []
    for name, prop in ordered_properties(schema):
        ptype = prop.get("type", "string")
        widget = prop.get("x-widget")
        options = [(str(v), str(v)) for v in prop.get("enum", [])]
        if "oneOf" in prop:
            options = [
                (str(o.get("const")), str(o.get("title", o.get("const")))) for o in prop["oneOf"]
            ]
        if ptype == "boolean":
            kind = "boolean"
        elif options:
            kind = (
                widget
                if widget in ("radio", "select")
                else ("radio" if len(options) <= 4 else "select")
            )
        elif widget == "textarea":
            kind = "textarea"
        elif prop.get("format") == "date" or widget == "date":
            kind = "date"
        elif ptype in ("integer", "number"):
            kind = ptype
        else:
            kind = "text"
        input_type = {"date": "date", "integer": "number", "number": "number"}.get(kind, "text")
        if prop.get("format") == "phone":
            input_type = "tel"
        out.append(
            FieldView(
                name=name,
                title=str(prop.get("title", name)),
                kind=kind,
                required=name in required,
                help=str(prop.get("x-help", prop.get("description", ""))),
                options=options,
                value=values.get(name, prop.get("default")),
                error=errors.get(name, ""),
                prefill=prop.get("x-prefill"),
                prefilled_from=prefill_sources.get(name, ""),
                input_type=input_type,
                max_length=prop.get("maxLength"),
            )
        )
    return out


def coerce(schema: dict[str, Any], raw: Any) -> dict[str, Any]:
    """Turn submitted strings (an HTML form's QueryDict or a dict) into typed values."""
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        ptype = prop.get("type", "string")
        if ptype == "boolean":
            value = raw.get(name)
            if value in (None, ""):
                continue
            data[name] = value in (True, "true", "on", "1", "yes", "是")
            continue
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
            # a value that does not parse stays text: validation reports it as 格式不正确
            if ptype == "integer":
                with contextlib.suppress(ValueError):
                    value = int(value)
            elif ptype == "number":
                with contextlib.suppress(ValueError):
                    value = float(value)
        data[name] = value
    return data


_MESSAGES = {
    "type": "格式不正确",
    "enum": "请从给出的选项中选择",
    "const": "取值不正确",
    "minLength": "内容过短",
    "maxLength": "内容过长",
    "pattern": "格式不正确",
    "minimum": "数值过小",
    "maximum": "数值过大",
    "exclusiveMinimum": "数值过小",
    "exclusiveMaximum": "数值过大",
}
_FORMAT_MESSAGES = {
    "phone": "应为11位手机号码或带区号的固定电话",
    "date": "日期格式应为 YYYY-MM-DD",
}


TEXT_MAX = 2000  # characters of a text field whose schema sets no maxLength


def _unreadable(text: str) -> bool:
    """NUL or a lone UTF-16 surrogate: nothing a person types, and not storable as UTF-8."""
    return "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text)


def text_problems(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Field name → Chinese message for text no form may store, draft or not: characters that
    are not text, or more than the field's ``maxLength`` (default ``TEXT_MAX``)."""
    errors: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        value = data.get(name)
        if not isinstance(value, str):
            continue
        title = prop.get("title", name)
        limit = int(prop.get("maxLength") or TEXT_MAX)
        if _unreadable(value):
            errors[name] = f"{title}：含有无法识别的字符，请重新输入。"
        elif len(value) > limit:
            errors[name] = f"{title}：不能超过{limit}个字。"
    return errors


def validate_form(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Field name → Chinese message for every problem (empty when the data is valid)."""
    validator = Draft202012Validator(schema, format_checker=_checker)
    errors: dict[str, str] = text_problems(schema, data)
    props = schema.get("properties", {})
    for err in validator.iter_errors(data):
        if err.validator == "required":
            missing = [n for n in schema.get("required", []) if n not in data]
            for name in missing:
                errors.setdefault(name, f"请填写{props.get(name, {}).get('title', name)}")
            continue
        if err.validator == "additionalProperties":
            continue
        name = str(err.path[0]) if err.path else ""
        title = props.get(name, {}).get("title", name)
        if err.validator == "format":
            fmt = str(err.validator_value)
            cause = err.cause
            detail = getattr(cause, "message", None) or _FORMAT_MESSAGES.get(fmt, "格式不正确")
            errors.setdefault(name, f"{title}：{detail}")
        else:
            errors.setdefault(name, f"{title}：{_MESSAGES.get(str(err.validator), '取值无效')}")
    return errors
