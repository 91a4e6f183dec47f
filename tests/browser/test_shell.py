"""The page shell in a real browser: Chinese first, 长辈版, English, no-JS, staff workbench."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, check_axe, english, login, root_font_size

pytestmark = pytest.mark.browser

STANDARD_ROOT_PX = 16.0
ELDER = re.compile(r"(^|\s)elder(\s|$)")


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_home_is_chinese_and_accessible(site, new_context, device):
    page = new_context(**device).new_page()
    response = page.goto(f"{site}/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main h1")).to_contain_text("一网通办")
    expect(page.get_by_test_id("elder-toggle")).to_be_visible()
    expect(page.get_by_test_id("lang-toggle")).to_be_visible()
    if device is PHONE:
        # Mobile first: nothing may force horizontal scrolling on a 390px-wide phone.
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"page is {overflow}px wider than the phone viewport"
    check_axe(page)


def test_stylesheet_and_script_are_served(site, new_context):
    """Every check below (contrast, type size) is only meaningful on the styled page."""
    page = new_context().new_page()
    for asset in ("css/shuzheng.css", "vendor/htmx.min.js"):
        response = page.request.get(f"{site}/static/{asset}")
        assert response.status == 200, f"/static/{asset} answered {response.status}"
    page.goto(f"{site}/")
    rules = page.evaluate("() => [...document.styleSheets].map(s => s.cssRules.length)")
    assert rules and all(rules), f"stylesheets without rules: {rules}"


def test_elder_mode_toggle_persists_and_is_accessible(site, new_context):
    page = new_context(**PHONE).new_page()
    page.goto(f"{site}/")
    html = page.locator("html")
    expect(html).not_to_have_class(ELDER)
    standard = root_font_size(page)
    assert standard == STANDARD_ROOT_PX

    toggle = page.get_by_test_id("elder-toggle")
    expect(toggle).to_have_text("长辈版")
    toggle.click()
    page.wait_for_url(f"{site}/")
    expect(html).to_have_class(ELDER)
    elder = root_font_size(page)
    assert elder >= 20 and elder > standard, f"长辈版 root font-size {elder}px vs {standard}px"
    expect(page.get_by_test_id("elder-toggle")).to_have_text("标准版")
    check_axe(page, context="长辈版 home")

    # The choice is a cookie: it survives navigation to other pages.
    page.goto(f"{site}/accounts/login/")
    expect(html).to_have_class(ELDER)
    assert root_font_size(page) == elder
    check_axe(page, context="长辈版 login")

    # Switching back returns to the same page in the standard version.
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_url(f"{site}/accounts/login/")
    expect(html).not_to_have_class(ELDER)
    assert root_font_size(page) == standard
    expect(page.get_by_test_id("elder-toggle")).to_have_text("长辈版")


def _expect_english_text(page, msgid: str, role: str | None = None) -> None:
    """Strict once the English catalogue translates ``msgid``; otherwise only informative."""
    translated = english(msgid)
    if translated is None:
        return
    scope = page.locator("body")
    target = (
        scope.get_by_role(role, name=translated, exact=True)
        if role
        else scope.get_by_text(translated, exact=True)
    )
    expect(
        target.first,
        f"the .po translates {msgid!r} as {translated!r} but the page does not show it "
        "(is django.mo compiled?)",
    ).to_be_visible()


def test_english_switch(site, new_context):
    page = new_context().new_page()
    page.goto(f"{site}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_test_id("lang-toggle").click()
    page.wait_for_url(f"{site}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("lang-toggle")).to_have_text("中文")
    _expect_english_text(page, "登录", role="link")  # the header's "Log in" link
    _expect_english_text(page, "首页", role="link")
    _expect_english_text(page, "统一身份认证登录", role="heading")
    check_axe(page, context="English login")

    page.goto(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _expect_english_text(page, "首页", role="link")
    _expect_english_text(page, "一网通办 · 数政", role="heading")
    if english("一网通办 · 数政"):
        expect(page.locator("main h1")).not_to_contain_text("一网通办")
    check_axe(page, context="English home")

    # 长辈版 + English together.
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_url(f"{site}/")
    expect(page.locator("html")).to_have_class(ELDER)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _expect_english_text(page, "标准版", role="button")
    _expect_english_text(page, "长辈常办", role="heading")  # the 长辈版 home's first heading
    check_axe(page, context="长辈版 + English home")

    # And back to Chinese, still in 长辈版: the elder home's heading in Chinese.
    page.get_by_test_id("lang-toggle").click()
    page.wait_for_url(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main h1")).to_contain_text("长辈常办")


def test_shell_controls_work_without_javascript(site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{site}/")
    html = page.locator("html")

    page.get_by_test_id("elder-toggle").click()
    page.wait_for_url(f"{site}/")
    expect(html).to_have_class(ELDER)
    assert root_font_size(page) >= 20  # read via Playwright's protocol, not page scripts

    page.get_by_test_id("lang-toggle").click()
    page.wait_for_url(f"{site}/")
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_class(ELDER)

    page.get_by_test_id("lang-toggle").click()
    page.wait_for_url(f"{site}/")
    expect(html).to_have_attribute("lang", "zh-Hans")
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_url(f"{site}/")
    expect(html).not_to_have_class(ELDER)


def test_staff_reaches_workbench_and_citizen_is_refused(site, new_context):
    page = new_context().new_page()
    login(page, site, "demo-clerk")
    expect(page.get_by_role("link", name="工作台")).to_be_visible()
    response = page.goto(f"{site}/workbench/")
    assert response is not None and response.status == 200
    roles = page.get_by_test_id("workbench-roles")
    expect(roles).to_contain_text("窗口受理人员")
    expect(roles).to_contain_text("肇庆市民政局")
    assert roles.locator("li").count() >= 2
    check_axe(page, context="workbench")

    citizen = new_context().new_page()
    login(citizen, site, "demo-citizen")
    expect(citizen.get_by_role("link", name="工作台")).to_have_count(0)
    response = citizen.goto(f"{site}/workbench/")
    assert response is not None and response.status == 403
    expect(citizen.get_by_test_id("workbench-roles")).to_have_count(0)
