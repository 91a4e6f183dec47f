"""One person, one benefit in a real browser (issue 17 defect 1): demo-elder (陈桂英, 82) cannot
receive 高龄津贴 twice, whichever path comes first.

* The 免申即享 notice first: the guide and apply pages tell her she need not apply (a link to
  the notice); an application she submits anyway is refused before anything is filed; she
  confirms the notice and it is granted once.
* An approved 秒批 application first, then 确认享受 on a notice made before the register (the
  reported defect: a second approved grant): the grant's re-check finds the application's
  entitlement and grants nothing; the card says why.

Phone and desktop, without JavaScript; axe-core on every page shown, in a scripted context.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import PDF

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

GAOLING = "44120030500001000000B"  # 高龄津贴申领 (秒批)


@pytest.fixture
def benefit_site(site: str) -> str:
    """``site`` with the demo catalog, the data-sharing registries (prefill), the rule sets and
    the 免申即享 policies (a transactional test flushed the migrations' seeds)."""
    from shuzheng.catalog.demo import seed_catalog
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.proactive.services import policies_seed
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    seed_exchange()
    rule_sets_seed()
    policies_seed()
    return site


def elder_id() -> str:
    from shuzheng.rules import registry

    return registry.demo_id_numbers()["陈桂英"]


def notify_elder() -> Any:
    from shuzheng.proactive import services
    from shuzheng.proactive.models import Match

    summary = services.policy_run(code="gaoling-jintie", actor="system:test", subjects=[elder_id()])
    assert summary.new_matches == 1
    return Match.objects.get(subject_id=elder_id())


def granted() -> tuple[int, int, int]:
    """(approved 秒批 cases, 免申即享 cases, payment instructions) of the elder."""
    from shuzheng.cases.models import Case
    from shuzheng.proactive.models import PaymentInstruction

    return (
        Case.objects.filter(applicant_id=elder_id(), channel="online", decision="approve").count(),
        Case.objects.filter(applicant_id=elder_id(), channel="proactive").count(),
        PaymentInstruction.objects.filter(payee_id=elder_id()).count(),
    )


def fill_application(page: Any) -> None:
    """The 高龄津贴申领 form: the prefilled fields kept, the bank account typed, the three
    required materials uploaded."""
    page.locator("#f-bank_account").fill("6217002870012345678")
    for code in ("M1", "M2", "M3"):
        upload = page.locator(f'input[name="source-{code}"][value="upload"]')
        if upload.count():
            upload.check()
        page.locator(f'input[type=file][name="material-{code}"]').set_input_files(
            {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )


def test_the_notice_first_then_an_application_is_refused(benefit_site, new_context):
    from shuzheng.cases.models import Case

    site = benefit_site
    m = notify_elder()
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    login(page, site, "demo-elder")

    page.goto(f"{site}/services/item/{GAOLING}/")
    notice = page.get_by_test_id("benefit-notice")
    expect(notice).to_contain_text("您已符合“高龄津贴”免申即享条件，无需申请。")
    expect(notice).to_contain_text("后自动发放。")
    page.get_by_test_id("benefit-notice-link").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/policies/mine/#match-{m.pk}")
    expect(page.locator(f"#match-{m.pk}")).to_contain_text("已告知，等待确认")

    # she applies anyway: refused before anything is filed, and told why
    page.goto(f"{site}/cases/apply/{GAOLING}/")
    expect(page.get_by_test_id("benefit-notice")).to_contain_text("无需申请")
    fill_application(page)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("apply-errors")).to_contain_text("您已符合“高龄津贴”免申即享条件（")
    assert not Case.objects.filter(applicant_id=elder_id()).exists()

    # she confirms the notice: granted once
    page.goto(f"{site}/policies/mine/")
    page.get_by_test_id("confirm-gaoling-jintie").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("已确认，“高龄津贴”已发放。")
    assert granted() == (0, 1, 1)
    page.goto(f"{site}/services/item/{GAOLING}/")
    expect(page.get_by_test_id("benefit-notice")).to_contain_text(
        "您已通过免申即享享受“高龄津贴”，无需再申请。"
    )

    axe_page = new_context(**PHONE).new_page()
    login(axe_page, site, "demo-elder")
    for path in (f"/services/item/{GAOLING}/", f"/cases/apply/{GAOLING}/"):
        axe_page.goto(f"{site}{path}")
        expect(axe_page.get_by_test_id("benefit-notice")).to_be_visible()
        check_axe(axe_page, context=path)


def test_an_approved_application_then_confirming_grants_nothing_twice(benefit_site, new_context):
    """The reported order. The notice was made before the register existed, so it holds no
    place in it (what the migration leaves when the same person's 秒批 approval came after
    the notice); the application is approved, then she presses 确认享受."""
    from shuzheng.rules.models import Entitlement

    site = benefit_site
    m = notify_elder()
    Entitlement.objects.filter(reference=f"proactive:{m.pk}").delete()
    page = new_context(java_script_enabled=False).new_page()
    login(page, site, "demo-elder")

    page.goto(f"{site}/cases/apply/{GAOLING}/")
    fill_application(page)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("申请已提交")
    case_no = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert granted() == (1, 0, 0), case_no

    page.goto(f"{site}/policies/mine/")
    page.get_by_test_id("confirm-gaoling-jintie").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("您已在享受“高龄津贴”（")
    expect(page.locator(".messages")).to_contain_text(f"办件编号 {case_no}），本次不再重复发放。")
    card = page.get_by_test_id("match-gaoling-jintie")
    expect(card).to_contain_text("已享受，不重复发放")
    expect(card.get_by_test_id("match-note")).to_contain_text("本次不再重复发放")
    expect(page.get_by_test_id("confirm-gaoling-jintie")).to_have_count(0)
    assert granted() == (1, 0, 0)

    # the guide page names the application she receives it by
    page.goto(f"{site}/services/item/{GAOLING}/")
    notice = page.get_by_test_id("benefit-notice")
    expect(notice).to_contain_text("您已在享受“高龄津贴”，不能重复申请。")
    expect(notice.get_by_test_id("benefit-notice-link")).to_have_attribute(
        "href", f"/cases/{case_no}/"
    )

    axe_page = new_context().new_page()
    login(axe_page, site, "demo-elder")
    for path in ("/policies/mine/", f"/services/item/{GAOLING}/"):
        axe_page.goto(f"{site}{path}")
        check_axe(axe_page, context=path)
