"""A citizen pays a fee (issue 17): 李明's 不动产登记（转移登记） (市不动产登记中心, 80 元 per 件)
was accepted, which opened its fee order; on a phone he finds 去缴费 on his case page, goes
to the demo cashier, cancels once (the order stays 待支付), pays (the cashier calls back with a
signed notification), and finds the 财政电子票据 in his wallet, a PDF sealed by the
department. axe-core runs on each page shown, on a phone.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from playwright.sync_api import expect

from tests.support import PDF, Api

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

TRANSFER = "441200307000050020007"
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def accepted(site: str, settings: Any, tmp_path: Any) -> Any:
    """The demo catalog's 不动产登记（转移登记）, filed by 李明 and accepted by the window clerk,
    on 2026-06-15 (the clock ticks from there)."""
    from shuzheng.catalog import services as catalog_services
    from shuzheng.catalog.demo import CONTENT
    from shuzheng.core import calendar_seed
    from shuzheng.core.models import CalendarDay, CalendarYear

    settings.MEDIA_ROOT = tmp_path / "media"
    calendar_seed.seed(CalendarDay, CalendarYear)
    doc = json.loads(CONTENT.read_text("utf-8"))
    item = next(i for i in doc["items"] if i["implementation_code"] == TRANSFER)
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=TZ), tick=False):
        catalog_services.catalog_import(
            actor="system:seed_demo", doc={"items": [item], "bundles": []}, publish=True
        )
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, 30, tzinfo=TZ), tick=True):
        api = Api(Client())
        prep = api.call(
            "GET", f"/api/v1/cases/prepare?item_code={TRANSFER}", who="demo-citizen"
        ).json()
        form = {
            **prep["prefill"],
            "applicant_phone": "13800000001",
            "property_address": "肇庆市端州区天宁北路14号501房",
            "property_certificate_number": "粤（2020）肇庆市不动产权第0012345号",
            "transferor_name": "张伟",
            "transfer_reason": "买卖",
        }
        form = {k: v for k, v in form.items() if k in prep["form_schema"]["properties"]}
        materials = []
        for m in prep["materials"]:
            if m["required"]:
                r = api.client.post(
                    "/api/v1/files",
                    {"file": SimpleUploadedFile("scan.pdf", PDF, "application/pdf")},
                    HTTP_AUTHORIZATION=f"Bearer {api.token('demo-citizen')}",
                )
                materials.append(
                    {"material_code": m["material_code"], "file_id": r.json()["file_id"]}
                )
        body = {"item_code": TRANSFER, "form": form, "materials": materials}
        r = api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
        assert r.status_code == 201, r.content
        case_no = r.json()["case_no"]
        r = api.call(
            "POST",
            f"/api/v1/cases/{case_no}/actions",
            who="demo-clerk",
            json_body={"action": "accept"},
        )
        assert r.status_code == 200, r.content
        yield {"site": site, "case_no": case_no}


def test_a_citizen_pays_the_fee_and_finds_the_receipt_in_the_wallet(accepted, new_context):
    from shuzheng.payments.models import Order
    from shuzheng.seals import facade as seals

    site, case_no = accepted["site"], accepted["case_no"]
    order = Order.objects.get(case_no=case_no)
    page = new_context(**PHONE).new_page()
    login(page, site, "demo-citizen")

    # the case page: what is owed, and 去缴费
    page.goto(f"{site}/cases/{case_no}/")
    panel = page.get_by_test_id("payment")
    expect(panel.get_by_test_id("order-status")).to_have_text("待支付")
    expect(panel.get_by_test_id("order-amount")).to_have_text("80.00 元")
    check_axe(page, context="case page with its fee")
    panel.get_by_test_id("pay-button").click()

    # the demo cashier: cancel once — nothing is paid, the order waits
    page.wait_for_url(f"{site}/payments/cashier/demo/{order.order_no}/")
    expect(page.get_by_test_id("cashier-amount")).to_contain_text("80.00")
    check_axe(page, context="demo cashier")
    page.get_by_test_id("cashier-cancel").click()
    page.wait_for_url(f"{site}/payments/orders/{order.order_no}/")
    expect(page.locator(".messages")).to_contain_text("已取消支付")
    expect(page.get_by_test_id("order-status")).to_have_text("待支付")
    order.refresh_from_db()
    assert order.status == "pending"

    # pay: the cashier calls back (signed), the order is paid and the receipt issued
    page.get_by_test_id("pay-button").click()
    page.get_by_test_id("cashier-pay").click()
    page.wait_for_url(f"{site}/payments/orders/{order.order_no}/")
    expect(page.locator(".messages")).to_contain_text("缴费成功")
    expect(page.get_by_test_id("order-status")).to_have_text("已支付")
    check_axe(page, context="paid order")
    order.refresh_from_db()
    assert order.status == "paid" and order.receipt.amount_words == "捌拾元整"

    # the wallet: the 电子票据 section lists it; the link gives the sealed PDF
    page.goto(f"{site}/licenses/")
    receipts = page.get_by_test_id("wallet-receipts")
    link = receipts.get_by_role("link", name="不动产登记（转移登记） · 80.00 元")
    expect(link).to_be_visible()
    expect(receipts).to_contain_text(f"票据代码 {order.receipt.code} 号码 {order.receipt.number}")
    check_axe(page, context="wallet with a receipt")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the wallet scrolls sideways by {overflow}px on a phone"
    with page.expect_download() as download:
        link.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert seals.verify_pdf(pdf).valid
