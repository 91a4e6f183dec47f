"""A platform administrator is warned in October that next year's 调休 notice is missing and enters
it in one screen (paste, preview, save as official), in a real browser (issue 17, defect 11)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from shuzheng.console.tests.test_calendar_notice import NOTICE

from .conftest import check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def october(site):
    """The live server on 2026-10-08 (the warning's season) with the seeded calendar (a flush
    by an earlier transactional test empties it; the seed is idempotent)."""
    from shuzheng.core import calendar_seed
    from shuzheng.core.models import CalendarDay, CalendarYear

    calendar_seed.seed(CalendarDay, CalendarYear)
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, 0, tzinfo=TZ), tick=True):
        yield site


def test_admin_is_warned_and_enters_the_notice_in_one_screen(october, new_context):
    from shuzheng.core import calendar

    page = new_context().new_page()
    login(page, october, "demo-admin")
    page.goto(f"{october}/workbench/")
    warning = page.get_by_test_id("calendar-notice-warning")
    expect(warning).to_contain_text("2027 年的调休安排")
    warning.get_by_role("link", name="录入调休通知").click()
    page.wait_for_url(f"{october}/admin/core/calendaryear/notice/")
    expect(page.locator("h1")).to_contain_text("录入国务院办公厅节假日通知")
    check_axe(page, context="notice screen")

    # a bad line: named, nothing previewed
    page.fill("#id_year", "2027")
    page.fill("#id_text", "2027-01-01 元旦\n2027-02-15 上班\n")
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_test_id("notice-errors")).to_contain_text(
        "第 2 行：2027-02-15 是周一，本来就是工作日"
    )
    expect(page.get_by_test_id("notice-preview")).to_have_count(0)

    page.fill("#id_notice", "国务院办公厅关于2027年部分节假日安排的通知")
    page.fill("#id_text", NOTICE)
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_test_id("notice-summary")).to_contain_text(
        "通知共 27 天；新增 9 天，修改 6 天，删除 1 天"
    )
    expect(page.get_by_test_id("notice-preview")).to_contain_text("春节调休上班")
    check_axe(page, context="notice preview")
    assert calendar.year_status(2027) == "provisional"  # the preview saved nothing

    page.get_by_role("button", name="保存为正式日历").click()
    page.wait_for_url(f"{october}/admin/core/calendaryear/")
    expect(page.locator(".messagelist")).to_contain_text("已将 2027 年的节假日安排保存为正式日历")
    assert calendar.year_status(2027) == "official"
    assert calendar.is_working_day(dt.date(2027, 2, 14))

    page.goto(f"{october}/workbench/")
    expect(page.get_by_test_id("calendar-notice-warning")).to_have_count(0)
