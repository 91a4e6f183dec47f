"""办件进度查询 without logging in (issue 17): found by case number and the applicant's phone,
nothing personal in the answer, one 404 for an unknown case and a wrong phone, 422 for a
malformed number or phone, 429 with Retry-After past the client address's hourly lookups, and
each lookup that finds a case audited with the phone masked."""

import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.identity.models import AuthThrottle, Person

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
URL = "/api/v1/cases/progress"
CITIZEN_PHONE = "13800000001"  # demo-citizen (李明), as identity records it
FORM_PHONE = "13912345678"  # the phone he gives on the application form


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, 0, tzinfo=TZ), tick=False)


def _filed(catalog, cases, *, form_phone=FORM_PHONE):
    """李明's 营业执照（设立登记） (市市场监管局), submitted with ``form_phone`` on the form."""
    prep = cases.api.call(
        "GET", f"/api/v1/cases/prepare?item_code={catalog['licence']}", who="demo-citizen"
    ).json()
    form = {
        **{k: v for k, v in prep["prefill"].items() if k in prep["form_schema"]["properties"]},
        "applicant_phone": form_phone,
        "enterprise_name": "肇庆市星湖味道餐饮有限公司",
    }
    r = cases.apply("demo-citizen", catalog["licence"], form=form)
    assert r.status_code == 201, r.content
    return r.json()["case_no"]


def _ask(client, case_no, phone, **extra):
    return client.get(URL, {"case_no": case_no, "phone": phone}, **extra)


def test_found_by_number_and_phone_with_status_and_timeline_in_words(catalog, cases, client):
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        assert cases.act("demo-clerk", no, "accept").status_code == 200
        r = _ask(client, no, CITIZEN_PHONE)  # the phone identity has for the applicant
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["case_no"] == no
    assert body["item_name"] == "营业执照（设立登记）"
    assert body["department_name"] == "肇庆市市场监督管理局"
    assert (body["status"], body["status_name"]) == ("in_progress", "办理中")
    assert body["accepted_on"] == "2026-11-23" and body["due_date"] == "2026-11-30"
    assert body["summary"] == "已受理，正在办理，承诺 2026-11-30 前办结。"
    assert [(s["text"], s["status_name"]) for s in body["timeline"]] == [
        ("提交申请", "待受理"),
        ("受理", "办理中"),
    ]
    assert r["Cache-Control"] == "no-store"


def test_the_phone_given_on_the_form_finds_it_too(catalog, cases, client):
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        # spaces, dashes and the country code are forgiven; the case number's case too
        r = _ask(client, f" {no.lower()} ", "+86 139-1234-5678")
    assert r.status_code == 200, r.content
    assert r.json()["status_name"] == "待受理"


def test_nothing_personal_in_the_answer(catalog, cases, client):
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        asked = cases.act("demo-clerk", no, "request_correction", items=["公司章程：缺少签字页"])
        assert asked.status_code == 200, asked.content
        r = _ask(client, no, CITIZEN_PHONE)
    assert r.status_code == 200
    text = r.content.decode()
    case = Case.objects.get(case_no=no)
    person = Person.objects.get(user__username="demo-citizen")
    personal = [
        person.name,  # 李明
        person.id_number,
        person.hukou_address,
        CITIZEN_PHONE,
        FORM_PHONE,
        "肇庆市星湖味道餐饮有限公司",  # a form value
        "缺少签字页",  # what the clerk asked for
        "scan.pdf",  # a material
        "demo-clerk",  # a staff account
        *[str(m["file_id"]) for m in case.materials],
    ]
    assert [p for p in personal if p in text] == []
    assert r.json()["summary"].startswith("需要补正材料")


def test_a_wrong_phone_answers_exactly_as_an_unknown_case(catalog, cases, client):
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        wrong = _ask(client, no, "13700000000")
        unknown = _ask(client, "BJ44120020261123999999", CITIZEN_PHONE)
        draft = cases.apply("demo-citizen", catalog["licence"], submit=False).json()["case_no"]
        drafted = _ask(client, draft, CITIZEN_PHONE)
    assert wrong.status_code == unknown.status_code == drafted.status_code == 404
    assert wrong.content == unknown.content == drafted.content
    assert wrong.json() == {
        "code": "not_found",
        "message": "未找到该办件：请核对办件编号和申请时预留的手机号码。",
        "errors": [],
    }
    # nothing found: nothing audited
    assert not AuditRecord.objects.filter(action="cases.progress_read").exists()


def test_a_found_lookup_is_audited_with_the_phone_masked(catalog, cases, client):
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        assert _ask(client, no, CITIZEN_PHONE).status_code == 200
    rec = AuditRecord.objects.get(action="cases.progress_read")
    assert (rec.actor, rec.object_type, rec.object_id) == ("anonymous", "cases.case", no)
    assert rec.after == {"phone": "138****0001", "via": "api"}


@pytest.mark.parametrize(
    ("case_no", "phone", "field", "message"),
    [
        ("", CITIZEN_PHONE, "case_no", "请填写办件编号。"),
        ("BJ-44/12", CITIZEN_PHONE, "case_no", "办件编号由字母和数字组成"),
        ("BJ44120020261123000001", "", "phone", "请填写申请时预留的手机号码。"),
        ("BJ44120020261123000001", "0758-2228710", "phone", "手机号码应为11位数字，以1开头。"),
    ],
)
def test_a_malformed_number_or_phone_is_a_422_naming_the_field(
    client, settings, case_no, phone, field, message
):
    settings.PROGRESS_MAX_PER_HOUR = 1
    for _ in range(3):  # not counted: reads nothing
        r = _ask(client, case_no, phone)
        assert r.status_code == 422, r.content
        errors = r.json()["errors"]
        assert [e["field"] for e in errors] == [field] and errors[0]["message"].startswith(message)
    assert not AuthThrottle.objects.filter(scope="case_progress").exists()


def test_lookups_are_limited_per_client_address(catalog, cases, client, settings):
    settings.PROGRESS_MAX_PER_HOUR = 3
    with at(2026, 11, 23, 10):
        no = _filed(catalog, cases)
        answers = [
            _ask(client, no, CITIZEN_PHONE).status_code,  # found: counts too
            _ask(client, no, "13700000000").status_code,
            _ask(client, "BJ44120020261123999999", CITIZEN_PHONE).status_code,
        ]
        assert answers == [200, 404, 404]
        refused = _ask(client, no, CITIZEN_PHONE)
        # another address is counted on its own
        other = _ask(client, no, CITIZEN_PHONE, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    body = refused.json()
    assert body["code"] == "rate_limited" and body["message"] == "查询次数过多，请 60 分钟后再试。"
    assert other.status_code == 200
    # a refused lookup is not counted and reads nothing
    assert AuditRecord.objects.filter(action="cases.progress_read").count() == 2
    with at(2026, 11, 23, 11):  # the hour has passed
        assert _ask(client, no, CITIZEN_PHONE).status_code == 200


def test_a_bundle_shows_each_departments_progress(catalog, cases, client):
    with at(2026, 11, 23):
        r = cases.apply_bundle("demo-citizen", catalog["bundle"])
        assert r.status_code == 201, r.content
        no = r.json()["case_no"]
        found = _ask(client, no, CITIZEN_PHONE)
    assert found.status_code == 200, found.content
    parts = found.json()["parts"]
    assert [(p["department_name"], p["status_name"]) for p in parts] == [
        ("肇庆市市场监督管理局", "待受理"),
        ("肇庆市市场监督管理局", "待受理"),
    ]
    assert [p["item_name"] for p in parts] == ["营业执照（设立登记）", "食品经营许可"]


# --- the page ----------------------------------------------------------------------------------


def test_the_page_finds_the_case_without_logging_in(catalog, cases, client):
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        form = client.get("/cases/progress/")
        found = client.post("/cases/progress/", {"case_no": no, "phone": CITIZEN_PHONE})
        wrong = client.post("/cases/progress/", {"case_no": no, "phone": "13700000000"})
        bad = client.post("/cases/progress/", {"case_no": no, "phone": "12"})
    assert form.status_code == 200 and 'name="phone"' in form.content.decode()
    assert found.status_code == 200 and found["Cache-Control"] == "no-store"
    page = found.content.decode()
    assert 'data-testid="progress-result"' in page and "待受理" in page and no in page
    assert "李明" not in page and "肇庆市星湖味道餐饮有限公司" not in page
    assert wrong.status_code == 404
    assert "未找到该办件：请核对办件编号和申请时预留的手机号码。" in wrong.content.decode()
    assert 'data-testid="progress-result"' not in wrong.content.decode()
    assert bad.status_code == 422 and "手机号码应为11位数字，以1开头。" in bad.content.decode()
    assert AuditRecord.objects.get(action="cases.progress_read").after["via"] == "page"


def test_the_page_shares_the_limit_and_says_when_to_come_back(catalog, cases, client, settings):
    settings.PROGRESS_MAX_PER_HOUR = 1
    with at(2026, 11, 23):
        no = _filed(catalog, cases)
        assert _ask(client, no, CITIZEN_PHONE).status_code == 200  # the API's lookup
        r = client.post("/cases/progress/", {"case_no": no, "phone": CITIZEN_PHONE})
    assert r.status_code == 429 and r["Retry-After"] == "3600"
    assert "查询次数过多，请 60 分钟后再试。" in r.content.decode()


def test_the_portal_home_links_the_page(client):
    page = client.get("/").content.decode()
    assert 'href="/cases/progress/"' in page
    elder = client.get("/", HTTP_COOKIE="sz_elder=1").content.decode()
    assert 'class="elder"' in elder and 'href="/cases/progress/"' in elder
