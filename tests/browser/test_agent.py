"""帮办代办 in a real browser (issue 17): demo-daughter (林晓红) applies for her mother demo-elder
(陈桂英, 82)'s 高龄津贴 under the 代办授权 her mother gave her, and both see the case.

The daughter picks "为他人办理：陈桂英" on the apply page (a plain GET form, no JavaScript): the
form is filled from her mother's record, the case is her mother's (秒批 decides on her mother's
facts), the case page and the timeline say "由 林晓红 代办". The mother finds it in 我的办件 and on
her personal home (我的), where 消息 shows an unread badge until she opens her messages.
Phone and desktop; axe-core on every page shown.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, login
from .test_one_benefit import GAOLING, benefit_site, fill_application  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_daughter_applies_for_her_mothers_benefit_and_both_see_the_case(
    benefit_site,  # noqa: F811
    new_context,
):
    from shuzheng.cases.models import Case
    from shuzheng.identity.models import Mandate

    site = benefit_site
    mandate = Mandate.objects.get(agent__user__username="demo-daughter")
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    login(page, site, "demo-daughter")

    page.goto(f"{site}/cases/apply/{GAOLING}/")
    choice = page.get_by_test_id("agent-choice")
    expect(choice).to_contain_text("为他人办理：陈桂英（授权至 2029-12-31）")
    page.get_by_test_id(f"for-{mandate.pk}").check()
    page.get_by_test_id("agent-choose").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("agent-for")).to_contain_text("您正在为 陈桂英 代办")
    fill_application(page)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("申请已提交")
    case_no = page.url.rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get(case_no=case_no)
    assert (case.applicant_name, case.agent_name, case.decision) == ("陈桂英", "林晓红", "approve")
    expect(page.get_by_test_id("case-agent")).to_have_text("由 林晓红 代办")
    expect(page.get_by_test_id("timeline")).to_contain_text("由 林晓红 代办")
    page.goto(f"{site}/cases/")
    expect(page.get_by_test_id("my-cases")).to_contain_text("申请人 陈桂英，由 林晓红 代办")

    # the mother, at a desk: her personal home, her cases, the case, her messages
    mother = new_context().new_page()
    login(mother, site, "demo-elder")
    mother.goto(f"{site}/me/")
    expect(mother.get_by_test_id("home-cases")).to_contain_text("高龄津贴")
    expect(mother.get_by_test_id("unread-badge")).to_be_visible()
    expect(mother.get_by_test_id("home-mandates")).to_contain_text("林晓红 可为我代办")
    mother.goto(f"{site}/cases/")
    mother.get_by_role("link", name="高龄津贴申领").first.click()
    mother.wait_for_load_state()
    assert mother.url.endswith(f"/cases/{case_no}/")
    expect(mother.get_by_test_id("case-agent")).to_have_text("由 林晓红 代办")
    mother.goto(f"{site}/cases/messages/")
    expect(mother.get_by_test_id("inbox")).to_contain_text("林晓红已为您代办提交申请")
    mother.goto(f"{site}/me/")
    expect(mother.get_by_test_id("unread-badge")).to_have_count(0)

    # axe: the daughter's pages on a phone, the mother's at a desk (scripted contexts)
    phone = new_context(**PHONE).new_page()
    login(phone, site, "demo-daughter")
    for path in (
        f"/cases/apply/{GAOLING}/?for={mandate.pk}",
        f"/cases/{case_no}/",
        "/accounts/mandates/",
        "/me/",
    ):
        phone.goto(f"{site}{path}")
        check_axe(phone, context=path)
    for path in ("/me/", f"/cases/{case_no}/", "/accounts/mandates/"):
        mother.goto(f"{site}{path}")
        check_axe(mother, context=path)
