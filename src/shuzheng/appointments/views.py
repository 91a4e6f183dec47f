"""Pages of 预约办理: book (hall → date → slot, plain forms, no JavaScript needed), 我的预约
with cancel, the window's day list (已到 / 爽约), and the 预约办理 panel of an item's guide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.appointments import selectors, services
from shuzheng.appointments.models import Booking, Hall
from shuzheng.appointments.transitions import APPLICANT, BOOKING, WINDOW, cancel_deadline
from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.identity.facade import principal_for_request

WEEKDAYS = "一二三四五六日"


def guide_panel(request: HttpRequest, item_code: str) -> str:
    """The 预约办理 note on an item's 办事指南 (catalog, below this module; wired in
    ``shuzheng/urls.py``): shown when a hall takes bookings for the item."""
    halls = list(selectors.halls(item_code).only("name"))
    if not halls:
        return ""
    return render_to_string(
        "appointments/_guide_panel.html",
        {"halls": halls, "item_code": item_code},
        request=request,
    )


def _person(request: HttpRequest) -> Any:
    principal = principal_for_request(request)
    try:
        selectors.my_bookings(principal)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    return principal


def _day_label(day: dt.date) -> str:
    return f"{zh_date(day, year=False)}（周{WEEKDAYS[day.weekday()]}）"


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, item_code: str) -> HttpResponse:
    principal = _person(request)
    halls = list(selectors.halls(item_code))
    if not halls:
        raise Http404("该事项暂不提供预约。")
    data = request.POST if request.method == "POST" else request.GET
    hall_code = str(data.get("hall", ""))[:32]
    date_raw = str(data.get("date", ""))[:10]
    if len(halls) == 1 and not hall_code:
        hall_code = halls[0].code
    ctx: dict[str, Any] = {
        "halls": [(h, selectors.hours_text(h)) for h in halls],
        "item_code": item_code,
        "item_name": "",
        "errors": {},
        "message": "",
        "hall": None,
        "day": None,
        "dates": [],
        "slots": [],
        "values": {"hall": hall_code, "date": date_raw, "time": str(data.get("time", ""))[:5]},
    }
    status = 200
    try:
        if hall_code:
            entry = selectors.hall_item(hall_code, item_code)
            ctx.update(hall=entry.hall, window=entry.window, item_name=entry.item_name)
            ctx["hours"] = selectors.hours_text(entry.hall)
            ctx["dates"] = [(d, _day_label(d)) for d in selectors.bookable_dates(entry.hall)]
            if date_raw:
                day = selectors.parse_date(date_raw, entry.hall)
                ctx["day"], ctx["day_label"] = day, _day_label(day)
                ctx["slots"] = selectors.slots(entry.window, day)
        if request.method == "POST":
            booking = services.booking_create(
                principal=principal,
                hall=hall_code,
                item=item_code,
                date=date_raw,
                time=ctx["values"]["time"],
            )
            return redirect(reverse("appointments:detail", args=[booking.no]) + "?new=1")
    except ValidationFailed as exc:
        ctx["errors"] = {e.field: e.message for e in exc.errors}
        status = 422
    except Conflict as exc:
        ctx["message"] = exc.message
        status = 409
        if ctx["hall"] is not None and ctx["day"] is not None:  # the places left now
            ctx["slots"] = selectors.slots(ctx["window"], ctx["day"])
    if not ctx["item_name"]:
        ctx["item_name"] = (
            halls[0].items.filter(item_code=item_code).values_list("item_name", flat=True).first()
        )
    return render(request, "appointments/book.html", ctx, status=status)


def _view(b: Booking, roles: list[str]) -> dict[str, Any]:
    return {
        "b": b,
        "when": f"{_day_label(b.date)} {b.slot.start:%H:%M}-{b.slot.end:%H:%M}",
        "cancel_before": timezone.localtime(cancel_deadline(b)),
        "actions": BOOKING.allowed(b.status, roles, b),
    }


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    principal = _person(request)
    rows = [_view(b, [APPLICANT]) for b in selectors.my_bookings(principal)[:100]]
    return render(request, "appointments/mine.html", {"rows": rows})


@login_required
def detail(request: HttpRequest, no: str) -> HttpResponse:
    principal = _person(request)
    try:
        b = selectors.my_booking(principal, no)
    except NotFound:
        raise Http404("未找到该预约。") from None
    return render(
        request,
        "appointments/detail.html",
        {**_view(b, [APPLICANT]), "new": request.GET.get("new") == "1"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, no: str) -> HttpResponse:
    """GET: asks to confirm; POST: cancels (the booker, until the cut-off)."""
    principal = _person(request)
    try:
        b = selectors.my_booking(principal, no)
    except NotFound:
        raise Http404("未找到该预约。") from None
    message, status = "", 200
    if request.method == "POST":
        try:
            services.booking_act(principal=principal, no=no, action="cancel")
            return redirect(reverse("appointments:mine") + f"?cancelled={no}")
        except Conflict as exc:
            message, status = exc.message, 409
            b.refresh_from_db()
    return render(
        request,
        "appointments/cancel.html",
        {**_view(b, [APPLICANT]), "message": message},
        status=status,
    )


# --- the window's day list -------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    principal = principal_for_request(request)
    try:
        selectors.desk_departments(principal)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    return principal


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    errors: dict[str, str] = {}
    hall: Hall | None = None
    day = timezone.localdate()
    try:
        hall = selectors.desk_hall(principal, str(request.GET.get("hall", ""))[:32])
        day = selectors.desk_day(str(request.GET.get("date", ""))[:10])
    except ValidationFailed as exc:
        errors = {e.field: e.message for e in exc.errors}
    rows = []
    if hall is not None and not errors:
        rows = [_view(b, [WINDOW]) for b in selectors.desk_bookings(principal, hall, day)]
    return render(
        request,
        "appointments/desk.html",
        {
            "halls": list(selectors.desk_halls(principal)),
            "hall": hall,
            "day": day,
            "day_label": _day_label(day),
            "rows": rows,
            "errors": errors,
            "done": str(request.GET.get("done", ""))[:20],
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def desk_act(request: HttpRequest, no: str, action: str) -> HttpResponse:
    principal = _staff(request)
    if action not in ("arrive", "no_show"):
        raise Http404("没有这种操作。")
    try:
        b = services.booking_act(principal=principal, no=no, action=action)
    except NotFound:
        raise Http404("未找到该预约。") from None
    except DomainError as exc:
        return render(
            request,
            "appointments/desk_refused.html",
            {"message": exc.message},
            status=exc.status,
        )
    url = reverse("appointments:desk") + f"?hall={b.hall.code}&date={b.date.isoformat()}"
    return redirect(url + f"&done={b.no}")
