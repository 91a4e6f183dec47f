"""The 12345 知识库 in a real browser (issue 18 item 3): a 民政 clerk writes an article and
submits it (a field error first, in Chinese), the department's head returns it with a reason,
the clerk corrects and resubmits, the 12345 班长 publishes it from the 待审核 queue, and a
citizen finds it in 常见问题 on a phone in their own words. Every page axe-checked; no
JavaScript needed by the forms."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def kb_site(site):
    """The live server on Wednesday 2026-06-10 10:00 with the demo catalog."""
    from shuzheng.catalog.demo import seed_catalog

    with time_machine.travel(dt.datetime(2026, 6, 10, 10, 0, tzinfo=TZ), tick=True):
        seed_catalog()
        yield site


def _act(page, label, reason=""):
    form = page.locator("main form", has=page.get_by_role("button", name=label)).first
    if reason:
        form.locator("textarea").fill(reason)
    form.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_write_review_publish_and_find_it_as_a_citizen(kb_site, new_context):
    site = kb_site
    clerk = new_context().new_page()
    login(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/knowledge/manage/")
    check_axe(clerk, context="知识库管理")
    clerk.get_by_test_id("kb-new").click()
    clerk.get_by_label("所属部门").select_option(label="肇庆市民政局")
    clerk.get_by_label("常见问法（每行一条，写群众的原话）").fill(
        "阿嫲九十岁有冇长寿金\n老人补贴怎么领"
    )
    clerk.get_by_label("答复口径（话务员照读，简短）").fill(
        "年满 80 周岁的肇庆户籍老人可申领高龄津贴。"
    )
    clerk.get_by_label("关联事项的实施编码（多个用空格分隔，可不填）").fill("44120030500001000000B")
    clerk.get_by_role("button", name="保存草稿").click()
    expect(clerk.locator("#f-title-e")).to_have_text("请填写标题。")
    check_axe(clerk, context="新建（有错误）")
    clerk.get_by_label("标题").fill("高龄津贴申领")
    clerk.get_by_role("button", name="保存草稿").click()
    expect(clerk.get_by_test_id("kb-done")).to_have_text("已保存为草稿。")
    check_axe(clerk, context="条目详情")
    article_url = clerk.url.split("?")[0]
    _act(clerk, "提交审核")
    expect(clerk.get_by_test_id("kb-status")).to_have_text("待审核")

    head = new_context().new_page()
    login(head, site, "demo-head")
    head.goto(f"{site}/knowledge/review/")
    check_axe(head, context="待审核")
    _act(head, "退回修改", reason="请写明每月发放标准")
    expect(head.get_by_test_id("kb-done")).to_have_text("已退回修改。")

    clerk.goto(article_url)
    expect(clerk.get_by_test_id("kb-note")).to_have_text("请写明每月发放标准")
    clerk.get_by_test_id("kb-edit").click()
    clerk.get_by_label("答复口径（话务员照读，简短）").fill(
        "年满 80 周岁的肇庆户籍老人可申领高龄津贴，按月发放。"
    )
    clerk.get_by_role("button", name="保存草稿").click()
    _act(clerk, "提交审核")

    lead = new_context().new_page()
    login(lead, site, "demo-hotline-lead")
    lead.goto(f"{site}/knowledge/review/")
    _act(lead, "审核通过并发布")
    expect(lead.get_by_test_id("kb-done")).to_have_text("已发布，话务员现在可以检索到这条知识。")

    citizen = new_context(**PHONE).new_page()
    citizen.goto(f"{site}/knowledge/")
    citizen.get_by_label("您想问什么").fill("我阿爷85岁有冇补贴")
    citizen.get_by_role("button", name="查找").click()
    citizen.get_by_role("link", name="高龄津贴申领").click()
    expect(citizen.locator("main")).to_contain_text("按月发放")
    check_axe(citizen, context="常见问题（手机）")
