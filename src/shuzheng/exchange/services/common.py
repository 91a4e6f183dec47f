"""Input checks and the audit of refused attempts, shared by the exchange's services.

An authenticated caller's attempt refused at an access check (403, or 404 for an object they
may not see) is audited as ``…_refused`` with the reason (``refusal_record``); bad input (422)
and conflicts (409) change nothing and are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.exchange import selectors
from shuzheng.exchange.contracts import ResourceInfo
from shuzheng.exchange.models import ShareRequest
from shuzheng.identity.contracts import Principal

PURPOSES = dict(ShareRequest.Purpose.choices)


def check_text(value: Any, field: str, label: str, *, min_len: int, max_len: int) -> str:
    text = str(value or "").strip()
    if len(text) < min_len:
        raise ValidationFailed.one(field, f"请填写{label}（至少 {min_len} 个字）。")
    if len(text) > max_len:
        raise ValidationFailed.one(field, f"{label}不能超过 {max_len} 个字。")
    return text


def check_days(value: Any, field: str, maximum: int) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed.one(field, "期限应为天数（整数）。") from None
    if not 1 <= days <= maximum:
        raise ValidationFailed.one(field, f"期限应在 1 至 {maximum} 天之间。")
    return days


def field_subset(info: ResourceInfo, wanted: Iterable[Any], field: str = "fields") -> list[str]:
    """The requested fields, each one a field of the resource; errors name every unknown one."""
    names: list[str] = []
    errors: list[FieldError] = []
    known = set(info.field_names)
    for i, raw in enumerate(wanted):
        name = str(raw).strip()
        if name not in known:
            errors.append(FieldError(f"{field}.{i}", f"信息项 {name} 不属于资源 {info.name}。"))
        elif name not in names:
            names.append(name)
    if errors:
        raise ValidationFailed(
            errors, message="未知信息项：" + "、".join(e.message.split(" ")[1] for e in errors)
        )
    if not names:
        raise ValidationFailed.one(field, "请至少选择一个信息项。")
    return names


def resource_for_input(code: str, field: str = "resource") -> ResourceInfo:
    try:
        return selectors.resource_info(str(code or "").strip())
    except NotFound:
        raise ValidationFailed.one(field, f"信息资源 {code} 不存在。") from None


# --- refused attempts ----------------------------------------------------------------------------

# Refusals of access (the caller may not do this, or may not see the object) — not input errors
# (422) or conflicts with the object's state (409), which are the caller's to fix.
AUDITED_REFUSALS = (Forbidden, NotFound)


def refusal_record(
    principal: Principal,
    exc: DomainError,
    *,
    action: str,
    object_type: str,
    object_id: Any,
    context: dict[str, Any] | None = None,
) -> None:
    """Audit an authenticated caller's attempt that was refused access, like the data API audits
    its refused calls. The refusal changes nothing else; the record is written in a transaction
    of its own (so it stays when the refusal propagates). Anonymous attempts have no actor and
    stop at authentication; input errors and conflicts are not recorded."""
    if not principal.is_authenticated or not isinstance(exc, AUDITED_REFUSALS):
        return
    with transaction.atomic():
        audit.record(
            actor=principal.actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id or "")[:128],
            after={
                **(context or {}),
                "outcome": "refused",
                "reason": exc.message[:300],
                "status": exc.status,
            },
        )


@contextmanager
def refusals_audited(
    principal: Principal,
    *,
    action: str,
    object_type: str,
    object_id: Any,
    context: dict[str, Any] | None = None,
) -> Iterator[None]:
    """Audit a Forbidden / NotFound raised by the access checks inside the block, then re-raise."""
    try:
        yield
    except AUDITED_REFUSALS as exc:
        refusal_record(
            principal,
            exc,
            action=action,
            object_type=object_type,
            object_id=object_id,
            context=context,
        )
        raise


def short(value: Any, limit: int = 64) -> str:
    return str(value or "").strip()[:limit]


def choice(value: Any, choices: Any, field: str, label: str) -> str:
    text = str(value or "")
    if text not in choices.values:
        raise ValidationFailed.one(
            field, f"{label}应为：" + "、".join(f"{v}（{n}）" for v, n in choices.choices)
        )
    return text
