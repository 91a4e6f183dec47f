"""督查督办 in a real browser (issue 20's "Done when"): the lead office imports the Zhaoqing
2022 plan on the one-screen review page, corrects one task's lead department and confirms the
register; 市政数局 reports progress on the 秒享 target with an evidence file; after the year's
end the late task is red on the 挂图作战 board (in words and symbol); the lead office issues a
督办通知, downloads it as a sealed PDF (verified) and 市政数局 answers it. Plain forms, no
JavaScript needed; every page axe-checked; time frozen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def frozen_site(site):
    with time_machine.travel(dt.datetime(2022, 6, 10, 9, tzinfo=TZ), tick=True):
        yield site


def test_import_correct_and_confirm_the_register(frozen_site, new_context):
    from shuzheng.supervision.demo import PLAN_FILE
    from shuzheng.supervision.models import Task

    site = frozen_site
    office = new_context().new_page()
    login(office, site, "demo-head")
    office.goto(f"{site}/supervision/")
    office.get_by_role("link", name="导入工作计划").click()
    check_axe(office, context="导入工作计划")
    office.get_by_label("工作计划文件（文本或 Word 文档）").set_input_files(str(PLAN_FILE))
    office.get_by_role("button", name="识别任务").click()
    title = office.get_by_label("任务名称（五、(十九)）")
    expect(title).to_have_value("完善一体化政务大数据体系")
    expect(office.get_by_label("牵头单位（五、(十九)）")).to_have_value(
        "肇庆市政务服务和数据管理局"
    )
    check_axe(office, context="核对任务清单")
    office.get_by_label("牵头单位（三、(十二)3.）").fill("肇庆市水务局")
    office.get_by_role("button", name="确认并建立督办台账").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("挂图作战：督办任务")
    assert Task.objects.count() == 71
    assert Task.objects.get(path=["三", "(十二)", "3"]).lead_departments == ["441200-SWUJ"]
    expect(office.locator("main")).to_contain_text("推进智慧水利工程建设")


@pytest.fixture
def plan_site(site):
    from shuzheng.supervision import services
    from shuzheng.supervision.demo import OFFICE, PLAN_FILE

    with time_machine.travel(dt.datetime(2022, 6, 10, 9, tzinfo=TZ), tick=False):
        proposal = services.plan_preview(
            principal=OFFICE, name=PLAN_FILE.name, data=PLAN_FILE.read_bytes()
        )
        tasks = [
            {
                **t,
                "lead_departments": [c for c in t["lead_department_codes"] if c] or ["441200-ZSJ"],
            }
            for t in proposal["tasks"]
        ]
        services.plan_confirm(principal=OFFICE, title=proposal["title"], year=2022, tasks=tasks)
    with time_machine.travel(dt.datetime(2023, 1, 4, 10, tzinfo=TZ), tick=True):
        yield site


def test_report_red_board_urge_and_reply(plan_site, new_context):
    from shuzheng.files.tests.samples import png
    from shuzheng.supervision.models import Task

    site = plan_site
    task = Task.objects.get(path=["五", "(十九)"])
    target = task.targets.get(text__contains="秒享")

    dept = new_context().new_page()
    login(dept, site, "demo-dataofficer")
    dept.goto(f"{site}/supervision/tasks/{task.pk}/")
    check_axe(dept, context="督办任务（牵头单位）")
    dept.get_by_label("进展情况").fill("全年共享需求 3,200 个，其中 1,984 个实现秒享。")
    dept.get_by_label(f"{target.text}（单位：%）").fill("62")
    dept.get_by_label("佐证材料（PDF、PNG、JPEG，可多选）").set_input_files(
        [{"name": "秒享统计.png", "mimeType": "image/png", "buffer": png()}]
    )
    dept.get_by_role("button", name="报送").click()
    expect(dept.get_by_role("status")).to_have_text("已提交。")
    expect(dept.locator("main")).to_contain_text("62 %")
    check_axe(dept, context="报送后")

    office = new_context().new_page()
    login(office, site, "demo-head")
    office.goto(f"{site}/supervision/?level=red")
    row = office.locator("tr", has=office.get_by_role("link", name=task.title))
    expect(row).to_contain_text("红色预警（逾期或即将逾期）")
    expect(row).to_contain_text("▲▲")
    check_axe(office, context="挂图作战")
    row.get_by_role("link", name=task.title).click()
    office.get_by_label("督办事项").fill("秒享比例未达 60% 以上的全年目标部分，请报送整改措施。")
    office.get_by_role("button", name="签发督办通知").click()
    expect(office.get_by_role("status")).to_have_text("已提交。")
    expect(office.locator("main")).to_contain_text("肇政数督〔2023〕1号")
    expect(office.locator("main")).to_contain_text("回复时限：2023年1月11日")
    with office.expect_download() as download:
        office.get_by_role("link", name="下载加盖电子印章的督办通知（PDF）").click()
    from shuzheng.seals import facade as seals

    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115
    assert seals.verify_pdf(pdf).valid
    check_axe(office, context="督办通知已签发")

    dept.reload()
    dept.get_by_label("回复内容").fill("已成立专班，1 月底前完成整改。")
    dept.get_by_role("button", name="回复督办").click()
    expect(dept.locator("main")).to_contain_text("已成立专班，1 月底前完成整改。")
    check_axe(dept, context="督办已回复")
