"""All reads of 预约办理, scoped to the caller: halls and free slots are public; a booking is
its booker's (anyone else: 404); the desk list shows staff the bookings of the windows their
departments staff (handling roles, ``CASE_ROLES``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from shuzheng.appointments.models import Booking, Hall, HallItem, Slot, Window
from shuzheng.core import calendar
from shuzheng.core.errors import Forbidden, NotFound, ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.identity.contracts import CASE_ROLES, Principal

PERSON_KINDS = ("person", "agent")


@dataclass(frozen=True)
class SlotView:
    start: dt.time
    end: dt.time
    capacity: int
    left: int

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def value(self) -> str:
        return f"{self.start:%H:%M}"


def hours_text(hall: Hall) -> str:
    return (
        f"工作日 {hall.am_start:%H:%M}-{hall.am_end:%H:%M}，"
        f"{hall.pm_start:%H:%M}-{hall.pm_end:%H:%M}（法定节假日除外）"
    )


def halls(item_code: str = "") -> QuerySet[Hall]:
    """Halls open for booking (those that handle ``item_code``, when given)."""
    qs = Hall.objects.filter(active=True)
    if item_code:
        qs = qs.filter(items__item_code=item_code)
    return qs.order_by("id")


def hall_item(hall_code: str, item_code: str) -> HallItem:
    """The hall's entry for an item, with hall and window (ValidationFailed naming the field)."""
    if not hall_code:
        raise ValidationFailed.one("hall", "请选择办理大厅。")
    hall = Hall.objects.filter(code=hall_code, active=True).first()
    if hall is None:
        raise ValidationFailed.one("hall", "该办理大厅不存在或未开放预约。")
    if not item_code:
        raise ValidationFailed.one("item", "请选择要办理的事项。")
    found = (
        HallItem.objects.select_related("hall", "window").filter(hall=hall, item_code=item_code)
    ).first()
    if found is None:
        raise ValidationFailed.one("item", f"{hall.name}不办理该事项，请选择其他大厅。")
    return found


def day_times(hall: Hall) -> list[tuple[dt.time, dt.time]]:
    """The slots of a working day: each session cut into ``slot_minutes`` pieces."""
    out: list[tuple[dt.time, dt.time]] = []
    step = dt.timedelta(minutes=max(5, hall.slot_minutes))
    for start, end in ((hall.am_start, hall.am_end), (hall.pm_start, hall.pm_end)):
        at = dt.datetime.combine(dt.date.min, start)
        stop = dt.datetime.combine(dt.date.min, end)
        while at + step <= stop:
            out.append((at.time(), (at + step).time()))
            at += step
    return out


def bookable_dates(hall: Hall, today: dt.date | None = None) -> list[dt.date]:
    """Working days (``core.calendar``: no weekends, no holidays, 调休 workdays included) from
    today through ``book_days`` working days ahead."""
    today = today or timezone.localdate()
    cal = calendar.snapshot()
    last = cal.add_working_days(today, hall.book_days)
    days, day = [], today
    while day <= last:
        if cal.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def parse_date(raw: str, hall: Hall) -> dt.date:
    """A bookable day of ``hall`` from ``YYYY-MM-DD`` (ValidationFailed naming ``date``)."""
    try:
        day = dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationFailed.one(
            "date", "请选择预约日期（格式：年-月-日，如 2026-12-08）。"
        ) from None
    today = timezone.localdate()
    if day < today:
        raise ValidationFailed.one("date", "预约日期已过，请选择今天或以后的工作日。")
    if not calendar.is_working_day(day):
        raise ValidationFailed.one("date", f"{zh_date(day)}不是工作日，大厅不办公。")
    if day not in bookable_dates(hall, today):
        raise ValidationFailed.one("date", f"只能预约{hall.book_days}个工作日以内的时段。")
    return day


def slots(window: Window, day: dt.date) -> list[SlotView]:
    """The slots of a window on a bookable day not yet begun, with the places left."""
    rows = {s.start: s for s in Slot.objects.filter(window=window, date=day)}
    now = timezone.localtime()
    out = []
    for start, end in day_times(window.hall):
        if day == now.date() and start <= now.time():
            continue
        row = rows.get(start)
        capacity = row.capacity if row else window.capacity
        left = max(0, capacity - (row.booked if row else 0))
        out.append(SlotView(start=start, end=end, capacity=capacity, left=left))
    return out


# --- bookings ---------------------------------------------------------------------------------


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("hall", "window", "slot")


def my_bookings(principal: Principal) -> QuerySet[Booking]:
    if principal.kind not in PERSON_KINDS or not principal.id_number:
        raise Forbidden("预约办理面向个人用户，请使用个人账号登录。")
    return _bookings().filter(id_number=principal.id_number).order_by("-date", "-slot__start")


def my_booking(principal: Principal, no: str) -> Booking:
    found = my_bookings(principal).filter(no=no).first()
    if found is None:
        raise NotFound("未找到该预约。")
    return found


def desk_departments(principal: Principal) -> list[str]:
    """Departments whose windows' bookings the caller handles (staff only)."""
    if principal.kind != "staff":
        raise Forbidden("窗口预约名单仅供窗口工作人员查看。")
    return principal.departments_for(CASE_ROLES)


def desk_halls(principal: Principal) -> QuerySet[Hall]:
    depts = desk_departments(principal)
    return Hall.objects.filter(windows__department_code__in=depts).distinct().order_by("id")


def desk_hall(principal: Principal, code: str = "") -> Hall | None:
    """One of the caller's desk halls (the first when ``code`` is empty; None: they have no
    window there)."""
    mine = desk_halls(principal)
    if not code:
        return mine.first()
    if not Hall.objects.filter(code=code).exists():
        raise ValidationFailed.one("hall", "该办理大厅不存在。")
    return mine.filter(code=code).first()  # None: none of the caller's windows is there


def desk_day(raw: str = "") -> dt.date:
    if not (raw or "").strip():
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed.one("date", "日期格式应为 年-月-日，如 2026-12-08。") from None


def desk_bookings(principal: Principal, hall: Hall, day: dt.date) -> QuerySet[Booking]:
    """The day's bookings (cancelled ones left out) at the caller's departments' windows."""
    depts = desk_departments(principal)
    return (
        _bookings()
        .filter(hall=hall, date=day, window__department_code__in=depts)
        .exclude(status=Booking.Status.CANCELLED)
        .order_by("slot__start", "window__number", "id")
    )


def desk_booking(principal: Principal, no: str) -> QuerySet[Booking]:
    """The booking ``no`` if the caller handles its window (a queryset: empty otherwise)."""
    return _bookings().filter(no=no, window__department_code__in=desk_departments(principal))


def due_reminders(day: dt.date) -> QuerySet[Booking]:
    """Bookings on ``day`` still to be reminded."""
    return Booking.objects.filter(
        date=day, status=Booking.Status.BOOKED, reminded_at__isnull=True
    ).order_by("id")
