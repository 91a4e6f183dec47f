"""Import of .docx (python-docx) and PDF with a text layer (pypdf), several files at once with a
plain-text one; traditional characters kept as written and found by a simplified query; a PDF
without text, an encrypted PDF and an old .doc refused naming the file, nothing stored."""

import datetime as dt
import io

import docx
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from shuzheng.documents.models import Document

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2022, 7, 1, 10, 0, tzinfo=TZ)
WHO = "demo-dataofficer"

DOCX_LINES = [
    "肇庆市政务服务数据管理局文件",
    "肇政数函〔2022〕8号",
    "肇庆市政务服务数据管理局关于做好政务数据共享的通知",
    "各县（市、区）政务服务数据管理局：",
    "一、工作目标",
    "（一）年底前实现60%的共享需求“秒享”。",
    "肇庆市政务服务数据管理局",
    "2022年7月2日",
]
PDF_LINES = [
    "肇慶市政務服務數據管理局文件",
    "肇政數函〔2022〕9號",
    "肇慶市政務服務數據管理局關於推進電子證照應用的通知",
    "各縣（市、區）政務服務數據管理局：",
    "一、工作要求",
    "全面推進電子證照在政務服務中的應用。",
    "肇慶市政務服務數據管理局",
    "2022年7月3日",
]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


def make_docx(lines):
    d = docx.Document()
    for line in lines[:-2]:
        d.add_paragraph(line)
    t = d.add_table(rows=1, cols=1)  # 署名 and date in a table, as templates often do
    t.cell(0, 0).text = lines[-2]
    d.add_paragraph(lines[-1])
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def make_pdf(lines, *, text=True):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFont("STSong-Light", 14)
    for i, line in enumerate(lines if text else []):
        c.drawString(60, 780 - 24 * i, line)
    c.drawString(280, 40, "— 1 —")
    c.save()
    return out.getvalue()


def upload(api, *files):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(WHO)}"}
    files = [SimpleUploadedFile(name, data) for name, data in files]
    return api.client.post("/api/v1/documents/import", {"files": files}, **headers)


def test_docx_and_pdf_imported_together(api, frozen):
    r = upload(
        api,
        ("a.docx", make_docx(DOCX_LINES)),
        ("b.pdf", make_pdf(PDF_LINES)),
        ("c.txt", "\n".join(DOCX_LINES).replace("8号", "10号").replace("2日", "4日").encode()),
    )
    assert r.status_code == 201, r.content
    a, b, c = r.json()["documents"]
    assert (a["doc_number"], a["title"], a["date"]) == (
        "肇政数函〔2022〕8号",
        "肇庆市政务服务数据管理局关于做好政务数据共享的通知",
        "2022-07-02",
    )
    assert a["issuer"] == "肇庆市政务服务数据管理局"
    assert [h["level"] for h in a["headings"]] == [1, 2]
    # the PDF's traditional characters are kept as written …
    assert b["doc_number"] == "肇政數函〔2022〕9号"
    assert b["title"] == "肇慶市政務服務數據管理局關於推進電子證照應用的通知"
    assert b["date"] == "2022-07-03"
    assert "— 1 —" not in b["body"]
    assert c["doc_number"] == "肇政数函〔2022〕10号"
    # … and found by a simplified query
    found = api.call("GET", "/api/v1/documents?q=电子证照", who=WHO).json()
    assert [d["id"] for d in found["documents"]] == [b["id"]]
    assert "<mark>" in found["documents"][0]["title_html"]


def test_unreadable_pdf_and_word_files_refused(api, frozen):
    encrypted = io.BytesIO()
    w = PdfWriter(clone_from=io.BytesIO(make_pdf(PDF_LINES)))
    w.encrypt("secret")
    w.write(encrypted)
    cases = [
        ("scan.pdf", make_pdf(PDF_LINES, text=False), "扫描件"),
        ("locked.pdf", encrypted.getvalue(), "加密"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".doc"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "Word"),
    ]
    for name, data, words in cases:
        r = upload(api, ("a.docx", make_docx(DOCX_LINES)), (name, data))
        assert r.status_code == 422, name
        body = r.json()
        assert body["errors"][0]["field"] == "files[1]"
        assert name in body["errors"][0]["message"]
        assert words in body["errors"][0]["message"]
    assert Document.objects.count() == 0


def test_api_preview_then_import_with_corrections(api, frozen):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(WHO)}"}
    files = [SimpleUploadedFile("a.docx", make_docx(DOCX_LINES))]
    r = api.client.post("/api/v1/documents/import/preview", {"files": files}, **headers)
    assert r.status_code == 200, r.content
    (draft,) = r.json()["documents"]
    assert (draft["file_name"], draft["doc_number"]) == ("a.docx", "肇政数函〔2022〕8号")
    assert Document.objects.count() == 0
    bad = '[{"doc_number": "肇政数函2022第8号"}]'
    files = [SimpleUploadedFile("a.docx", make_docx(DOCX_LINES))]
    r = api.client.post("/api/v1/documents/import", {"files": files, "corrections": bad}, **headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "files[0].发文字号"
    assert Document.objects.count() == 0
    fix = '[{"title": "关于做好政务数据共享工作的通知", "topic": "数据要素"}]'
    files = [SimpleUploadedFile("a.docx", make_docx(DOCX_LINES))]
    r = api.client.post("/api/v1/documents/import", {"files": files, "corrections": fix}, **headers)
    assert r.status_code == 201, r.content
    (doc,) = r.json()["documents"]
    assert (doc["title"], doc["topic"]) == ("关于做好政务数据共享工作的通知", "数据要素")
