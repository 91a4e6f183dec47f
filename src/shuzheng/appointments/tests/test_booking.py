"""预约办理 over the API: halls and slots from the working-day calendar, booking with its
limits (one a day per person and item, capacity), cancel until the cut-off, the reminder."""

from __future__ import annotations

import datetime as dt

import pytest

from shuzheng.appointments.models import Booking, Slot
from shuzheng.appointments.services import reminders_send
from shuzheng.appointments.tests.conftest import CITY, DISABILITY, DISTRICT, ID_CARD, TZ
from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.identity.models import Person
from shuzheng.notify.facade import dispatch_sms
from shuzheng.notify.models import Notification

pytestmark = pytest.mark.django_db


def _outbox():
    """The demo SMS outbox, once the messages waiting for their SMS went out (PostgreSQL's
    deferred mode texts after the commit; inline mode has nothing waiting)."""
    dispatch_sms()
    return OutboxMessage.objects


def _state():
    """Everything a refused request must leave alone."""
    dispatch_sms()
    return (
        Notification.objects.count(),
        list(Booking.objects.order_by("id").values_list("no", "status")),
        list(Slot.objects.order_by("id").values_list("id", "booked")),
        AuditRecord.objects.filter(action__startswith="appointments.book").count(),
        OutboxMessage.objects.count(),
    )


def _citizen_id():
    return Person.objects.get(user__username="demo-citizen").id_number


# --- halls and slots ---------------------------------------------------------------------------


def test_halls_are_public_and_filtered_by_item(api, halls):
    r = api.call("GET", "/api/v1/appointments/halls")
    assert r.status_code == 200
    assert [h["name"] for h in r.json()] == ["肇庆市政务服务中心", "端州区政务服务中心"]
    city = r.json()[0]
    assert city["hours"] == "工作日 09:00-12:00，13:30-17:30（法定节假日除外）"
    assert {"number": "B01", "name": "公安户政综合窗口", "department": "441200-GAJ"} in (
        city["windows"]
    )
    r = api.call("GET", f"/api/v1/appointments/halls?item={DISABILITY}")
    assert [h["code"] for h in r.json()] == [CITY]
    r = api.call("GET", "/api/v1/appointments/halls?item=no-such-item")
    assert r.json() == []


def test_slots_follow_opening_hours_on_working_days_only(api, halls):
    r = api.call("GET", f"/api/v1/appointments/slots?hall={CITY}&item={ID_CARD}&date=2026-10-08")
    assert r.status_code == 200, r.content
    body = r.json()
    # 国庆节 (1–7 October) has no slots; Saturday 10 October is a 调休 working day
    assert body["dates"] == [
        "2026-09-30",
        "2026-10-08",
        "2026-10-09",
        "2026-10-10",
        "2026-10-12",
        "2026-10-13",
        "2026-10-14",
        "2026-10-15",
    ]
    times = [s["time"] for s in body["slots"]]
    assert times == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00",
    ]  # fmt: skip
    assert body["window"] == "B01"
    assert {(s["capacity"], s["left"]) for s in body["slots"]} == {(3, 3)}
    # today: only the slots not begun yet (it is 10:00)
    r = api.call("GET", f"/api/v1/appointments/slots?hall={CITY}&item={ID_CARD}&date=2026-09-30")
    assert [s["time"] for s in r.json()["slots"]][:3] == ["10:30", "11:00", "11:30"]
    # without a date: the dates only
    r = api.call("GET", f"/api/v1/appointments/slots?hall={CITY}&item={ID_CARD}")
    assert (r.json()["date"], r.json()["slots"], r.json()["dates"][1]) == ("", [], "2026-10-08")
    # the district hall's afternoon starts at 14:30
    r = api.call(
        "GET", f"/api/v1/appointments/slots?hall={DISTRICT}&item={ID_CARD}&date=2026-10-08"
    )
    assert [s["time"] for s in r.json()["slots"]][6] == "14:30"


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        (f"hall={CITY}&item={ID_CARD}&date=2026-10-02", "date", "不是工作日"),  # 国庆节
        (f"hall={CITY}&item={ID_CARD}&date=2026-10-11", "date", "不是工作日"),  # a Sunday
        (f"hall={CITY}&item={ID_CARD}&date=2026-09-29", "date", "已过"),
        (f"hall={CITY}&item={ID_CARD}&date=2026-10-16", "date", "7个工作日以内"),
        (f"hall={CITY}&item={ID_CARD}&date=8/10", "date", "格式"),
        (f"hall=nowhere&item={ID_CARD}&date=2026-10-08", "hall", "不存在"),
        (f"item={ID_CARD}&date=2026-10-08", "hall", "请选择办理大厅"),
        (f"hall={DISTRICT}&item={DISABILITY}&date=2026-10-08", "item", "端州区政务服务中心不办理"),
    ],
)
def test_bad_slot_queries_name_the_field_in_chinese(api, halls, query, field, words):
    r = api.call("GET", f"/api/v1/appointments/slots?{query}")
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field
    assert words in r.json()["message"]


# --- booking -----------------------------------------------------------------------------------


def test_a_citizen_books_a_slot_gets_a_number_and_an_sms(api, halls, book):
    r = book("demo-citizen")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["no"].startswith("YY20261008") and len(body["no"]) == 16
    assert body["status"] == "booked" and body["status_name"] == "已预约"
    assert (body["hall_name"], body["window"], body["item_name"]) == (
        "肇庆市政务服务中心",
        "B01",
        "居民身份证换领",
    )
    assert (body["date"], body["time"], body["end"]) == ("2026-10-08", "09:00", "09:30")
    assert body["cancel_before"] == "2026-10-08T08:00:00+08:00"
    assert body["allowed_actions"] == ["cancel"]
    booking = Booking.objects.get(no=body["no"])
    assert (booking.id_number, booking.name, booking.slot.booked) == (_citizen_id(), "李明", 1)
    sms = _outbox().get(recipient="13800000001")
    assert body["no"] in sms.body and "10月8日 09:00-09:30" in sms.body
    assert Notification.objects.filter(recipient_id=_citizen_id(), title="预约成功").count() == 1
    audit = AuditRecord.objects.get(action="appointments.book")
    assert (audit.actor, audit.object_id) == ("user:demo-citizen", body["no"])
    assert audit.after["status"] == "booked" and audit.after["time"] == "09:00"
    # the slot now has two places left
    r = api.call("GET", f"/api/v1/appointments/slots?hall={CITY}&item={ID_CARD}&date=2026-10-08")
    assert r.json()["slots"][0] == {"time": "09:00", "end": "09:30", "capacity": 3, "left": 2}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hall": ""}, "hall"),
        ({"item": "44120030100008000000X"}, "item"),  # 公共场所卫生许可: no hall books it
        ({"date": "2026-10-03"}, "date"),
        ({"date": ""}, "date"),
        ({"time": "09:10"}, "time"),
        ({"time": ""}, "time"),
        ({"date": "2026-09-30", "time": "09:30"}, "time"),  # begun already
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(api, halls, book, change, field):
    args = {"hall": CITY, "item": ID_CARD, "date": "2026-10-08", "time": "09:00"} | change
    before = _state()
    r = book("demo-citizen", **args)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])
    assert _state() == before


def test_one_active_booking_per_person_item_and_day(api, halls, book):
    first = book("demo-citizen").json()["no"]
    before = _state()
    r = book("demo-citizen", time="14:00")
    assert r.status_code == 409
    assert "同一事项每天只能预约一次" in r.json()["message"] and first in r.json()["message"]
    assert _state() == before
    # another day, or another item the same day, is fine
    assert book("demo-citizen", date="2026-10-09").status_code == 201
    assert book("demo-citizen", item=DISABILITY).status_code == 201
    # cancelled, the day is free again
    r = api.call("POST", f"/api/v1/appointments/{first}/cancel", who="demo-citizen")
    assert r.status_code == 200
    assert book("demo-citizen", time="14:00").status_code == 201


def test_a_full_slot_is_a_409_with_words_and_changes_nothing(api, halls, book):
    assert book("demo-citizen", item=DISABILITY).status_code == 201  # window E01: 1 a slot
    before = _state()
    r = book("demo-elder", item=DISABILITY)
    assert r.status_code == 409
    assert r.json()["message"] == "10月8日 09:00 的时段已约满，请选择其他时段或日期。"
    assert _state() == before
    r = api.call("GET", f"/api/v1/appointments/slots?hall={CITY}&item={DISABILITY}&date=2026-10-08")
    assert r.json()["slots"][0]["left"] == 0
    assert book("demo-elder", item=DISABILITY, time="09:30").status_code == 201


def test_only_persons_book(api, halls, book):
    before = _state()
    for who, status in (("demo-clerk", 403), ("client:demo-mz-system", 403)):
        r = book(who)
        assert r.status_code == status, (who, r.content)
    r = api.call("POST", "/api/v1/appointments", json_body={"hall": CITY})
    assert r.status_code == 401
    assert _state() == before


def test_the_capacity_is_a_database_constraint(halls, book):
    from django.db import IntegrityError, transaction

    book("demo-citizen", item=DISABILITY)
    slot = Slot.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity + 1)


# --- mine, cancel ------------------------------------------------------------------------------


def test_mine_lists_only_my_bookings(api, halls, book):
    mine = book("demo-citizen").json()["no"]
    book("demo-elder")
    r = api.call("GET", "/api/v1/appointments", who="demo-citizen")
    assert [b["no"] for b in r.json()] == [mine]
    assert api.call("GET", "/api/v1/appointments", who="demo-clerk").status_code == 403


def test_cancel_until_the_cut_off_frees_the_place_and_is_audited(api, halls, book, clock):
    no = book("demo-citizen").json()["no"]
    # someone else's booking: as if it did not exist
    r = api.call("POST", f"/api/v1/appointments/{no}/cancel", who="demo-elder")
    assert r.status_code == 404
    clock.move_to(dt.datetime(2026, 10, 8, 7, 59, tzinfo=TZ))  # 61 minutes before
    r = api.call("POST", f"/api/v1/appointments/{no}/cancel", who="demo-citizen")
    assert r.status_code == 200, r.content
    assert r.json()["status_name"] == "已取消" and r.json()["allowed_actions"] == []
    assert Slot.objects.get().booked == 0
    audit = AuditRecord.objects.get(action="appointments.cancel")
    assert (audit.before, audit.after) == ({"status": "booked"}, {"status": "cancelled"})
    assert "已取消" in _outbox().order_by("-id").first().body
    # cancelling again: 409, nothing changes
    before = _state()
    r = api.call("POST", f"/api/v1/appointments/{no}/cancel", who="demo-citizen")
    assert r.status_code == 409 and r.json()["message"] == "该预约已取消，不能再取消预约。"
    assert _state() == before


def test_no_cancel_after_the_cut_off(api, halls, book, clock):
    no = book("demo-citizen").json()["no"]
    clock.move_to(dt.datetime(2026, 10, 8, 8, 0, tzinfo=TZ))  # 60 minutes before: too late
    before = _state()
    r = api.call("POST", f"/api/v1/appointments/{no}/cancel", who="demo-citizen")
    assert r.status_code == 409
    assert r.json()["allowed_actions"] == []
    assert "已过取消截止时间（10月8日 08:00" in r.json()["message"]
    assert "0758-12345" in r.json()["message"]
    assert _state() == before
    assert Booking.objects.get(no=no).status == "booked"


# --- the reminder ------------------------------------------------------------------------------


def test_the_reminder_is_sent_the_day_before_once(api, halls, book, clock):
    tomorrow = book("demo-citizen").json()["no"]  # 8 October
    later = book("demo-elder", date="2026-10-09").json()["no"]
    gone = book("demo-agent").json()["no"]
    api.call("POST", f"/api/v1/appointments/{gone}/cancel", who="demo-agent")
    clock.move_to(dt.datetime(2026, 10, 7, 18, 0, tzinfo=TZ))
    sms_before = _outbox().count()
    assert reminders_send() == 1
    assert reminders_send() == 0  # idempotent
    texts = list(_outbox().order_by("id").values_list("recipient", "body"))[sms_before:]
    assert len(texts) == 1 and texts[0][0] == "13800000001"
    assert "提醒" in texts[0][1] and tomorrow in texts[0][1]
    assert Booking.objects.get(no=tomorrow).reminded_at is not None
    assert Booking.objects.get(no=later).reminded_at is None
    assert Booking.objects.get(no=gone).reminded_at is None
    assert AuditRecord.objects.filter(action="appointments.remind").count() == 1


def test_the_reminder_task_runs_the_service(api, halls, book, clock):
    from shuzheng.appointments.tasks import send_reminders

    book("demo-citizen")
    clock.move_to(dt.datetime(2026, 10, 7, 18, 0, tzinfo=TZ))
    result = send_reminders.enqueue()  # the immediate backend under tests
    assert result.return_value == 1
    assert send_reminders.enqueue().return_value == 0
    # not at night
    book("demo-elder", date="2026-10-09")
    clock.move_to(dt.datetime(2026, 10, 8, 22, 0, tzinfo=TZ))
    assert send_reminders.enqueue().return_value == 0
    clock.move_to(dt.datetime(2026, 10, 8, 9, 0, tzinfo=TZ))
    assert send_reminders.enqueue().return_value == 1


# --- the window --------------------------------------------------------------------------------


def test_window_staff_see_the_day_and_mark_arrived_or_no_show(api, halls, book, clock):
    early = book("demo-citizen").json()["no"]
    late = book("demo-elder", time="15:00").json()["no"]
    clock.move_to(dt.datetime(2026, 10, 8, 9, 5, tzinfo=TZ))
    r = api.call("GET", f"/api/v1/appointments/desk?hall={CITY}", who="demo-clerk")
    assert r.status_code == 200, r.content
    assert [(b["no"], b["time"], b["allowed_actions"]) for b in r.json()] == [
        (early, "09:00", ["arrive", "no_show"]),
        (late, "15:00", ["arrive"]),
    ]
    # another department's staff see nothing and cannot act (404), persons are refused
    r = api.call("GET", f"/api/v1/appointments/desk?hall={CITY}", who="demo-dataofficer")
    assert r.status_code == 200 and r.json() == []
    body = {"action": "arrive"}
    r = api.call("POST", f"/api/v1/appointments/{early}/check", who="demo-hotline", json_body=body)
    assert r.status_code == 404
    assert api.call("GET", "/api/v1/appointments/desk", who="demo-citizen").status_code == 403

    r = api.call("POST", f"/api/v1/appointments/{early}/check", who="demo-clerk", json_body=body)
    assert r.status_code == 200 and r.json()["status_name"] == "已到"
    no_show = {"action": "no_show"}
    r = api.call("POST", f"/api/v1/appointments/{late}/check", who="demo-clerk", json_body=no_show)
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["arrive"]
    assert "开始后" in r.json()["message"]
    clock.move_to(dt.datetime(2026, 10, 8, 15, 40, tzinfo=TZ))
    r = api.call("POST", f"/api/v1/appointments/{late}/check", who="demo-clerk", json_body=no_show)
    assert r.status_code == 200 and r.json()["status_name"] == "爽约"
    assert list(
        AuditRecord.objects.filter(action__in=["appointments.arrive", "appointments.no_show"])
        .order_by("id")
        .values_list("actor", "object_id", "after")
    ) == [
        ("user:demo-clerk", early, {"status": "arrived"}),
        ("user:demo-clerk", late, {"status": "no_show"}),
    ]
    bad = {"action": "cancel"}
    r = api.call("POST", f"/api/v1/appointments/{late}/check", who="demo-clerk", json_body=bad)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "action"


def test_seeding_twice_creates_nothing_more(halls):
    from shuzheng.appointments.demo import seed_appointments
    from shuzheng.appointments.models import Hall, HallItem

    counts = (Hall.objects.count(), HallItem.objects.count())
    audits = AuditRecord.objects.filter(action="appointments.hall_create").count()
    assert seed_appointments() == []
    assert (Hall.objects.count(), HallItem.objects.count()) == counts == (2, 19)
    assert AuditRecord.objects.filter(action="appointments.hall_create").count() == audits == 2
