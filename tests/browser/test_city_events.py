"""一网统管 events "Done when" (issue 19) on a phone, time frozen on a working Monday: a 网格员
reports a missing manhole cover with a photo on the patrol page; the center files and
dispatches it (the department suggested from the class); the department handles it with an
after-photo; another 网格员's 核查 fails once, then passes; the center closes it and 端州区's
open-event count goes back down. Every page on the way is axe-checked."""

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
CELL = "441202001001"  # 城东街道第1网格, 端州区


@pytest.fixture
def city_site(site: str) -> Iterator[str]:
    """The live site on Monday 23 November 2026, 09:00 in 肇庆, with the event classes and grid
    cells (a flush of an earlier browser test removes the migration's rows) and two 网格员."""
    from django.apps import apps

    from shuzheng.governance.models import GridCell, GridMember

    seed = importlib.import_module("shuzheng.governance.migrations.0005_event_classes_grids")
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=True):
        seed.seed(apps, None)
        cell = GridCell.objects.get(code=CELL)
        for username, name in (("demo-grid", "李网格"), ("demo-grid2", "赵巡查")):
            GridMember.objects.create(username=username, name=name, district="441202").cells.add(
                cell
            )
        yield site


def _png() -> bytes:
    from shuzheng.files.tests.samples import png

    return png()


def _photo(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/png", "buffer": _png()}


def _act(page: Any, action: str) -> None:
    page.get_by_test_id(f"do-{action}").click()
    page.wait_for_url(re.compile(rf"\?done={action}$"))


def _status(page: Any, words: str) -> None:
    expect(page.get_by_test_id("event-status")).to_contain_text(words)


def _open_in(page: Any) -> str:
    return (
        page.get_by_test_id("open-by-district")
        .locator('tr[data-district="441202"] td')
        .inner_text()
    )


def test_done_when(city_site: str, new_context: Any) -> None:
    site = city_site
    grid = new_context(**PHONE).new_page()
    login(grid, site, "demo-grid")

    # 1. the 网格员 reports a missing manhole cover with a photo
    grid.goto(f"{site}/city/patrol/")
    expect(grid.get_by_role("heading", name="巡查上报", level=1)).to_be_visible()
    check_axe(grid, context="patrol page")
    grid.get_by_label("问题类别").select_option(label="污水井盖")
    grid.get_by_label("问题描述").fill("天宁北路12号门前污水井盖缺失，行人易跌落。")
    grid.get_by_label("所在网格（用手机定位时可不选）").select_option(value=CELL)
    grid.get_by_label("地点说明（路名、门牌、标志物）").fill("天宁北路12号门前")
    grid.locator("#p-photos").set_input_files(_photo("井盖缺失.png"))
    grid.get_by_test_id("patrol-submit").click()
    grid.wait_for_url(re.compile(r"/city/events/SJ\d{13}/\?done=reported$"))
    expect(grid.get_by_test_id("event-done")).to_contain_text("已上报")
    _status(grid, "待立案")
    no = grid.url.split("/city/events/")[1].split("/")[0]
    expect(grid.get_by_role("img", name="上报照片 1")).to_be_visible()
    check_axe(grid, context="event page, reporter")

    # 2. the center files and dispatches it; 端州区 has one open event
    center = new_context(**PHONE).new_page()
    login(center, site, "demo-hotline")
    center.goto(f"{site}/city/events/")
    assert _open_in(center) == "1"
    check_axe(center, context="event list")
    center.get_by_role("link", name=no).click()
    _act(center, "file")
    _status(center, "待派遣")
    expect(center.get_by_label("处置部门（已按类别和区县建议）")).to_have_value("441200-SWUJ")
    check_axe(center, context="event page, dispatch")
    _act(center, "dispatch")
    _status(center, "处置中")

    # 3. the department handles it and reports back with a photo after
    water = new_context(**PHONE).new_page()
    login(water, site, "demo-handler-sw")
    water.goto(f"{site}/city/events/{no}/")
    check_axe(water, context="event page, department")
    water.get_by_label("处置结果").fill("已安装新的球墨铸铁井盖。")
    water.locator("#a-feedback-photos").set_input_files(_photo("处置后.png"))
    _act(water, "feedback")
    _status(water, "待核查")

    # 4. the other 网格员 finds it not done right: back to the department
    checker = new_context(**PHONE).new_page()
    login(checker, site, "demo-grid2")
    checker.goto(f"{site}/city/patrol/")
    checker.get_by_role("link", name=no).click()
    check_axe(checker, context="event page, 核查")
    checker.get_by_label("核查发现的问题").fill("井盖与井口不匹配，仍有约3厘米缝隙。")
    _act(checker, "check_fail")
    _status(checker, "处置中")

    water.goto(f"{site}/city/events/{no}/")
    water.get_by_label("处置结果").fill("已更换为匹配井口的井盖并加装防坠网。")
    water.locator("#a-feedback-photos").set_input_files(_photo("返工后.png"))
    _act(water, "feedback")

    checker.goto(f"{site}/city/events/{no}/")
    _act(checker, "check_pass")
    _status(checker, "待结案")

    # 5. the center closes it; 端州区's open events go back down
    center.goto(f"{site}/city/events/{no}/")
    expect(center.get_by_test_id("event-facts")).to_contain_text("返工次数")
    _act(center, "close")
    _status(center, "已结案")
    steps = center.get_by_test_id("event-steps")
    expect(steps).to_contain_text("网格员现场核查不通过")
    expect(steps).to_contain_text("监督中心结案")
    center.goto(f"{site}/city/events/")
    assert _open_in(center) == "0"
    # the reporter sees it closed
    grid.goto(f"{site}/city/events/{no}/")
    _status(grid, "已结案")


def test_a_report_made_without_signal_is_sent_when_it_returns(
    city_site: str, new_context: Any
) -> None:
    from shuzheng.governance.models import CityEvent

    site = city_site
    context = new_context(**PHONE)
    grid = context.new_page()
    login(grid, site, "demo-grid")
    grid.goto(f"{site}/city/patrol/")
    grid.get_by_label("问题类别").select_option(label="暴露垃圾")
    grid.get_by_label("问题描述").fill("城东街道天宁北路垃圾堆放。")
    grid.get_by_label("所在网格（用手机定位时可不选）").select_option(value=CELL)
    grid.locator("#p-photos").set_input_files(_photo("垃圾.png"))
    context.set_offline(True)
    grid.get_by_test_id("patrol-submit").click()
    queue = grid.get_by_test_id("patrol-queue")
    expect(queue).to_contain_text("上报已保存在本机")
    expect(queue).to_contain_text("城东街道天宁北路垃圾堆放")
    check_axe(grid, context="patrol page, offline queue")
    assert not CityEvent.objects.exists()
    context.set_offline(False)  # the browser fires "online": the queue is sent
    expect(queue).to_contain_text("保存在本机的上报已发送")
    event = CityEvent.objects.get()
    assert (event.event_class.code, event.grid.code, len(event.photos)) == ("SJ-0102", CELL, 1)
