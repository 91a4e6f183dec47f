"""The upload page: several files → each one's elements in one screen → corrected → registered
and audited with the corrections named; a bad correction names the field and the file, nothing
stored; a tampered or stale review is refused; persons may not upload."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.audit.models import AuditRecord
from shuzheng.documents.models import Document
from shuzheng.documents.tests.test_library import NOTICE

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2022, 7, 1, 10, 0, tzinfo=TZ)
SECOND = (
    NOTICE.replace("7號", "12号")
    .replace("秒享", "共享")
    .replace("2022年7月1日\n", "")
    .replace("（此件主动公开）\n", "")
)


@pytest.fixture
def staff(client):
    with time_machine.travel(NOW, tick=False):
        client.force_login(get_user_model().objects.get(username="demo-dataofficer"))
        yield client


def review(client):
    files = [
        SimpleUploadedFile("a.txt", NOTICE.encode()),
        SimpleUploadedFile("b.txt", SECOND.encode("gb18030")),
    ]
    r = client.post(
        "/documents/upload/", {"step": "parse", "files": files, "openness": "依申请公开"}
    )
    assert r.status_code == 200
    page = r.content.decode()
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    for name, value in re.findall(
        r'<input type="(?:text|date)" id="[^"]+" name="(\w+)" value="([^"]*)"', page
    ):
        form[name] = value
    for name, value in re.findall(
        r'<textarea id="[^"]+" name="(\w+)" rows="3">([^<]*)</textarea>', page
    ):
        form[name] = value
    for name, body in re.findall(r'<select id="f[^"]+" name="(\w+)">(.*?)</select>', page):
        form[name] = re.search(r'value="([^"]*)" selected', body).group(1)
    return page, form


def test_review_correct_and_register(staff):
    page, form = review(staff)
    assert 'value="肇政数函〔2022〕7号"' in page and 'value="肇政数函〔2022〕12号"' in page
    assert Document.objects.count() == 0  # nothing stored before the confirm
    assert form["f0_openness"] == "主动公开" and form["f1_openness"] == "依申请公开"
    form["f1_date"] = "2022-07-05"  # the second has no 成文日期: the officer fills it in
    form["f1_title"] = "关于落实数据共享工作的通知"
    r = staff.post("/documents/upload/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    done = staff.get(r["Location"]).content.decode()
    assert "已登记 2 份公文" in done
    second = Document.objects.get(doc_number="肇政数函〔2022〕12号")
    assert second.title == "关于落实数据共享工作的通知" and second.date == dt.date(2022, 7, 5)
    assert second.openness == "依申请公开"
    assert second.body and "共享" in second.body
    records = AuditRecord.objects.filter(action="documents.registered").order_by("id")
    assert [r.after.get("corrected") for r in records] == [None, ["标题", "成文日期"]]


def test_bad_corrections_name_field_and_file(staff):
    _, form = review(staff)
    form["f1_doc_number"] = "肇政数函2022第12号"
    form["f0_date"] = "2022-13-40"
    r = staff.post("/documents/upload/", form)
    assert r.status_code == 422
    page = r.content.decode()
    assert "b.txt：发文字号“肇政数函2022第12号”无法识别" in page
    assert "a.txt：成文日期应为日期" in page
    assert 'aria-invalid="true"' in page and "files[" not in page
    assert Document.objects.count() == 0
    form["f0_token"] = form["f0_token"][:-2] + "xx"  # tampered text
    r = staff.post("/documents/upload/", form)
    assert r.status_code == 422 and "已失效" in r.content.decode()
    assert Document.objects.count() == 0


def test_unreadable_file_named_and_persons_refused(staff, client):
    files = [
        SimpleUploadedFile("a.txt", NOTICE.encode()),
        SimpleUploadedFile("x.pdf", b"%PDF-1.7 x"),
    ]
    r = staff.post("/documents/upload/", {"step": "parse", "files": files})
    assert r.status_code == 422
    assert "x.pdf：PDF 文件已损坏" in r.content.decode()
    assert Document.objects.count() == 0
    client.force_login(get_user_model().objects.get(username="demo-citizen"))
    assert client.get("/documents/upload/").status_code == 403
