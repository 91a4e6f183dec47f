"""12345 analysis dashboard (issue 18 item 7) in a real browser, time frozen: the center's
supervisor opens it; the map of 肇庆's districts is drawn by ECharts from the page's numbers,
the 弱信号 panel shows the demo's planted 停水 burst from 星湖名郡 (黄岗街道) with sample
tickets, the tables carry the same numbers; axe-checked on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def dashboard_site(site: str) -> Iterator[str]:
    """The live site on Monday 23 November 2026, 15:00 in 肇庆, with the 诉求分类 (a flush of
    an earlier browser test removes the migration's rows) and a month of demo tickets, the
    planted burst among them, seeded inside the travel."""
    from django.apps import apps

    from shuzheng.hotline.demo import seed_hotline

    seed = importlib.import_module("shuzheng.hotline.migrations.0002_seed_categories_limits")
    with time_machine.travel(dt.datetime(2026, 11, 23, 15, 0, tzinfo=TZ), tick=True):
        seed.seed(apps, None)
        seed_hotline(months=1, per_day=(1, 2))
        yield site


def test_dashboard_map_and_weak_signal(dashboard_site: str, new_context: Any) -> None:
    site = dashboard_site
    page = new_context().new_page()
    login(page, site, "demo-hotline-lead")
    page.goto(f"{site}/hotline/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("12345 热线数据分析")

    # the 弱信号 panel: the planted 停水 burst from 星湖名郡, with its sample tickets
    panel = page.get_by_test_id("hl-signals")
    first = panel.get_by_test_id("hl-signal").first
    expect(first.get_by_role("heading")).to_have_text("停水与水质 · 黄岗街道")
    expect(first.locator("li")).to_have_count(5)

    # the map: ECharts drew 肇庆's districts (a canvas), and the table has the same numbers
    the_map = page.get_by_test_id("hl-map")
    expect(the_map).to_have_attribute("data-rendered", "1")
    expect(the_map.locator("canvas")).to_have_count(1)
    assert the_map.bounding_box()["height"] >= 300  # type: ignore[index]
    districts = page.get_by_test_id("hl-districts")
    expect(districts.get_by_role("row", name="端州区")).to_be_visible()
    expect(page.get_by_test_id("hl-rates-dept")).to_contain_text("满意率")
    check_axe(page, context="dashboard, desktop")

    # the 周报 links are there for the center
    link = page.get_by_test_id("hl-reports").get_by_role("link", name="Excel").first
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    phone = new_context(**PHONE).new_page()
    login(phone, site, "demo-hotline-lead")
    phone.goto(f"{site}/hotline/dashboard/")
    expect(phone.get_by_test_id("hl-signal").first).to_contain_text("黄岗街道")
    check_axe(phone, context="dashboard, phone")
