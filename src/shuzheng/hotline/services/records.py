"""The small pieces every write of a ticket uses: numbers, the lock, the timeline, the audit
snapshot, and telling the citizen and the departments (after commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.core import rawsql
from shuzheng.core.sms import send_sms_after_commit, signed
from shuzheng.hotline.models import Ticket, TicketEvent, TicketSequence
from shuzheng.identity import facade as identity
from shuzheng.notify import facade as notify

PREFIX = "12345"
CENTER_DEPARTMENT = "441200-ZSJ"  # 肇庆 12345 (市政务服务数据管理局)


def next_serial(day: str) -> int:
    """The day's next serial (``rawsql.next_in_sequence``, as ``cases`` numbers its cases: one
    upsert, the ``TicketSequence`` row locked until the caller's transaction ends, so serials
    never repeat or skip; tested equal to a read of the row)."""
    return rawsql.next_in_sequence(TicketSequence, "day", day)


def next_ticket_no(now: dt.datetime) -> str:
    """12345-YYYYMMDD-NNNNNN: the local day and its serial (``next_serial``; call inside the
    creating transaction)."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    return f"{PREFIX}-{day}-{next_serial(day):06d}"


REPEAT_DAYS = 30


def is_repeat_call(phone: str, category_id: int | None, at: dt.datetime) -> bool:
    """重复来电: the phone called about the same category (or both without one) within
    ``REPEAT_DAYS`` before ``at``. Asked once at intake and stored (``Ticket.repeat_call``), so
    the metrics count a flag instead of scanning two months of calls (index on the phone)."""
    if not phone:
        return False
    same = Q(category_id=category_id) if category_id is not None else Q(category__isnull=True)
    return Ticket.objects.filter(
        same,
        caller_phone=phone,
        created_at__gte=at - dt.timedelta(days=REPEAT_DAYS),
        created_at__lt=at,
    ).exists()


def lock(ticket_no: str) -> Ticket | None:
    return Ticket.objects.select_for_update().filter(ticket_no=ticket_no).first()


SNAPSHOT = (
    "status",
    "lead_department",
    "assisting_departments",
    "due_at",
    "return_count",
    "reopen_count",
    "satisfaction",
    "extended",
    "escalated",
)


def snapshot(ticket: Ticket) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SNAPSHOT:
        value = getattr(ticket, name)
        out[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def add_event(
    ticket: Ticket,
    *,
    actor: str,
    action: str,
    before: str,
    at: dt.datetime,
    note: str = "",
    department: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        at=at,
        actor=actor,
        action=action,
        from_status=before,
        to_status=ticket.status,
        department=department or ticket.lead_department,
        note=note[:2000],
        data=data or {},
    )


def department_name(code: str) -> str:
    return identity.department_names().get(code, "") or _t("承办单位")


def tell_citizen(ticket: Ticket, text: str) -> None:
    """An SMS (and, for a known person, an in-app message) to whoever filed the ticket; sent
    only if the transaction commits."""
    body = _t("您的诉求（工单号 %(no)s）%(text)s") % {"no": ticket.ticket_no, "text": text}
    if ticket.reporter_id_number:
        notify.send(
            recipient_kind="person",
            recipient_id=ticket.reporter_id_number,
            title=_t("12345 诉求进度"),
            body=body,
            link="",
        )
    elif ticket.caller_phone:
        send_sms_after_commit(ticket.caller_phone, signed(body))


def tell_department(code: str, ticket: Ticket, text: str) -> None:
    """An in-app message to a department's inbox (its 12345 handlers read it)."""
    if not code:
        return
    notify.send(
        recipient_kind="department",
        recipient_id=code,
        title=_t("12345 工单 %(no)s") % {"no": ticket.ticket_no},
        body=text,
        link="",
        sms=False,
    )
