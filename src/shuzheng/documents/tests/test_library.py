"""公文 library: GB/T 9704 elements parsed on import (several files at once, all or nothing),
文号 variants normalised, relations both ways, Chinese search with highlights and the task a
hit belongs to, reads scoped by 公开属性 and department, audited."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.audit.models import AuditRecord
from shuzheng.documents import gbt9704
from shuzheng.documents.demo import SEEDS
from shuzheng.documents.models import Document

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2022, 7, 1, 10, 0, tzinfo=TZ)
OFFICE = "demo-head"  # department_head of 441200-ZSJ
ZSJ = "demo-dataofficer"  # staff of 市政数局, 市公安局, 市民政局
WATER = "demo-handler-sw"  # staff of 市水务局 only

NOTICE = """肇庆市政务服务数据管理局文件
肇政数函[2022]7號
肇庆市政务服务数据管理局关于落实数据共享“秒享”工作的通知
各县（市、区）政务服务数据管理局：
根据《肇庆市数字政府改革建设2022年工作要点》和粤办函〔2022〕24号的部署，现将有关事项通知如下。
一、工作目标
（一）年底前实现60%的共享需求“秒享”。
附件：1.共享需求清单
2.秒享事项目录
肇庆市政务服务数据管理局
2022年7月1日
（此件主动公开）
抄送：市政府办公室。
肇庆市政务服务数据管理局办公室 2022年7月1日印发
"""


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


def upload(api, who, *files, **fields):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"}
    data = {"files": list(files), **fields}
    return api.client.post("/api/v1/documents/import", data, **headers)


def f(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)


def seeds():
    return [f(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]


def test_doc_number_variants_normalised():
    for raw in (
        "粤办函[2022]24号",
        "粤办函（2022）24号",
        "粤办函【2022】024号",
        "粤办函〔2022〕24號",
    ):
        assert gbt9704.normalize_number(raw) == "粤办函〔2022〕24号"
    assert gbt9704.normalize_number("粤办函2022第24号") is None


def test_import_parses_the_elements(api, frozen):
    r = upload(api, ZSJ, f("notice.txt", NOTICE))
    assert r.status_code == 201, r.content
    (doc,) = r.json()["documents"]
    assert doc["doc_number"] == "肇政数函〔2022〕7号"
    assert doc["issuer"] == "肇庆市政务服务数据管理局"
    assert doc["title"] == "肇庆市政务服务数据管理局关于落实数据共享“秒享”工作的通知"
    assert doc["kind"] == "通知"
    assert doc["date"] == "2022-07-01"
    assert doc["recipients"] == "各县（市、区）政务服务数据管理局"
    assert doc["attachments"] == ["共享需求清单", "秒享事项目录"]
    assert doc["cc"] == "市政府办公室"
    assert doc["printed_by"] == "肇庆市政务服务数据管理局办公室"
    assert doc["openness"] == "主动公开"
    assert [h["level"] for h in doc["headings"]] == [1, 2]
    assert AuditRecord.objects.filter(action="documents.registered").count() == 1


def test_relations_both_ways_whichever_comes_first(api, frozen):
    upload(api, OFFICE, f("notice.txt", NOTICE), openness="主动公开")
    r = upload(api, OFFICE, *seeds(), openness="主动公开")
    assert r.status_code == 201
    plan = Document.objects.get(title="肇庆市数字政府改革建设2022年工作要点")
    gd = Document.objects.get(doc_number="粵辦函〔2022〕24号")  # kept as written
    notice = Document.objects.get(doc_number="肇政数函〔2022〕7号")
    d = api.call("GET", f"/api/v1/documents/{notice.pk}", who=OFFICE).json()
    assert {(x["id"], x["kind"]) for x in d["relations"]} == {(plan.pk, "cites"), (gd.pk, "cites")}
    d = api.call("GET", f"/api/v1/documents/{plan.pk}", who=OFFICE).json()
    assert (notice.pk, "cited_by") in {(x["id"], x["kind"]) for x in d["relations"]}


def test_search_highlights_and_filters(api, frozen):
    upload(api, OFFICE, *seeds(), openness="主动公开")
    body = api.call("GET", "/api/v1/documents?q=秒享", who=ZSJ).json()
    assert [d["title"] for d in body["documents"]] == ["肇庆市数字政府改革建设2022年工作要点"]
    assert "<mark>秒享</mark>" in body["documents"][0]["snippet_html"]
    # traditional characters are found by a simplified query, and the other way round
    trad = api.call("GET", "/api/v1/documents?q=數據共享&year=2022&issuer=廣東", who=ZSJ).json()
    assert [d["doc_number"] for d in trad["documents"]] == ["粵辦函〔2022〕24号"]
    assert api.call("GET", "/api/v1/documents?q=秒享&year=2020", who=ZSJ).json()["total"] == 0
    by_number = api.call("GET", "/api/v1/documents?q=粤办函〔2020〕20号", who=ZSJ).json()
    assert [d["doc_number"] for d in by_number["documents"]] == ["粤办函〔2020〕20号"]
    stats = api.call("GET", "/api/v1/documents/stats", who=ZSJ).json()
    assert {"key": "2022", "count": 2} in stats["by_year"]


def test_bad_files_name_the_field_and_store_nothing(api, frozen):
    cases = [
        (f("a.bin", b"\xff\xfe\x00\xd8\x00"), "files[1]", "编码"),
        (f("a.pdf", b"%PDF-1.7 ..."), "files[1]", "PDF"),
        (f("secret.txt", "秘密★1年\n关于某事的通知\n某局：\n正文。"), "files[1].密级", "涉密"),
        (
            f("n.txt", "关于某事的通知\n粤办函〔二〇二二〕24号\n某局：\n正文。"),
            "files[1].发文字号",
            "无法识别",
        ),
    ]
    for bad, field, words in cases:
        r = upload(api, ZSJ, f("ok.txt", NOTICE), bad)
        assert r.status_code == 422, field
        assert r.json()["errors"][0]["field"] == field
        assert words in r.json()["message"]
    assert Document.objects.count() == 0
    assert upload(api, "demo-citizen", f("ok.txt", NOTICE)).status_code == 403


def test_reads_scoped_by_openness_and_department(api, frozen):
    upload(api, ZSJ, f("closed.txt", NOTICE.replace("（此件主动公开）", "")), openness="不予公开")
    doc = Document.objects.get()
    assert doc.department == "441200-GAJ" or doc.department in ("441200-ZSJ", "441200-MZJ")
    assert api.call("GET", f"/api/v1/documents/{doc.pk}", who=ZSJ).status_code == 200
    assert api.call("GET", f"/api/v1/documents/{doc.pk}", who=OFFICE).status_code == 200
    assert api.call("GET", f"/api/v1/documents/{doc.pk}", who=WATER).status_code == 404
    assert api.call("GET", f"/api/v1/documents/{doc.pk}", who="demo-citizen").status_code == 404
    assert api.call("GET", "/api/v1/documents?q=秒享", who=WATER).json()["total"] == 0
    Document.objects.update(openness="依申请公开")
    assert api.call("GET", f"/api/v1/documents/{doc.pk}", who=WATER).status_code == 200
    assert api.call("GET", f"/api/v1/documents/{doc.pk}", who="demo-citizen").status_code == 404
    assert api.call("GET", "/api/v1/documents").status_code == 401


def test_term_index_narrows_without_changing_results(api, frozen, monkeypatch):
    from django.db import connection

    from shuzheng.documents import termindex

    upload(api, OFFICE, f("notice.txt", NOTICE), *seeds(), openness="主动公开")
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 term index is SQLite's")
    assert termindex.available()
    assert termindex.match_query(["数据共享", "20号", "秒"]) == '"数据 据共 共享"'
    queries = [
        "秒享",
        "數據共享",
        "数字政府 年底前",
        "粤办函〔2020〕20号",
        "工作要点",
        "不存在的词",
    ]
    indexed = [api.call("GET", f"/api/v1/documents?q={q}", who=ZSJ).json() for q in queries]
    monkeypatch.setattr(termindex, "ENABLED", False)
    scanned = [api.call("GET", f"/api/v1/documents?q={q}", who=ZSJ).json() for q in queries]
    assert indexed == scanned
    assert indexed[0]["total"] == 2 and indexed[1]["total"] == 5 and indexed[-1]["total"] == 0
    notice = Document.objects.get(doc_number="肇政数函〔2022〕7号")
    notice.delete()  # the trigger empties its row
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM documents_fts WHERE rowid = %s", [notice.pk])
        assert c.fetchone()[0] == 0
