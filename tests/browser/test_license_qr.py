"""亮证 on a 360 px phone (issue 17 defect 6): the QR code is fully inside the screen with its
quiet zone, a screenshot of it is read back by a QR decoder (zxing-cpp) to the short verify link
of this presentation, and that link verifies in a second session; the countdown ticks (the
browser's clock is Playwright's, so no test waits on the wall clock) and an expired code is
replaced by a fresh one. Axe-checked in the normal and the 长辈版 mode."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import check_axe
from .test_phone_layouts import ELDER_COOKIE, phone, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def licenses_site(site: str) -> str:
    from shuzheng.licenses.demo import seed_licenses

    seed_licenses()
    return site


def decode_qr(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def present(page: Any, site: str, fields: tuple[str, ...]) -> None:
    from shuzheng.licenses.demo import CITIZEN_ID
    from shuzheng.licenses.models import License

    lic = License.objects.get(holder_id=CITIZEN_ID, license_type__name="居民身份证")
    page.goto(f"{site}/licenses/{lic.license_id}/")
    form = page.get_by_test_id("present-form")
    for label in fields:
        form.get_by_label(label, exact=True).check()
    form.get_by_role("button", name="生成亮证码").click()
    page.wait_for_url(re.compile(r"/licenses/presentations/[0-9a-f]{32}/$"))


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_qr_fits_a_360_px_phone_and_reads_back_to_the_verify_link(
    licenses_site, new_context, elder
):
    from shuzheng.licenses import services
    from shuzheng.licenses.models import Presentation

    site = licenses_site
    context = new_context(**phone(360))
    sign_in(context, site, "demo-citizen")
    if elder:
        context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": site}])
    page = context.new_page()
    present(page, site, ("姓名", "性别"))

    qr = page.get_by_test_id("qr")
    expect(qr.locator("svg")).to_be_visible()
    qr.scroll_into_view_if_needed()
    box = qr.bounding_box()
    width = page.viewport_size["width"]
    assert box and box["x"] >= 8 and box["x"] + box["width"] <= width - 8, box  # with margins
    assert box["width"] >= 180, box  # big enough to scan: >= 4 px a module for a version 6 code
    nonce = page.url.rstrip("/").rsplit("/", 1)[1]
    expected = f"{site}/licenses/verify/?p={services.presentation_ref(nonce)}"
    assert Presentation.objects.filter(nonce=nonce).exists()
    # the screenshot of the code as a phone shows it, read by a QR decoder
    assert decode_qr(qr.screenshot()) == [expected]
    assert qr.get_attribute("data-url") == expected
    check_axe(page, context=f"presentation on a phone ({'长辈版' if elder else '标准版'})")

    verifier = new_context(**phone(360)).new_page()
    verifier.goto(expected)
    expect(verifier.get_by_test_id("verify-valid")).to_be_visible()
    expect(verifier.get_by_test_id("verify-fields")).to_contain_text("李明")
    expect(verifier.get_by_test_id("verify-fields")).to_contain_text("男")
    assert "天宁北路" not in verifier.locator("main").inner_text()


def test_the_countdown_ticks_and_an_expired_code_is_replaced(licenses_site, new_context):
    from shuzheng.licenses.models import Presentation

    site = licenses_site
    context = new_context(**phone(360))
    sign_in(context, site, "demo-citizen")
    page = context.new_page()
    page.clock.install()  # the page's timers and clocks are the test's
    present(page, site, ("姓名",))
    first = page.url
    left = page.get_by_test_id("countdown-left")
    expect(left).to_be_visible()
    before = left.inner_text()
    assert re.fullmatch(r"还剩 [45] 分 \d\d 秒", before), before
    page.clock.run_for(61_000)
    after = left.inner_text()
    assert after != before and re.fullmatch(r"还剩 [34] 分 \d\d 秒", after), (before, after)
    # at the end of the five minutes the code is hidden and a fresh one takes its place
    with page.expect_navigation():
        page.clock.run_for(5 * 60_000)
    page.wait_for_url(re.compile(r"/licenses/presentations/[0-9a-f]{32}/$"))
    assert page.url != first
    assert Presentation.objects.count() == 2
    assert list(Presentation.objects.values_list("fields", flat=True)) == [["name"], ["name"]]
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()


def test_without_javascript_the_expiry_is_stated_in_words(licenses_site, new_context):
    site = licenses_site
    context = new_context(**phone(360), java_script_enabled=False)
    sign_in(context, site, "demo-citizen")
    page = context.new_page()
    present(page, site, ("姓名",))
    countdown = page.get_by_test_id("countdown")
    expect(countdown).to_contain_text("有效期至")
    expect(countdown).to_contain_text("（5 分钟内有效）")
    expect(page.get_by_test_id("countdown-left")).to_be_hidden()
    expect(page.get_by_test_id("refresh-form")).to_be_visible()
