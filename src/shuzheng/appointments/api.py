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


class WindowOut(Schema):
    number: str
    name: str
    department: str


class HallOut(Schema):
    code: str
    name: str
    address: str
    phone: str
    hours: str
    windows: list[WindowOut]
    items: list[str]


@router.get("/appointments/halls", response=list[HallOut], summary="预约办理：可预约的政务服务大厅")
def halls(request: HttpRequest, item: str = "") -> list[HallOut]:
    rows = selectors.halls(item).prefetch_related("windows", "items")
    return [
        HallOut(
            code=h.code,
            name=h.name,
            address=h.address,
            phone=h.phone,
            hours=selectors.hours_text(h),
            windows=[
                WindowOut(number=w.number, name=w.name, department=w.department_code)
                for w in h.windows.all()
            ],
            items=[i.item_code for i in h.items.all()],
        )
        for h in rows
    ]


class SlotOut(Schema):
    time: str
    end: str
    capacity: int
    left: int


class SlotsOut(Schema):
    hall: str
    item: str
    date: str
    window: str
    dates: list[str]
    slots: list[SlotOut]


@router.get(
    "/appointments/slots",
    response=SlotsOut,
    summary="预约办理：某大厅某事项某工作日的时段与余量",
)
def slots(request: HttpRequest, hall: str = "", item: str = "", date: str = "") -> SlotsOut:
    entry = selectors.hall_item(hall, item)
    day = selectors.parse_date(date, entry.hall)
    return SlotsOut(
        hall=entry.hall.code,
        item=entry.item_code,
        date=day.isoformat(),
        window=entry.window.number,
        dates=[d.isoformat() for d in selectors.bookable_dates(entry.hall)],
        slots=[
            SlotOut(time=s.value, end=f"{s.end:%H:%M}", capacity=s.capacity, left=s.left)
            for s in selectors.slots(entry.window, day)
        ],
    )


class BookingIn(Schema):
    hall: str = ""
    item: str = ""
    date: str = ""
    time: str = ""


class BookingOut(Schema):
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


def booking_out(b: Booking, roles: list[str]) -> BookingOut:
    return BookingOut(
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
    response={201: BookingOut},
    auth=BearerAuth(),
    summary="预约办理：个人预约一个时段（满额 409）",
)
def book(request: HttpRequest, body: BookingIn) -> Status:
    b = services.booking_create(
        principal=principal_for_request(request),
        hall=body.hall,
        item=body.item,
        date=body.date,
        time=body.time,
    )
    return Status(201, booking_out(b, [APPLICANT]))


@router.get(
    "/appointments", response=list[BookingOut], auth=BearerAuth(), summary="预约办理：我的预约"
)
def mine(request: HttpRequest) -> list[BookingOut]:
    rows = selectors.my_bookings(principal_for_request(request))[:200]
    return [booking_out(b, [APPLICANT]) for b in rows]


@router.post(
    "/appointments/{no}/cancel",
    response=BookingOut,
    auth=BearerAuth(),
    summary="预约办理：取消我的预约（开始前截止）",
)
def cancel(request: HttpRequest, no: str) -> BookingOut:
    b = services.booking_act(principal=principal_for_request(request), no=no, action="cancel")
    return booking_out(b, [APPLICANT])


class DeskOut(Schema):
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
    response=list[DeskOut],
    auth=BearerAuth(),
    summary="预约办理：窗口当日预约名单（本部门窗口）",
)
def desk(request: HttpRequest, hall: str = "", date: str = "") -> list[DeskOut]:
    principal = principal_for_request(request)
    the_hall = selectors.desk_hall(principal, hall)
    day = selectors.desk_day(date)
    if the_hall is None:
        return []
    return [
        DeskOut(
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


class CheckIn(Schema):
    action: str = ""


@router.post(
    "/appointments/{no}/check",
    response=BookingOut,
    auth=BearerAuth(),
    summary="预约办理：窗口登记已到（arrive）或爽约（no_show）",
)
def check(request: HttpRequest, no: str, body: CheckIn) -> BookingOut:
    if body.action not in ("arrive", "no_show"):
        raise ValidationFailed.one("action", "请选择登记“已到”（arrive）或“爽约”（no_show）。")
    b = services.booking_act(principal=principal_for_request(request), no=no, action=body.action)
    return booking_out(b, [WINDOW])
