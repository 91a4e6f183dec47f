"""免证办 in a real browser: demo-citizen, on a phone, applies for 残疾人证申领. The apply page
offers the 居民身份证 and 居民户口簿 the citizen holds as e-licences (preselected) instead of
uploads; the citizen keeps the licences, uploads only the photo and the form, and the case page
shows which e-licence was called and when. axe-core runs on the apply page and the case page.

Then the other half of 电子证照 in cases: the staff close leaves the result 残疾人证 pending (the
case gives no 残疾等级 or 证号); the reviewer completes it on the workbench page (axe-checked,
with and without errors) and the citizen finds it in the wallet.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import PDF

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser

DISABILITY = "441200320000130000006"  # 残疾人证申领 (市残联)


@pytest.fixture
def license_site(catalog_site: str, exchange_site: str) -> str:
    """The demo catalog, the registries behind prefill (``exchange_site``: an earlier browser
    test's flush removes them) and the demo licences (``seed_licenses``)."""
    from shuzheng.licenses.demo import seed_licenses

    seed_licenses()
    return catalog_site


def pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def fits_the_phone(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"


def test_citizen_uses_held_licenses_instead_of_uploads(license_site: str, new_context: Any):
    from shuzheng.identity.models import User
    from shuzheng.licenses.models import License

    site = license_site
    idn = User.objects.get(username="demo-citizen").person.id_number
    held = {
        lic.license_type.name: lic
        for lic in License.objects.filter(holder_kind="person", holder_id=idn)
    }
    id_card, hukou = held["居民身份证"], held["居民户口簿"]

    page = new_context(**PHONE).new_page()
    login(page, site, "demo-citizen")
    page.goto(f"{site}/cases/apply/{DISABILITY}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("残疾人证申领")

    # each material a held licence can replace offers it, preselected, beside the upload
    m1 = page.get_by_test_id("material-M1")
    use_id_card = m1.get_by_label(f"使用我的电子证照：居民身份证 {id_card.license_no}")
    use_hukou = page.get_by_test_id("material-M2").get_by_label(
        f"使用我的电子证照：居民户口簿 {hukou.license_no}"
    )
    expect(use_id_card).to_be_checked()
    expect(use_hukou).to_be_checked()
    expect(m1.get_by_label("上传文件", exact=True)).not_to_be_checked()
    # the optional 监护人居民身份证 offers the card without choosing it
    expect(page.get_by_test_id("material-M5").get_by_label("上传文件", exact=True)).to_be_checked()
    check_axe(page, context="apply with e-licence choices")
    fits_the_phone(page)

    # the applicant switches M1 to an upload and back: a plain radio choice, no script needed
    m1.get_by_label("上传文件", exact=True).check()
    expect(use_id_card).not_to_be_checked()
    use_id_card.check()
    expect(use_id_card).to_be_checked()

    page.get_by_label("户籍地址").fill("广东省肇庆市端州区城东街道天宁北路12号")
    page.get_by_label("残疾类别").select_option("肢体残疾")
    page.get_by_label("选择评定医疗机构").select_option("肇庆市第一人民医院")
    page.get_by_label("近期2寸白底免冠彩色照片").set_input_files(pdf("photo.pdf"))
    page.get_by_label("残疾人证申请表").set_input_files(pdf("form.pdf"))
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/cases/BJ\d{20}/$"))
    expect(page.get_by_test_id("case-status")).to_have_text("待受理")

    # the case page shows the licences called instead of files
    used = page.get_by_test_id("material-licence")
    expect(used).to_have_count(2)
    expect(used.first).to_contain_text(f"电子证照 居民身份证 {id_card.license_no}，")
    expect(used.first).to_contain_text("调用")
    expect(used.nth(1)).to_contain_text(f"电子证照 居民户口簿 {hukou.license_no}，")
    expect(page.get_by_test_id("case-materials")).to_contain_text("photo.pdf")
    check_axe(page, context="case page with e-licence materials")
    fits_the_phone(page)

    # … and the licence's 用证记录 names the case
    case_no = page.get_by_test_id("case-no").inner_text().strip()
    page.goto(f"{site}/licenses/{id_card.license_id}/")
    expect(page.locator("main")).to_contain_text(case_no)


def test_reviewer_completes_and_issues_a_pending_result_license(
    license_site: str, new_context: Any
) -> None:
    """The case closed by staff leaves its 残疾人证 pending (no 残疾等级, no 证号); the reviewer
    fills both in on the workbench page and the licence reaches the citizen's wallet."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from shuzheng.identity.models import User
    from tests.support import Api

    site = license_site
    api = Api(Client())
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={DISABILITY}", who="demo-citizen")
    prep_body = prep.json()
    files = []
    for name in ("photo.pdf", "form.pdf"):
        r = api.client.post(
            "/api/v1/files",
            {"file": SimpleUploadedFile(name, PDF, "application/pdf")},
            HTTP_AUTHORIZATION=f"Bearer {api.token('demo-citizen')}",
        )
        files.append(r.json()["file_id"])
    by_code = {m["material_code"]: m for m in prep_body["materials"]}
    body = {
        "item_code": DISABILITY,
        "form": {
            "applicant_name": "李明",
            "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
            "applicant_phone": "13800000001",
            "hukou_address": "广东省肇庆市端州区城东街道天宁北路12号",
            "disability_category": "肢体残疾",
            "assessment_hospital": "肇庆市第一人民医院",
        },
        "materials": [
            {"material_code": "M1", "license_id": by_code["M1"]["satisfied_by"][0]},
            {"material_code": "M2", "license_id": by_code["M2"]["satisfied_by"][0]},
            {"material_code": "M3", "file_id": files[0]},
            {"material_code": "M4", "file_id": files[1]},
        ],
    }
    r = api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
    assert r.status_code == 201, r.content
    no = r.json()["case_no"]
    for who, action, extra in (
        ("demo-clerk", "accept", {}),
        ("demo-reviewer", "approve", {}),
        ("demo-reviewer", "close", {"delivery": "electronic"}),
    ):
        r = api.call(
            "POST",
            f"/api/v1/cases/{no}/actions",
            who=who,
            json_body={"action": action, **extra},
        )
        assert r.status_code == 200, r.content

    page = new_context().new_page()
    login(page, site, "demo-reviewer")
    # the reviewer finds it in the department's 待发证 queue
    page.goto(f"{site}/workbench/")
    expect(page.get_by_test_id("queue-license_pending")).to_contain_text("1")
    page.get_by_test_id("queue-license_pending").click()
    expect(page.get_by_test_id("queue-list")).to_contain_text(no)
    check_axe(page, context="licence pending queue")
    page.get_by_test_id("queue-list").get_by_role("link").first.click()
    page.wait_for_url(f"{site}/workbench/cases/{no}/")
    expect(page.get_by_test_id("licence-pending-items")).to_contain_text("请填写残疾等级。")
    page.get_by_role("link", name="补全照面信息并签发证照").click()
    page.wait_for_url(f"{site}/workbench/cases/{no}/licence/")
    expect(page.get_by_test_id("licence-known")).to_contain_text("肢体残疾")
    check_axe(page, context="pending licence")
    # an empty item is named in Chinese next to its field
    page.get_by_label("残疾人证号").fill("44120219900512313X42")
    page.get_by_role("button", name="签发证照").click()
    expect(page.get_by_test_id("licence-errors")).to_contain_text("请填写残疾等级。")
    expect(page.get_by_label("残疾等级")).to_have_attribute("aria-invalid", "true")
    check_axe(page, context="pending licence with errors")
    page.get_by_label("残疾等级").fill("二级")
    page.get_by_role("button", name="签发证照").click()
    page.wait_for_url(f"{site}/workbench/cases/{no}/")
    expect(page.locator(".messages")).to_contain_text("电子证照已签发：残疾人证")
    expect(page.get_by_test_id("case-result")).to_contain_text("已签发电子证照")

    citizen = new_context(**PHONE).new_page()
    login(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/licenses/")
    expect(citizen.get_by_test_id("wallet-mine")).to_contain_text("残疾人证")


GETIHU = "44120030100004000000R"  # 个体工商户设立登记 (市市场监管局, 即办件, result: 营业执照)


def test_getihu_registration_ends_with_the_new_business_license_in_the_wallet(
    license_site: str, new_context: Any
) -> None:
    """设立登记 end to end on pages: demo-citizen registers a 个体工商户 on a phone; the clerk
    accepts and the reviewer approves and closes on the workbench; the 营业执照 belongs to the
    new 个体工商户 (its code assigned at registration) and waits in the 待发证 queue for the
    资金数额 the form does not ask; once issued it is in the founder's wallet under the
    businesses they act for."""
    from shuzheng.core.codes import validate_uscc

    site = license_site
    citizen = new_context(**PHONE).new_page()
    login(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/cases/apply/{GETIHU}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("个体工商户设立登记")
    citizen.locator("#f-enterprise_name").fill("端州区李明小吃店")
    citizen.locator("#f-business_address").fill("肇庆市端州区天宁北路12号")
    citizen.locator("#f-business_scope").fill("餐饮服务（小型餐饮）")
    for upload in citizen.locator("main form input[type=file]").all():
        if upload.is_enabled() and upload.get_attribute("aria-required") == "true":
            upload.set_input_files(pdf("scan.pdf"))
    citizen.get_by_role("button", name="提交申请").click()
    citizen.wait_for_url(re.compile(r"/cases/BJ\d{20}/$"))
    no = citizen.url.rstrip("/").rsplit("/", 1)[1]

    for who, action in (("demo-clerk", "accept"), ("demo-reviewer", "approve")):
        staff = new_context().new_page()
        login(staff, site, who)
        staff.goto(f"{site}/workbench/cases/{no}/")
        staff.get_by_test_id(f"action-{action}").get_by_role("button").first.click()
        staff.wait_for_load_state()
    staff.goto(f"{site}/workbench/cases/{no}/")
    close = staff.get_by_test_id("action-close")
    if close.locator("select[name=delivery]").count():
        close.locator("select[name=delivery]").select_option("electronic")
    else:
        close.locator("input[name=delivery][value=electronic]").check()
    close.get_by_role("button").first.click()
    expect(staff.get_by_test_id("case-status")).to_have_text("已办结")

    staff.goto(f"{site}/workbench/?queue=license_pending")
    expect(staff.get_by_test_id("queue-list")).to_contain_text(no)
    staff.goto(f"{site}/workbench/cases/{no}/licence/")
    known = staff.get_by_test_id("licence-known")
    expect(known).to_contain_text("端州区李明小吃店")
    expect(known).to_contain_text("个体工商户")
    uscc = re.search(r"92441200[0-9A-Z]{10}", known.inner_text())
    assert uscc is not None and validate_uscc(uscc.group(0)).org_category == "2"
    staff.get_by_label("注册资本").fill("5万元")
    staff.locator("main form button[type=submit]").last.click()
    staff.wait_for_url(f"{site}/workbench/cases/{no}/")
    check_axe(staff, context="case with the issued business licence")

    citizen.goto(f"{site}/licenses/")
    expect(citizen.locator("main")).to_contain_text("端州区李明小吃店")
    expect(citizen.locator("main")).to_contain_text("营业执照")
    check_axe(citizen, context="wallet with the new business's licence")
    fits_the_phone(citizen)
