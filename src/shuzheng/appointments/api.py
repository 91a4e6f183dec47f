"""预约办理 API: halls and free slots (public), a person's bookings, the window's day list."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shuzheng.appointments import selectors, services
from shuzheng.appointments.models import Booking
from shuzheng.appointments.transitions import APPLICANT, BOOKING, WINDOW, cancel_deadline
from shuzheng.core.errors import ValidationFailed
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["appointments 预约办理"])


class AppointmentWindowOut(Schema):
    number: str
    name: str
    department: str


class AppointmentHallOut(Schema):
    code: str
    name: str
    address: str
    phone: str
    hours: str
    windows: list[AppointmentWindowOut]
    items: list[str]


@router.get(
    "/appointments/halls",
    response=list[AppointmentHallOut],
    summary="预约办理：可预约的政务服务大厅",
)
def halls(request: HttpRequest, item: str = "") -> list[AppointmentHallOut]:
    rows = selectors.halls(item).prefetch_related("windows", "items")
    return [
        AppointmentHallOut(
            code=h.code,
            name=h.name,
            address=h.address,
            phone=h.phone,
            hours=selectors.hours_text(h),
            windows=[
                AppointmentWindowOut(number=w.number, name=w.name, department=w.department_code)
                for w in h.windows.all()
            ],
            items=[i.item_code for i in h.items.all()],
        )
        for h in rows
    ]


class AppointmentSlotOut(Schema):
    time: str
    end: str
    capacity: int
    left: int


class AppointmentSlotsOut(Schema):
    hall: str
    item: str
    date: str
    window: str
    dates: list[str]
    slots: list[AppointmentSlotOut]


@router.get(
    "/appointments/slots",
    response=AppointmentSlotsOut,
    summary="预约办理：某大厅某事项可预约的工作日，及某工作日的时段与余量（不给日期：只列日期）",
)
def slots(
    request: HttpRequest, hall: str = "", item: str = "", date: str = ""
) -> AppointmentSlotsOut:
    entry = selectors.hall_item(hall, item)
    day = selectors.parse_date(date, entry.hall) if date.strip() else None
    return AppointmentSlotsOut(
        hall=entry.hall.code,
        item=entry.item_code,
        date=day.isoformat() if day else "",
        window=entry.window.number,
        dates=[d.isoformat() for d in selectors.bookable_dates(entry.hall)],
        slots=[
            AppointmentSlotOut(time=s.value, end=f"{s.end:%H:%M}", capacity=s.capacity, left=s.left)
            for s in (selectors.slots(entry.window, day) if day else [])
        ],
    )


class AppointmentIn(Schema):
    hall: str = ""
    item: str = ""
    date: str = ""
    time: str = ""


class AppointmentOut(Schema):
    no: str
    status: str
    status_name: str
    hall: str
    hall_name: str
    address: str
    window: str
    window_name: str
    item_code: str
    item_name: str
    date: str
    time: str
    end: str
    cancel_before: str
    allowed_actions: list[str]


def booking_out(b: Booking, roles: list[str]) -> AppointmentOut:
    return AppointmentOut(
        no=b.no,
        status=b.status,
        status_name=str(b.get_status_display()),
        hall=b.hall.code,
        hall_name=b.hall.name,
        address=b.hall.address,
        window=b.window.number,
        window_name=b.window.name,
        item_code=b.item_code,
        item_name=b.item_name,
        date=b.date.isoformat(),
        time=f"{b.slot.start:%H:%M}",
        end=f"{b.slot.end:%H:%M}",
        cancel_before=timezone.localtime(cancel_deadline(b)).isoformat(),
        allowed_actions=BOOKING.allowed(b.status, roles, b),
    )


@router.post(
    "/appointments",
    response={201: AppointmentOut},
    auth=BearerAuth(),
    summary="预约办理：个人预约一个时段（满额 409）",
)
def book(request: HttpRequest, body: AppointmentIn) -> Status:
    b = services.booking_create(
        principal=principal_for_request(request),
        hall=body.hall,
        item=body.item,
        date=body.date,
        time=body.time,
    )
    return Status(201, booking_out(b, [APPLICANT]))


@router.get(
    "/appointments", response=list[AppointmentOut], auth=BearerAuth(), summary="预约办理：我的预约"
)
def mine(request: HttpRequest) -> list[AppointmentOut]:
    rows = selectors.my_bookings(principal_for_request(request))[:200]
    return [booking_out(b, [APPLICANT]) for b in rows]


@router.post(
    "/appointments/{no}/cancel",
    response=AppointmentOut,
    auth=BearerAuth(),
    summary="预约办理：取消我的预约（开始前截止）",
)
def cancel(request: HttpRequest, no: str) -> AppointmentOut:
    b = services.booking_act(principal=principal_for_request(request), no=no, action="cancel")
    return booking_out(b, [APPLICANT])


class AppointmentDeskOut(Schema):
    no: str
    status: str
    status_name: str
    time: str
    window: str
    item_name: str
    name: str
    allowed_actions: list[str]


@router.get(
    "/appointments/desk",
    response=list[AppointmentDeskOut],
    auth=BearerAuth(),
    summary="预约办理：窗口当日预约名单（本部门窗口）",
)
def desk(request: HttpRequest, hall: str = "", date: str = "") -> list[AppointmentDeskOut]:
    principal = principal_for_request(request)
    the_hall = selectors.desk_hall(principal, hall)
    day = selectors.desk_day(date)
    if the_hall is None:
        return []
    return [
        AppointmentDeskOut(
            no=b.no,
            status=b.status,
            status_name=str(b.get_status_display()),
            time=f"{b.slot.start:%H:%M}",
            window=b.window.number,
            item_name=b.item_name,
            name=b.name,
            allowed_actions=BOOKING.allowed(b.status, [WINDOW], b),
        )
        for b in selectors.desk_bookings(principal, the_hall, day)
    ]


class AppointmentCheckIn(Schema):
    action: str = ""


@router.post(
    "/appointments/{no}/check",
    response=AppointmentOut,
    auth=BearerAuth(),
    summary="预约办理：窗口登记已到（arrive）或爽约（no_show）",
)
def check(request: HttpRequest, no: str, body: AppointmentCheckIn) -> AppointmentOut:
    if body.action not in ("arrive", "no_show"):
        raise ValidationFailed.one("action", "请选择登记“已到”（arrive）或“爽约”（no_show）。")
    b = services.booking_act(principal=principal_for_request(request), no=no, action=body.action)
    return booking_out(b, [WINDOW])
