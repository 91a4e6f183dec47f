"""邮寄送达: a form that chooses delivery by post must give the address, a case closed for
delivery by post must have one, and the posted result's carrier and tracking number.

An item's form asks how the result is delivered with a choice whose options include one with
“邮寄” in it (领取方式: 窗口领取 / 邮寄送达), and the address in a field named
``mailing_address`` (or titled 邮寄地址).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from shuzheng.cases.models import Case
from shuzheng.core.errors import FieldError, ValidationFailed

MAIL_WORD = "邮寄"
ADDRESS_FIELD = "mailing_address"
TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def _fields(schema: dict[str, Any]) -> tuple[str | None, str | None]:
    """(the delivery choice's field, the address field) of a form schema."""
    props = schema.get("properties", {})
    choice = next(
        (
            name
            for name, prop in props.items()
            if any(MAIL_WORD in str(v) for v in prop.get("enum", []))
        ),
        None,
    )
    address = ADDRESS_FIELD if ADDRESS_FIELD in props else None
    if address is None:
        address = next((n for n, p in props.items() if "邮寄地址" in str(p.get("title", ""))), None)
    return choice, address


def mailing_problems(schema: dict[str, Any], form: dict[str, Any]) -> list[FieldError]:
    """邮寄送达 chosen without an address: an error naming the address field."""
    choice, address = _fields(schema)
    if choice is None or address is None:
        return []
    chosen = str(form.get(choice) or "")
    if MAIL_WORD not in chosen or str(form.get(address) or "").strip():
        return []
    props = schema["properties"]
    title = props[address].get("title") or "邮寄地址"
    return [
        FieldError(
            f"form.{address}",
            f"选择“{chosen}”时请填写{title}（收件人可收到邮件的详细地址）。",
        )
    ]


def check_mailable(case: Case, schema: dict[str, Any]) -> None:
    """A case closed for delivery by post whose form asks for a mailing address needs one (a
    form without the field: the address on record is used)."""
    _choice, address = _fields(schema)
    if address is not None and not str((case.form or {}).get(address) or "").strip():
        raise ValidationFailed.one(
            "delivery",
            "申请人未填写邮寄地址，不能选择邮寄送达；请选择电子送达或窗口领取。",
        )


def tracking(*, carrier: str | None, tracking_no: str | None, today: dt.date) -> dict[str, str]:
    """The posted result's carrier and tracking number, checked; ``ValidationFailed`` naming
    each missing or malformed one."""
    name = (carrier or "").strip()[:40]
    number = re.sub(r"\s+", "", tracking_no or "")
    errors = []
    if not name:
        errors.append(FieldError("carrier", "请填写承运的快递公司，例如中国邮政 EMS。"))
    if not number:
        errors.append(FieldError("tracking_no", "请填写快递单号。"))
    elif not TRACKING_RE.match(number):
        errors.append(FieldError("tracking_no", "快递单号应为 6 至 40 位字母、数字或连字符。"))
    if errors:
        raise ValidationFailed(errors)
    return {"carrier": name, "tracking_no": number.upper(), "sent_on": today.isoformat()}
