"""12345 hotline "Done when" (issue 18) in a real browser, time frozen on a working Monday:
demo-citizen's number calls; the operator sees who it is, answers a 咨询 from the 知识库 and
closes it; a second call (投诉 about noise at night) gets a suggested department, is dispatched
with the keyboard, signed for by that department's handler, returned once with a reason,
re-dispatched, answered; the callback records 不满意, it is redone (重办), answered again, then
满意 and closed; the citizen follows it in 我的诉求 and by number without logging in.
Every page on the way is axe-checked."""

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
CITIZEN_PHONE = "13800000001"  # demo-citizen 李明's registered mobile
NOISE = "端州区城东街道天宁北路12号楼下烧烤档每晚营业到凌晨两点，噪音很大，吵得睡不着。"
# the demo handler of each department a noise complaint may go to
HANDLERS = {
    "441200-CGJ": "demo-handler-cg",
    "441200-GAJ": "demo-handler-ga",
    "441200-STHJJ": "demo-handler-hb",
    "441200-SWUJ": "demo-handler-sw",
    "441200-SCJGJ": "demo-handler-sj",
}


@pytest.fixture
def hotline_site(site: str) -> Iterator[str]:
    """The live site on Monday 23 November 2026, 09:00 in 肇庆, with the 诉求分类 and time
    limits (a flush of an earlier browser test removes the migration's rows) and the demo 知识库
    seeded inside the travel."""
    from django.apps import apps

    from shuzheng.knowledge.demo import seed_knowledge

    seed = importlib.import_module("shuzheng.hotline.migrations.0002_seed_categories_limits")
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=True):
        seed.seed(apps, None)
        seed_knowledge()
        yield site


def fits(page: Any) -> None:
    """Mobile first: nothing scrolls sideways on a phone."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _act(page: Any, action: str) -> None:
    page.get_by_test_id(f"do-{action}").click()
    page.wait_for_load_state()


def _status(page: Any, words: str) -> None:
    expect(page.get_by_test_id("ticket-status")).to_have_text(words)


def test_done_when(hotline_site: str, new_context: Any) -> None:
    site = hotline_site
    operator = new_context().new_page()
    login(operator, site, "demo-hotline")

    # 1. demo-citizen's number calls: the console knows him
    operator.goto(f"{site}/hotline/console/?phone={CITIZEN_PHONE}")
    expect(operator.get_by_test_id("caller-person")).to_contain_text("李明")
    expect(operator.get_by_test_id("keys-help")).to_contain_text("Alt+S")
    check_axe(operator, context="console, caller known")

    # a 咨询 answered from the 知识库 as the operator types (htmx), closed at once
    operator.get_by_label("诉求类型").select_option(label="咨询")
    operator.get_by_label("诉求内容").press_sequentially("社保卡不见了点样补办", delay=20)
    hit = operator.get_by_test_id("kb-hit").filter(has_text="社保卡丢失怎么补办")
    expect(hit).to_be_visible()
    check_axe(operator, context="console, knowledge hits")
    hit.get_by_test_id("kb-answer").click()
    operator.wait_for_url(re.compile(r"/hotline/tickets/12345-\d{8}-\d{6}/\?done=direct$"))
    expect(operator.get_by_test_id("hotline-done")).to_contain_text("直接答复")
    _status(operator, "已办结")
    first_no = operator.get_by_test_id("ticket-no").inner_text()

    # 2. a second call: a 投诉 about noise at night, typed once, registered
    operator.goto(f"{site}/hotline/console/?phone={CITIZEN_PHONE}")
    operator.get_by_label("诉求类型").select_option(label="投诉")
    operator.get_by_label("诉求内容").fill(NOISE)
    operator.get_by_label("地址（区县、镇街、路名、小区）").fill("端州区城东街道天宁北路12号")
    operator.get_by_test_id("console-create").click()
    operator.wait_for_url(re.compile(r"/hotline/tickets/12345-\d{8}-\d{6}/\?done=create$"))
    no = operator.get_by_test_id("ticket-no").inner_text()
    _status(operator, "待派单")
    suggestions = operator.get_by_test_id("suggested-department")
    expect(suggestions.first).to_be_visible()
    check_axe(operator, context="ticket page, dispatch suggestion")
    # keyboard: "1" picks the first suggestion, Enter on the focused button dispatches
    operator.get_by_test_id("do-dispatch").focus()
    operator.keyboard.press("1")
    department = operator.get_by_test_id("select-dispatch-department").input_value()
    assert department in HANDLERS, department
    operator.keyboard.press("Enter")
    operator.wait_for_url(re.compile(r"\?done=act$"))
    _status(operator, "待签收")

    # the department's handler signs for it, then returns it once with a reason
    handler = new_context().new_page()
    login(handler, site, HANDLERS[department])
    handler.goto(f"{site}/hotline/tickets/")
    handler.get_by_role("link", name=no).click()
    expect(handler.get_by_test_id("ticket-caller")).to_contain_text("138****0001")
    check_axe(handler, context="department desk, ticket")
    _act(handler, "sign")
    _status(handler, "办理中")
    handler.get_by_test_id("input-return-reason").fill(
        "夜间经营噪声需会同公安处理，请中心重新派单。"
    )
    _act(handler, "return")
    _status(handler, "已退单待重派")

    # the center re-dispatches (to the same department, chosen from the list)
    operator.goto(f"{site}/hotline/tickets/{no}/")
    _status(operator, "已退单待重派")
    operator.get_by_test_id("select-dispatch-department").select_option(value=department)
    _act(operator, "dispatch")
    _status(operator, "待签收")

    handler.goto(f"{site}/hotline/tickets/{no}/")
    _act(handler, "sign")
    handler.get_by_test_id("input-answer-answer").fill("已约谈店主，要求晚上十点后停止露天经营。")
    _act(handler, "answer")
    _status(handler, "已答复待回访")

    # the callback: 不满意, then 重办
    operator.goto(f"{site}/hotline/callbacks/")
    row = operator.get_by_test_id("callback-row").filter(has_text=no)
    check_axe(operator, context="callback queue")
    row.get_by_label("不满意").check()
    row.get_by_role("button", name="记录回访").click()
    operator.wait_for_load_state()
    operator.goto(f"{site}/hotline/tickets/{no}/")
    _status(operator, "不满意待处理")
    _act(operator, "reopen")
    _status(operator, "办理中")

    handler.goto(f"{site}/hotline/tickets/{no}/")
    handler.get_by_test_id("input-answer-answer").fill("已联合公安夜查，烧烤档已改为室内经营。")
    _act(handler, "answer")

    operator.goto(f"{site}/hotline/tickets/{no}/")
    operator.get_by_test_id("form-callback").get_by_label("满意", exact=True).check()
    _act(operator, "callback")
    _status(operator, "已办结")
    expect(operator.get_by_test_id("timeline")).to_contain_text("承办单位退单")
    expect(operator.get_by_test_id("timeline")).to_contain_text("退回承办单位重办")

    # the citizen follows both in 我的诉求 (on his phone)
    citizen = new_context(**PHONE).new_page()
    login(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/")
    citizen.get_by_test_id("nav-hotline").first.click()
    citizen.get_by_test_id("hotline-mine").click()
    mine = citizen.get_by_test_id("my-ticket")
    expect(mine.filter(has_text=no)).to_contain_text("已办结")
    expect(mine.filter(has_text=first_no)).to_contain_text("已办结")
    check_axe(citizen, context="我的诉求")
    fits(citizen)
    mine.filter(has_text=no).get_by_role("link").click()
    expect(citizen.get_by_test_id("ticket-answer")).to_contain_text("室内经营")
    expect(citizen.get_by_test_id("timeline")).to_contain_text("诉求人不满意")
    check_axe(citizen, context="我的诉求 detail")

    # and by number and phone without logging in
    anonymous = new_context(**PHONE).new_page()
    anonymous.goto(f"{site}/hotline/")
    anonymous.get_by_test_id("hotline-progress").click()
    anonymous.get_by_label("工单编号").fill(no)
    anonymous.get_by_label("反映诉求时留下的电话号码").fill(CITIZEN_PHONE)
    anonymous.get_by_test_id("progress-submit").click()
    expect(anonymous.get_by_test_id("progress-status")).to_have_text("已办结")
    expect(anonymous.get_by_test_id("progress-result")).not_to_contain_text("烧烤")
    check_axe(anonymous, context="progress by number")
    fits(anonymous)

    # the 诉求 form for a visitor: a phone verified by a texted code first
    anonymous.goto(f"{site}/hotline/")
    anonymous.get_by_test_id("hotline-new").click()
    expect(anonymous.get_by_test_id("send-code")).to_be_visible()
    check_axe(anonymous, context="诉求 form, anonymous")
    fits(anonymous)
