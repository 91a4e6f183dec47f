"""设立登记: the result 营业执照 belongs to the market entity the case establishes. The
registration gives it a 统一社会信用代码 (GB 32100, with a GB 11714 主体标识码), records the
entity with the applicant as its 经办人, and the licence reaches the applicant's wallet."""

import pytest

from shuzheng.catalog.demo import seed_catalog
from shuzheng.core.codes import validate_uscc

pytestmark = pytest.mark.django_db

COMPANY = "44120030100003001000S"  # 营业执照（设立登记）
GETIHU = "44120030100004000000R"  # 个体工商户设立登记


@pytest.fixture
def real_catalog():
    seed_catalog()


def _handle(api, cases, code, form):
    r = cases.apply("demo-citizen", code, form=form)
    assert r.status_code == 201, r.content
    no = r.json()["case_no"]
    for who, action, extra in (
        ("demo-clerk", "accept", {}),
        ("demo-reviewer", "approve", {"note": "符合设立条件。"}),
        ("demo-reviewer", "close", {"delivery": "electronic"}),
    ):
        r = cases.act(who, no, action, **extra)
        assert r.status_code == 200, (action, r.content)
    return r.json()


def _prefill(api, code):
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who="demo-citizen").json()
    return dict(prep["prefill"])


def test_company_registration_issues_the_license_to_the_new_company(api, cases, real_catalog):
    from shuzheng.audit.models import AuditRecord
    from shuzheng.identity.models import Enterprise
    from shuzheng.licenses.models import License

    form = {
        **_prefill(api, COMPANY),
        "enterprise_name": "肇庆市星湖数政科技有限公司",
        "business_address": "肇庆市端州区星湖大道1号",
        "business_scope": "软件开发；信息技术咨询服务",
        "enterprise_type": "有限责任公司（自然人独资）",
        "registered_capital_wan": 100,
        "legal_representative": "李明",
    }
    case = _handle(api, cases, COMPANY, form)
    assert case["status"] == "closed"
    result = case["result"]
    assert result.get("license_id") and not result.get("license_pending"), result
    info = validate_uscc(result["uscc"])
    assert info.registration_authority_code == "9" and info.org_category == "1"
    assert info.region_code == "441200"
    lic = License.objects.get(license_id=result["license_id"])
    assert (lic.holder_kind, lic.holder_id) == ("enterprise", result["uscc"])
    assert lic.holder_name == "肇庆市星湖数政科技有限公司"
    assert (
        lic.data["registered_capital"] == "100万元" and lic.data["legal_representative"] == "李明"
    )
    company = Enterprise.objects.get(uscc=result["uscc"])
    assert company.agents.get().person.user.username == "demo-citizen"
    assert AuditRecord.objects.filter(
        action="identity.enterprise_registered", object_id=result["uscc"]
    ).exists()
    # the founder now acts for the company: its licence is in the wallet
    wallet = api.call("GET", "/api/v1/licenses", who="demo-citizen").json()
    items = wallet["items"] if isinstance(wallet, dict) else wallet
    assert result["license_id"] in [x["license_id"] for x in items]


def test_getihu_registration_waits_for_the_capital_then_issues(api, cases, real_catalog):
    from shuzheng.licenses.models import License

    form = {
        **_prefill(api, GETIHU),
        "enterprise_name": "端州区李明小吃店",
        "business_address": "肇庆市端州区天宁北路12号",
        "business_scope": "餐饮服务（小型餐饮）",
    }
    case = _handle(api, cases, GETIHU, form)
    result = case["result"]
    # 个体工商户 declare no registered capital on the form: the reviewer fills in 资金数额
    assert result["license_pending_fields"] == ["registered_capital"], result
    uscc = result["uscc"]
    assert validate_uscc(uscc).org_category == "2"  # 个体工商户
    staff = api.call("GET", f"/api/v1/cases/{case['case_no']}/pending-license", who="demo-reviewer")
    assert staff.status_code == 200 and staff.json()["problems"] == [], staff.content
    r = cases.act(
        "demo-reviewer",
        case["case_no"],
        "issue_license",
        license_data={"registered_capital": "5万元"},
    )
    assert r.status_code == 200, r.content
    issued = r.json()["result"]
    lic = License.objects.get(license_id=issued["license_id"])
    assert (lic.holder_kind, lic.holder_id, lic.holder_name) == (
        "enterprise",
        uscc,
        "端州区李明小吃店",
    )
    assert lic.data["entity_type"] == "个体工商户"
    assert lic.data["legal_representative"] == form["applicant_name"]  # 经营者
    assert r.json()["allowed_actions"] == []


@pytest.mark.django_db(transaction=True)
def test_instant_approval_of_a_getihu_assigns_the_code_outside_any_transaction(api, cases):
    """秒批 issues the result outside a transaction: giving the new 个体工商户 its code must work
    there too (a row lock on the serial needs its own transaction)."""
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    rule_sets_seed()
    form = {
        **_prefill(api, GETIHU),
        "enterprise_name": "端州区李明百货店",
        "business_address": "肇庆市端州区天宁北路12号",
        "business_scope": "日用百货零售",
    }
    r = cases.apply("demo-citizen", GETIHU, form=form)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "closed" and body["decision"]["outcome"] == "approve", body
    result = body["result"]
    assert validate_uscc(result["uscc"]).org_category == "2"
    # 即时发照 stops at the 资金数额 the form does not ask: the 待发证 queue has it
    assert result["license_pending_fields"] == ["registered_capital"], result
    listed = api.call("GET", "/api/v1/cases?queue=license_pending", who="demo-reviewer").json()
    assert body["case_no"] in [c["case_no"] for c in listed["items"]]


@pytest.mark.django_db(transaction=True)
def test_instant_approval_of_a_getihu_with_its_capital_issues_the_license_at_once(api, cases):
    """即时发照: with 资金数额 on the form (optional), 秒批 issues the 营业执照 at once — no
    reviewer, nothing in the 待发证 queue."""
    from shuzheng.licenses.models import License
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    rule_sets_seed()
    form = {
        **_prefill(api, GETIHU),
        "enterprise_name": "端州区李明文具店",
        "business_address": "肇庆市端州区天宁北路14号",
        "business_scope": "文具用品零售",
        "registered_capital_wan": 3,
    }
    r = cases.apply("demo-citizen", GETIHU, form=form)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "closed" and body["decision"]["outcome"] == "approve", body
    result = body["result"]
    assert "license_pending_fields" not in result and result.get("license_id"), result
    lic = License.objects.get(license_id=result["license_id"])
    assert lic.data["registered_capital"] == "3万元"
    assert (lic.holder_kind, lic.holder_id) == ("enterprise", result["uscc"])
    listed = api.call("GET", "/api/v1/cases?queue=license_pending", who="demo-reviewer").json()
    assert body["case_no"] not in [c["case_no"] for c in listed["items"]]
    bad = cases.apply("demo-citizen", GETIHU, form={**form, "registered_capital_wan": -1})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "form.registered_capital_wan"


def test_the_kind_of_entity_registered_is_the_items_data_not_its_name():
    """The category of the new 统一社会信用代码 follows the item's ``result.entity_type``
    (catalog data), whatever the item is called."""
    from shuzheng.cases.models import Case
    from shuzheng.cases.services import results

    seed_catalog()
    renamed = Case(item_code=GETIHU, item_version=1, item_name="开个小店", form={})
    assert results._new_entity(renamed) == ("2", "个体工商户")
    company = Case(
        item_code=COMPANY,
        item_version=1,
        item_name="个体工商户？",
        form={"enterprise_type": "有限责任公司"},
    )
    assert results._new_entity(company) == ("1", "有限责任公司")
