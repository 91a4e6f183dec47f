"""即时发照 of a 个体工商户 in a real browser, without JavaScript: demo-citizen applies on a
phone with 资金数额 (a decimal number field), 秒批 approves at once, and the new 营业执照 of the
个体工商户 is in the wallet. axe checks the apply page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support import PDF

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

GETIHU = "44120030100004000000R"  # 个体工商户设立登记


@pytest.fixture
def establishment_site(catalog_site: str, exchange_site: str) -> str:
    """The demo catalog, the registries behind prefill (数据共享), the licence types and the
    rule sets (秒批 decides 个体工商户设立登记): an earlier browser test flushed them all."""
    from shuzheng.licenses.services import license_types_load
    from shuzheng.rules.services import rule_sets_seed

    license_types_load(actor="system:tests")
    rule_sets_seed()
    return catalog_site


def test_getihu_with_its_capital_gets_the_license_at_once(establishment_site, new_context):
    from shuzheng.licenses.models import License

    site = establishment_site
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    login(page, site, "demo-citizen")
    page.goto(f"{site}/cases/apply/{GETIHU}/")
    expect(page.locator("h1")).to_have_text("个体工商户设立登记")
    expect(page.get_by_label("申请人姓名")).to_have_value("李明")
    capital = page.get_by_label(re.compile("资金数额"))
    expect(capital).to_have_attribute("type", "number")
    expect(capital).to_have_attribute("step", "any")  # 2.5 万元 is no step mismatch
    form = page.get_by_test_id("apply-form")
    form.locator("[name=enterprise_name]").fill("端州区李明书店")
    form.locator("[name=business_address]").fill("肇庆市端州区天宁北路20号")
    form.locator("[name=business_scope]").fill("图书零售")
    capital.fill("2.5")
    for upload in page.locator("main form input[type=file]").all():
        upload.set_input_files({"name": "a.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/cases/[A-Z]{2}\d+/$"))
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    license = License.objects.get(holder_name="端州区李明书店")
    assert license.data["registered_capital"] == "2.5万元"
    assert license.data["entity_type"] == "个体工商户"
    page.goto(f"{site}/licenses/")
    expect(page.locator("main")).to_contain_text("端州区李明书店")

    axe_page = new_context(**PHONE).new_page()
    login(axe_page, site, "demo-citizen")
    axe_page.goto(f"{site}/cases/apply/{GETIHU}/")
    check_axe(axe_page, context="个体工商户 apply")
