"""Acting on a ticket: who may, and one path for every action of ``hotline.transitions``.

``ticket_act`` locks the ticket, checks the action against the table (an unknown action is a 422
naming ``action``; one not allowed now a 409 listing ``allowed_actions``), sets the row's target
state, runs its handler (which checks its input first), saves, writes the timeline event, tells
the citizen (SMS after commit) and the department, and appends the audit record — one
transaction. Nothing changes when any step refuses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, NotFound, ValidationFailed
from shuzheng.hotline import transitions as tr
from shuzheng.hotline.models import Ticket, TicketStatus
from shuzheng.hotline.services import records
from shuzheng.hotline.services.handlers import Act
from shuzheng.identity.contracts import HOTLINE_CENTER_ROLES, HOTLINE_HANDLER_ROLES, Principal

SYSTEM_ACTOR = "system:hotline"
LINK_ACTOR = "citizen:rating-link"  # the caller, rating through the texted 评价 link


def roles_on(principal: Principal, ticket: Ticket) -> set[str]:
    """The caller's roles on this ticket (``transitions`` module docstring)."""
    out: set[str] = set()
    if principal.kind == "staff":
        if principal.has_role("hotline_operator"):
            out.add(tr.OPERATOR)
        if principal.has_role("hotline_supervisor"):
            out.add(tr.SUPERVISOR)
        mine = set(principal.departments_for(HOTLINE_HANDLER_ROLES))
        if ticket.lead_department and ticket.lead_department in mine:
            out.add(tr.HANDLER)
    if (
        principal.kind in ("person", "agent")
        and ticket.reporter_id_number
        and ticket.reporter_id_number == principal.id_number
    ):
        out.add(tr.CITIZEN)
    if principal.kind == "system":
        out.add(tr.SYSTEM)
    return out


def is_center(principal: Principal) -> bool:
    return principal.kind == "staff" and any(principal.has_role(r) for r in HOTLINE_CENTER_ROLES)


def allowed_actions(
    principal: Principal, ticket: Ticket, *, rating_link: bool = False
) -> list[str]:
    """What the caller may do now; ``rating_link``: the caller holds the ticket's signed 评价
    link (``services.rating_link``), which makes them its citizen for the 评价 alone."""
    if rating_link:
        roles = {tr.CITIZEN}
        return [a for a in tr.TICKET.allowed(ticket.status, roles, ticket) if a == "callback"]
    return tr.TICKET.allowed(ticket.status, roles_on(principal, ticket), ticket)


def status_name(status: str) -> str:
    return str(TicketStatus(status).label) if status in TicketStatus.values else ""


def ticket_act(
    *,
    principal: Principal,
    ticket_no: str,
    action: str,
    params: dict[str, Any] | None = None,
    visible: Any = None,
    at: dt.datetime | None = None,
    rating_link: bool = False,
) -> Ticket:
    """Do one action. ``visible(principal, ticket) -> bool`` (the selectors' scope) decides
    whether the caller may see the ticket at all: NotFound otherwise. ``rating_link``: the
    caller showed the ticket's signed 评价 link (``rating_link.ticket_rate_by_link`` checked
    it), which allows the ``callback`` alone."""
    at = at or timezone.now()
    params = dict(params or {})
    with transaction.atomic():
        ticket = records.lock(ticket_no)
        if ticket is None or (visible is not None and not visible(principal, ticket)):
            raise NotFound(_t("未找到该工单。"))
        allowed = allowed_actions(principal, ticket, rating_link=rating_link)
        if action not in tr.TICKET:
            words = "、".join(f"{tr.TICKET.label(a)}（{a}）" for a in allowed)
            error = ValidationFailed.one(
                "action",
                _t("没有“%(a)s”这项操作。") % {"a": action[:40]}
                + (_t("当前可执行的操作：%(w)s。") % {"w": words} if words else ""),
            )
            error.extra = {"allowed_actions": allowed}
            raise error
        if action not in allowed:
            raise Conflict(
                _t("工单当前状态“%(s)s”下不能执行“%(a)s”。")
                % {"s": status_name(ticket.status), "a": tr.TICKET.label(action)},
                extra={"allowed_actions": allowed},
            )
        row = tr.TICKET[action]
        actor = LINK_ACTOR if rating_link else _actor(principal)
        before, from_status = records.snapshot(ticket), ticket.status
        if row.target is not None:
            ticket.status = row.target
        act = Act(ticket=ticket, principal=principal, at=at, params=params, actor=actor)
        assert row.handler is not None
        row.handler(act)
        ticket.save()
        note = str(params.get("note") or params.get("reason") or "")[:2000]
        records.add_event(
            ticket,
            actor=actor,
            action=action,
            before=from_status,
            at=at,
            note=note,
            department=act.department,
            data=act.data,
        )
        if act.citizen_text:
            records.tell_citizen(ticket, act.citizen_text)
        if act.department_text:
            records.tell_department(ticket.lead_department, ticket, act.department_text)
        audit.record(
            actor=actor,
            action=f"hotline.{action}",
            object_type="hotline.ticket",
            object_id=ticket.ticket_no,
            before=before,
            after={**records.snapshot(ticket), **_jsonable(act.data)},
        )
    return ticket


def _actor(principal: Principal) -> str:
    return SYSTEM_ACTOR if principal.kind == "system" else principal.actor


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in data.items()}


SYSTEM = Principal(kind="system", username="hotline")


def escalate_overdue(*, at: dt.datetime | None = None) -> int:
    """超时未签收: every dispatched ticket whose 签收 limit passed is escalated once (the
    ``escalate`` row, done by the system). Returns how many."""
    at = at or timezone.now()
    numbers = list(
        Ticket.objects.filter(
            status=TicketStatus.DISPATCHED, escalated=False, sign_due_at__lt=at
        ).values_list("ticket_no", flat=True)
    )
    for no in numbers:
        ticket_act(principal=SYSTEM, ticket_no=no, action="escalate", at=at)
    return len(numbers)


def warnings_refresh(*, at: dt.datetime | None = None) -> int:
    """Yellow/red/overdue on open tickets at a department (``HotlineSettings`` percentages of
    the limit left); returns how many changed. A derived flag, not an action: not audited."""
    from shuzheng.core.lifecycle import warning_at
    from shuzheng.hotline.services.handlers import settings

    at = at or timezone.now()
    cfg = settings()
    changed = 0
    rows = Ticket.objects.filter(
        status__in=(TicketStatus.DISPATCHED, TicketStatus.HANDLING),
        due_at__isnull=False,
        dispatched_at__isnull=False,
    ).only("id", "warning", "due_at", "dispatched_at")
    for t in rows:
        assert t.due_at is not None and t.dispatched_at is not None
        level = warning_at(
            at,
            t.dispatched_at,
            t.due_at,
            yellow=cfg.yellow_percent / 100,
            red=cfg.red_percent / 100,
        )
        if level != t.warning:
            Ticket.objects.filter(pk=t.pk).update(warning=level)
            changed += 1
    return changed
