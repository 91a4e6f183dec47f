"""免申即享 and the rules console in a real browser, without JavaScript, checked with axe.

demo-elder (陈桂英, 82, household in 端州区) is found by the 高龄津贴 batch, reads why on her
'可享政策' page and confirms — the allowance is granted at once (case + payment). The policy
officer reads the rule set as tables and gets a located error when an expression is wrong.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login, main_submit

pytestmark = pytest.mark.browser


@pytest.fixture
def rules_site(site: str) -> str:
    """``site`` with the rule sets and policies (the test flushed the migration's seed)."""
    from shuzheng.proactive.services import policies_seed
    from shuzheng.rules.services import rule_sets_seed

    rule_sets_seed()
    policies_seed()
    return site


def test_elder_confirms_the_allowance_without_javascript(rules_site, new_context):
    from shuzheng.proactive import services
    from shuzheng.proactive.models import Match, PaymentInstruction
    from shuzheng.rules import registry

    elder = registry.demo_id_numbers()["陈桂英"]
    summary = services.policy_run(code="gaoling-jintie", actor="system:test", subjects=[elder])
    assert summary.new_matches == 1

    page = new_context(**PHONE, java_script_enabled=False).new_page()
    login(page, rules_site, "demo-elder")
    page.goto(f"{rules_site}/policies/mine/")
    card = page.locator('[data-testid="match-gaoling-jintie"]')
    expect(card.locator("h2")).to_have_text("高龄津贴")
    expect(card).to_contain_text("结论：批准。符合高龄津贴发放条件。")
    expect(card).to_contain_text("符合：年满80周岁（年龄：82 周岁）")
    expect(card).to_contain_text("100.00 元/月")
    page.locator('[data-testid="confirm-gaoling-jintie"]').click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("已确认，“高龄津贴”已发放。")
    expect(card).to_contain_text("已发放")
    expect(card).to_contain_text("办件编号")
    m = Match.objects.get(subject_id=elder)
    assert m.status == "granted" and m.case_no
    assert PaymentInstruction.objects.filter(payee_id=elder).count() == 1

    page.goto(f"{rules_site}/policies/gaoling-jintie/")
    # the policy's text, not its figures nor its match list: those are for staff (issue 17)
    expect(page.locator("main h1")).to_have_text("高龄津贴")
    expect(page.locator('[data-testid="policy-stats"]')).to_have_count(0)
    expect(page.locator('[data-testid="matches"]')).to_have_count(0)

    # accessibility (axe needs JavaScript): the same pages in a second, scripted context
    axe_page = new_context(**PHONE).new_page()
    login(axe_page, rules_site, "demo-elder")
    for path in ("/policies/mine/", "/policies/", "/policies/gaoling-jintie/"):
        axe_page.goto(f"{rules_site}{path}")
        check_axe(axe_page, context=path)


def test_policy_officer_reads_tables_and_gets_located_errors(rules_site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{rules_site}/rules/gaoling-jintie/")  # staff only (issue 17): log in first
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/rules/gaoling-jintie/$"))
    login(page, rules_site, "demo-reviewer")
    page.goto(f"{rules_site}/rules/gaoling-jintie/")
    expect(page.locator('[data-testid="conditions"]')).to_contain_text("age >= 80")
    expect(page.locator('[data-testid="decision-table"]')).to_contain_text("申请人未满80周岁")
    expect(page.locator('[data-testid="amount-formula"]')).to_have_text(
        "age >= 100 ? 500 : age >= 90 ? 200 : 100"
    )

    login(page, rules_site, "demo-admin")
    page.goto(f"{rules_site}/rules/gaoling-jintie/")
    page.get_by_role("button", name="运行测试用例").click()
    page.wait_for_load_state()
    expect(page.locator('[data-testid="test-results"]')).to_contain_text("测试用例通过 7 / 7")

    page.goto(f"{rules_site}/rules/gaoling-jintie/edit/")
    text = page.locator("#document").input_value()
    page.locator("#document").fill(text.replace('"age >= 80"', '"agee >= 80"'))
    main_submit(page).click()
    page.wait_for_load_state()
    errors = page.locator('[data-testid="rule-errors"]')
    expect(errors).to_contain_text("第 1 个字符处：未知事实“agee”（是否为 age？）")
    expect(errors).to_contain_text("决策图第")

    axe_page = new_context().new_page()
    login(axe_page, rules_site, "demo-admin")
    for path in ("/rules/", "/rules/gaoling-jintie/"):
        axe_page.goto(f"{rules_site}{path}")
        check_axe(axe_page, context=path)
    axe_page.goto(f"{rules_site}/rules/gaoling-jintie/edit/")
    check_axe(axe_page, context="规则编辑")
