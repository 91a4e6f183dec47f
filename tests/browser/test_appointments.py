"""预约办理 in a real browser (issue 17): a citizen on a phone opens an item's 办事指南, presses
预约办理, chooses a hall, a working day and a slot with plain forms, gets a booking number
(and its SMS), finds it in 我的预约 and cancels it after confirming; a window clerk marks a
booking 已到 on the day list. Every page axe-checked (the citizen's no wider than the phone).
The day is the eve of 国庆节, so the calendar shows in the dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))
ID_CARD = "441200307000030000000"  # 居民身份证换领


@pytest.fixture
def visit_site(site):
    """The live server on Wednesday 2026-09-30 10:00, with the calendar, the demo catalog and
    the demo service halls."""
    from shuzheng.appointments.demo import seed_appointments
    from shuzheng.catalog.demo import seed_catalog
    from shuzheng.core import calendar_seed
    from shuzheng.core.models import CalendarDay, CalendarYear

    calendar_seed.seed(CalendarDay, CalendarYear)
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=True):
        seed_catalog()
        seed_appointments()
        yield site


def fits(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def checked(page: Any, what: str) -> None:
    check_axe(page, context=what)
    fits(page)


def test_a_citizen_books_from_the_guide_on_a_phone_and_cancels(visit_site, new_context):
    from shuzheng.appointments.models import Booking
    from shuzheng.core.models import OutboxMessage

    site = visit_site
    page = new_context(**PHONE).new_page()
    login(page, site, "demo-citizen")

    page.goto(f"{site}/services/item/{ID_CARD}/")
    panel = page.get_by_test_id("appointment-panel")
    expect(panel).to_contain_text("预约到现场办理")
    expect(panel).to_contain_text("肇庆市政务服务中心、端州区政务服务中心")
    checked(page, "guide with 预约办理")
    panel.get_by_role("link", name="预约办理").click()
    page.wait_for_url(f"{site}/appointments/book/{ID_CARD}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("预约办理")
    checked(page, "choose a hall")

    page.get_by_label("端州区政务服务中心").check()
    page.get_by_role("button", name="下一步：选择日期").click()
    expect(page.locator("main")).to_contain_text("03 公安户政窗口")
    # 国庆节 has no dates; Saturday 10 October (调休) has
    expect(page.get_by_label("10月10日（周六）")).to_be_visible()
    expect(page.get_by_label("10月2日（周五）")).to_have_count(0)
    checked(page, "choose a date")

    page.get_by_label("10月8日（周四）").check()
    page.get_by_role("button", name="下一步：选择时段").click()
    expect(page.get_by_label("14:30-15:00")).to_be_visible()
    checked(page, "choose a slot")
    page.get_by_label("14:30-15:00").check()
    page.get_by_role("button", name="确认预约").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("预约成功")
    booking = Booking.objects.get()
    expect(page.get_by_test_id("booking-no")).to_have_text(booking.no)
    expect(page.get_by_test_id("booking-when")).to_have_text("10月8日（周四） 14:30-15:00")
    assert booking.no in OutboxMessage.objects.filter(recipient="13800000001").first().body
    checked(page, "booked")

    page.get_by_test_id("mine-link").click()
    page.wait_for_url(f"{site}/appointments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的预约")
    card = page.get_by_test_id("booking")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(booking.no)
    expect(card.get_by_test_id("booking-status")).to_have_text("已预约")
    checked(page, "我的预约")

    card.get_by_role("link", name="取消预约").click()
    page.wait_for_url(f"{site}/appointments/{booking.no}/cancel/")
    expect(page.locator("main")).to_contain_text("确定要取消这个预约吗")
    checked(page, "confirm the cancel")
    booking.refresh_from_db()
    assert booking.status == "booked"  # asking changed nothing
    page.get_by_role("button", name="确认取消预约").click()
    page.wait_for_url(f"{site}/appointments/?cancelled={booking.no}")
    expect(page.get_by_test_id("cancelled")).to_contain_text("预约已取消")
    expect(page.get_by_test_id("booking").get_by_test_id("booking-status")).to_have_text("已取消")
    expect(page.get_by_role("link", name="取消预约")).to_have_count(0)
    checked(page, "cancelled")
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.slot.booked == 0


def test_the_window_marks_an_arrival_on_its_day_list(visit_site, new_context):
    """A window clerk finds today's bookings from 我的 and marks one 已到 (desktop)."""
    from django.test import Client

    from shuzheng.appointments.models import Booking
    from tests.support import Api

    site = visit_site
    visit = {"hall": "zq-zwfw", "item": ID_CARD, "date": "2026-09-30", "time": "11:00"}
    r = Api(Client()).call("POST", "/api/v1/appointments", who="demo-citizen", json_body=visit)
    assert r.status_code == 201, r.content
    no = r.json()["no"]

    page = new_context().new_page()
    login(page, site, "demo-clerk")
    page.goto(f"{site}/me/")
    page.get_by_test_id("me-desk").click()
    page.wait_for_url(f"{site}/appointments/desk/")
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        "肇庆市政务服务中心 · 9月30日（周三）"
    )
    row = page.get_by_test_id("desk-row").filter(has_text=no)
    expect(row).to_contain_text("11:00 · B01 号窗口 · 居民身份证换领")
    expect(row).to_contain_text("李明")
    check_axe(page, context="the window's day list")
    row.get_by_role("button", name="已到").click()
    expect(page.get_by_role("status")).to_contain_text(f"已登记预约 {no}。")
    expect(page.get_by_test_id("desk-row").filter(has_text=no)).to_contain_text("已到")
    check_axe(page, context="arrival recorded")
    assert Booking.objects.get(no=no).status == "arrived"
