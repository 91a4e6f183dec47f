"""统一申办受理 end to end in a real browser: a citizen applies for a 承诺件 on a phone, the
window clerk asks for 补正 once (ticking the material, with why), the citizen sees exactly that
item, is offered only that material and resubmits, the case is
accepted, approved and closed, the citizen gives a 差评 and the head of the department finds
the rectification task with its deadline.

Four separate browser contexts (citizen, clerk, reviewer, head), each logged in with the real
two-step login. axe-core runs on the apply page, the citizen's case page and the workbench case
page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import PDF

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

CORRECTION = "社团章程草案：缺少全体发起人签字页"


def mzj_item() -> dict[str, Any]:
    """A 承诺件 of 肇庆市民政局 (whose head is demo-head), built from the test catalog's
    营业执照 entry: same form and materials, its own basic code and name."""
    from shuzheng.catalog.tests import fixtures

    item = fixtures.business_license()
    item.update(
        basic_code="0100010000",  # 行政许可 (type 01) + its own main code
        item_type="01",
        name="社会团体成立登记",
        aliases=["成立社团", "社团登记"],
        department="441200-MZJ",
        legal_basis="《社会团体登记管理条例》第九条",
        conditions="有50个以上的个人会员或者30个以上的单位会员，有规范的名称和相应的组织机构。",
        themes=["开办"],
        statutory_days=60,
        promised_days=10,
        result={
            "name": "社会团体法人登记证书",
            "kind": "license",
            "license_type": "社会团体法人登记证书",
        },
        materials=[
            {"code": "M1", "name": "发起人身份证明", "form_kind": "original"},
            {"code": "M2", "name": "社团章程草案", "form_kind": "original"},
            {"code": "M3", "name": "住所使用证明", "form_kind": "copy"},
        ],
    )
    item["form"]["schema"]["properties"]["enterprise_name"]["title"] = "社团名称"
    return item


@pytest.fixture
def cases_site(exchange_site: str) -> dict[str, str]:
    """The site with the 承诺件 above published (in force from today), and the data-exchange
    registries its form is prefilled from (an earlier test's flush removes the session's)."""
    from shuzheng.catalog import services as catalog_services
    from shuzheng.catalog.tests import fixtures

    item = mzj_item()
    catalog_services.catalog_import(
        actor="user:demo-admin", doc={"items": [item], "bundles": []}, publish=True
    )
    return {"site": exchange_site, "code": fixtures.code_of(item)}


def pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def fits_the_phone(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"


def staff_act(page: Any, action: str, **fill: str) -> None:
    """Submit one action form of the workbench case page and wait for the redirect back."""
    form = page.get_by_test_id(f"action-{action}")
    for name, value in fill.items():
        form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("已完成")


def test_apply_correct_decide_rate_and_rectify(cases_site, new_context):
    from django.utils import timezone

    from shuzheng.core import calendar

    site, code = cases_site["site"], cases_site["code"]

    # 1. the citizen, on a phone, goes from the guide to the apply page
    citizen = new_context(**PHONE).new_page()
    login(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/services/item/{code}/")
    citizen.get_by_role("link", name="在线申请").click()
    citizen.wait_for_url(f"{site}/cases/apply/{code}/")
    expect(citizen.get_by_label("申请人姓名")).to_have_value("李明")
    expect(citizen.locator("main")).to_contain_text("已从肇庆市公安局自动填入")
    check_axe(citizen, context="apply")
    fits_the_phone(citizen)
    # submitting without the materials names each one, and creates nothing
    citizen.get_by_label("社团名称").fill("肇庆市端砚文化研究会")
    citizen.get_by_role("button", name="提交申请").click()
    errors = citizen.get_by_test_id("apply-errors")
    expect(errors).to_contain_text("缺少必需材料：社团章程草案")
    expect(citizen.get_by_label("社团章程草案")).to_have_attribute("aria-invalid", "true")
    check_axe(citizen, context="apply with errors")
    citizen.get_by_label("发起人身份证明").set_input_files(pdf("id.pdf"))
    citizen.get_by_label("社团章程草案").set_input_files(pdf("charter.pdf"))
    citizen.get_by_label("住所使用证明").set_input_files(pdf("lease.pdf"))
    citizen.get_by_role("button", name="提交申请").click()
    citizen.wait_for_url(re.compile(r"/cases/BJ\d{20}/$"))
    case_no = citizen.get_by_test_id("case-no").inner_text().strip()
    expect(citizen.get_by_test_id("case-status")).to_have_text("待受理")

    # 2. the window clerk asks for 补正, listing one item
    clerk = new_context().new_page()
    login(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/workbench/?queue=pending")
    clerk.get_by_test_id("queue-list").get_by_role("link", name="社会团体成立登记").click()
    clerk.wait_for_url(f"{site}/workbench/cases/{case_no}/")
    expect(clerk.get_by_test_id("form-data")).to_contain_text("肇庆市端砚文化研究会")
    check_axe(clerk, context="workbench case")
    ask = clerk.get_by_test_id("action-request_correction")
    ask.get_by_label("社团章程草案", exact=True).check()
    ask.get_by_label("“社团章程草案”需要补正的原因（可不填）").fill("缺少全体发起人签字页")
    ask.get_by_role("button").click()
    expect(clerk.locator(".messages")).to_contain_text("已完成")
    expect(clerk.get_by_test_id("case-status")).to_have_text("补正中")

    # 3. the citizen sees exactly that item and resubmits
    citizen.reload()
    expect(citizen.get_by_test_id("case-status")).to_have_text("补正中")
    items = citizen.get_by_test_id("correction-items").locator("li")
    expect(items).to_have_text([CORRECTION])
    check_axe(citizen, context="case page with correction")
    fits_the_phone(citizen)
    form = citizen.get_by_test_id("resubmit-form")
    # only the material asked for is offered
    expect(form.locator("input[type=file]")).to_have_count(1)
    form.get_by_label("社团章程草案").set_input_files(pdf("charter-signed.pdf"))
    form.get_by_label("补正说明").fill("已补齐发起人签字页")
    form.get_by_role("button", name="提交补正").click()
    expect(citizen.locator(".messages")).to_contain_text("补正材料已提交")
    expect(citizen.get_by_test_id("case-status")).to_have_text("待受理")
    expect(citizen.get_by_test_id("case-materials")).to_contain_text("charter-signed.pdf")

    # 4. accepted (not accepted before the correction), approved and closed
    clerk.reload()
    staff_act(clerk, "accept")
    expect(clerk.get_by_test_id("case-status")).to_have_text("办理中")
    reviewer = new_context().new_page()
    login(reviewer, site, "demo-reviewer")
    reviewer.goto(f"{site}/workbench/cases/{case_no}/")
    staff_act(reviewer, "approve", note="符合成立条件")
    close = reviewer.get_by_test_id("action-close")
    close.get_by_label("电子送达").check()
    close.get_by_role("button").click()
    expect(reviewer.get_by_test_id("case-status")).to_have_text("已办结")

    # 5. the citizen rates 非常不满意 with a comment
    citizen.reload()
    expect(citizen.get_by_test_id("case-status")).to_have_text("已办结")
    rating = citizen.get_by_test_id("rating-form")
    rating.get_by_label("非常不满意").check()
    rating.get_by_label("评价内容").fill("补正要求不够清楚，多跑了一次")
    rating.get_by_role("button", name="提交评价").click()
    expect(citizen.get_by_test_id("rating-done")).to_contain_text("您的评价：非常不满意")

    # 6. the head of 民政局 finds the rectification task and its deadline
    head = new_context().new_page()
    login(head, site, "demo-head")
    head.goto(f"{site}/workbench/rectifications/")
    task = head.get_by_test_id(f"rect-{case_no}")
    expect(task).to_contain_text("补正要求不够清楚，多跑了一次")
    deadline = calendar.add_working_days(timezone.localdate(), 5)
    expect(task.get_by_test_id("rect-due")).to_have_text(deadline.isoformat())
    expect(task.get_by_test_id("reply-form")).to_be_visible()
    check_axe(head, context="rectifications")
    # … and the department's metrics: one 差评 out of one rating
    head.get_by_role("link", name="运行指标").click()
    metrics = head.get_by_test_id("metrics-441200-MZJ")
    expect(metrics.get_by_test_id("good-rate")).to_have_text("0.0%")
    expect(metrics).to_contain_text("社会团体成立登记")
    check_axe(head, context="metrics")
