"""电子证照 done-when journey: demo-citizen opens the wallet, presents a licence by QR code
choosing what to disclose; a second browser session (a verifier with no account) opens the
QR link and sees only the disclosed fields; the holder's 用证记录 then shows the verification.
Also the enterprise agent's wallet, a tampered code, and 长辈版."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser


@pytest.fixture
def licenses_site(site: str) -> str:
    """``site`` with the demo licences issued (``seed_licenses``)."""
    from shuzheng.licenses.demo import seed_licenses

    seed_licenses()
    return site


def open_license(page: Any, base: str, type_name: str) -> None:
    page.goto(f"{base}/licenses/")
    page.get_by_role("link", name=type_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(type_name)


def test_present_by_qr_verify_in_a_second_session_and_see_it_in_the_history(
    licenses_site: str, new_context: Any
) -> None:
    base = licenses_site
    holder = new_context(**PHONE).new_page()
    login(holder, base, "demo-citizen")

    holder.goto(f"{base}/licenses/")
    items = holder.get_by_test_id("wallet-item")
    expect(items).to_have_count(2)
    expect(holder.get_by_test_id("wallet-mine")).to_contain_text("居民身份证")
    expect(holder.get_by_test_id("wallet-mine")).to_contain_text("居民户口簿")
    check_axe(holder, context="wallet")

    open_license(holder, base, "居民身份证")
    fields = holder.get_by_test_id("license-fields")
    expect(fields).to_contain_text("李明")
    expect(fields).to_contain_text("天宁北路12号")
    expect(holder.get_by_test_id("license-status")).to_have_text("有效")
    check_axe(holder, context="licence detail")

    # 亮证: disclose name and sex only
    form = holder.get_by_test_id("present-form")
    form.get_by_label("姓名").check()
    form.get_by_label("性别").check()
    form.get_by_role("button", name="生成亮证码").click()
    holder.wait_for_url(re.compile(r"/licenses/presentations/[0-9a-f]{32}/$"))
    qr = holder.get_by_test_id("qr").locator("svg")
    expect(qr).to_be_visible()
    assert qr.get_attribute("role") == "img"
    expect(holder.get_by_test_id("disclosed")).to_contain_text("李明")
    check_axe(holder, context="presentation QR")
    verify_url = holder.get_by_test_id("verify-link").get_attribute("href")
    assert verify_url and "/licenses/verify/?t=SZP1." in verify_url

    # a second, separate browser session scans the code (opens the URL inside the QR)
    verifier = new_context().new_page()
    verifier.goto(verify_url)
    expect(verifier.get_by_test_id("verify-valid")).to_be_visible()
    disclosed = verifier.get_by_test_id("verify-fields")
    expect(disclosed).to_contain_text("姓名")
    expect(disclosed).to_contain_text("李明")
    expect(disclosed).to_contain_text("男")
    expect(verifier.get_by_test_id("verify-type")).to_have_text("居民身份证")
    body = verifier.locator("main").inner_text()
    assert "天宁北路" not in body and "1990" not in body  # nothing that was not disclosed
    check_axe(verifier, context="verify page")

    # a tampered code is refused with the reason
    verifier.goto(verify_url[:-6] + ("AAAAAA" if not verify_url.endswith("AAAAAA") else "BBBBBB"))
    expect(verifier.get_by_test_id("verify-invalid")).to_contain_text("签名")

    # the holder's 用证记录 shows the verification
    open_license(holder, base, "居民身份证")
    uses = holder.get_by_test_id("uses")
    expect(uses.get_by_test_id("use-verify").first).to_contain_text("核验通过")
    expect(uses.get_by_test_id("use-verify").first).to_contain_text("匿名核验")
    expect(uses.get_by_test_id("use-present")).to_contain_text("亮证")


def test_agent_sees_the_enterprise_licenses_and_downloads_the_pdf(
    licenses_site: str, new_context: Any
) -> None:
    page = new_context().new_page()
    login(page, licenses_site, "demo-agent")
    page.goto(f"{licenses_site}/licenses/")
    ent = page.get_by_test_id("wallet-enterprise")
    expect(ent).to_contain_text("营业执照")
    expect(ent).to_contain_text("食品经营许可证")
    check_axe(page, context="agent wallet")
    open_license(page, licenses_site, "营业执照")
    with page.expect_download() as dl:
        page.get_by_test_id("pdf-link").click()
    path = dl.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_elder_mode_wallet_is_accessible(licenses_site: str, new_context: Any) -> None:
    page = new_context(**PHONE).new_page()
    login(page, licenses_site, "demo-elder")
    page.goto(f"{licenses_site}/licenses/")
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("wallet-item")).to_have_count(2)
    open_license(page, licenses_site, "居民身份证")
    expect(page.get_by_test_id("license-fields")).to_contain_text("长期")
    check_axe(page, context="elder licence detail")
