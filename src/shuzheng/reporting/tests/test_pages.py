"""The pages without JavaScript: the cadre fills on the phone page, the 镇街 reviews, the
issuing department exports the summary, the register is public."""

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shuzheng.reporting.models import ReportTask

from .conftest import ISSUER, TOWN, VILLAGE

pytestmark = pytest.mark.django_db


def _as(username):
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def test_fill_return_approve_on_pages(reports):
    tid = reports.task_id("GLJT")
    village = _as(VILLAGE)
    page = village.get(f"/reports/tasks/{tid}/").content.decode()
    assert "还需填写 2 项" in page
    assert "已自动填入 5 项，请核对" in page
    assert "已从肇庆市民政局高龄数据自动填入" in page and "沿用本单位上期数据" in page
    fields = reports.fields(VILLAGE, tid)
    form = {n: str(f["value"]) for n, f in fields.items() if f["source"]}

    r = village.post(f"/reports/tasks/{tid}/fill/", {**form, "new": "两", "intent": "submit"})
    assert r.status_code == 422
    text = r.content.decode()
    assert "本月新增发放对象：格式不正确" in text and "请填写本月停发人数（死亡、迁出等）" in text
    assert ReportTask.objects.get(pk=tid).state == "issued"

    r = village.post(f"/reports/tasks/{tid}/fill/", {**form, "new": "1", "intent": "draft"})
    assert r.status_code == 302 and ReportTask.objects.get(pk=tid).state == "filling"
    r = village.post(
        f"/reports/tasks/{tid}/fill/", {**form, "new": "1", "stopped": "0", "intent": "submit"}
    )
    assert r.status_code == 302
    assert ReportTask.objects.get(pk=tid).state == "submitted"

    town = _as(TOWN)
    r = town.post(f"/reports/tasks/{tid}/act/", {"action": "return", "reason": ""})
    assert r.status_code == 422 and "退回理由" in r.content.decode()
    r = town.post(f"/reports/tasks/{tid}/act/", {"action": "return", "reason": "停发人数漏报"})
    assert r.status_code == 302
    page = village.get(f"/reports/tasks/{tid}/").content.decode()
    assert "停发人数漏报" in page
    r = village.post(
        f"/reports/tasks/{tid}/fill/", {**form, "new": "1", "stopped": "2", "intent": "submit"}
    )
    r = town.post(f"/reports/tasks/{tid}/act/", {"action": "approve"})
    town_task = reports.task_id("GLJT", unit="441202001")
    assert r.status_code == 302 and r["Location"].startswith(f"/reports/tasks/{town_task}/")
    page = town.get(r["Location"]).content.decode()
    assert "尚未报送" in page and "宝月社区" in page
    assert "由下级单位数据自动汇总" in page


def test_summary_export_and_register(reports):
    head = _as(ISSUER)
    assert 'href="/reports/summary/GLJT/2026-11/"' in head.get("/reports/").content.decode()
    page = head.get("/reports/summary/GLJT/2026-10/")
    assert page.status_code == 200 and "城东街道" in page.content.decode()
    x = head.get("/reports/summary/GLJT/2026-10/?format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("层级", "单位", "所属区县", "已报/应报")
    assert rows[1][1] == "城东街道" and rows[1][3] == "5/5"
    book = load_workbook(BytesIO(x.content))
    raw = list(book["村社区明细"].iter_rows(values_only=True))
    assert raw[0][:4] == ("镇街", "村/社区", "状态", "80周岁以上高龄老人")
    assert len(raw) == 21 and raw[1][:3] == ("城东街道", "天宁社区", "审核通过")
    # the summary's 城东街道 row is the sum of its villages' raw rows
    assert rows[1][4] == sum(r[3] for r in raw[1:6])
    assert _as("demo-clerk").get("/reports/summary/GLJT/2026-10/").status_code == 404
    assert Client().get("/reports/register/").status_code == 200


def _xlsx(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("rows.xlsx", buf.getvalue())


def test_excel_import_of_a_long_table(reports):
    from shuzheng.reporting.models import FieldValue

    tid = reports.task_id("FXZY")
    village = _as(VILLAGE)
    url = f"/reports/tasks/{tid}/fill/"
    header = ["姓名", "年龄", "安置点"]
    people = [[f"群众{i}", 30 + i, "村委会避险点"] for i in range(1, 41)]

    r = village.post(url, {"import": "persons", "file-persons": _xlsx([["名字", "年龄"], *people])})
    assert r.status_code == 422
    assert "第1行表头应为“姓名、年龄、安置点”，文件中为“名字、年龄”" in r.content.decode()
    bad = [header, *people[:2], ["王五", "七十", "祠堂"], *people[2:]]
    r = village.post(url, {"import": "persons", "file-persons": _xlsx(bad)})
    assert r.status_code == 422
    assert "转移人员第4行“年龄”：格式不正确" in r.content.decode()
    r = village.post(url, {"import": "persons", "file-persons": _xlsx([header, *people])})
    assert r.status_code == 200
    text = r.content.decode()
    assert "已导入 40 行" in text and 'value="群众40"' in text
    assert not FieldValue.objects.filter(task_id=tid).exists()  # nothing stored on import
    too_many = [header] + [[f"群众{i}", 40, "祠堂"] for i in range(201)]
    r = village.post(url, {"import": "persons", "file-persons": _xlsx(too_many)})
    assert r.status_code == 422 and "最多200行，文件中有201行" in r.content.decode()
    r = village.post(url, {"import": "persons", "file-persons": _xlsx([])})
    assert r.status_code == 422


def test_designing_a_repeat_is_flagged_until_admitted(reports):
    from shuzheng.reporting.models import ReportDefinition

    head = _as(ISSUER)
    form = {
        "name": "高龄老人花名册月报",
        "owner": "441200-MZJ",
        "frequency": "monthly",
        "entries": ["pop.over80", "pop.over100", "gaoling.paid", "gaoling.amount"],
    }
    r = head.post("/reports/design/", form)
    text = r.content.decode()
    assert r.status_code == 200
    assert "与在用报表大部分重复，已提交市政数局审核，准入前不能下发" in text
    assert "与《高龄津贴发放对象月报》重复的字段" in text
    d = ReportDefinition.objects.get(name="高龄老人花名册月报")
    assert d.status == "flagged"
    register = head.get("/reports/register/").content.decode()
    assert "疑似重复、待审核的报表" in register
    assert (
        _as("demo-clerk").post(f"/reports/admit/{d.code}/", {"decision": "admit"}).status_code
        == 404
    )
    r = head.post(f"/reports/admit/{d.code}/", {"decision": "refuse"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "refused"
    # a new report that repeats nothing is in force at once
    r = head.post("/reports/design/", {**form, "name": "婚姻登记月报", "entries": []})
    assert r.status_code == 422 and "至少要有一个字段" in r.content.decode()
    assert _as(VILLAGE).get("/reports/design/").status_code == 404
