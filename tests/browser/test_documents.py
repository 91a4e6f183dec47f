"""The 公文库 in a real browser (issue 20, "Done when"): searching 秒享 finds the plan that
mentions it, highlighted, and shows the 督办任务 it belongs to; the link leads to the task and
the document's page shows its GB/T 9704 elements. Axe-checked; time frozen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def library_site(site):
    from shuzheng.documents.demo import seed_documents
    from shuzheng.supervision.demo import seed_supervision

    with time_machine.travel(dt.datetime(2022, 6, 10, 9, tzinfo=TZ), tick=False):
        seed_documents()
        seed_supervision()
    with time_machine.travel(dt.datetime(2023, 1, 4, 10, tzinfo=TZ), tick=True):
        yield site


def test_search_miaoxiang_finds_the_plan_and_its_task(library_site, new_context):
    site = library_site
    page = new_context().new_page()
    login(page, site, "demo-dataofficer")
    page.goto(f"{site}/documents/")
    page.get_by_label("检索公文").fill("秒享")
    page.get_by_role("button", name="检索").click()
    hit = page.locator("main li").first
    expect(hit.locator("mark").first).to_have_text("秒享")
    expect(hit).to_contain_text("肇庆市数字政府改革建设2022年工作要点")
    task_link = hit.get_by_role("link", name="五、(十九)完善一体化政务大数据体系")
    expect(task_link).to_be_visible()
    check_axe(page, context="公文检索")
    task_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("五、(十九)完善一体化政务大数据体系")
    page.goto(f"{site}/documents/?q=粤办函")
    page.get_by_role(
        "link", name="广东省人民政府办公厅关于印发广东省数字政府改革建设2020年工作要点的通知"
    ).click()
    expect(page.locator("main dl")).to_contain_text("粤办函〔2020〕20号")
    expect(page.locator("main dl")).to_contain_text("2020年2月14日")
    check_axe(page, context="公文详情")
