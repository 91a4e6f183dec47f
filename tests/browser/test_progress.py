"""办件进度查询 without logging in (issue 17), in a real browser: from the portal home (and the
长辈版 home) to the progress page, found by case number and phone, on a phone and at a desk,
with JavaScript off too; a wrong phone gets the one "not found" answer. axe-checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.support import PDF, Api

from .conftest import DESKTOP, PHONE, check_axe

pytestmark = pytest.mark.browser

CITIZEN_PHONE = "13800000001"  # demo-citizen (李明)


@pytest.fixture
def accepted_case(site: str) -> dict[str, str]:
    """李明's 营业执照（设立登记） at 市市场监管局, submitted and accepted (through the API)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuzheng.catalog import services as catalog_services
    from shuzheng.catalog.tests import fixtures

    item = fixtures.business_license()
    catalog_services.catalog_import(
        actor="user:demo-admin", doc={"items": [item], "bundles": []}, publish=True
    )
    code = fixtures.code_of(item)
    api = Api(Client())
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who="demo-citizen").json()
    form = {k: v for k, v in prep["prefill"].items() if k in prep["form_schema"]["properties"]}
    form["enterprise_name"] = "肇庆市星湖味道餐饮有限公司"
    materials = []
    for m in prep["materials"]:
        if m["required"]:
            r = api.client.post(
                "/api/v1/files",
                {"file": SimpleUploadedFile("scan.pdf", PDF, "application/pdf")},
                HTTP_AUTHORIZATION=f"Bearer {api.token('demo-citizen')}",
            )
            materials.append({"material_code": m["material_code"], "file_id": r.json()["file_id"]})
    body = {"item_code": code, "form": form, "materials": materials}
    r = api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
    assert r.status_code == 201, r.content
    case_no = r.json()["case_no"]
    accept = {"action": "accept"}
    r = api.call("POST", f"/api/v1/cases/{case_no}/actions", who="demo-clerk", json_body=accept)
    assert r.status_code == 200, r.content
    return {"site": site, "case_no": case_no}


def fits(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_progress_found_by_number_and_phone_without_logging_in(accepted_case, new_context, device):
    site, case_no = accepted_case["site"], accepted_case["case_no"]
    page = new_context(**device).new_page()
    page.goto(f"{site}/")
    page.get_by_test_id("progress-link").click()
    page.wait_for_url(f"{site}/cases/progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办件进度查询")
    check_axe(page, context="progress form")
    fits(page)

    # a wrong phone: the one answer for "no such case"; nothing shown
    page.get_by_label("办件编号").fill(case_no)
    page.get_by_label("手机号码").fill("13700000000")
    page.get_by_role("button", name="查询进度").click()
    expect(page.get_by_test_id("progress-error")).to_have_text(
        "未找到该办件：请核对办件编号和申请时预留的手机号码。"
    )
    expect(page.get_by_test_id("progress-result")).to_have_count(0)
    check_axe(page, context="progress not found")

    # a malformed phone is named next to its field
    page.get_by_label("手机号码").fill("12")
    page.get_by_role("button", name="查询进度").click()
    expect(page.get_by_label("手机号码")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main")).to_contain_text("手机号码应为11位数字，以1开头。")
    check_axe(page, context="progress with errors")

    page.get_by_label("手机号码").fill(CITIZEN_PHONE)
    page.get_by_role("button", name="查询进度").click()
    result = page.get_by_test_id("progress-result")
    expect(result).to_be_visible()
    expect(page.get_by_test_id("progress-case-no")).to_have_text(case_no)
    expect(page.get_by_test_id("progress-status")).to_have_text("办理中")
    expect(page.get_by_test_id("progress-summary")).to_contain_text("已受理，正在办理")
    expect(page.get_by_test_id("progress-timeline").locator("li")).to_have_count(2)
    expect(result).to_contain_text("肇庆市市场监督管理局")
    text = result.inner_text()
    for personal in ("李明", "星湖味道", CITIZEN_PHONE):
        assert personal not in text
    check_axe(page, context="progress found")
    fits(page)


def test_progress_works_without_javascript_from_the_elder_home(accepted_case, new_context):
    site, case_no = accepted_case["site"], accepted_case["case_no"]
    context = new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/")
    page.get_by_test_id("elder-toggle").click()  # 长辈版: a plain form post
    expect(page.locator("html")).to_have_class("elder")
    page.get_by_test_id("progress-link").click()
    page.wait_for_url(f"{site}/cases/progress/")
    page.get_by_label("办件编号").fill(case_no)
    page.get_by_label("手机号码").fill(CITIZEN_PHONE)
    page.get_by_role("button", name="查询进度").click()
    expect(page.get_by_test_id("progress-status")).to_have_text("办理中")
    fits(page)
    # the same 长辈版 page, with JavaScript for axe (the cookie carried over)
    checked = new_context(**PHONE, storage_state=context.storage_state()).new_page()
    checked.goto(f"{site}/cases/progress/")
    expect(checked.locator("html")).to_have_class("elder")
    checked.get_by_label("办件编号").fill(case_no)
    checked.get_by_label("手机号码").fill(CITIZEN_PHONE)
    checked.get_by_role("button", name="查询进度").click()
    expect(checked.get_by_test_id("progress-status")).to_have_text("办理中")
    check_axe(checked, context="长辈版 progress found")
