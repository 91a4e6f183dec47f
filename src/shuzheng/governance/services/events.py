"""城市管理事件: intake from every source (``event_report``) and the closed loop
(``event_act``, one save path through ``transitions_events.EVENT_LIFECYCLE``). Each change is
one ``EventStep`` and one audit record in the same transaction; notices (the department's
inbox, the 网格员's inbox and SMS) go out after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.core import codes
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.core.lifecycle import HOURS, WORKING_DAYS, TimeLimit, warning_at
from shuzheng.core.sms import send_sms_after_commit
from shuzheng.files import facade as files
from shuzheng.governance.models import (
    CityEvent,
    EventClass,
    EventSource,
    EventStatus,
    EventStep,
    GridCell,
    GridMember,
)
from shuzheng.governance.selectors import events as selectors
from shuzheng.governance.selectors.access import scope_of
from shuzheng.governance.transitions_events import EVENT_LIFECYCLE, RATINGS
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify

log = logging.getLogger(__name__)

LAT_RANGE = (Decimal("22.70"), Decimal("24.45"))
LNG_RANGE = (Decimal("111.30"), Decimal("113.00"))
"""肇庆's bounding box (the same box hotline's places use): a place outside is refused."""
IMAGE_TYPES = ("image/jpeg", "image/png")
MAX_PHOTOS = 6
MAX_DESCRIPTION = 1000
YELLOW, RED = 0.3, 0.1
"""Warnings when less than 30 % / 10 % of the 处置 time limit is left (as 12345 does)."""
SYSTEM = Principal(kind="system", username="governance")

CloseListener = Callable[[CityEvent], None]
_CLOSE_LISTENERS: dict[Any, CloseListener] = {}


def register_close_listener(listener: CloseListener, *, key: Any = None) -> None:
    """A module above governance is told, inside the closing transaction, when an event is
    closed or rejected (``workbench`` writes the outcome to the linked 12345 ticket)."""
    _CLOSE_LISTENERS[key if key is not None else listener] = listener


# --- helpers ----------------------------------------------------------------------------------


def time_limit(event_class: EventClass) -> TimeLimit:
    unit = HOURS if event_class.limit_unit == HOURS else WORKING_DAYS
    return TimeLimit(amount=event_class.limit_amount, unit=unit)


def warning(event: CityEvent, now: dt.datetime | None = None) -> str:
    """none / yellow / red / overdue while the department handles it; none otherwise."""
    if event.status != EventStatus.DISPATCHED or not event.due_at or not event.dispatched_at:
        return "none"
    return warning_at(
        now or timezone.now(), event.dispatched_at, event.due_at, yellow=YELLOW, red=RED
    )


def suggest_department(event_class: EventClass, district: str) -> str:
    """The department to dispatch to: the class's department; when the 区县 has a department
    of the same kind (its code ends like the city's, e.g. 441204-CGJ), that one."""
    suffix = event_class.department.split("-", 1)[-1]
    local = f"{district}-{suffix}"
    if district and local in identity.department_names():
        return local
    return event_class.department


def district_name(code: str) -> str:
    return codes.region_name(code) or code


def snapshot(e: CityEvent) -> dict[str, Any]:
    return {
        "status": e.status,
        "class": e.event_class.code,
        "district": e.district,
        "grid": e.grid.code if e.grid else "",
        "department": e.department,
        "checker": e.checker,
        "level": e.level,
        "rework_count": e.rework_count,
        "rating": e.rating,
        "photos": len(e.photos),
    }


def _next_no(now: dt.datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    prefix = f"SJ{day}"
    last = (
        CityEvent.objects.filter(event_no__startswith=prefix)
        .order_by("-event_no")
        .values_list("event_no", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:05d}"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError from None
    if not d.is_finite():
        raise ValueError
    return d.quantize(Decimal("0.000001"))


def photos_checked(
    principal: Principal, ids: Any, field: str, errors: list[FieldError]
) -> list[dict[str, str]]:
    """Each an image (JPEG/PNG) the caller uploaded through ``files``."""
    if ids in (None, ""):
        return []
    if not isinstance(ids, list | tuple):
        errors.append(FieldError(field, _t("照片应为已上传文件编号的列表。")))
        return []
    if len(ids) > MAX_PHOTOS:
        errors.append(FieldError(field, _t("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}))
        return []
    out = []
    for i, file_id in enumerate(ids):
        info = files.file_for_owner(str(file_id), principal.actor)
        if info is None:
            errors.append(FieldError(f"{field}[{i}]", _t("照片不存在或不是您上传的文件。")))
            continue
        if info.content_type not in IMAGE_TYPES:
            errors.append(
                FieldError(
                    f"{field}[{i}]",
                    _t("“%(name)s”不是图片，请上传 JPEG 或 PNG 照片。") % {"name": info.name[:60]},
                )
            )
            continue
        out.append({"file_id": info.file_id, "name": info.name})
    return out


def _place(
    data: Mapping[str, Any], errors: list[FieldError]
) -> tuple[GridCell | None, Decimal | None, Decimal | None]:
    grid: GridCell | None = None
    code = str(data.get("grid") or "").strip()
    if code:
        grid = GridCell.objects.filter(code=code, active=True).first()
        if grid is None:
            errors.append(FieldError("grid", _t("没有这个单元网格，请从列表中选择。")))
    try:
        lat, lng = _decimal(data.get("lat")), _decimal(data.get("lng"))
    except ValueError:
        errors.append(FieldError("lat", _t("位置的经纬度应为数字。")))
        return grid, None, None
    if (lat is None) != (lng is None):
        errors.append(FieldError("lat", _t("位置须同时有纬度和经度。")))
        return grid, None, None
    if lat is not None and lng is not None:
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LNG_RANGE[0] <= lng <= LNG_RANGE[1]):
            errors.append(FieldError("lat", _t("该位置不在肇庆市范围内，请核对位置。")))
            return grid, None, None
        if grid is None and not code:
            grid = _nearest_cell(lat, lng)
    if grid is None and not code and lat is None:
        errors.append(FieldError("grid", _t("请选择所在网格，或使用手机定位填写位置。")))
    return grid, lat, lng


def _nearest_cell(lat: Decimal, lng: Decimal) -> GridCell | None:
    cells = list(GridCell.objects.filter(active=True).only("code", "lat", "lng", "district"))
    if not cells:
        return None
    return min(cells, key=lambda c: (c.lat - lat) ** 2 + (c.lng - lng) ** 2)


def _source(principal: Principal, asked: str, member: GridMember | None) -> str:
    if principal.kind == "client":
        return asked if asked in (EventSource.SENSOR, EventSource.SYSTEM) else EventSource.SYSTEM
    if member is not None:
        return EventSource.PATROL
    return EventSource.DEPARTMENT


# --- intake -----------------------------------------------------------------------------------


def may_report(principal: Principal) -> GridMember | None:
    """网格员, any staff (a department's own report, the center) or an API client with an
    events scope may report; returns the 网格员 row when the caller is one."""
    if not principal.is_authenticated:
        raise Forbidden(_t("请先登录。"))
    if principal.kind == "client":
        if not set(selectors.EVENTS_SCOPES) & set(principal.scopes):
            raise Forbidden(_t("该接入系统无权上报城市管理事件。"))
        return None
    if principal.kind != "staff":
        raise Forbidden(_t("只有网格员、部门工作人员和接入系统可以上报城市管理事件。"))
    member = selectors.grid_member(principal)
    if member is None and not principal.departments and not scope_of(principal).all:
        raise Forbidden(_t("只有网格员、部门工作人员和接入系统可以上报城市管理事件。"))
    return member


def event_report(
    *,
    principal: Principal,
    data: Mapping[str, Any],
    now: dt.datetime | None = None,
    source: str = "",
    hotline_ticket_no: str = "",
) -> CityEvent:
    """信息采集: check everything first (all errors at once, nothing stored), then store the
    event 待立案 with its first step; audited; the center's inbox told after commit."""
    now = now or timezone.now()
    member = may_report(principal)
    errors: list[FieldError] = []
    code = str(data.get("category") or "").strip()
    event_class = EventClass.objects.filter(code=code, active=True).first() if code else None
    if event_class is None:
        errors.append(FieldError("category", _t("请选择问题类别（事件或部件分类）。")))
    description = str(data.get("description") or "").strip()
    if not description:
        errors.append(FieldError("description", _t("请描述问题。")))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(
            FieldError("description", _t("问题描述不能超过 %(n)d 个字。") % {"n": MAX_DESCRIPTION})
        )
    address = str(data.get("address") or "").strip()
    if len(address) > 200:
        errors.append(FieldError("address", _t("地点不能超过 200 个字。")))
    grid, lat, lng = _place(data, errors)
    photos = photos_checked(principal, data.get("photos"), "photos", errors)
    external_ref = str(data.get("external_ref") or "").strip()[:64]
    if errors:
        raise ValidationFailed(errors)
    assert event_class is not None
    district = grid.district if grid else ""
    for_attempt = 0
    while True:
        try:
            with transaction.atomic():
                event = CityEvent.objects.create(
                    event_no=_next_no(now),
                    event_class=event_class,
                    source=source or _source(principal, str(data.get("source") or ""), member),
                    description=description,
                    address=address,
                    lat=lat if lat is not None else (grid.lat if grid else None),
                    lng=lng if lng is not None else (grid.lng if grid else None),
                    district=district,
                    town_code=grid.town_code if grid else "",
                    grid=grid,
                    reporter=principal.actor,
                    reporter_name=member.name if member else principal.name,
                    # a department's own report is seen by its staff; a system's by itself
                    reporter_department=(
                        principal.departments[0]
                        if principal.kind == "staff" and principal.departments and not member
                        else ""
                    ),
                    photos=[{**p, "stage": "report"} for p in photos],
                    hotline_ticket_no=hotline_ticket_no,
                    external_ref=external_ref,
                    created_at=now,
                )
                _step(event, "reported", "", principal, now, description[:200], photos)
                audit.record(
                    actor=principal.actor,
                    action="city.event_reported",
                    object_type="governance.event",
                    object_id=event.event_no,
                    after=snapshot(event),
                )
                tell_center(event, _t("新上报事件待立案"))
            return event
        except IntegrityError:
            for_attempt += 1
            if for_attempt > 5:
                raise


def _step(
    event: CityEvent,
    action: str,
    from_status: str,
    principal: Principal,
    now: dt.datetime,
    note: str = "",
    photos: list[dict[str, str]] | None = None,
) -> EventStep:
    return EventStep.objects.create(
        event=event,
        action=action,
        from_status=from_status,
        to_status=event.status,
        actor=principal.actor if principal.kind != "system" else "system",
        actor_name=principal.name or "",
        note=note,
        photos=photos or [],
        at=now,
    )


# --- notices (after commit) -------------------------------------------------------------------


def _center_department() -> str:
    from shuzheng.governance.selectors.access import center_departments

    return center_departments()[0]


def _link(event: CityEvent) -> str:
    return f"/city/events/{event.event_no}/"


def tell_department(dept: str, event: CityEvent, title: str) -> None:
    if not dept:
        return
    notify.send(
        recipient_kind="department",
        recipient_id=dept,
        title=f"{title}：{event.event_no}",
        body=f"{event.event_class.name}，{event.address or district_name(event.district)}。",
        link=_link(event),
        sms=False,
    )


def tell_center(event: CityEvent, title: str) -> None:
    tell_department(_center_department(), event, title)


def _tell_member(username_actor: str, event: CityEvent, title: str) -> None:
    """A 网格员's inbox (``grid:<username>``) and, after commit, an SMS to their phone."""
    username = username_actor.removeprefix("user:")
    member = GridMember.objects.filter(username=username).first()
    notify.send(
        recipient_kind="department",
        recipient_id=f"grid:{username}",
        title=f"{title}：{event.event_no}",
        body=f"{event.event_class.name}，{event.address or district_name(event.district)}。",
        link=_link(event),
        sms=False,
    )
    if member and member.phone:
        send_sms_after_commit(
            member.phone, f"【一网统管】{title}：{event.event_no} {event.event_class.name}。"
        )


# --- the loop ---------------------------------------------------------------------------------


def _text(params: Mapping[str, Any], name: str, label: str, errors: list[FieldError]) -> str:
    value = str(params.get(name) or "").strip()
    if not value:
        errors.append(FieldError(name, _t("请填写%(what)s。") % {"what": label}))
    elif len(value) > 1000:
        errors.append(FieldError(name, _t("%(what)s不能超过 1000 个字。") % {"what": label}))
    return value


def _checker(
    event: CityEvent, params: Mapping[str, Any], errors: list[FieldError]
) -> GridMember | None:
    """The 网格员 who checks on site: named (``checker``), or the first on duty in the event's
    区县 (its own grid first) — never the reporter nor the one who checked last time."""
    username = str(params.get("checker") or "").strip().removeprefix("user:")
    members = GridMember.objects.filter(active=True).exclude(
        username=event.reporter.removeprefix("user:")
    )
    if username:
        found = members.filter(username=username).first()
        if found is None:
            errors.append(
                FieldError("checker", _t("核查须由上报人以外的在岗网格员进行，请另选网格员。"))
            )
        return found
    local = members.filter(district=event.district)
    if event.grid_id:
        own = local.filter(cells=event.grid_id).order_by("username").first()
        if own:
            return own
    return local.order_by("username").first()


def event_act(
    *,
    principal: Principal,
    event_no: str,
    action: str,
    params: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> CityEvent:
    """Do one action on an event the caller sees: 404 if not theirs, 422 for an unknown action
    or bad input (nothing changed), 409 with ``allowed_actions`` in a wrong state."""
    now = now or timezone.now()
    params = dict(params or {})
    errors: list[FieldError] = []
    # photos are checked outside the lock (they read files only)
    photos = photos_checked(principal, params.get("photos"), "photos", errors)
    with transaction.atomic():
        found = selectors.event_for(principal, event_no)
        event = (
            CityEvent.objects.select_for_update(of=("self",))
            .select_related("event_class", "grid")
            .get(pk=found.pk)
        )
        allowed = selectors.allowed_actions(principal, event)
        if action not in EVENT_LIFECYCLE:
            words = "、".join(f"{EVENT_LIFECYCLE.label(a)}（{a}）" for a in allowed)
            error = ValidationFailed.one(
                "action",
                _t("没有“%(a)s”这项操作。") % {"a": action[:40]}
                + (_t("当前可执行的操作：%(w)s。") % {"w": words} if words else ""),
            )
            error.extra = {"allowed_actions": allowed}
            raise error
        if action not in allowed:
            raise Conflict(
                _t("事件当前状态“%(s)s”下您不能执行“%(a)s”。")
                % {"s": event.get_status_display(), "a": EVENT_LIFECYCLE.label(action)},
                extra={"allowed_actions": allowed},
            )
        before, from_status = snapshot(event), event.status
        row = EVENT_LIFECYCLE[action]
        note = ""
        notices: list[Callable[[], None]] = []
        if action == "file":
            code = str(params.get("category") or "").strip()
            if code and code != event.event_class.code:
                cls = EventClass.objects.filter(code=code, active=True).first()
                if cls is None:
                    errors.append(FieldError("category", _t("没有这个事件或部件分类。")))
                else:
                    event.event_class = cls
            note = str(params.get("note") or "").strip()[:1000]
            event.filed_at = now
        elif action == "reject":
            note = _text(params, "reason", _t("不予立案的理由"), errors)
            notices.append(lambda: _tell_member(event.reporter, event, _t("上报事件不予立案")))
        elif action == "dispatch":
            dept = str(params.get("department") or "").strip() or suggest_department(
                event.event_class, event.district
            )
            if dept not in identity.department_names():
                errors.append(FieldError("department", _t("没有这个处置部门，请从列表中选择。")))
            event.department = dept
            event.dispatched_at = now
            event.due_at = time_limit(event.event_class).due_at(now)
            note = str(params.get("note") or "").strip()[:1000]
            notices.append(lambda: tell_department(event.department, event, _t("新派遣事件")))
        elif action == "return":
            note = _text(params, "reason", _t("退回理由"), errors)
            event.department = ""
            event.due_at = None
            notices.append(lambda: tell_center(event, _t("处置部门退回事件")))
        elif action == "feedback":
            note = _text(params, "note", _t("处置结果"), errors)
            if not photos:
                errors.append(FieldError("photos", _t("请上传处置后的现场照片。")))
            event.outcome = note
            event.handled_at = now
            checker = _checker(event, params, errors)
            event.checker = f"user:{checker.username}" if checker else ""
            if checker:
                notices.append(lambda: _tell_member(event.checker, event, _t("请现场核查")))
            else:
                notices.append(lambda: tell_center(event, _t("事件待指派核查网格员")))
        elif action == "assign_check":
            checker = _checker(event, params, errors)
            if checker is None and not errors:
                errors.append(FieldError("checker", _t("请选择核查网格员。")))
            if checker:
                event.checker = f"user:{checker.username}"
                notices.append(lambda: _tell_member(event.checker, event, _t("请现场核查")))
            note = str(params.get("note") or "").strip()[:1000]
        elif action == "check_pass":
            note = str(params.get("note") or "").strip()[:1000]
            notices.append(lambda: tell_center(event, _t("事件核查通过待结案")))
        elif action == "check_fail":
            note = _text(params, "reason", _t("核查不通过的情况"), errors)
            event.rework_count += 1
            event.handled_at = None
            notices.append(
                lambda: tell_department(event.department, event, _t("核查不通过，请重新处置"))
            )
        elif action == "close":
            note = str(params.get("note") or "").strip()[:1000]
            event.closed_at = now
            notices.append(lambda: _tell_member(event.reporter, event, _t("您上报的事件已结案")))
        elif action == "rate":
            rating = str(params.get("rating") or "").strip()
            if rating not in RATINGS:
                errors.append(FieldError("rating", _t("评价应为满意、基本满意或不满意。")))
            event.rating = rating
            note = str(params.get("note") or "").strip()[:1000]
        elif action in ("urge", "supervise"):
            note = _text(params, "reason", _t("催办或督办的要求"), errors)
            if action == "urge":
                event.urge_count += 1
            else:
                event.supervise_count += 1
            title = _t("催办") if action == "urge" else _t("督办")
            notices.append(lambda: tell_department(event.department, event, title))
        elif action == "escalate":
            try:
                level = int(str(params.get("level") or ""))
            except ValueError:
                level = 0
            if level not in (1, 2, 3, 4):
                errors.append(FieldError("level", _t("重大事件等级应为 1 至 4 级。")))
            event.level = level
            note = _text(params, "reason", _t("升级理由"), errors)
        elif action in ("hand_up", "hand_down"):
            from shuzheng.governance.services.event_levels import hand

            note, handed = hand(event, action, params, errors)
            notices.extend(handed)
        if errors:
            raise ValidationFailed(errors)
        if row.target is not None:
            event.status = str(row.target)
        event.save()
        stage = {"feedback": "after", "check_pass": "check", "check_fail": "check"}.get(action)
        if photos:
            event.photos = [*event.photos, *({**p, "stage": stage or action} for p in photos)]
            event.save(update_fields=["photos"])
        _step(event, action, from_status, principal, now, note, photos)
        audit.record(
            actor=principal.actor,
            action=f"city.event_{action}",
            object_type="governance.event",
            object_id=event.event_no,
            before=before,
            after=snapshot(event) | ({"note": note[:200]} if note else {}),
        )
        if action == "escalate":
            _start_plan(event, principal)
        if event.status in EVENT_LIFECYCLE.terminal and from_status != event.status:
            for listener in list(_CLOSE_LISTENERS.values()):
                listener(event)
        for notice in notices:  # stored in this transaction; SMS after commit
            notice()
    return event


def _start_plan(event: CityEvent, principal: Principal) -> None:
    """A major event starts its response plan (预案): ``services.plans.start_plan_for_event``
    (the command dashboard's topic). With no plan configured for the level the escalation is
    still recorded, and the center told to start one by hand."""
    from shuzheng.governance.services import plans

    try:
        with transaction.atomic():
            plans.start_plan_for_event(event, principal.actor)
    except ValidationFailed:
        log.info("no response plan for event %s (level %s)", event.event_no, event.level)
        tell_center(event, _t("重大事件未找到对应预案，请手动启动"))


def event_from_ticket(
    *,
    principal: Principal,
    ticket_no: str,
    category: str,
    description: str,
    address: str,
    district: str,
    town_code: str,
    now: dt.datetime | None = None,
) -> CityEvent:
    """A 12345 ticket of a city-management category becomes an event (called by the layer
    above both, ``workbench``, which reads the ticket through hotline's facade). One event per
    ticket: a second call returns the first."""
    existing = CityEvent.objects.filter(hotline_ticket_no=ticket_no).first()
    if existing is not None:
        return existing
    cell = (
        GridCell.objects.filter(active=True, town_code=town_code).order_by("code").first()
        if town_code
        else None
    ) or GridCell.objects.filter(active=True, district=district).order_by("code").first()
    if cell is None:
        raise ValidationFailed.one("address", _t("工单地点不在肇庆市的单元网格内，无法转为事件。"))
    return event_report(
        principal=principal,
        data={
            "category": category,
            "description": description,
            "address": address,
            "grid": cell.code,
        },
        now=now,
        source=EventSource.HOTLINE,
        hotline_ticket_no=ticket_no,
    )


def class_for_hotline_category(name: str) -> EventClass | None:
    """The event class whose 12345 keywords appear in a ticket's category name (the longest
    keyword, then the one nearest the start: 占道经营与流动摊贩 → 店外经营)."""
    best: tuple[int, int, str] | None = None
    found: EventClass | None = None
    for cls in EventClass.objects.filter(active=True).exclude(hotline_categories=""):
        for word in cls.hotline_categories.replace("，", ",").split(","):
            word = word.strip()
            if word and word in name:
                key = (-len(word), name.index(word), cls.code)
                if best is None or key < best:
                    best, found = key, cls
    return found


__all__ = [
    "NotFound",
    "event_act",
    "event_from_ticket",
    "event_report",
    "register_close_listener",
    "suggest_department",
    "time_limit",
    "warning",
]
