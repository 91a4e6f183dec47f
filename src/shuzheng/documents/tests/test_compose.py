"""A 公文 composed in the platform: registered in the 公文库 (searchable, audited) and rendered
to a PDF in the GB/T 9704 layout, sealed with the issuing department's e-seal (verifiable);
bad input → 422 naming the element in Chinese, nothing stored."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from shuzheng.audit.models import AuditRecord
from shuzheng.documents.models import Document
from shuzheng.documents.render import REASONS

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2022, 7, 1, 10, 0, tzinfo=TZ)
ZSJ = "demo-dataofficer"  # staff of 市政数局, 市公安局, 市民政局
WATER = "demo-handler-sw"  # staff of 市水务局 only

COMPOSED = {
    "issuer": "肇庆市政务服务和数据管理局",
    "doc_number": "肇政数函[2022]31号",
    "title": "肇庆市政务服务数据管理局关于推进数据共享秒享的通知",
    "recipients": "各县（市、区）政务服务数据管理局",
    "body": "为落实工作要点，现通知如下。\n一、工作目标\n（一）年底前实现60%的共享需求秒享。\n"
    + "1.梳理共享需求清单。\n（1）按月报送进展。\n"
    + "二、工作要求\n"
    + "请各单位高度重视，认真组织实施，确保按期完成各项任务。" * 30,
    "attachments": ["共享需求清单", "秒享事项目录"],
    "date": "2022-07-01",
    "cc": "市政府办公室",
    "printed_by": "肇庆市政务服务数据管理局办公室",
    "printed_on": "2022-07-02",
    "openness": "主动公开",
}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


def test_composed_document_is_stored_searchable_and_renders_sealed(api, frozen):
    from shuzheng.seals import facade as seals

    r = api.call("POST", "/api/v1/documents/compose", who=ZSJ, json_body=COMPOSED)
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["doc_number"] == "肇政数函〔2022〕31号"
    assert doc["kind"] == "通知"
    assert AuditRecord.objects.filter(
        action="documents.registered", object_id=str(doc["id"])
    ).exists()
    found = api.call("GET", "/api/v1/documents?q=秒享", who=WATER).json()
    assert doc["id"] in [d["id"] for d in found["documents"]]

    r = api.call("GET", f"/api/v1/documents/{doc['id']}/pdf", who=ZSJ)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    verdict = seals.verify_pdf(r.content)
    assert verdict.valid and verdict.department_code == "441200-ZSJ"
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) >= 2  # the long 正文 runs over
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    order = [
        "肇庆市政务服务和数据管理局文件",
        "肇政数函〔2022〕31号",
        "关于推进数据共享秒享的通知",
        "各县（市、区）政务服务数据管理局：",
        "一、工作目标",
        "（一）年底前实现60%的共享需求秒享。",
        "附件：1．共享需求清单",
        "2022年7月1日",
        "抄送：市政府办公室。",
        "肇庆市政务服务数据管理局办公室",
        "2022年7月2日印发",
    ]
    at = [text.find(s) for s in order]
    assert -1 not in at, [s for s, i in zip(order, at, strict=True) if i < 0]
    assert at == sorted(at)
    assert "—1—" in text and "—2—" in text
    assert AuditRecord.objects.filter(action="documents.pdf", object_id=str(doc["id"])).count() == 1


def test_bad_input_422_names_the_element_nothing_stored(api, frozen):
    before = Document.objects.count()
    bad = {**COMPOSED, "doc_number": "肇政数函2022第31号", "title": "", "date": "7月1日"}
    r = api.call("POST", "/api/v1/documents/compose", who=ZSJ, json_body=bad)
    assert r.status_code == 422
    body = r.content.decode()
    for words in ("发文字号", "标题", "成文日期"):
        assert words in body
    assert "doc_number" not in body
    assert Document.objects.count() == before
    citizen = api.call("POST", "/api/v1/documents/compose", who="demo-citizen", json_body=COMPOSED)
    assert citizen.status_code == 403


def test_compose_page_registers_and_links_the_pdf(client, frozen):
    client.force_login(get_user_model().objects.get(username=ZSJ))
    page = client.get("/documents/compose/")
    assert page.status_code == 200 and "发文字号" in page.content.decode()
    bad = client.post("/documents/compose/", {**COMPOSED, "attachments": "", "title": ""})
    assert bad.status_code == 422 and "请填写标题" in bad.content.decode()
    r = client.post(
        "/documents/compose/", {**COMPOSED, "attachments": "共享需求清单\n秒享事项目录"}
    )
    assert r.status_code == 302
    doc = Document.objects.get(title=COMPOSED["title"])
    assert doc.attachments == ["共享需求清单", "秒享事项目录"]
    detail = client.get(r["Location"]).content.decode()
    assert f"/documents/{doc.pk}/pdf/" in detail
    pdf = client.get(f"/documents/{doc.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pdf_verifies_and_names_its_document_tampering_detected(api, client, frozen):
    doc = api.call("POST", "/api/v1/documents/compose", who=ZSJ, json_body=COMPOSED).json()
    pdf = api.call("GET", f"/api/v1/documents/{doc['id']}/pdf", who=ZSJ).content
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(WATER)}"}
    r = api.client.post(
        "/api/v1/documents/verify-pdf", {"file": SimpleUploadedFile("a.pdf", pdf)}, **headers
    )
    out = r.json()
    assert out["valid"] and out["seal_department_name"] == "肇庆市政务服务和数据管理局"
    assert out["document"]["id"] == doc["id"]  # 主动公开: 市水务局 may read it
    tampered = pdf.replace(b"/Creator", b"/Creatox", 1)
    assert tampered != pdf
    bad = api.client.post(
        "/api/v1/documents/verify-pdf", {"file": SimpleUploadedFile("b.pdf", tampered)}, **headers
    ).json()
    assert not bad["valid"] and bad["document"] is None
    assert bad["message"] in (REASONS["modified"], REASONS["bad_signature"])
    client.force_login(get_user_model().objects.get(username=WATER))
    page = client.post("/documents/verify/", {"file": SimpleUploadedFile("a.pdf", pdf)})
    assert page.status_code == 200 and COMPOSED["title"] in page.content.decode()
    assert client.post("/documents/verify/", {}).status_code == 422
