"""Defect 2 of issue 17: staff could not open uploaded materials (the case page listed
``photo.png · SHA-256 …`` and nothing served the file). Who may see a case may see the files it
uses — inline, on the case pages and through ``GET /api/v1/files/{file_id}`` — and nobody else
(404); every view is an audit record ``files.read`` naming the case."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from shuzheng.audit.models import AuditRecord
from shuzheng.identity.models import User

from .conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


PNG = png()


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def reads(file_id: str) -> list[tuple[str, str]]:
    """(actor, purpose) of every audited read of the file, in order."""
    return [
        (actor, after["purpose"])
        for actor, after in AuditRecord.objects.filter(action="files.read", object_id=file_id)
        .order_by("seq")
        .values_list("actor", "after")
    ]


def upload(cases, who: str, name: str, data: bytes, declared: str) -> str:
    r = cases.api.client.post(
        "/api/v1/files",
        {"file": SimpleUploadedFile(name, data, declared)},
        HTTP_AUTHORIZATION=f"Bearer {cases.api.token(who)}",
    )
    assert r.status_code == 201, r.content
    return str(r.json()["file_id"])


@pytest.fixture
def filed(catalog, cases):
    """李明's 营业执照（设立登记） at 市市场监督管理局 (441200-SCJGJ, where demo-clerk and
    demo-reviewer handle cases; demo-head heads other departments): M1 a PDF, M2 a photo
    uploaded as "PDF" (its detected type is PNG), M3 another PDF; and an upload of his that no
    case uses."""
    pdf_id = upload(cases, "demo-citizen", "身份证.pdf", PDF, "application/pdf")
    png_id = upload(cases, "demo-citizen", "章程.pdf", PNG, "application/pdf")
    prep = cases.api.call(
        "GET", f"/api/v1/cases/prepare?item_code={catalog['licence']}", who="demo-citizen"
    ).json()
    form = {**prep["prefill"], "enterprise_name": "肇庆市星湖味道餐饮有限公司"}
    mats = [
        {"material_code": "M1", "file_id": pdf_id},
        {"material_code": "M2", "file_id": png_id},
        {"material_code": "M3", "file_id": cases.upload("demo-citizen")},
    ]
    body = {"item_code": catalog["licence"], "form": form, "materials": mats}
    r = cases.api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
    assert r.status_code == 201, r.content
    loose = upload(cases, "demo-citizen", "草稿.pdf", PDF, "application/pdf")
    return {"case_no": r.json()["case_no"], "pdf": pdf_id, "png": png_id, "loose": loose}


def assert_inline(r, *, ctype: str, body: bytes, framed_by: str) -> None:
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == body
    assert r["Content-Type"] == ctype
    assert r["Content-Disposition"].startswith("inline; filename")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "no-store"
    assert f"frame-ancestors {framed_by}" in r["Content-Security-Policy"]
    assert "default-src 'none'" in r["Content-Security-Policy"]


# --- the workbench case page ----------------------------------------------------------------


def test_the_clerk_sees_every_material_inline_on_the_case_page(filed):
    no = filed["case_no"]
    clerk = login("demo-clerk")
    page = clerk.get(f"/workbench/cases/{no}/").content.decode()
    pdf_url = f"/workbench/cases/{no}/files/{filed['pdf']}/"
    png_url = f"/workbench/cases/{no}/files/{filed['png']}/"
    # the image shown, the PDF in a frame (no script needed), each also a link
    img = f'<img class="material-preview" src="{png_url}" alt="公司章程：章程.png"'
    frame = f'<iframe class="material-preview" src="{pdf_url}" title="居民身份证：身份证.pdf'
    assert img in page and frame in page
    assert page.count("<iframe") == 2 and f'<a href="{png_url}"' in page
    assert reads(filed["pdf"]) == []  # showing the page reads no file; the browser's fetch does

    # served with the type detected when stored (the photo was declared a PDF), framable by
    # the platform's own pages only
    assert_inline(clerk.get(png_url), ctype="image/png", body=PNG, framed_by="'self'")
    r = clerk.get(pdf_url)
    assert_inline(r, ctype="application/pdf", body=PDF, framed_by="'self'")
    assert r["X-Frame-Options"] == "SAMEORIGIN"
    assert r["Content-Disposition"] == "inline; filename*=utf-8''%E8%BA%AB%E4%BB%BD%E8%AF%81.pdf"
    # every view is a read in the audit log, naming the case
    clerk.get(pdf_url)
    assert reads(filed["pdf"]) == [("user:demo-clerk", f"case:{no}")] * 2
    assert reads(filed["png"]) == [("user:demo-clerk", f"case:{no}")]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("demo-clerk", 200),  # window clerk of 441200-SCJGJ
        ("demo-reviewer", 200),  # reviewer there
        ("demo-head", 404),  # heads other departments only
        ("demo-dataofficer", 404),  # no case role
        ("demo-hotline", 404),
        ("demo-admin", 404),  # the platform admin reads no case files
        ("demo-citizen", 403),  # the applicant uses his own case page
    ],
)
def test_only_the_case_departments_handlers_open_it_on_the_workbench(filed, who, status):
    url = f"/workbench/cases/{filed['case_no']}/files/{filed['pdf']}/"
    assert login(who).get(url).status_code == status
    assert reads(filed["pdf"]) == (
        [(f"user:{who}", f"case:{filed['case_no']}")] if status == 200 else []
    )


def test_a_file_the_case_does_not_use_is_not_found_through_it(filed, catalog, cases):
    clerk = login("demo-clerk")
    no = filed["case_no"]
    other = cases.apply("demo-citizen", catalog["licence"]).json()
    used_elsewhere = next(m["file_id"] for m in other["materials"])
    for fid in (
        filed["loose"],
        used_elsewhere,
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
    ):
        assert clerk.get(f"/workbench/cases/{no}/files/{fid}/").status_code == 404
    assert not AuditRecord.objects.filter(action="files.read").exists()
    # anonymous: to the login page
    r = Client().get(f"/workbench/cases/{no}/files/{filed['pdf']}/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


# --- the applicant's case page ---------------------------------------------------------------


def test_the_applicant_opens_his_materials_from_his_case_page(filed):
    no = filed["case_no"]
    citizen = login("demo-citizen")
    page = citizen.get(f"/cases/{no}/").content.decode()
    url = f"/cases/{no}/files/{filed['png']}/"
    link = f'<a href="{url}" target="_blank" rel="noopener" data-testid="material-open">'
    assert link + "查看 章程.png</a>" in page
    assert_inline(citizen.get(url), ctype="image/png", body=PNG, framed_by="'self'")
    assert reads(filed["png"]) == [("user:demo-citizen", f"case:{no}")]
    # another citizen does not find it; staff are sent to the workbench, which decides
    assert login("demo-elder").get(url).status_code == 404
    assert login("demo-agent").get(url).status_code == 404
    r = login("demo-head").get(url)
    assert r.status_code == 302 and r["Location"] == f"/workbench/cases/{no}/files/{filed['png']}/"
    assert reads(filed["png"]) == [("user:demo-citizen", f"case:{no}")]


# --- GET /api/v1/files/{file_id} --------------------------------------------------------------


def test_the_api_serves_a_file_to_its_uploader_and_to_who_may_see_a_case_using_it(filed, cases):
    api = cases.api
    no = filed["case_no"]
    r = api.call("GET", f"/api/v1/files/{filed['png']}", who="demo-citizen")
    assert_inline(r, ctype="image/png", body=PNG, framed_by="'none'")
    assert r["X-Frame-Options"] == "DENY"
    # an upload no case uses: its uploader only
    r = api.call("GET", f"/api/v1/files/{filed['loose']}", who="demo-citizen")
    assert_inline(r, ctype="application/pdf", body=PDF, framed_by="'none'")
    assert api.call("GET", f"/api/v1/files/{filed['loose']}", who="demo-clerk").status_code == 404
    # the handling staff of the case's department, through the case
    r = api.call("GET", f"/api/v1/files/{filed['pdf']}", who="demo-reviewer")
    assert_inline(r, ctype="application/pdf", body=PDF, framed_by="'none'")
    assert reads(filed["png"]) == [("user:demo-citizen", "owner")]
    assert reads(filed["loose"]) == [("user:demo-citizen", "owner")]
    assert reads(filed["pdf"]) == [("user:demo-reviewer", f"case:{no}")]


@pytest.mark.parametrize(
    "who",
    [
        "demo-elder",
        "demo-agent",
        "demo-head",
        "demo-dataofficer",
        "demo-admin",
        "client:demo-mz-system",
        "client:demo-bank",
    ],
)
def test_the_api_answers_404_to_anyone_else_and_records_nothing(filed, cases, who):
    r = cases.api.call("GET", f"/api/v1/files/{filed['pdf']}", who=who)
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "未找到该文件。", "errors": []}
    assert reads(filed["pdf"]) == []


def test_the_api_without_a_token_or_with_a_bad_id(filed, cases):
    r = cases.api.client.get(f"/api/v1/files/{filed['pdf']}")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    for fid in ("nope", "00000000-0000-0000-0000-000000000000"):
        assert cases.api.call("GET", f"/api/v1/files/{fid}", who="demo-citizen").status_code == 404
    assert not AuditRecord.objects.filter(action="files.read").exists()
