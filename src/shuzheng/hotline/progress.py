"""12345 诉求进度查询 without logging in (issue 18 item 8), as ``cases.progress`` does for 办件:
a ticket number and the phone given with the 诉求 give its status and steps in words — nothing
personal (no content, names, phones, addresses, department notes).

- An unknown number and a wrong phone answer the same 404 with one Chinese message after the
  same reads; a malformed number or phone is a 422 naming the field and is not counted.
- Every lookup from one client address counts against ``PROGRESS_MAX_PER_HOUR`` (identity's
  throttle rows, scope ``hotline_progress``) before anything is read; past it, 429.
- A lookup that finds the ticket is audited (``hotline.progress_read``), the phone masked.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.core.errors import FieldError, NotFound, ValidationFailed
from shuzheng.hotline import transitions as tr
from shuzheng.hotline.models import Ticket, TicketStatus
from shuzheng.hotline.services import actions
from shuzheng.identity import facade as identity

THROTTLE_SCOPE = "hotline_progress"
THROTTLE_WINDOW = 3600
TICKET_NO_RE = re.compile(r"^12345-\d{8}-\d{6}$")
PHONE_RE = re.compile(r"^1\d{10}$|^0\d{9,11}$")


def not_found_message() -> str:
    return _t("未找到该工单：请核对工单编号和反映诉求时留下的电话号码。")


def _clean_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def checked(ticket_no: str, phone: str) -> tuple[str, str]:
    number, digits = re.sub(r"\s+", "", ticket_no or ""), _clean_phone(phone)
    errors = []
    if not number:
        errors.append(FieldError("ticket_no", _t("请填写工单编号。")))
    elif not TICKET_NO_RE.match(number):
        errors.append(
            FieldError("ticket_no", _t("工单编号格式如 12345-20261207-000001，请核对后重新输入。"))
        )
    if not digits:
        errors.append(FieldError("phone", _t("请填写反映诉求时留下的电话号码。")))
    elif not PHONE_RE.match(digits):
        errors.append(FieldError("phone", _t("电话号码应为11位手机号或带区号的固话。")))
    if errors:
        raise ValidationFailed(errors)
    return number, digits


def summary(t: Ticket) -> str:
    s = t.status
    if s == TicketStatus.REGISTERED:
        return _t("已受理，等待派单。")
    if s in (TicketStatus.DISPATCHED, TicketStatus.RETURNED, TicketStatus.DISPUTED):
        return _t("正在确定承办单位。")
    if s == TicketStatus.HANDLING:
        return _t("承办单位正在办理。")
    if s == TicketStatus.ANSWERED:
        return _t("已答复，等待回访评价。")
    if s == TicketStatus.UNSATISFIED:
        return _t("您对答复不满意，中心正在处理。")
    if s == TicketStatus.MERGED:
        return _t("已与相同诉求合并办理。")
    return _t("已办结。")


def progress_read(*, request: HttpRequest, ticket_no: str, phone: str, via: str) -> dict[str, Any]:
    number, digits = checked(ticket_no, phone)
    identity.lookup_allow(
        request,
        scope=THROTTLE_SCOPE,
        limit=settings.PROGRESS_MAX_PER_HOUR,
        window_seconds=THROTTLE_WINDOW,
        message=_t("查询次数过多，请 {wait}后再试。"),
    )
    principal = identity.principal_for_request(request)
    with transaction.atomic():
        t = Ticket.objects.filter(ticket_no=number).first()
        known = _clean_phone(t.caller_phone) if t is not None else "0" * 11
        same = hmac.compare_digest(known.encode(), digits.encode())
        if t is None or not same:
            raise NotFound(not_found_message())
        audit.record(
            actor=principal.actor,
            action="hotline.progress_read",
            object_type="hotline.ticket",
            object_id=t.ticket_no,
            after={"phone": identity.mask_phone(digits), "via": via},
        )
        steps = [
            {
                "at": timezone.localtime(e.at).isoformat(),
                "text": str(tr.TICKET.timeline_label(e.action)),
                "status_name": actions.status_name(e.to_status),
            }
            for e in t.events.all()
            if e.action not in ("warning",)
        ]
        return {
            "ticket_no": t.ticket_no,
            "status": t.status,
            "status_name": actions.status_name(t.status),
            "summary": summary(t),
            "created_at": timezone.localtime(t.created_at).isoformat(),
            "due_at": timezone.localtime(t.due_at).isoformat() if t.due_at else None,
            "steps": steps,
        }
