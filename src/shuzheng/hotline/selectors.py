"""All reads of the hotline, scoped to the caller (docs/style.md habit 3).

Who sees what (issue 18 "Rules of access"):

- the 12345 center (``hotline_operator``, ``hotline_supervisor``): every ticket, everything;
- a department's ``hotline_handler``: the tickets whose lead or assisting department it is,
  the caller's phone masked, and for a 保密 ticket (always for 举报) no name, phone or identity;
- a person: the tickets they filed;
- anyone else: 404 (``NotFound``), never 403, so a number tells nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.cases import facade as cases
from shuzheng.core.errors import NotFound
from shuzheng.hotline import places
from shuzheng.hotline import transitions as tr
from shuzheng.hotline.models import (
    ClosedHow,
    Satisfaction,
    Ticket,
    TicketStatus,
    TicketType,
)
from shuzheng.hotline.services import actions
from shuzheng.hotline.services.handlers import settings
from shuzheng.hotline.tree import Tree, tree
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import HOTLINE_HANDLER_ROLES, Principal


def visible_tickets(principal: Principal) -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related("category", "master")
    if actions.is_center(principal):
        return qs
    if principal.kind == "staff":
        mine = principal.departments_for(HOTLINE_HANDLER_ROLES)
        if not mine:
            return qs.none()
        q = Q(lead_department__in=mine)
        for code in mine:  # the JSON list's text: '["441200-CGJ", …]' on both databases
            q |= Q(assisting_departments__icontains=f'"{code}"')
        return qs.filter(q)
    if principal.kind in ("person", "agent") and principal.id_number:
        return qs.filter(reporter_id_number=principal.id_number)
    return qs.none()


def may_see(principal: Principal, ticket: Ticket) -> bool:
    """The same scope as ``visible_tickets``, for one loaded row (``ticket_act``'s check)."""
    if actions.is_center(principal):
        return True
    if principal.kind == "staff":
        mine = set(principal.departments_for(HOTLINE_HANDLER_ROLES))
        return ticket.lead_department in mine or bool(mine & set(ticket.assisting_departments))
    return bool(
        principal.kind in ("person", "agent")
        and ticket.reporter_id_number
        and ticket.reporter_id_number == principal.id_number
    )


def ticket_for(principal: Principal, ticket_no: str) -> Ticket:
    ticket = visible_tickets(principal).filter(ticket_no=(ticket_no or "").strip()).first()
    if ticket is None:
        raise NotFound(_t("未找到该工单。"))
    return ticket


# --- what a caller reads -----------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def category_path(category_id: int | None, categories: Tree | None = None) -> list[dict[str, str]]:
    """The category and its parents (the root first), from the cached tree (``categories``
    when the caller has it: each ``tree()`` is a cache-version check)."""
    return [{"code": n.code, "name": n.name} for n in (categories or tree()).path(category_id)]


def summary(
    principal: Principal,
    t: Ticket,
    *,
    names: dict[str, str] | None = None,
    categories: Tree | None = None,
) -> dict[str, Any]:
    """A ticket's row. ``names`` (the departments' names) and ``categories`` (the tree): read
    once by a caller that shows many tickets or more of one — each read is a version check."""
    names = identity.department_names() if names is None else names
    path = category_path(t.category_id, categories)
    return {
        "ticket_no": t.ticket_no,
        "title": t.title,
        "type": t.ticket_type,
        "type_name": str(TicketType(t.ticket_type).label),
        "status": t.status,
        "status_name": actions.status_name(t.status),
        "category": path[-1] if path else None,
        "region_code": t.region_code,
        "region_name": places.county_name(t.region_code),
        "town_name": places.town_name(t.town_code),
        "lead_department": t.lead_department,
        "lead_department_name": names.get(t.lead_department, ""),
        "urgency": t.urgency,
        "warning": t.warning,
        "created_at": _iso(t.created_at),
        "due_at": _iso(t.due_at),
    }


def _caller(principal: Principal, t: Ticket) -> dict[str, Any]:
    """The caller as the reader may see them: the center and the citizen in full; a department
    masked, and nothing at all for a 保密 ticket."""
    full = actions.is_center(principal) or tr.CITIZEN in actions.roles_on(principal, t)
    if full:
        return {
            "name": t.caller_name,
            "phone": t.caller_phone,
            "id_number": t.reporter_id_number,
            "hidden": False,
        }
    if t.confidential:
        return {"name": "", "phone": "", "id_number": "", "hidden": True}
    return {
        "name": identity.mask_name(t.caller_name) if t.caller_name else "",
        "phone": identity.mask_phone(t.caller_phone) if t.caller_phone else "",
        "id_number": "",
        "hidden": False,
    }


def detail(principal: Principal, t: Ticket, *, new: bool = False) -> dict[str, Any]:
    """Everything about a ticket the caller may see. ``new``: ``t`` was made in this request
    (``ticket_create``, the intake's answer): no ticket is linked to it and no callback made
    yet, so those two are not read back."""
    names, categories = identity.department_names(), tree()
    staff = principal.kind == "staff"
    events = list(t.events.all())
    allowed = actions.allowed_actions(principal, t)
    out = summary(principal, t, names=names, categories=categories)
    out.update(
        {
            "channel": t.channel,
            "content": t.content,
            "respondent": t.respondent,
            "category_path": category_path(t.category_id, categories),
            "address": t.address,
            "town_code": t.town_code,
            "lat": str(t.lat) if t.lat is not None else None,
            "lng": str(t.lng) if t.lng is not None else None,
            "attachments": t.attachments,
            "confidential": t.confidential,
            "caller": _caller(principal, t),
            "linked_case_no": t.linked_case_no,
            "linked_case": linked_case(principal, t.linked_case_no),
            # a channel's extra values (Open311 attribute[code]): the center reads them
            "attributes": next(
                (e.data.get("attributes", {}) for e in events if e.action == "create"),
                {},
            )
            if actions.is_center(principal)
            else {},
            "master_no": t.master.ticket_no if t.master else "",
            "linked_tickets": [] if new else list(t.linked.values_list("ticket_no", flat=True)),
            "assisting_departments": [
                {"code": c, "name": names.get(c, "")} for c in t.assisting_departments
            ],
            "dispatched_at": _iso(t.dispatched_at),
            "sign_due_at": _iso(t.sign_due_at),
            "signed_at": _iso(t.signed_at),
            "limit": {"amount": t.limit_amount, "unit": t.limit_unit, "extended": t.extended},
            "extension_request": t.extension_request,
            "escalated": t.escalated,
            "answer": t.answer,
            "answered_at": _iso(t.answered_at),
            "satisfaction": t.satisfaction,
            "closed_at": _iso(t.closed_at),
            "closed_how": t.closed_how,
            "close_reason": t.close_reason,
            "return_count": t.return_count,
            "reopen_count": t.reopen_count,
            "urge_count": t.urge_count,
            "supervise_count": t.supervise_count,
            "allowed_actions": allowed,
            "action_labels": {a: str(tr.TICKET.label(a)) for a in allowed},
            "timeline": [
                {
                    "at": _iso(e.at),
                    "action": e.action,
                    "text": str(tr.TICKET.timeline_label(e.action)),
                    "status": e.to_status,
                    "status_name": actions.status_name(e.to_status),
                    "department": e.department,
                    "department_name": names.get(e.department, ""),
                    "note": e.note if staff else "",
                }
                for e in events
            ],
            "callbacks": [
                {
                    "at": _iso(c.at),
                    "satisfaction": c.satisfaction,
                    "satisfaction_name": str(Satisfaction(c.satisfaction).label),
                    "note": c.note if staff else "",
                }
                for c in ([] if new else t.callbacks.all())
            ],
        }
    )
    return out


def linked_case(principal: Principal, case_no: str) -> dict[str, Any] | None:
    """The 办件 a ticket is about (issue 18 item 1e) as the reader may name it: number, item,
    status in words and its department (the suggested 主办); None when there is none or the
    reader may not name it (``cases.facade.hotline_case_link``; an API client never)."""
    if not case_no or principal.kind == "client":  # a client learns only that it exists
        return None
    link = cases.hotline_case_link(principal, case_no)
    if link is None:
        return None
    return {
        "case_no": link.case_no,
        "item_name": link.item_name,
        "status": link.status,
        "status_name": link.status_name,
        "closed": link.closed,
        "department": link.department_code,
        "department_name": identity.department_names().get(link.department_code, ""),
    }


def ticket_list(
    principal: Principal,
    *,
    status: str = "",
    department: str = "",
    region: str = "",
    q: str = "",
    phone: str = "",
    warning: str = "",
    extension_pending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    qs = visible_tickets(principal)
    if warning:  # yellow | red (the pages' 预警 filter)
        qs = qs.filter(warning=warning)
    if extension_pending:  # a department's 延期申请 waiting for the center
        qs = qs.filter(status=TicketStatus.HANDLING).exclude(extension_request={})
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(lead_department=department)
    if region:
        qs = qs.filter(region_code=region)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(content__contains=q) | Q(ticket_no=q))
    if phone and actions.is_center(principal):  # the console: who is calling, earlier tickets
        qs = qs.filter(caller_phone=phone)
    total = qs.count()
    rows = qs.order_by("-created_at", "-id")[offset : offset + max(1, min(limit, 200))]
    names, categories = identity.department_names(), tree()
    return total, [summary(principal, t, names=names, categories=categories) for t in rows]


# --- 合并: a new ticket close to an open one ------------------------------------------------


_NOT_COMPARED = str.maketrans("", "", "，。、！？：；,.!?:;（）()")


@functools.lru_cache(maxsize=1024)
def _bigrams(text: str) -> frozenset[str]:
    """The text's character bigrams, kept per text (a pure function of it): the open tickets of
    a busy place are compared again on every intake there."""
    chars = "".join(text.split()).translate(_NOT_COMPARED)
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (Chinese text, no segmentation needed)."""
    return _jaccard(_bigrams(a), _bigrams(b))


MERGE_THRESHOLD = 0.25
MERGE_SCANNED = 500  # the newest open tickets of the place compared, at most


def merge_candidates(
    principal: Principal, ticket: Ticket, *, limit: int = 5
) -> list[dict[str, Any]]:
    """Open tickets of the same place (镇街, or 区县 when no 镇街 is known) and, when the new
    ticket has one, the same 诉求分类, within ``HotlineSettings.merge_window_days``, whose text
    is similar: offered for linking (合并). The newest ``MERGE_SCANNED`` are compared, read as
    plain values (no model instances), the new ticket's bigrams computed once: this runs on
    every intake."""
    if not actions.is_center(principal):
        return []
    since = ticket.created_at - dt.timedelta(days=settings().merge_window_days)
    qs = (
        Ticket.objects.filter(
            region_code=ticket.region_code,
            created_at__gte=since,
            created_at__lte=ticket.created_at,
            master__isnull=True,
        )
        .exclude(pk=ticket.pk)
        .exclude(status__in=(TicketStatus.CLOSED, TicketStatus.MERGED))
    )
    if ticket.town_code:
        qs = qs.filter(town_code=ticket.town_code)
    if ticket.category_id:  # the same 诉求分类 (index hotline_merge_scan); none: any
        qs = qs.filter(category_id=ticket.category_id)
    rows = list(
        qs.order_by("-created_at", "-id").values_list(
            "ticket_no", "title", "content", "address", "status"
        )[:MERGE_SCANNED]
    )
    mine = _bigrams(f"{ticket.title} {ticket.content} {ticket.address}")
    scored = []
    for no, title, content, address, status in reversed(rows):  # the oldest first
        score = _jaccard(mine, _bigrams(f"{title} {content} {address}"))
        if score >= MERGE_THRESHOLD:
            scored.append((score, no, title, status))
    scored.sort(key=lambda x: -x[0])  # stable: of equal scores, the oldest first
    return [
        {
            "ticket_no": no,
            "title": title,
            "status": status,
            "status_name": actions.status_name(status),
            "similarity": round(score, 3),
        }
        for score, no, title, status in scored[:limit]
    ]


# --- metrics (三率 and friends) -----------------------------------------------------------------

METRIC_NAMES = {
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "on_time_rate": "按时办结率",
    "first_contact_rate": "一次性解答率",
    "return_rate": "退单率",
    "repeat_call_rate": "重复来电率",
}


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def metrics(
    principal: Principal, *, start: dt.date, end: dt.date, group: str = "department"
) -> dict[str, Any]:
    """Rates of the tickets created from ``start`` to ``end`` (inclusive), per department (the
    lead department) or per district (``group="region"``) and overall; definitions: README.
    The center sees all; a department's handlers their own department's tickets. Counted by
    the database (one ``GROUP BY`` with filtered counts; 重复来电 the flag the intake stored,
    ``records.is_repeat_call``), so a month over a million tickets stays fast; overall = the
    groups' sums."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    field = "lead_department" if group == "department" else "region_code"
    phoned = ~Q(caller_phone="")
    good = (Satisfaction.SATISFIED, Satisfaction.BASIC)
    dispatched = Q(dispatched_at__isnull=False)
    rows = (
        visible_tickets(principal)
        .filter(created_at__gte=lo, created_at__lt=hi)
        .order_by()
        .values(field)
        .annotate(
            tickets=Count("id"),
            dispatched=Count("id", filter=dispatched),
            signed_ok=Count("id", filter=dispatched & Q(signed_in_time=True)),
            answered=Count("id", filter=Q(answered_in_time__isnull=False)),
            answered_ok=Count("id", filter=Q(answered_in_time=True)),
            rated=Count("id", filter=Q(satisfaction__in=(*good, Satisfaction.UNSATISFIED))),
            good=Count("id", filter=Q(satisfaction__in=good)),
            resolved=Count(
                "id", filter=Q(status=TicketStatus.CLOSED) & ~Q(closed_how=ClosedHow.SUPERVISOR)
            ),
            direct=Count("id", filter=Q(closed_how=ClosedHow.DIRECT)),
            returned=Count("id", filter=dispatched & Q(return_count__gt=0)),
            phoned=Count("id", filter=phoned),
            repeats=Count("id", filter=phoned & Q(repeat_call=True)),
        )
    )
    counts = {str(r.pop(field) or ""): r for r in rows}
    names = identity.department_names()

    def rates(c: dict[str, int]) -> dict[str, Any]:
        return {
            "tickets": c["tickets"],
            "response_rate": _rate(c["signed_ok"], c["dispatched"]),
            "resolution_rate": _rate(c["resolved"], c["tickets"]),
            "satisfaction_rate": _rate(c["good"], c["rated"]),
            "on_time_rate": _rate(c["answered_ok"], c["answered"]),
            "first_contact_rate": _rate(c["direct"], c["tickets"]),
            "return_rate": _rate(c["returned"], c["dispatched"]),
            "repeat_call_rate": _rate(c["repeats"], c["phoned"]),
        }

    total: dict[str, int] = defaultdict(int)
    for c in counts.values():
        for name, n in c.items():
            total[name] += n
    if not counts:
        total.update(dict.fromkeys(("tickets", "dispatched", "signed_ok", "answered",
                                    "answered_ok", "rated", "good", "resolved", "direct",
                                    "returned", "phoned", "repeats"), 0))  # fmt: skip
    out_groups = []
    for key in sorted(counts):
        label = names.get(key, _t("未派单")) if group == "department" else places.county_name(key)
        out_groups.append({"code": key, "name": label or key, **rates(counts[key])})
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "group": group,
        "names": METRIC_NAMES,
        "overall": rates(total),
        "groups": out_groups,
    }
