"""The 挂图作战 board for meetings: the Excel workbook (path, title, lead departments, targets,
deadline, status, warning, latest report) and the print view, both scoped like the board."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from shuzheng.supervision.demo import seed_supervision
from shuzheng.supervision.models import Report, Task, TaskStatus

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def seeded():
    with time_machine.travel(dt.datetime(2022, 6, 10, 9, tzinfo=TZ), tick=False):
        seed_supervision()
    with time_machine.travel(dt.datetime(2023, 1, 5, 10, tzinfo=TZ), tick=False) as t:
        yield t


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_excel_export_has_every_visible_task_with_latest_report(client, seeded):
    login(client, "demo-head")
    r = client.get("/supervision/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["督办任务"]
    header = [c.value for c in ws[1]]
    assert header == ["编号", "任务", "工作计划", "牵头单位", "量化指标", "完成时限", "状态",
                      "预警", "指标进度", "最新进展"]  # fmt: skip
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Task.objects.count()
    task = Task.objects.get(path=["五", "(十九)"])
    row = next(x for x in rows if x[1] == task.title)
    assert "市政务服务数据管理局" in row[3] or "政务服务和数据管理局" in row[3]
    assert "秒享" in row[4]
    assert row[5].date() == task.due_date
    latest = Report.objects.filter(task=task).order_by("-reported_at", "-id").first()
    assert latest is not None and latest.note in row[9]
    late = Task.objects.exclude(status=TaskStatus.DONE)
    assert sum(1 for x in rows if x[7].startswith("红色预警")) == late.count() > 0
    assert wb["各单位完成情况"]["A1"].value == "单位"
    # filtered like the board
    red = load_workbook(io.BytesIO(client.get("/supervision/export.xlsx?level=red").content))
    assert red["督办任务"].max_row - 1 == late.count()


def test_export_and_print_are_scoped(client, seeded):
    login(client, "demo-handler-sw")  # 市水务局: leads no task
    wb = load_workbook(io.BytesIO(client.get("/supervision/export.xlsx").content))
    assert wb["督办任务"].max_row == 1
    login(client, "demo-citizen")
    assert client.get("/supervision/export.xlsx").status_code == 403
    assert client.get("/supervision/print/").status_code == 403


def test_print_view_lists_tasks_with_latest_report_without_forms(client, seeded):
    login(client, "demo-head")
    board = client.get("/supervision/").content.decode()
    assert "/supervision/export.xlsx" in board and "/supervision/print/" in board
    r = client.get("/supervision/print/?level=red")
    text = r.content.decode()
    assert r.status_code == 200
    late = Task.objects.exclude(status=TaskStatus.DONE)
    assert late.first().title in text
    done = Task.objects.filter(status=TaskStatus.DONE).first()
    assert done.title not in text
    assert "<select" not in text and "预警：红色预警" in text
    latest = Report.objects.filter(task=late.first()).order_by("-reported_at", "-id").first()
    assert (latest.note if latest else "暂无报送") in text
