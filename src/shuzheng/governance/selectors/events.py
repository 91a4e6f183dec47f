"""Reads of 城市管理事件, scoped to the caller.

- the center and leaders (``access.scope_of(...).all``) → every event;
- staff of a department → the events dispatched to it and the ones it reported;
- staff of a 区县's department → the events in that 区县;
- a 网格员 → their own reports and the 核查 tasks given to them;
- an API client → the events it sent.

Anyone else: 403 on lists, 404 on an event. ``open_events_by_district`` and
``events_summary`` are aggregates for the command dashboard (no personal data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q

from shuzheng.core.errors import Forbidden, NotFound, Unauthenticated
from shuzheng.governance.contracts import EventInfo, EventStepInfo
from shuzheng.governance.models import CityEvent, EventStatus, GridMember
from shuzheng.governance.selectors.access import scope_of
from shuzheng.governance.transitions_events import EVENT_LIFECYCLE, OPEN
from shuzheng.identity.contracts import Principal

EVENTS_SCOPES = ("city.events", "city.readings")
"""API client scopes that may send events (sensing platforms, other systems)."""


def grid_member(principal: Principal) -> GridMember | None:
    if principal.kind != "staff" or not principal.username:
        return None
    return GridMember.objects.filter(username=principal.username, active=True).first()


def events_q(principal: Principal) -> Q | None:
    """The events the caller sees: None = all; raises Forbidden when none at all."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "client":
        if not set(EVENTS_SCOPES) & set(principal.scopes):
            raise Forbidden("无权查看城市管理事件。")
        return Q(reporter=principal.actor)
    if principal.kind != "staff":
        raise Forbidden("无权查看城市管理事件。")
    scope = scope_of(principal)
    if scope.all:
        return None
    q = Q(reporter=principal.actor) | Q(checker=principal.actor)
    if scope.departments:
        depts = sorted(scope.departments)
        q |= Q(department__in=depts) | Q(reporter_department__in=depts)
    if scope.districts:
        q |= Q(district__in=sorted(scope.districts))
    if not (scope.departments or scope.districts) and grid_member(principal) is None:
        raise Forbidden("无权查看城市管理事件。")
    return q


def visible_events(principal: Principal) -> Any:
    q = events_q(principal)
    qs = CityEvent.objects.select_related("event_class", "grid")
    return qs if q is None else qs.filter(q)


def event_for(principal: Principal, event_no: str) -> CityEvent:
    try:
        q = events_q(principal)
    except Forbidden:
        raise NotFound("未找到该事件。") from None
    qs = CityEvent.objects.select_related("event_class", "grid").filter(event_no=event_no)
    event = (qs if q is None else qs.filter(q)).first()
    if event is None:
        raise NotFound("未找到该事件。")
    return event


def roles_on_event(principal: Principal, event: CityEvent) -> list[str]:
    if principal.kind == "system":
        return ["system"]
    if principal.kind != "staff":
        return []
    roles = []
    if scope_of(principal).all:
        roles.append("center")
    if event.department and event.department in principal.departments:
        roles.append("department")
    if event.checker and event.checker == principal.actor:
        roles.append("checker")
    return roles


def allowed_actions(principal: Principal, event: CityEvent) -> list[str]:
    return EVENT_LIFECYCLE.allowed(event.status, roles_on_event(principal, event), event)


def events_list(
    *,
    principal: Principal,
    status: str = "",
    district: str = "",
    department: str = "",
    mine: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[CityEvent]]:
    qs = visible_events(principal)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(district=district)
    if department:
        qs = qs.filter(department=department)
    if mine == "reported":
        qs = qs.filter(reporter=principal.actor)
    elif mine == "check":
        qs = qs.filter(checker=principal.actor, status=EventStatus.CHECKING)
    limit = max(1, min(limit, 200))
    return qs.count(), list(qs.order_by("-created_at", "-id")[offset : offset + limit])


# --- aggregates for the command dashboard -------------------------------------------------------


def open_events_by_district(principal: Principal | None = None) -> dict[str, int]:
    """{区县 code: open events} (待立案 … 待结案); scoped to ``principal`` when given."""
    qs = CityEvent.objects.filter(status__in=OPEN)
    if principal is not None:
        q = events_q(principal)
        if q is not None:
            qs = qs.filter(q)
    rows = qs.values("district").annotate(n=Count("id")).order_by("district")
    return {r["district"]: r["n"] for r in rows}


def events_summary(since: dt.datetime, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """What happened to events since ``since``, city-wide: reported, filed, rejected, closed,
    closed on time, open now, overdue now, and open events per status."""
    from django.utils import timezone

    now = now or timezone.now()
    recent = CityEvent.objects.filter(created_at__gte=since)
    closed = CityEvent.objects.filter(closed_at__gte=since)
    open_qs = CityEvent.objects.filter(status__in=OPEN)
    by_status = {
        r["status"]: r["n"]
        for r in open_qs.values("status").annotate(n=Count("id")).order_by("status")
    }
    return {
        "reported": recent.count(),
        "filed": CityEvent.objects.filter(filed_at__gte=since).count(),
        "rejected": recent.filter(status=EventStatus.REJECTED).count(),
        "closed": closed.count(),
        "closed_on_time": closed.filter(handled_at__lte=F("due_at")).count(),
        "open": sum(by_status.values()),
        "overdue": open_qs.filter(due_at__lt=now, status=EventStatus.DISPATCHED).count(),
        "by_status": by_status,
    }


def performance(since: dt.datetime, *, by: str = "district") -> list[dict[str, Any]]:
    """GB/T 30428 绩效 per 区县 (``by="district"``) or 处置部门 (``"department"``) over events
    reported since ``since``: 立案率 = 立案 / 上报, 按期处置率 = 按期反馈 / 反馈, 核查通过率 =
    结案 / 反馈, 返工率 = 返工过的 / 反馈 (percentages, None when nothing to divide)."""
    key = "department" if by == "department" else "district"
    qs = CityEvent.objects.filter(created_at__gte=since)
    if key == "department":
        qs = qs.exclude(department="")
    rows = (
        qs.values(key)
        .annotate(
            reported=Count("id"),
            filed=Count("id", filter=Q(filed_at__isnull=False)),
            handled=Count("id", filter=Q(handled_at__isnull=False)),
            on_time=Count("id", filter=Q(handled_at__isnull=False, handled_at__lte=F("due_at"))),
            closed=Count("id", filter=Q(status=EventStatus.CLOSED)),
            reworked=Count("id", filter=Q(rework_count__gt=0, handled_at__isnull=False)),
        )
        .order_by(key)
    )

    def pct(a: int, b: int) -> float | None:
        return round(100.0 * a / b, 1) if b else None

    return [
        {
            "key": r[key],
            "reported": r["reported"],
            "filing_rate": pct(r["filed"], r["reported"]),
            "on_time_rate": pct(r["on_time"], r["handled"]),
            "check_pass_rate": pct(r["closed"], r["handled"]),
            "rework_rate": pct(r["reworked"], r["handled"]),
        }
        for r in rows
    ]


# --- what the API and pages show --------------------------------------------------------------


def event_info(event: CityEvent, principal: Principal, *, steps: bool = True) -> EventInfo:
    from shuzheng.core import codes
    from shuzheng.governance.services.events import suggest_department, warning
    from shuzheng.identity import facade as identity

    names = identity.department_names()
    members = {
        f"user:{m.username}": m.name
        for m in GridMember.objects.filter(
            username__in=[event.checker.removeprefix("user:")] if event.checker else []
        )
    }
    step_rows = list(event.steps.order_by("at", "id")) if steps else []
    statuses = dict(EventStatus.choices)
    return EventInfo(
        event_no=event.event_no,
        status=event.status,
        status_label=str(statuses.get(event.status, "")),
        category=event.event_class.code,
        category_name=event.event_class.name,
        kind_label=str(event.event_class.get_kind_display()),
        source=event.source,
        source_label=str(event.get_source_display()),
        level=event.level,
        description=event.description,
        address=event.address,
        lat=float(event.lat) if event.lat is not None else None,
        lng=float(event.lng) if event.lng is not None else None,
        district=event.district,
        district_name=codes.region_name(event.district) or "",
        town_code=event.town_code,
        grid=event.grid.code if event.grid else "",
        grid_name=event.grid.name if event.grid else "",
        reporter_name=event.reporter_name,
        department=event.department,
        department_name=names.get(event.department, ""),
        suggested_department=suggest_department(event.event_class, event.district),
        checker=event.checker.removeprefix("user:"),
        checker_name=members.get(event.checker, ""),
        photos=list(event.photos),
        hotline_ticket_no=event.hotline_ticket_no,
        outcome=event.outcome,
        rework_count=event.rework_count,
        urge_count=event.urge_count,
        supervise_count=event.supervise_count,
        rating=event.rating,
        created_at=event.created_at,
        filed_at=event.filed_at,
        dispatched_at=event.dispatched_at,
        due_at=event.due_at,
        closed_at=event.closed_at,
        warning=warning(event),
        allowed_actions=allowed_actions(principal, event),
        steps=[
            EventStepInfo(
                action=s.action,
                label=str(EVENT_LIFECYCLE.timeline_label(s.action)),
                status=s.to_status,
                status_label=str(statuses.get(s.to_status, "")),
                actor_name=s.actor_name,
                note=s.note,
                photos=list(s.photos),
                at=s.at,
            )
            for s in step_rows
        ],
    )


def linked_to_ticket(ticket_no: str) -> list[Any]:
    """``core.links`` provider for ``"hotline.ticket"``: the events made from a 12345 ticket —
    number, status and, once closed, the outcome (nothing about who reported or handled it)."""
    from shuzheng.core.links import Linked

    out = []
    for e in CityEvent.objects.filter(hotline_ticket_no=ticket_no).order_by("id"):
        closed = e.status == EventStatus.CLOSED
        out.append(
            Linked(
                kind_label="城市管理事件",
                number=e.event_no,
                status_label=str(dict(EventStatus.choices).get(e.status, "")),
                outcome=e.outcome if closed else "",
                url=f"/city/events/{e.event_no}/",
                done=closed or e.status == EventStatus.REJECTED,
            )
        )
    return out
