"""The clerk's desk in a real browser (issue 17): a window clerk logs in and lands on the
workbench, finds 李明's case by his 身份证号, reads the application and the materials first,
records the 预审 checklist (one material 不合格 with its reason), finds that material ticked with
its reason in the 一次性告知补正 form, and assigns the case to a colleague chosen from a list of
names. axe-core runs on each page, on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import check_axe, login
from .test_material_previews import filed  # noqa: F401  (the fixture: 李明's filed case)

pytestmark = pytest.mark.browser


def test_a_clerk_prereviews_the_materials_and_assigns_a_colleague(filed, new_context):  # noqa: F811
    from shuzheng.audit.models import AuditRecord
    from shuzheng.cases.models import Case
    from shuzheng.identity.models import User

    site, no = filed["site"], filed["case_no"]
    page = new_context().new_page()
    login(page, site, "demo-clerk")
    assert page.url == f"{site}/workbench/"  # a clerk lands on the workbench

    # found in every queue by the applicant's 身份证号, shown masked
    id_number = User.objects.get(username="demo-citizen").person.id_number
    page.get_by_label("办件编号、事项、申请人、身份证号或手机号").fill(id_number)
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#h-list")).to_contain_text(id_number[:6] + "********" + id_number[-4:])
    check_axe(page, context="workbench search")
    page.get_by_test_id("queue-list").get_by_role("link").first.click()
    page.wait_for_url(f"{site}/workbench/cases/{no}/")

    # the application and the materials come before the actions
    headings = page.locator("main h2").all_inner_texts()
    assert headings.index("申请表") < headings.index("申请材料") < headings.index("办理操作")

    # 预审: M1 and M3 合格, M2 不合格 with its reason
    checklist = page.get_by_test_id("prereview")
    checklist.get_by_test_id("check-M1").get_by_label("合格", exact=True).check()
    bad = checklist.get_by_test_id("check-M2")
    bad.get_by_label("不合格", exact=True).check()
    bad.get_by_label("原因或说明（不合格时必填）").fill("照片模糊，无法辨认")
    checklist.get_by_test_id("check-M3").get_by_label("合格", exact=True).check()
    check_axe(page, context="prereview filled in")
    with page.expect_navigation(timeout=60_000):  # the machine may be busy
        checklist.get_by_test_id("prereview-save").click()
    assert page.url.startswith(f"{site}/workbench/cases/{no}/")
    expect(page.locator(".messages")).to_contain_text("1 份材料不合格")
    assert AuditRecord.objects.filter(action="cases.material_check", object_id=no).count() == 1

    # the 补正 request is built from it: the 不合格 material ticked, its reason filled in
    correction = page.get_by_test_id("action-request_correction")
    expect(correction.get_by_label("公司章程", exact=True)).to_be_checked()
    expect(correction.get_by_label("居民身份证", exact=True)).not_to_be_checked()
    expect(correction.locator("input[name='reason-M2']")).to_have_value("照片模糊，无法辨认")

    # 分派: a colleague chosen by name from the department's handling staff
    assign = page.get_by_test_id("action-assign")
    picker = assign.get_by_label("承办人")
    options = picker.locator("option").all_inner_texts()
    assert any("审批人员" in o for o in options), options
    assert not any(o.startswith("demo-") for o in options[1:]), options  # names, not accounts
    picker.select_option("demo-reviewer")
    check_axe(page, context="case desk with the colleague picker")
    # Scrolled down to the button, the lazy material previews above it load (Chrome's PDF
    # viewer in its frame): a click landing while they load was lost. A person does not click
    # within milliseconds of a scroll either, so wait for the page to settle first.
    button = assign.get_by_role("button", name="分配承办人")
    button.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    with page.expect_navigation(timeout=60_000):  # the machine may be busy
        button.click()
    assert page.url.startswith(f"{site}/workbench/cases/{no}/")
    assert Case.objects.get(case_no=no).assignee == "demo-reviewer"
    expect(page.get_by_test_id("assignee")).to_contain_text("审批人员")
    check_axe(page, context="case desk after assigning")
