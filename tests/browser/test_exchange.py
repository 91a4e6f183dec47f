"""Data sharing (秒享) and the personal data space, in a real browser.

The issue's done-when journey: the 民政 system asks for 婚姻登记 fields, the source data officer
approves in the browser, the system's call returns masked fields; demo-citizen sees that use in
the data space, revokes the consent given to the bank, and the bank's next call is refused.
The officer's and citizen's steps run with JavaScript switched off (plain forms); the pages are
checked with axe in a separate, phone-sized context.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, PHONE, check_axe, login

pytestmark = pytest.mark.browser

MARRIAGE = "201001/000001"
SOCIAL = "203001/000001"
MZ_SYSTEM = "肇庆市民政业务系统（演示）"
BANK = "肇庆农商银行普惠金融系统（演示）"


def http(site: str, method: str, path: str, *, token: str = "", body: Any = None) -> Any:
    """(status, JSON) of an API call made the way another system makes it."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{site}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def client_token(site: str, client_id: str) -> str:
    status, body = http(
        site,
        "POST",
        "/api/v1/auth/token",
        body={"client_id": client_id, "client_secret": DEMO_PASSWORD},
    )
    assert status == 200, body
    return str(body["access_token"])


def citizen_id() -> str:
    import datetime as dt

    from shuzheng.core.codes import make_id_number

    return make_id_number("441202", dt.date(1990, 5, 12), 31)


def test_share_approve_masked_call_then_citizen_revokes_bank_consent(exchange_site, new_context):
    site = exchange_site
    subject = citizen_id()
    mz = client_token(site, "demo-mz-system")
    bank = client_token(site, "demo-bank")

    # 1. the 民政 system asks for 婚姻登记 fields for a 民政 purpose
    status, req = http(
        site,
        "POST",
        "/api/v1/exchange/requests",
        token=mz,
        body={
            "resource": MARRIAGE,
            "fields": [
                "person.marital_status",
                "marriage.spouse_name",
                "marriage.spouse_id_number",
            ],
            "purpose": "service",
            "scenario": "最低生活保障审核：核对申请人婚姻状况",
            "legal_basis": "《社会救助暂行办法》第十一条",
            "days": 365,
        },
    )
    assert status == 201 and req["status"] == "pending", req
    status, body = http(
        site, "GET", f"/api/v1/exchange/data/{MARRIAGE}?subject={subject}", token=mz
    )
    assert status == 403  # nothing before the approval

    # 2. the source data officer approves, without JavaScript
    page = new_context(java_script_enabled=False).new_page()
    login(page, site, "demo-dataofficer")
    page.goto(f"{site}/data/")
    pending = page.get_by_test_id("pending")
    expect(pending).to_contain_text("婚姻登记")
    pending.get_by_role("link", name=f"#{req['id']}").click()
    expect(page.get_by_test_id("request-status")).to_have_text("待审核")
    expect(page.get_by_test_id("request-facts")).to_contain_text("最低生活保障审核")
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("审批意见（驳回时必填）").fill("同意，仅用于低保审核")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("request-status")).to_have_text("已同意")
    expect(page.get_by_test_id("grant")).to_contain_text("GX")

    # 3. the consumer's call returns the granted fields, masked
    status, body = http(
        site, "GET", f"/api/v1/exchange/data/{MARRIAGE}?subject={subject}", token=mz
    )
    assert status == 200, body
    assert body["fields"]["person.marital_status"] == "已婚"
    assert body["fields"]["marriage.spouse_name"] == "王*"
    assert "********" in body["fields"]["marriage.spouse_id_number"]
    assert body["masked"] == ["marriage.spouse_name", "marriage.spouse_id_number"]
    status, _ = http(site, "GET", f"/api/v1/exchange/data/{SOCIAL}?subject={subject}", token=bank)
    assert status == 200  # the bank reads 社保参保 under the citizen's consent

    # 4. demo-citizen sees both uses in the data space, then revokes the bank's consent
    page = new_context(java_script_enabled=False).new_page()
    login(page, site, "demo-citizen")
    page.goto(f"{site}/dataspace/")
    population = page.get_by_test_id("source-101001/000001")
    expect(population).to_contain_text("肇庆市公安局")
    expect(population.locator("[data-field='person.name']")).to_have_text("李明")
    expect(population.locator("[data-field='person.hukou_address']")).to_contain_text(
        "广东省肇庆市端州区城东街道天宁北路12号"
    )
    usage = page.get_by_test_id("usage")
    used = usage.locator("tr[data-outcome=ok]", has_text=MZ_SYSTEM)
    expect(used).to_contain_text("婚姻登记：婚姻状况、配偶姓名、配偶公民身份号码")
    expect(used).to_contain_text("政务服务")
    expect(usage.locator("tr[data-outcome=refused]", has_text=MZ_SYSTEM)).to_contain_text(
        "请先提交共享申请"
    )
    expect(usage.locator("tr[data-outcome=ok]", has_text=BANK)).to_contain_text("社保参保")
    page.get_by_role("button", name=f"撤销对{BANK}的授权").click()
    expect(page.locator(".messages")).to_contain_text("立即生效")
    expect(page.get_by_test_id("consents")).to_contain_text("已撤销")

    # 5. the bank's very next call is refused, and the refusal shows in the data space
    status, body = http(
        site, "GET", f"/api/v1/exchange/data/{SOCIAL}?subject={subject}", token=bank
    )
    assert status == 403 and body["code"] == "consent_required", body
    assert "fields" not in body
    page.reload()
    refused = page.get_by_test_id("usage").locator("tr[data-outcome=refused]", has_text=BANK)
    expect(refused).to_contain_text("撤销授权")


def test_data_space_and_officer_pages_are_accessible(exchange_site, new_context):
    site = exchange_site
    page = new_context(**PHONE).new_page()
    login(page, site, "demo-citizen")
    for path in ("/dataspace/", f"/dataspace/consents/new/?resource={SOCIAL}"):
        page.goto(f"{site}{path}")
        check_axe(page, context=path)
    page.goto(f"{site}/dataspace/corrections/new/?resource=101001/000001&field=person.name")
    check_axe(page, context="correction")

    page = new_context(**PHONE).new_page()
    login(page, site, "demo-dataofficer")
    for path in (
        "/data/",
        "/data/resources/",
        f"/data/resources/{MARRIAGE}/",
        "/data/requests/",
        f"/data/requests/new/?resource={MARRIAGE}",
        "/data/quality/",
    ):
        page.goto(f"{site}{path}")
        expect(page.locator("main h1")).to_be_visible()
        check_axe(page, context=path)
