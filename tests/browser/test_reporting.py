"""填表报数 "Done when" (issue 21) on a phone, time frozen on Thursday 3 December 2026
(November's reports open until the 10th): demo-village (a 村/社区 cadre of 天宁社区) opens the
高龄津贴 monthly report, sees most fields already filled with their sources, types the rest
and submits; demo-town (城东街道) returns it once with a reason; it is corrected and approved;
the 街道's summary shows the new sums without anyone typing them. Every page is axe-checked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))
NEW, STOPPED = "本月新增发放对象（人）", "本月停发人数（死亡、迁出等）（人）"


@pytest.fixture
def reporting_site(site: str) -> Iterator[str]:
    """The demo reports seeded inside the travel: September and October of 高龄津贴 filled by
    every village, November by every village of the district but 天宁社区."""
    from shuzheng.reporting.demo import fill_history, seed_reporting

    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=TZ), tick=True):
        seed_reporting(history=False)
        fill_history(open_too=True, codes=("GLJT",))
        yield site


def _ids() -> tuple[int, int, int]:
    """天宁社区's November task, 城东街道's, and the sum of 新增 over 城东's other villages."""
    from shuzheng.reporting.models import FieldValue, ReportTask

    mine = ReportTask.objects.get(
        definition__code="GLJT", period="2026-11", unit__code="441202001001"
    )
    town = ReportTask.objects.get(definition__code="GLJT", period="2026-11", unit__code="441202001")
    others = sum(
        FieldValue.objects.filter(
            task__definition__code="GLJT",
            task__period="2026-11",
            task__unit__parent__code="441202001",
            task__state="approved",
            name="new",
        ).values_list("value", flat=True)
    )
    return mine.pk, town.pk, others


def test_done_when(reporting_site: str, new_context: Any) -> None:
    site = reporting_site
    mine, town_task, others = _ids()

    village = new_context(**PHONE).new_page()
    login(village, site, "demo-village")
    village.get_by_test_id("nav-reporting").click()  # the menu leads a cadre to the reports
    village.wait_for_url(re.compile(r"/reports/$"))
    check_axe(village, context="my reports")
    village.get_by_role("link", name="高龄津贴发放对象月报（2026-11）").click()
    village.wait_for_url(re.compile(rf"/reports/tasks/{mine}/$"))
    # most fields already filled, each with its source in words; only two are asked first
    expect(village.get_by_role("heading", name="还需填写 2 项")).to_be_visible()
    expect(village.get_by_role("heading", name="已自动填入 5 项，请核对")).to_be_visible()
    expect(village.get_by_test_id("source-over80")).to_have_text("已从肇庆市民政局高龄数据自动填入")
    expect(village.get_by_test_id("source-alone")).to_have_text("沿用本单位上期数据")
    assert village.get_by_label("80周岁以上高龄老人（人）").input_value() != ""
    check_axe(village, context="filling page")
    village.get_by_label(NEW).fill("2")
    village.get_by_label(STOPPED).fill("1")
    village.get_by_test_id("do-submit").click()
    expect(village.get_by_test_id("report-done")).to_contain_text("已提交")
    expect(village.get_by_test_id("task-state")).to_have_text("已提交，待审核")
    expect(village.get_by_test_id("task-meter")).to_have_text("2 / 7 项")

    # 城东街道 returns it once with a reason
    town = new_context(**PHONE).new_page()
    login(town, site, "demo-town")
    town.goto(f"{site}/reports/tasks/{town_task}/")
    expect(town.get_by_test_id("progress")).to_contain_text("天宁社区已提交，待审核")
    check_axe(town, context="town progress")
    town.get_by_role("link", name="审核 天宁社区").click()
    town.wait_for_url(re.compile(rf"/reports/tasks/{mine}/$"))
    expect(town.get_by_test_id("value-new")).to_have_text("2")
    check_axe(town, context="review page")
    town.get_by_label("退回理由").fill("本月新增发放对象应为3人，请与民政系统核对后重报。")
    town.get_by_test_id("do-return").click()
    expect(town.get_by_test_id("report-done")).to_contain_text("已退回")

    # the cadre corrects and submits again
    village.goto(f"{site}/reports/tasks/{mine}/")
    expect(village.get_by_test_id("return-reason")).to_contain_text("应为3人")
    expect(village.get_by_test_id("task-state")).to_have_text("已退回，待修改")
    check_axe(village, context="returned report")
    village.get_by_label(NEW).fill("3")
    village.get_by_test_id("do-submit").click()
    expect(village.get_by_test_id("task-state")).to_have_text("已提交，待审核")

    # approved: the 街道's page shows the new sums, computed, nobody typed them
    town.goto(f"{site}/reports/tasks/{town_task}/")
    before = town.get_by_test_id("value-new").inner_text()
    assert before == str(others)
    town.goto(f"{site}/reports/tasks/{mine}/")
    town.get_by_test_id("do-approve").click()
    town.wait_for_url(re.compile(rf"/reports/tasks/{town_task}/\?done=approve$"))
    expect(town.get_by_test_id("value-new")).to_have_text(str(others + 3))
    expect(town.get_by_test_id("row-new")).to_contain_text("由下级单位数据自动汇总")
    expect(town.get_by_test_id("progress")).to_contain_text("审核通过")
    check_axe(town, context="town summary")


def test_a_repeated_report_is_flagged_before_it_can_be_issued(
    reporting_site: str, new_context: Any
) -> None:
    """Done when: designing a report that repeats one in force is flagged before it can be
    issued — on the designer page, with a 合计 and a 明细表, axe-checked."""
    from shuzheng.reporting.models import ReportDefinition

    site = reporting_site
    head = new_context(**PHONE).new_page()
    login(head, site, "demo-head")
    head.goto(f"{site}/reports/design/")
    check_axe(head, context="report designer")
    head.get_by_label("报表名称").fill("高龄老人花名册月报")
    head.get_by_label("报送频次").select_option(label="月报")
    for meaning in ("80周岁以上高龄老人（人）", "百岁老人（人）", "高龄津贴发放人数（人）"):
        head.get_by_label(meaning, exact=True).check()
    head.get_by_text("合计与校核（可选）").click()
    head.get_by_label("合计字段名称").fill("高龄老人合计")
    head.get_by_label("计入合计：80周岁以上高龄老人").check()
    head.get_by_label("计入合计：百岁老人").check()
    head.get_by_text("明细表（可选，逐行填写或从 Excel 导入）").click()
    head.get_by_label("明细表名称").fill("花名册")
    head.get_by_label(re.compile("^列（每行一列")).fill("姓名\n年龄:整数")
    head.get_by_test_id("do-design").click()
    result = head.get_by_test_id("design-result")
    expect(result).to_contain_text("已提交市政数局审核，准入前不能下发")
    expect(result).to_contain_text("与《高龄津贴发放对象月报》重复的字段")
    check_axe(head, context="designer result")
    d = ReportDefinition.objects.get(name="高龄老人花名册月报")
    assert d.status == "flagged" and d.spec["tables"][0]["title"] == "花名册"
    head.goto(f"{site}/reports/register/")
    expect(head.get_by_role("main")).to_contain_text("高龄老人花名册月报")
