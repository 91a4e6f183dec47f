"""一网统管 Done-when (issue 19): a reading above the red threshold of 西江水位 posted through the
API raises an alert that appears on the open command dashboard within seconds, without a reload
(htmx re-fetches its live part); starting the 防汛 预案 from that alert notifies the listed
departments (their inboxes and the duty phones' SMS in the demo outbox). Time frozen (ticking
from a fixed moment, the demo seeded inside the travel); axe-checked on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, PHONE, check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 7, 2, 9, 0, tzinfo=TZ)  # a flood-season morning in 肇庆
FLOOD_DEPARTMENTS = ["441200-CGJ", "441200-GAJ", "441200-SWUJ", "441200-YJGLJ", "441200-ZYJ"]


@pytest.fixture
def city_site(site: str) -> Iterator[str]:
    """The live site with two days of demo vital signs and the demo 预案, seeded in the travel."""
    from shuzheng.governance.demo import seed_city

    with time_machine.travel(NOW, tick=True):
        seed_city(days=2)
        yield site


def push_reading(page: Any, site: str, value: float) -> dict[str, Any]:
    """The sensing platform (API client demo-city-sensors) posts one 西江水位 reading over HTTP."""
    token = page.request.post(
        f"{site}/api/v1/auth/token",
        data={"client_id": "demo-city-sensors", "client_secret": DEMO_PASSWORD},
    )
    assert token.ok, token.text()
    at = dt.datetime.now(TZ).replace(microsecond=0).isoformat()
    r = page.request.post(
        f"{site}/api/v1/city/readings",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        data={"readings": [{"indicator": "xijiang-level-gaoyao", "value": value, "at": at}]},
    )
    assert r.ok, r.text()
    return dict(r.json())


def test_red_river_level_alert_live_and_flood_plan(city_site: str, new_context: Any) -> None:
    from shuzheng.core.models import OutboxMessage
    from shuzheng.notify import facade as notify

    site = city_site
    page = new_context().new_page()
    login(page, site, "demo-hotline")  # the 城市运行管理中心 (市政数局 12345 / 一网统管)
    page.goto(f"{site}/city/command/")
    expect(page.get_by_role("heading", level=1)).to_have_text("指挥调度")
    expect(page.get_by_test_id("command-map")).to_have_attribute("data-rendered", "1")
    river = page.locator('[data-testid=command-tile][data-code="xijiang-level-gaoyao"]')
    expect(river).to_have_attribute("data-level", "normal")
    expect(page.locator('[data-testid=command-alert]:has-text("西江水位")')).to_have_count(0)
    check_axe(page, context="command dashboard, desktop")
    page.evaluate("window.__notReloaded = true")

    # the crossing reading arrives through the API; the open page shows it within seconds
    body = push_reading(page, site, 13.6)
    assert [a["level"] for a in body["alerts"]] == ["red"]
    alert_row = page.locator('[data-testid=command-alert]:has-text("西江水位")')
    expect(alert_row).to_have_count(1, timeout=12_000)
    expect(alert_row).to_contain_text("红色预警")
    expect(river).to_have_attribute("data-level", "red")
    assert page.evaluate("window.__notReloaded === true")  # no reload: htmx swapped it in

    # 启动预案 from the alert: the 防汛 预案 tied to 西江水位 is proposed
    alert_row.get_by_role("link", name="启动预案").click()
    expect(page.get_by_label("预案")).to_have_value("flood-xijiang-4")
    page.get_by_test_id("plan-start").click()
    expect(page.get_by_test_id("plan-started")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("肇庆市防汛应急预案（西江洪水）")
    expect(page.get_by_test_id("plan-step")).to_have_count(6)
    check_axe(page, context="plan run, desktop")

    # every listed department: a message in its inbox and an SMS to its duty phone
    for dept in FLOOD_DEPARTMENTS:
        inbox = notify.inbox(recipient_kind="department", recipient_ids=[dept])
        assert any("防汛应急预案" in m.title for m in inbox), dept
    sms = OutboxMessage.objects.filter(channel="sms", body__contains="防汛应急预案")
    assert sms.count() == 5
    assert all("西江水位" in m.body for m in sms)

    # the dashboard shows the running plan and its checklist progress
    page.goto(f"{site}/city/command/")
    plan = page.get_by_test_id("command-plan")
    expect(plan).to_contain_text("防汛应急预案")
    expect(plan).to_contain_text("清单完成 0/6")

    phone = new_context(**PHONE).new_page()
    login(phone, site, "demo-hotline")
    phone.goto(f"{site}/city/command/")
    expect(phone.locator('[data-testid=command-alert]:has-text("西江水位")')).to_have_count(1)
    check_axe(phone, context="command dashboard, phone")
