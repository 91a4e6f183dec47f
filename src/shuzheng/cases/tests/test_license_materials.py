"""免证办 on the citizen apply page: a material that one of the applicant's valid e-licences can
replace is offered as "使用我的电子证照：…" (preselected) or an upload; the server checks the
choice, drafts keep it, and the case pages show which licence was called and when.

Item: 残疾人证申领 of the demo catalog (M1 申请人居民身份证, M2 申请人居民户口簿), which
demo-citizen (李明) holds as demo licences (``seed_licenses``).
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.identity.models import User
from shuzheng.licenses.models import License, LicenseUse

from .conftest import DISABILITY, PDF

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def demo(disability_demo):
    return disability_demo


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def html(response) -> str:
    return response.content.decode()


def material_error(page: str, index: int) -> str:
    m = re.search(rf'<p class="field-error" id="me-{index}">([^<]*)</p>', page)
    return m.group(1) if m else ""


def post_data(demo, **overrides):
    """A complete application for 残疾人证申领 using the citizen's two licences."""
    data = {
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "hukou_address": "广东省肇庆市端州区城东街道天宁北路12号",
        "disability_category": "肢体残疾",
        "assessment_hospital": "肇庆市第一人民医院",
        "source-M1": demo["citizen"]["居民身份证"].license_id,
        "source-M2": demo["citizen"]["居民户口簿"].license_id,
        "material-M3": pdf("photo.pdf"),
        "material-M4": pdf("form.pdf"),
        "intent": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def radio(page: str, name: str, value: str) -> str:
    """The <input type=radio> tag of group ``name`` with ``value`` ("" if absent)."""
    for tag in re.findall(r"<input [^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return tag
    return ""


def test_apply_page_offers_each_held_license_preselected_and_upload(demo):
    idc, hukou = demo["citizen"]["居民身份证"], demo["citizen"]["居民户口簿"]
    page = html(login("demo-citizen").get(f"/cases/apply/{DISABILITY}/"))
    assert f"使用我的电子证照：居民身份证 {idc.license_no}" in page
    assert f"使用我的电子证照：居民户口簿 {hukou.license_no}" in page
    assert "checked" in radio(page, "source-M1", idc.license_id)
    assert "checked" in radio(page, "source-M2", hukou.license_id)
    assert radio(page, "source-M1", "upload") and "checked" not in radio(
        page, "source-M1", "upload"
    )
    # the upload stays possible, and materials no licence can replace are uploads only
    assert 'name="material-M1"' in page and 'name="material-M3"' in page
    assert 'name="source-M3"' not in page and 'name="source-M4"' not in page
    # the optional 监护人居民身份证 offers the card too, without preselecting it
    assert radio(page, "source-M5", idc.license_id)
    assert "checked" not in radio(page, "source-M5", idc.license_id)
    assert "checked" in radio(page, "source-M5", "upload")
    # the elder's licences are never offered to the citizen
    assert demo["elder"]["居民身份证"].license_id not in page


def test_someone_without_licenses_sees_uploads_only(demo):
    page = html(login("demo-agent").get(f"/cases/apply/{DISABILITY}/"))
    assert 'name="source-M2"' not in page  # demo-agent holds no 居民户口簿
    assert 'name="material-M2"' in page


def test_applying_with_licenses_records_which_and_when(demo):
    idc, hukou = demo["citizen"]["居民身份证"], demo["citizen"]["居民户口簿"]
    client = login("demo-citizen")
    r = client.post(f"/cases/apply/{DISABILITY}/", post_data(demo))
    assert r.status_code == 302, html(r)
    case = Case.objects.get()
    assert case.status == "submitted"
    by_code = {m["material_code"]: m for m in case.materials}
    assert by_code["M1"] == {
        "material_code": "M1",
        "license_id": idc.license_id,
        "name": "居民身份证",
        "license_no": idc.license_no,
        "used_at": "2026-11-24T02:00:00+00:00",
    }
    assert by_code["M2"]["license_id"] == hukou.license_id
    assert by_code["M3"]["name"] == "photo.pdf" and "license_id" not in by_code["M3"]
    uses = LicenseUse.objects.filter(case_no=case.case_no, kind="use")
    assert sorted(u.license.license_id for u in uses) == sorted([idc.license_id, hukou.license_id])
    assert AuditRecord.objects.filter(action="licenses.use", object_id=idc.license_id).exists()
    # the citizen's case page and the staff workbench show the licence instead of a file, by
    # its number (a person expects the number, not the 电子证照标识 OID — issue 17 defect 4)
    shown = f"电子证照 居民身份证 {idc.license_no}，2026-11-24 10:00 调用"
    assert shown in html(client.get(f"/cases/{case.case_no}/"))
    staff_page = html(login("demo-clerk").get(f"/workbench/cases/{case.case_no}/"))
    assert shown in staff_page
    assert f"电子证照 居民户口簿 {hukou.license_no}，2026-11-24 10:00 调用" in staff_page


def test_choosing_upload_uses_the_file(demo):
    r = login("demo-citizen").post(
        f"/cases/apply/{DISABILITY}/",
        post_data(demo, **{"source-M1": "upload", "material-M1": pdf("id-card.pdf")}),
    )
    assert r.status_code == 302, html(r)
    by_code = {m["material_code"]: m for m in Case.objects.get().materials}
    assert by_code["M1"]["name"] == "id-card.pdf" and "license_id" not in by_code["M1"]
    assert by_code["M2"]["license_id"]
    assert LicenseUse.objects.filter(kind="use").count() == 1  # only the 户口簿


def test_a_license_and_a_file_for_one_material_use_the_license(demo):
    r = login("demo-citizen").post(
        f"/cases/apply/{DISABILITY}/", post_data(demo, **{"material-M1": pdf("extra.pdf")})
    )
    assert r.status_code == 302
    m1 = next(m for m in Case.objects.get().materials if m["material_code"] == "M1")
    assert m1["license_id"] == demo["citizen"]["居民身份证"].license_id


@pytest.mark.parametrize(
    ("overrides", "index", "message"),
    [
        (  # another person's licence
            {"source-M1": "elder:居民身份证"},
            0,
            "“申请人居民身份证”：所选电子证照不存在或不属于申请人。",
        ),
        (  # one of the citizen's own licences, of the wrong type
            {"source-M1": "citizen:居民户口簿"},
            0,
            "“申请人居民身份证”需要“居民身份证”，所选证照是“居民户口簿”。",
        ),
        (  # a licence for a material no licence can replace
            {"source-M3": "citizen:居民身份证", "material-M3": None},
            2,
            "“近期2寸白底免冠彩色照片”不能用电子证照代替，请上传文件。",
        ),
        (  # an id that is no licence at all
            {"source-M2": "1.2.156.3005.2.NOPE"},
            1,
            "“申请人居民户口簿”：所选电子证照不存在或不属于申请人。",
        ),
    ],
)
def test_a_wrong_license_is_refused_naming_the_material_and_nothing_is_saved(
    demo, overrides, index, message
):
    for key, value in overrides.items():
        if isinstance(value, str) and ":" in value and not value.startswith("1.2"):
            who, type_name = value.split(":")
            overrides[key] = demo[who][type_name].license_id
    n_uses = LicenseUse.objects.count()
    r = login("demo-citizen").post(f"/cases/apply/{DISABILITY}/", post_data(demo, **overrides))
    assert r.status_code == 422
    page = html(r)
    assert material_error(page, index) == message
    assert 'data-testid="apply-errors"' in page and message in page
    assert Case.objects.count() == 0
    assert LicenseUse.objects.count() == n_uses
    assert not AuditRecord.objects.filter(action__startswith="cases.").exists()
    assert AuditRecord.objects.filter(action="licenses.use").count() == 0


def test_a_suspended_license_is_not_offered_and_is_refused(demo):
    idc = demo["citizen"]["居民身份证"]
    License.objects.filter(pk=idc.pk).update(status="suspended")
    client = login("demo-citizen")
    page = html(client.get(f"/cases/apply/{DISABILITY}/"))
    assert idc.license_id not in page and 'name="source-M1"' not in page
    r = client.post(f"/cases/apply/{DISABILITY}/", post_data(demo))
    assert r.status_code == 422
    assert material_error(html(r), 0) == "“申请人居民身份证”：所选电子证照状态为“中止”，不能使用。"
    assert Case.objects.count() == 0


def test_errors_elsewhere_keep_the_license_choice(demo):
    hukou = demo["citizen"]["居民户口簿"]
    r = login("demo-citizen").post(
        f"/cases/apply/{DISABILITY}/",
        post_data(demo, disability_category="", **{"source-M1": "upload"}),
    )
    assert r.status_code == 422
    page = html(r)
    assert material_error(page, 0) == "缺少必需材料：申请人居民身份证"
    assert "checked" in radio(page, "source-M1", "upload")  # the choice made is kept
    assert "checked" in radio(page, "source-M2", hukou.license_id)
    assert Case.objects.count() == 0


def test_draft_keeps_the_license_choice_and_uses_it_on_submit(demo):
    idc, hukou = demo["citizen"]["居民身份证"], demo["citizen"]["居民户口簿"]
    client = login("demo-citizen")
    r = client.post(
        f"/cases/apply/{DISABILITY}/",
        post_data(demo, intent="draft", **{"source-M2": "upload", "material-M4": None}),
    )
    assert r.status_code == 302, html(r)
    case = Case.objects.get()
    assert case.status == "draft"
    assert [m.get("license_id") for m in case.materials if m["material_code"] == "M1"] == [
        idc.license_id
    ]
    assert LicenseUse.objects.count() == 0  # a draft does not use the licence yet
    edit = html(client.get(f"/cases/{case.case_no}/edit/"))
    assert "checked" in radio(edit, "source-M1", idc.license_id)
    # M2 was not given: the held licence is offered preselected, as on a fresh form
    assert "checked" in radio(edit, "source-M2", hukou.license_id)
    kept = dict(re.findall(r'name="kept-(M\d)" value="([0-9a-f-]+)"', edit))
    assert sorted(kept) == ["M3"]
    # resume: the form posts the kept choice back, plus what was missing
    data = post_data(
        demo, **{"material-M3": None, "kept-M3": kept["M3"], "source-M1": idc.license_id}
    )
    r = client.post(f"/cases/{case.case_no}/edit/", data)
    assert r.status_code == 302, html(r)
    case.refresh_from_db()
    assert case.status == "submitted"
    by_code = {m["material_code"]: m for m in case.materials}
    assert by_code["M1"]["license_id"] == idc.license_id
    assert by_code["M2"]["license_id"] == hukou.license_id
    assert sorted(
        u.license.license_id for u in LicenseUse.objects.filter(case_no=case.case_no)
    ) == (sorted([idc.license_id, hukou.license_id]))


def test_draft_with_someone_elses_license_is_refused(demo):
    r = login("demo-citizen").post(
        f"/cases/apply/{DISABILITY}/",
        post_data(demo, intent="draft", **{"source-M1": demo["elder"]["居民身份证"].license_id}),
    )
    assert r.status_code == 422
    assert material_error(html(r), 0) == "“申请人居民身份证”：所选电子证照不存在或不属于申请人。"
    assert Case.objects.count() == 0


def test_api_refuses_a_license_for_a_material_without_a_license_type(api, cases, demo):
    idc = demo["citizen"]["居民身份证"]
    body = {
        "item_code": DISABILITY,
        "form": {},
        "submit": False,
        "materials": [{"material_code": "M3", "license_id": idc.license_id}],
    }
    r = api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "materials.0.license_id",
            "message": "“近期2寸白底免冠彩色照片”不能用电子证照代替，请上传文件。",
        }
    ]
    assert Case.objects.count() == 0
