"""一网统管 second "Done when" (issue 19): a 12345 ticket about 占道经营 becomes a 城市管理事件 with
one click on the ticket's page, the event runs through the loop (the middle steps through the
API, as the departments' systems would), and the citizen sees its outcome on 我的诉求 on his
phone. Time frozen on a working Monday; every page on the way is axe-checked."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))
CENTER = "demo-hotline"
STREET = {
    "type": "投诉",
    "content": "端州区城东街道天宁北路12号门口水果摊长期占道经营，行人只能走机动车道。",
    "address": "端州区城东街道天宁北路12号",
    "category": "080101",  # 占道经营与流动摊贩
}
OUTCOME = "已劝离水果摊并清理占道物品，设置提示牌。"


@pytest.fixture
def ticket_site(site: str) -> Iterator[str]:
    """The live site on Monday 23 November 2026, 09:00 in 肇庆, with the 12345 诉求分类 and the
    event classes and grid cells (a flush of an earlier browser test removes the migrations'
    rows) and one 网格员 for the 核查, seeded inside the travel."""
    from django.apps import apps

    from shuzheng.governance.models import GridCell, GridMember

    categories = importlib.import_module("shuzheng.hotline.migrations.0002_seed_categories_limits")
    classes = importlib.import_module("shuzheng.governance.migrations.0005_event_classes_grids")
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=True):
        categories.seed(apps, None)
        classes.seed(apps, None)
        GridMember.objects.create(
            username="demo-grid2", name="赵巡查", district="441202"
        ).cells.add(GridCell.objects.get(code="441202001001"))
        yield site


def test_a_street_vending_ticket_becomes_an_event_and_the_citizen_sees_its_outcome(
    ticket_site: str, new_context: Any, api: Any
) -> None:
    from shuzheng.files import facade as files
    from shuzheng.files.tests.samples import png

    site = ticket_site
    r = api.call("POST", "/api/v1/hotline/tickets", who="demo-citizen", json_body=STREET)
    assert r.status_code == 201, r.content
    no = r.json()["ticket_no"]

    # 1. one click on the ticket's page makes the event, linked both ways
    center = new_context().new_page()
    login(center, site, CENTER)
    center.goto(f"{site}/hotline/tickets/{no}/")
    button = center.get_by_test_id("to-city-event")
    expect(button).to_contain_text("店外经营")
    check_axe(center, context="ticket page, convert to event")
    button.click()
    center.wait_for_url(re.compile(r"/city/events/SJ\d{13}/\?done=from_hotline$"))
    event_no = center.url.split("/city/events/")[1].split("/")[0]
    expect(center.get_by_test_id("event-status")).to_contain_text("待立案")
    expect(center.get_by_test_id("event-facts")).to_contain_text(no)
    check_axe(center, context="event page, from 12345")
    center.goto(f"{site}/hotline/tickets/{no}/")
    expect(center.get_by_test_id("to-city-event")).to_have_count(0)
    expect(center.get_by_role("link", name=event_no)).to_be_visible()

    # the command dashboard shows it as a point on the 肇庆 map and in 端州区's open count,
    # which leads to the district's event list
    center.goto(f"{site}/city/command/")
    expect(center.get_by_test_id("command-map")).to_have_attribute("data-rendered", "1")
    points = center.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('command-map'))"
        ".getOption().series[1].data.map(p => p.name)"
    )
    assert points == [event_no]
    expect(center.get_by_test_id("command-performance")).to_be_visible()
    check_axe(center, context="command dashboard with performance tables")
    center.get_by_role("link", name="端州区在办事件 1 件").click()
    center.wait_for_url(re.compile(r"/city/events/\?district=441202$"))
    expect(center.get_by_role("link", name=event_no)).to_be_visible()

    # 2. the loop, its middle steps through the API
    def act(who: str, action: str, **params: Any) -> None:
        r = api.call(
            "POST",
            f"/api/v1/city/events/{event_no}/actions",
            who=who,
            json_body={"action": action, **params},
        )
        assert r.status_code == 200, (action, r.content)

    act(CENTER, "file")
    act(CENTER, "dispatch")
    photo = files.file_store(actor="user:demo-handler-cg", name="a.png", data=png()).file_id
    act("demo-handler-cg", "feedback", note=OUTCOME, photos=[photo])
    act("demo-grid2", "check_pass")

    # the center closes it on the page
    center.goto(f"{site}/city/events/{event_no}/")
    center.get_by_test_id("do-close").click()
    center.wait_for_url(re.compile(r"\?done=close$"))
    expect(center.get_by_test_id("event-status")).to_contain_text("已结案")

    # 3. the citizen sees the outcome on 我的诉求, on his phone, without a staff link
    citizen = new_context(**PHONE).new_page()
    login(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/hotline/mine/")
    mine = citizen.get_by_test_id("my-ticket").filter(has_text=no)
    expect(mine).to_be_visible()
    check_axe(citizen, context="我的诉求")
    mine.get_by_role("link").first.click()
    linked = citizen.get_by_test_id("linked-item")
    expect(linked).to_contain_text("城市管理事件")
    expect(linked).to_contain_text("已结案")
    expect(linked).to_contain_text(OUTCOME)
    expect(linked.get_by_role("link")).to_have_count(0)
    check_axe(citizen, context="我的诉求 detail with the event's outcome")
