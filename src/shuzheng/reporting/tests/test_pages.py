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
        "levels": ["village", "town", "county"],
        "deadline_day": "10",
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


def test_designing_a_total_a_check_and_a_table_of_rows(reports):
    from shuzheng.reporting.models import ReportDefinition

    head = _as(ISSUER)
    form = {
        "name": "农村留守儿童关爱季报",
        "owner": "441200-MZJ",
        "frequency": "quarterly",
        "entries": ["pop.households", "elder.alone", "elder.visits"],
        "levels": ["village", "town"],
        "deadline_day": "15",
        "total_title": "关爱对象合计",
        "total_entries": ["elder.alone", "elder.visits"],
        "check_left": "elder.visits",
        "check_op": "<=",
        "check_right": "pop.households",
        "table_title": "关爱对象",
        "table_columns": "姓名\n年龄：整数\n监护人",
    }
    # a bad column type: 422 naming the line, nothing created
    r = head.post("/reports/design/", {**form, "table_columns": "姓名\n年龄:岁"})
    assert r.status_code == 422 and "第2行" in r.content.decode()
    r = head.post("/reports/design/", {**form, "levels": ["town"], "deadline_day": "31"})
    text = r.content.decode()
    assert r.status_code == 422 and "村/社区必须填报" in text and "1到28之间" in text
    assert not ReportDefinition.objects.filter(name=form["name"]).exists()

    r = head.post("/reports/design/", form)
    assert r.status_code == 200, r.content.decode()[-2000:]
    d = ReportDefinition.objects.get(name=form["name"])
    assert (d.levels, d.deadline_day, d.status) == (["village", "town"], 15, "in_force")
    fields = {f["name"]: f for f in d.spec["fields"]}
    # fields in dictionary order: f1 独居老人, f2 本月探访人次, f3 户籍户数
    assert [f["entry"] for f in d.spec["fields"][:3]] == [
        "elder.alone",
        "elder.visits",
        "pop.households",
    ]
    assert fields["total"]["formula"] == "sum:f1+f2" and fields["total"]["title"] == "关爱对象合计"
    assert fields["details_rows"]["formula"] == "rows:details"
    assert d.spec["checks"] == [
        {"left": "f2", "op": "<=", "right": "f3", "message": "本月探访人次不能多于户籍户数。"}
    ]
    (table,) = d.spec["tables"]
    assert [(c["title"], c["type"]) for c in table["columns"]] == [
        ("姓名", "string"),
        ("年龄", "integer"),
        ("监护人", "string"),
    ]
    assert table["max_rows"] == 200
    # the form it makes computes the total and the rows, and checks the rule
    from shuzheng.core.errors import ValidationFailed
    from shuzheng.reporting import schema

    raw = {"f1": "3", "f2": "4", "f3": "100", "details.1.c1": "小明", "details.1.c2": "9",
           "details.1.c3": "张三"}  # fmt: skip
    data = schema.validate(d.spec, raw, required=True)
    assert (data["total"], data["details_rows"]) == (7, 1)
    with pytest.raises(ValidationFailed) as exc:
        schema.validate(d.spec, {**raw, "f2": "101"}, required=True)
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("f2", "本月探访人次不能多于户籍户数。")
    ]


def test_the_cadre_reads_the_units_reminder_on_the_reports_page(reports):
    from shuzheng.reporting import services

    from .conftest import at

    with at(2026, 12, 8):
        assert services.tasks_remind() > 0
        page = _as(VILLAGE).get("/reports/").content.decode()
        assert "本单位消息" in page and "催报：高龄津贴发放对象月报" in page
        assert page.count('<span class="badge">新</span>') >= 2  # new until shown
        again = _as(VILLAGE).get("/reports/").content.decode()
        assert "催报：高龄津贴发放对象月报" in again
        assert '<span class="badge">新</span>' not in again  # read once shown
        # another unit's cadre sees none of them
        assert "本单位消息" not in _as(ISSUER).get("/reports/").content.decode()
