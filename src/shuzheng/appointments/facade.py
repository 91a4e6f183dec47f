"""The public face of 预约办理: with contracts.py, the only module other modules may import."""

from __future__ import annotations

from django.utils import timezone

from shuzheng.appointments import selectors
from shuzheng.appointments.contracts import BookingInfo, HallInfo
from shuzheng.appointments.models import Booking
from shuzheng.identity.contracts import Principal

__all__ = ["BookingInfo", "HallInfo", "halls_for_item", "upcoming"]


def halls_for_item(item_code: str) -> list[HallInfo]:
    """The halls taking bookings for an item (empty: the item is not booked in advance)."""
    return [
        HallInfo(
            code=h.code,
            name=h.name,
            address=h.address,
            phone=h.phone,
            hours=selectors.hours_text(h),
        )
        for h in selectors.halls(item_code)
    ]


def upcoming(principal: Principal) -> list[BookingInfo]:
    """A person's bookings from today on that are still to be kept (anyone else: none)."""
    if principal.kind not in selectors.PERSON_KINDS or not principal.id_number:
        return []
    rows = (
        selectors.my_bookings(principal)
        .filter(date__gte=timezone.localdate(), status=Booking.Status.BOOKED)
        .order_by("date", "slot__start")
    )
    return [
        BookingInfo(
            no=b.no,
            item_code=b.item_code,
            item_name=b.item_name,
            hall_name=b.hall.name,
            window=b.window.number,
            date=b.date.isoformat(),
            time=f"{b.slot.start:%H:%M}",
            status=b.status,
            status_name=str(b.get_status_display()),
            link=f"/appointments/{b.no}/",
        )
        for b in rows[:20]
    ]
