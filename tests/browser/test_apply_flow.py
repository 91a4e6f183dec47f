"""The citizen's apply flow in a real browser (issue 17 defects 5, 7, 8).

* demo-elder (陈桂英) answers the guide's 谁来办理？ with 老人本人: the guide lists only her own
  materials and the application form it leads to asks for no 代理人 material;
* she submits: the 秒批 result (approved, with the link to her licence) is in the first
  viewport of a 390×844 phone, not below the fold;
* 撤回申请 asks for confirmation on its own page first, and only that page's button withdraws.

Phone, without JavaScript for the flows; axe-core on every page shown, in a scripted context.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from tests.support import PDF

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

GAOLING = "44120030500001000000B"  # 高龄津贴申领 (秒批)
RESIDENCE = "44120032000007000000T"  # 居住证申领
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def apply_site(site: str) -> Any:
    """``site`` with the demo catalog, the data-sharing registries (prefill) and the rule sets,
    on 2026-12-07 (the clock ticks from there)."""
    from shuzheng.catalog.demo import seed_catalog
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.rules.services import rule_sets_seed

    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 30, tzinfo=TZ), tick=True):
        seed_catalog()
        seed_exchange()
        rule_sets_seed()
        yield site


def test_an_elder_applying_herself_gets_her_materials_and_the_result_first(apply_site, new_context):
    from shuzheng.cases.models import Case

    site = apply_site
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    login(page, site, "demo-elder")
    axe_page = new_context(**PHONE).new_page()
    login(axe_page, site, "demo-elder")

    # the guide: 老人本人 → her own three materials, each 必需, none of a 代理人
    page.goto(f"{site}/services/item/{GAOLING}/")
    page.get_by_label("老人本人").check()
    page.get_by_role("button", name="查看我需要的材料").click()
    page.wait_for_load_state()
    materials = page.get_by_test_id("materials")
    expect(materials.locator(".material")).to_have_count(3)
    expect(materials).not_to_contain_text("代理人")
    expect(materials).not_to_contain_text("授权委托书")
    expect(materials).not_to_contain_text("非必需")
    axe_page.goto(page.url)
    check_axe(axe_page, context="guide after 老人本人")

    # the answer goes on into the form (a plain link)
    page.get_by_test_id("apply-link").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/apply/{GAOLING}/?Q1=self"), page.url
    expect(page.get_by_test_id("apply-situation")).to_contain_text("老人本人")
    form = page.get_by_test_id("material-inputs")
    expect(form).not_to_contain_text("代理人")
    expect(form).not_to_contain_text("授权委托书")
    expect(form).not_to_contain_text("监护关系证明")
    for code in ("M4", "M5", "M6"):
        expect(page.locator(f'input[name="material-{code}"]')).to_have_count(0)
    axe_page.goto(page.url)
    check_axe(axe_page, context="apply form after 老人本人")

    page.locator("#f-bank_account").fill("6217002870012345678")
    for code in ("M1", "M2", "M3"):
        upload = page.locator(f'input[name="source-{code}"][value="upload"]')
        if upload.count():
            upload.check()
        page.locator(f'input[type=file][name="material-{code}"]').set_input_files(
            {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    case_no = page.url.rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get(case_no=case_no)
    assert case.status == "closed" and case.situation["answers"] == {"Q1": "self"}

    # the 秒批 result is in the first viewport of the phone, with the link to the licence
    result = page.get_by_test_id("instant-result")
    expect(result).to_contain_text("秒批通过，已办结。")
    link = page.get_by_test_id("instant-licence")
    expect(link).to_have_attribute("href", f"/licenses/{case.result['license_id']}/")
    for shown in (result, link):
        box = shown.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    expect(page.locator(".messages")).not_to_contain_text("办理进展会通过站内消息和短信通知您")
    axe_page.goto(page.url)
    check_axe(axe_page, context="case page after 秒批")


def test_withdrawing_asks_for_confirmation_first(apply_site, new_context):
    from shuzheng.cases.models import Case

    site = apply_site
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    login(page, site, "demo-citizen")
    axe_page = new_context(**PHONE).new_page()
    login(axe_page, site, "demo-citizen")
    # unanswered: the form offers the guide's questions first (a plain GET form)
    page.goto(f"{site}/cases/apply/{RESIDENCE}/")
    page.get_by_label("单位宿舍").check()
    page.get_by_label("上班").check()
    axe_page.goto(page.url)
    check_axe(axe_page, context="apply form with the guide's questions")
    page.get_by_role("button", name="查看我需要的材料").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/apply/{RESIDENCE}/?Q1=dorm&Q2=job"), page.url
    expect(page.get_by_test_id("apply-situation")).to_contain_text("单位宿舍")
    for code in ("M1", "M2", "M5"):
        upload = page.locator(f'input[name="source-{code}"][value="upload"]')
        if upload.count():
            upload.check()
        page.locator(f'input[type=file][name="material-{code}"]').set_input_files(
            {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    page.locator("#f-residence_address").fill("肇庆市端州区天宁北路12号")
    page.locator("#f-residence_since").fill("2025-03-01")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-status")).to_have_text("待受理")
    case_no = page.url.rstrip("/").rsplit("/", 1)[-1]

    # 撤回申请 leads to a page that asks first; nothing changes until it is confirmed
    page.get_by_test_id("withdraw-link").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认撤回申请？")
    expect(page.get_by_test_id("confirm-warning")).to_contain_text("不能恢复")
    assert Case.objects.get(case_no=case_no).status == "submitted"
    axe_page.goto(page.url)
    check_axe(axe_page, context="confirm withdraw")

    # 返回，不操作 goes back with the case as it was
    page.get_by_role("link", name="返回，不操作").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-status")).to_have_text("待受理")

    page.get_by_test_id("withdraw-link").click()
    page.wait_for_load_state()
    page.get_by_label("撤回原因（可不填）").fill("信息填错，重新申请")
    page.get_by_role("button", name="确认撤回申请").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-status")).to_have_text("已撤回")
    expect(page.locator(".messages")).to_contain_text("申请已撤回。")
    assert Case.objects.get(case_no=case_no).status == "withdrawn"
    axe_page.goto(page.url)
    check_axe(axe_page, context="withdrawn case")
