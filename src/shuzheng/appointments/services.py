"""All writes of 预约办理: book, cancel, mark 已到/爽约, remind, seed the halls. Each change and
its audit record are one transaction; notifications (in-app + SMS) are written in it and the
SMS leaves only if it commits (``notify.facade.send``)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shuzheng.appointments import selectors
from shuzheng.appointments.models import Booking, Hall, HallItem, Slot, Window
from shuzheng.appointments.transitions import APPLICANT, BOOKING, WINDOW, cancel_deadline
from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, NotFound, ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify

S = Booking.Status


def _new_no(day: dt.date) -> str:
    """``YY`` + the day + 6 random digits (unguessable, read out at the window)."""
    while True:
        no = f"YY{day:%Y%m%d}{secrets.randbelow(10**6):06d}"
        if not Booking.objects.filter(no=no).exists():
            return no


def _when(b: Booking) -> str:
    return f"{zh_date(b.date)} {b.slot.start:%H:%M}-{b.slot.end:%H:%M}"


def booking_create(*, principal: Principal, hall: str, item: str, date: str, time: str) -> Booking:
    """A person books a slot of the window that handles ``item`` at ``hall``.

    Bad input: 422 naming the field. The same person, item and day already booked, or the
    slot full: 409 with words. The slot's place is taken by one conditional UPDATE
    (``booked < capacity``), so concurrent bookings never exceed the capacity."""
    if principal.kind not in selectors.PERSON_KINDS or not principal.id_number:
        selectors.my_bookings(principal)  # raises Forbidden with the words
    entry = selectors.hall_item(hall, item)
    the_hall, window = entry.hall, entry.window
    day = selectors.parse_date(date, the_hall)
    wanted = (time or "").strip()
    if not wanted:
        raise ValidationFailed.one("time", "请选择预约时段。")
    times = {f"{s:%H:%M}": (s, e) for s, e in selectors.day_times(the_hall)}
    if wanted not in times:
        raise ValidationFailed.one("time", "请选择列出的预约时段（如 09:00）。")
    start, end = times[wanted]
    if timezone.make_aware(dt.datetime.combine(day, start)) <= timezone.now():
        raise ValidationFailed.one("time", "该时段已开始，请选择之后的时段。")
    person = identity.person_own(principal)

    with transaction.atomic():
        same_day = (
            Booking.objects.filter(
                id_number=principal.id_number, item_code=item, date=day, status__in=(S.BOOKED,)
            )
            .only("no")
            .first()
        )
        if same_day is not None:
            raise Conflict(
                f"您已预约{zh_date(day)}办理{entry.item_name}（预约号 {same_day.no}），"
                "同一事项每天只能预约一次；如需改时间，请先取消原预约。",
                extra={"booking": same_day.no},
            )
        slot, _ = Slot.objects.get_or_create(
            window=window,
            date=day,
            start=start,
            defaults={"end": end, "capacity": window.capacity},
        )
        taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not taken:
            raise Conflict(
                f"{zh_date(day, year=False)} {wanted} 的时段已约满，请选择其他时段或日期。",
                extra={"field": "time"},
            )
        booking = Booking(
            no=_new_no(day),
            slot=slot,
            hall=the_hall,
            window=window,
            date=day,
            item_code=entry.item_code,
            item_name=entry.item_name,
            id_number=principal.id_number,
            name=person.name,
            phone=person.phone,
            booked_by=principal.actor,
        )
        try:
            with transaction.atomic():  # the one-per-day constraint decides a race
                booking.save(force_insert=True)
        except IntegrityError:
            raise Conflict(
                f"您已预约{zh_date(day)}办理{entry.item_name}，同一事项每天只能预约一次。"
            ) from None
        notify.send(
            recipient_kind="person",
            recipient_id=principal.id_number,
            title="预约成功",
            body=(
                f"您已预约{_when(booking)}到{the_hall.name}{window.number}号窗口办理"
                f"{entry.item_name}，预约号 {booking.no}。地址：{the_hall.address}。"
                f"如需取消，请在开始前{the_hall.cancel_minutes}分钟之前操作。"
            ),
            link=f"/appointments/{booking.no}/",
        )
        audit.record(
            actor=principal.actor,
            action="appointments.book",
            object_type="appointments.booking",
            object_id=booking.no,
            after={
                "status": booking.status,
                "hall": the_hall.code,
                "window": window.number,
                "item": entry.item_code,
                "date": day.isoformat(),
                "time": wanted,
            },
        )
    return booking


def _refusal(action: str, booking: Booking) -> str:
    if booking.status != S.BOOKED:
        return f"该预约{booking.get_status_display()}，不能再{BOOKING.label(action)}。"
    if action == "cancel":
        deadline = timezone.localtime(cancel_deadline(booking))
        return (
            f"已过取消截止时间（{zh_date(deadline.date(), year=False)} {deadline:%H:%M}，时段开始前"
            f"{booking.hall.cancel_minutes}分钟），不能在线取消；如不能到场，请致电"
            f"{booking.hall.phone}。"
        )
    if action == "arrive":
        return "预约当天才能登记已到。"
    return "预约时段开始后才能登记爽约。"


def booking_act(*, principal: Principal, no: str, action: str) -> Booking:
    """取消 (the booker, until the cut-off), 已到 / 爽约 (the window's staff). Someone who may not
    see the booking: 404; a wrong state or time: 409 with the actions allowed now."""
    if action not in BOOKING:
        raise ValidationFailed.one("action", "未知的操作。")
    with transaction.atomic():
        if action == "cancel":
            qs = selectors.my_bookings(principal).filter(no=no)
            roles = [APPLICANT]
        else:
            qs = selectors.desk_booking(principal, no)
            roles = [WINDOW]
        booking = qs.select_for_update(of=("self",)).first()
        if booking is None:
            raise NotFound("未找到该预约。")
        allowed = BOOKING.allowed(booking.status, roles, booking)
        if action not in allowed:
            raise Conflict(_refusal(action, booking), extra={"allowed_actions": allowed})
        before = booking.status
        target = BOOKING[action].target
        assert target is not None
        booking.status = target
        booking.changed_at, booking.changed_by = timezone.now(), principal.actor
        booking.save(update_fields=["status", "changed_at", "changed_by"])
        if action == "cancel":  # the place is free again
            Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
            notify.send(
                recipient_kind="person",
                recipient_id=booking.id_number,
                title="预约已取消",
                body=f"您{_when(booking)}在{booking.hall.name}办理{booking.item_name}的预约"
                f"（预约号 {booking.no}）已取消。",
                link=f"/appointments/{booking.no}/",
            )
        audit.record(
            actor=principal.actor,
            action=f"appointments.{action}",
            object_type="appointments.booking",
            object_id=booking.no,
            before={"status": before},
            after={"status": booking.status},
        )
    return booking


def reminders_send(*, day: dt.date | None = None, actor: str = "system:appointments") -> int:
    """Text everyone booked for ``day`` (default: tomorrow) who was not reminded yet; each
    booking is marked, noticed and audited in its own transaction, read under its lock, so a
    second run (or a concurrent one) reminds nobody twice. Returns how many were reminded."""
    day = day or timezone.localdate() + dt.timedelta(days=1)
    sent = 0
    for pk in list(selectors.due_reminders(day).values_list("pk", flat=True)):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("hall", "window", "slot")
                .filter(pk=pk, status=S.BOOKED, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            booking.reminded_at = timezone.now()
            booking.save(update_fields=["reminded_at"])
            notify.send(
                recipient_kind="person",
                recipient_id=booking.id_number,
                title="预约提醒",
                body=(
                    f"提醒：您已预约明天（{_when(booking)}）到{booking.hall.name}"
                    f"{booking.window.number}号窗口办理{booking.item_name}，预约号 {booking.no}，"
                    f"地址：{booking.hall.address}。请携带所需材料按时到场。"
                ),
                link=f"/appointments/{booking.no}/",
            )
            audit.record(
                actor=actor,
                action="appointments.remind",
                object_type="appointments.booking",
                object_id=booking.no,
                after={"reminded_at": booking.reminded_at.isoformat()},
            )
            sent += 1
    return sent


# --- halls ------------------------------------------------------------------------------------


def hall_save(
    *,
    actor: str,
    code: str,
    fields: dict[str, object],
    windows: list[dict[str, object]],
    items: list[tuple[str, str, str]],
) -> Hall:
    """Create or update a hall, its windows and its items (``(item code, name, window
    number)``), audited. Items and windows not named are left as they are."""
    with transaction.atomic():
        hall, created = Hall.objects.update_or_create(code=code, defaults=fields)
        by_number = {}
        for w in windows:
            number = str(w["number"])
            by_number[number], _ = Window.objects.update_or_create(
                hall=hall, number=number, defaults={k: v for k, v in w.items() if k != "number"}
            )
        for item_code, item_name, number in items:
            HallItem.objects.update_or_create(
                hall=hall,
                item_code=item_code,
                defaults={"item_name": item_name, "window": by_number[number]},
            )
        audit.record(
            actor=actor,
            action="appointments.hall_create" if created else "appointments.hall_update",
            object_type="appointments.hall",
            object_id=code,
            after={
                "name": hall.name,
                "windows": sorted(by_number),
                "items": sorted(i for i, _, _ in items),
            },
        )
    return hall
