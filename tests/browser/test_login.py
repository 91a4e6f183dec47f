"""Login (password + SMS code) and registration in a real browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import (
    PHONE,
    check_axe,
    login,
    login_password_step,
    main_submit,
    read_login_code,
)

pytestmark = pytest.mark.browser

SESSION_COOKIE = "sz_session"


def _field(page, name: str):
    """The .field wrapper (label, error, input) of the form field ``name``."""
    return page.locator(f"main .field:has([name={name}])")


def _session_cookie(context):
    return [c for c in context.cookies() if c["name"] == SESSION_COOKIE]


@pytest.mark.parametrize("device", [PHONE, {}], ids=["phone", "desktop"])
def test_two_step_login_and_me(site, new_context, device):
    page = new_context(**device).new_page()
    page.goto(f"{site}/accounts/login/")
    expect(page.locator("main h1")).to_have_text("统一身份认证登录")
    expect(page.get_by_label("用户名或身份证号")).to_be_visible()
    expect(page.get_by_label("密码")).to_be_visible()
    check_axe(page, context="login")

    page.fill("input[name=username]", "demo-citizen")
    page.fill("input[name=password]", "Demo@12345")
    main_submit(page).click()
    page.wait_for_url(f"{site}/accounts/login/code/")
    expect(page.locator("main")).to_contain_text("138****0001")
    expect(page.get_by_label("短信验证码")).to_be_visible()
    check_axe(page, context="login code")
    # Half-way through, the user is not logged in yet.
    assert page.request.get(f"{site}/me/", max_redirects=0).status == 302

    page.fill("input[name=code]", read_login_code(page.context, site))
    main_submit(page).click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_role("link", name="我的", exact=True)).to_be_visible()

    page.goto(f"{site}/me/")
    expect(page.get_by_test_id("me-username")).to_have_text("demo-citizen")
    expect(page.get_by_test_id("me-kind")).to_have_text("个人")
    check_axe(page, context="me")


def test_wrong_password_and_wrong_code(site, new_context):
    page = new_context().new_page()
    for attempt in range(3):
        login_password_step(page, site, "demo-citizen", f"Wrong@pass{attempt}")
        assert page.url.startswith(f"{site}/accounts/login/")
        assert "/code/" not in page.url
        alert = page.locator("main [role=alert]")
        expect(alert).to_contain_text("用户名或密码错误")
        # The username is kept, the password is not echoed back.
        expect(page.locator("input[name=username]")).to_have_value("demo-citizen")
        expect(page.locator("input[name=password]")).to_have_value("")
    check_axe(page, context="login with error")
    assert _session_cookie(page.context) == []
    page.goto(f"{site}/me/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/me/$"))

    # Right password, wrong code: the error names the code field.
    login_password_step(page, site, "demo-citizen", "Demo@12345")
    page.wait_for_url(f"{site}/accounts/login/code/")
    page.fill(
        "input[name=code]",
        "000000" if read_login_code(page.context, site) != "000000" else "111111",
    )
    main_submit(page).click()
    page.wait_for_load_state()
    assert page.url == f"{site}/accounts/login/code/"
    field = _field(page, "code")
    expect(field.locator("label")).to_contain_text("短信验证码")
    expect(field.locator(".field-error")).to_contain_text("验证码错误")
    expect(page.locator("input[name=code]")).to_have_attribute("aria-invalid", "true")
    check_axe(page, context="login code with error")
    page.goto(f"{site}/me/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/me/$"))


def test_field_error_is_the_inputs_accessible_description(site, new_context):
    page = new_context().new_page()
    login_password_step(page, site, "demo-citizen", "Demo@12345")
    page.wait_for_url(f"{site}/accounts/login/code/")
    page.fill("input[name=code]", "abcdef")
    main_submit(page).click()
    page.wait_for_load_state()
    expect(page.locator("input[name=code]")).to_have_accessible_description(
        re.compile("验证码"), timeout=2_000
    )


def test_login_works_without_javascript(site, new_context):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, site, "demo-citizen")
    page.goto(f"{site}/me/")
    expect(page.get_by_test_id("me-username")).to_have_text("demo-citizen")
    # Logging out is a plain form too.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_role("link", name="我的", exact=True)).to_have_count(0)


def test_registration_validates_id_number_then_logs_in(site, new_context):
    from shuzheng.core.codes import make_id_number
    from shuzheng.identity.models import User

    page = new_context(**PHONE).new_page()
    page.goto(f"{site}/accounts/register/")
    expect(page.locator("main h1")).to_have_text("个人实名注册")
    check_axe(page, context="register")

    bad_id = "441202199001011234"  # check character should be 6
    page.get_by_label("姓名").fill("赵测试")
    page.get_by_label("公民身份号码").fill(bad_id)
    page.get_by_label("手机号码").fill("13900009999")
    page.get_by_label("密码").fill("Shuzheng@2026")
    main_submit(page).click()
    page.wait_for_load_state()
    field = _field(page, "id_number")
    expect(field.locator("label")).to_contain_text("公民身份号码")
    expect(field.locator(".field-error")).to_contain_text("公民身份号码校验码错误")
    expect(page.locator("main [role=alert]")).to_be_visible()
    # Only the bad field is marked.
    expect(page.locator("main .field.has-error")).to_have_count(1)
    check_axe(page, context="register with error")
    assert not User.objects.filter(username__in=[bad_id, bad_id.upper()]).exists()

    good_id = make_id_number("441202", dt.date(1995, 7, 1), 123)
    page.get_by_label("公民身份号码").fill(good_id)
    page.get_by_label("密码").fill("Shuzheng@2026")  # password inputs are never re-filled
    main_submit(page).click()
    page.wait_for_load_state()
    expect(page.locator("main h1")).to_have_text("注册申请已提交")
    expect(page.locator("main")).to_contain_text(good_id)
    assert User.objects.filter(username=good_id).exists()

    login(page, site, good_id, "Shuzheng@2026")
    page.goto(f"{site}/me/")
    expect(page.get_by_test_id("me-username")).to_have_text(good_id)
    expect(page.get_by_test_id("me-kind")).to_have_text("个人")
