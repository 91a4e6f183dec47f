"""The lifecycle of a booking (预约): one row per action (docs/style.md habit 11). The service,
the API's ``allowed_actions`` and the pages read rights and words from here."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzheng.appointments.models import Booking
from shuzheng.core.lifecycle import Lifecycle, Transition

S = Booking.Status
APPLICANT = "applicant"
WINDOW = "window_staff"  # a handling role (CASE_ROLES) of the window's department


def starts_at(booking: Booking) -> dt.datetime:
    """When the booked slot starts (aware, the platform's time zone)."""
    naive = dt.datetime.combine(booking.date, booking.slot.start)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def cancel_deadline(booking: Booking) -> dt.datetime:
    return starts_at(booking) - dt.timedelta(minutes=booking.hall.cancel_minutes)


def _before_cutoff(booking: Booking) -> bool:
    return timezone.now() < cancel_deadline(booking)


def _on_the_day(booking: Booking) -> bool:
    return timezone.localdate() >= booking.date


def _started(booking: Booking) -> bool:
    return timezone.now() >= starts_at(booking)


T = Transition
# fmt: off
ROWS = [
    T("cancel", (S.BOOKED,), S.CANCELLED, (APPLICANT,),
      _("取消预约"), _("取消预约"), available=_before_cutoff),
    T("arrive", (S.BOOKED,), S.ARRIVED, (WINDOW,), _("已到"), _("到窗口办理"),
      available=_on_the_day),
    T("no_show", (S.BOOKED,), S.NO_SHOW, (WINDOW,), _("爽约"), _("未按时到场"),
      available=_started),
]
# fmt: on

BOOKING = Lifecycle(
    name="booking",
    transitions=ROWS,
    terminal=(S.CANCELLED, S.ARRIVED, S.NO_SHOW),
    events={"book": _("预约成功"), "remind": _("已发送提醒短信")},
)
