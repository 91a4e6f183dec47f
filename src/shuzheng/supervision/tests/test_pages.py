"""The 挂图作战 board and a task's page: levels in words, the caller's forms, a report with a
figure and evidence without JavaScript, refusals shown on the page, scoped (404)."""

import datetime as dt

import pytest
import time_machine

from shuzheng.files.tests.samples import png
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
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def test_board_shows_late_tasks_red_in_words(client, seeded):
    login(client, "demo-head")
    r = client.get("/supervision/?level=red")
    text = r.content.decode()
    assert r.status_code == 200
    late = Task.objects.exclude(status=TaskStatus.DONE)
    assert late.count() > 0
    assert text.count('sv-level-red"><span aria-hidden="true">▲▲ </span>红色预警') == late.count()
    assert late.first().title in text
    assert "各单位完成情况" in text


def test_department_reports_with_figure_and_evidence(client, seeded):
    task = Task.objects.get(path=["五", "(十九)"])
    task.status = TaskStatus.OPEN
    task.save()
    target = task.targets.get(text__contains="秒享")
    login(client, "demo-dataofficer")
    page = client.get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert "报送进展" in page and "签发督办通知" not in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        f"/supervision/tasks/{task.pk}/report/",
        {
            "note": "秒享比例达到 62%。",
            f"figure_{target.pk}": "62",
            "evidence": SimpleUploadedFile("e.png", png(), "image/png"),
        },
    )
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.current == 62
    assert Report.objects.filter(task=task).first().evidence[0]["name"].endswith(".png")
    r = client.post(
        f"/supervision/tasks/{task.pk}/report/", {"note": "", f"figure_{target.pk}": "x"}
    )
    assert (
        r.status_code == 422 and "进展情况" in r.content.decode()
    ) or "非负数" in r.content.decode()


def test_other_departments_get_404(client, seeded):
    task = Task.objects.get(path=["五", "(十九)"])
    login(client, "demo-handler-sw")
    assert client.get(f"/supervision/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/supervision/tasks/{task.pk}/urge/", {"body": "x"}).status_code == 404


def test_import_page_refuses_what_is_not_a_plan_and_stores_nothing(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuzheng.supervision.models import Plan

    login(client, "demo-dataofficer")
    assert client.get("/supervision/import/").status_code == 403
    login(client, "demo-head")
    r = client.post(
        "/supervision/import/", {"file": SimpleUploadedFile("a.txt", "一封信。".encode())}
    )
    assert r.status_code == 422
    assert "不是工作计划" in r.content.decode()
    r = client.post(
        "/supervision/import/",
        {"step": "confirm", "count": "1", "title": "计划", "year": "2022", "t0_path": '["一"]',
         "t0_title": "任务", "t0_leads": "不存在的局", "t0_targets": "[]"},
    )  # fmt: skip
    assert r.status_code == 422
    assert "没有“不存在的局”这个部门" in r.content.decode()
    assert "tasks[0]" not in r.content.decode()
    assert Plan.objects.count() == 0
