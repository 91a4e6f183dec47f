"""预约办理 pages: the 预约办理 button on an item's guide, booking without JavaScript (hall →
date → slot), 我的预约 with a confirmed cancel, the window's day list with 已到 / 爽约."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client

from shuzheng.appointments.models import Booking
from shuzheng.appointments.tests.conftest import CITY, DISTRICT, ID_CARD, TZ
from shuzheng.audit.models import AuditRecord
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db
HYGIENE = "44120030100008000000X"  # 公共场所卫生许可: 全程网办, no hall books it


@pytest.fixture
def guide_items():
    """The demo catalog's 居民身份证换领 and 公共场所卫生许可, published since 2026-01-01."""
    from shuzheng.catalog import services as catalog_services
    from shuzheng.catalog.demo import CONTENT

    doc = json.loads(CONTENT.read_text("utf-8"))
    items = [i for i in doc["items"] if i["implementation_code"] in (ID_CARD, HYGIENE)]
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=TZ), tick=False):
        catalog_services.catalog_import(
            actor="system:tests", doc={"items": items, "bundles": []}, publish=True
        )


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def text(r) -> str:  # type: ignore[no-untyped-def]
    return r.content.decode()


def test_the_guide_offers_booking_only_for_items_a_hall_books(halls, guide_items):
    page = text(Client().get(f"/services/item/{ID_CARD}/"))
    assert 'data-testid="appointment-panel"' in page
    assert f'href="/appointments/book/{ID_CARD}/"' in page
    assert "肇庆市政务服务中心、端州区政务服务中心" in page
    assert "appointment-panel" not in text(Client().get(f"/services/item/{HYGIENE}/"))


def test_booking_without_javascript_hall_then_date_then_slot(halls, guide_items):
    c = login("demo-citizen")
    url = f"/appointments/book/{ID_CARD}/"
    r = c.get(url)
    assert r.status_code == 200
    page = text(r)
    assert 'name="hall" value="zq-zwfw"' in page and 'name="hall" value="dz-zwfw"' in page
    page = text(c.get(url, {"hall": DISTRICT}))
    assert "端州区政务服务中心" in page and "03 公安户政窗口" in page
    assert 'value="2026-10-08"' in page and 'value="2026-10-02"' not in page  # 国庆节
    assert "10月10日（周六）" in page  # a 调休 working day
    page = text(c.get(url, {"hall": DISTRICT, "date": "2026-10-08"}))
    assert 'name="time" value="14:30"' in page and "（余 2 个）" in page
    r = c.post(url, {"hall": DISTRICT, "date": "2026-10-08", "time": "14:30"})
    assert r.status_code == 302
    booking = Booking.objects.get()
    assert r["Location"] == f"/appointments/{booking.no}/?new=1"
    page = text(c.get(r["Location"]))
    assert "预约成功" in page and booking.no in page and "10月8日（周四） 14:30-15:00" in page


def test_booking_errors_are_named_and_change_nothing(halls, guide_items):
    c = login("demo-citizen")
    url = f"/appointments/book/{ID_CARD}/"
    r = c.post(url, {"hall": CITY, "date": "2026-10-08", "time": ""})
    assert r.status_code == 422 and "请选择预约时段。" in text(r)
    r = c.post(url, {"hall": CITY, "date": "2026-10-04", "time": "09:00"})
    assert r.status_code == 422 and "不是工作日" in text(r)
    assert c.post(url, {"hall": CITY, "date": "2026-10-08", "time": "09:00"}).status_code == 302
    r = c.post(url, {"hall": CITY, "date": "2026-10-08", "time": "10:00"})
    assert r.status_code == 409 and "同一事项每天只能预约一次" in text(r)
    assert Booking.objects.count() == 1


def test_pages_refuse_staff_and_send_visitors_to_login(halls, guide_items):
    assert login("demo-clerk").get(f"/appointments/book/{ID_CARD}/").status_code == 403
    assert login("demo-clerk").get("/appointments/").status_code == 403
    r = Client().get(f"/appointments/book/{ID_CARD}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert login("demo-citizen").get(f"/appointments/book/{HYGIENE}/").status_code == 404


def test_mine_and_a_confirmed_cancel(halls, book, clock):
    no = book("demo-citizen").json()["no"]
    other = book("demo-elder").json()["no"]
    c = login("demo-citizen")
    page = text(c.get("/appointments/"))
    assert no in page and other not in page
    assert f'href="/appointments/{no}/cancel/"' in page
    assert c.get(f"/appointments/{other}/").status_code == 404
    assert c.post(f"/appointments/{other}/cancel/").status_code == 404
    r = c.get(f"/appointments/{no}/cancel/")  # asks first
    assert r.status_code == 200 and "确认取消预约" in text(r)
    assert Booking.objects.get(no=no).status == "booked"
    r = c.post(f"/appointments/{no}/cancel/")
    assert r.status_code == 302 and r["Location"] == f"/appointments/?cancelled={no}"
    assert Booking.objects.get(no=no).status == "cancelled"
    page = text(c.get(r["Location"]))
    assert "预约已取消" in page and f'href="/appointments/{no}/cancel/"' not in page
    assert AuditRecord.objects.filter(action="appointments.cancel", object_id=no).count() == 1


def test_a_cancel_after_the_cut_off_says_why(halls, book, clock):
    no = book("demo-citizen").json()["no"]
    clock.move_to(dt.datetime(2026, 10, 8, 8, 30, tzinfo=TZ))
    r = login("demo-citizen").post(f"/appointments/{no}/cancel/")
    assert r.status_code == 409 and "已过取消截止时间" in text(r)
    assert Booking.objects.get(no=no).status == "booked"


def test_the_window_marks_arrivals_on_its_day_list(halls, book, clock):
    no = book("demo-citizen").json()["no"]
    clock.move_to(dt.datetime(2026, 10, 8, 9, 10, tzinfo=TZ))
    c = login("demo-clerk")
    page = text(c.get("/appointments/desk/", {"hall": CITY}))
    assert no in page and "李明" in page
    assert f'action="/appointments/desk/{no}/arrive/"' in page
    assert f'action="/appointments/desk/{no}/no_show/"' in page
    r = c.post(f"/appointments/desk/{no}/arrive/")
    assert r.status_code == 302
    assert Booking.objects.get(no=no).status == "arrived"
    page = text(c.get(r["Location"]))
    assert re.search(rf"{no}.*已到", page, re.S)
    # again: refused with words
    r = c.post(f"/appointments/desk/{no}/no_show/")
    assert r.status_code == 409 and "该预约已到" in text(r)
    # a person may not use the desk; staff of other departments do not find the booking
    assert login("demo-citizen").get("/appointments/desk/").status_code == 403
    assert login("demo-hotline").post(f"/appointments/desk/{no}/arrive/").status_code == 404
    r = login("demo-hotline").get("/appointments/desk/")
    assert r.status_code == 200 and "没有进驻" in text(r)
