"""督查督办 through the API: preview (nothing stored) → corrected register → a department's
report with evidence → warnings by working days → 督办通知 and reply → scores; bad input
names the field and changes nothing; access scoped."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.audit.models import AuditRecord
from shuzheng.files.tests.samples import png
from shuzheng.supervision.demo import PLAN_FILE
from shuzheng.supervision.models import Plan, Report, Target, Task

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2022, 7, 1, 10, 0, tzinfo=TZ)
OFFICE = "demo-head"  # department_head of 441200-ZSJ: the lead office
ZSJ = "demo-dataofficer"  # staff of 市政数局 (no office role)
WATER = "demo-handler-sw"  # staff of 市水务局 only


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


def upload(api, path, who, **files_and_fields):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"}
    return api.client.post(path, files_and_fields, **headers)


def preview(api, who=OFFICE):
    f = SimpleUploadedFile("plan.txt", PLAN_FILE.read_bytes(), "text/plain")
    return upload(api, "/api/v1/supervision/plans/preview", who, file=f)


@pytest.fixture
def register(api, frozen):
    r = preview(api)
    assert r.status_code == 200, r.content
    body = r.json()
    tasks = []
    for t in body["tasks"]:
        codes = [c for c in t["lead_department_codes"] if c] or ["441200-ZSJ"]
        tasks.append({**t, "lead_departments": codes})
    r = api.call(
        "POST",
        "/api/v1/supervision/plans",
        who=OFFICE,
        json_body={"title": body["title"], "year": body["year"], "tasks": tasks},
    )
    assert r.status_code == 201, r.content
    return Plan.objects.get(pk=r.json()["id"])


def test_preview_proposes_without_storing(api, frozen):
    r = preview(api)
    assert r.status_code == 200
    task = next(t for t in r.json()["tasks"] if t["path"] == ["五", "(十九)"])
    assert task["title"] == "完善一体化政务大数据体系"
    assert task["lead_department_codes"] == ["441200-ZSJ"]
    assert {"text": task["targets"][1]["text"], "value": 60.0, "unit": "%"} == task["targets"][1]
    assert Plan.objects.count() == 0 and Task.objects.count() == 0


def test_preview_refuses_what_is_not_a_plan(api, frozen):
    for name, data, words in [
        ("a.bin", b"\xff\xfe\x00\xd8\x00", "编码"),
        ("a.txt", "这是一封信。".encode(), "编号的任务"),
        ("a.docx", b"PK\x03\x04broken", "Word"),
    ]:
        r = upload(
            api, "/api/v1/supervision/plans/preview", OFFICE, file=SimpleUploadedFile(name, data)
        )
        assert r.status_code == 422, name
        assert r.json()["errors"][0]["field"] == "file"
        assert words in r.json()["message"]


def test_only_the_lead_office_imports(api, frozen):
    assert preview(api, who=ZSJ).status_code == 403
    assert preview(api, who=WATER).status_code == 403


def test_confirm_corrected_register_and_bad_rows_store_nothing(api, frozen, register):
    assert register.tasks.count() == 71
    assert AuditRecord.objects.filter(action="supervision.plan_imported").count() == 1
    bad = {
        "title": "x",
        "year": 2022,
        "tasks": [
            {"path": ["一", "(一)"], "title": "任务", "lead_departments": ["市不存在局"]},
            {
                "path": ["一", "(二)"],
                "title": "任务",
                "lead_departments": ["441200-ZSJ"],
                "targets": [{"text": "压减", "value": "很多", "unit": "%"}],
            },
        ],
    }
    r = api.call("POST", "/api/v1/supervision/plans", who=OFFICE, json_body=bad)
    assert r.status_code == 422
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields == ["tasks[0].lead_departments", "tasks[1].targets[0].value"]
    assert Plan.objects.count() == 1


def miaoxiang(plan):
    task = plan.tasks.get(path=["五", "(十九)"])
    return task, task.targets.get(text__contains="秒享")


def test_report_with_evidence_then_review(api, frozen, register):
    task, target = miaoxiang(register)
    figures = json.dumps([{"target": target.pk, "value": 45, "unit": "%"}])
    r = upload(
        api,
        f"/api/v1/supervision/tasks/{task.pk}/reports",
        ZSJ,
        note="6月共享需求 200 个，其中 90 个秒享。",
        figures=figures,
        evidence=SimpleUploadedFile("e.png", png(), "image/png"),
    )
    assert r.status_code == 201, r.content
    assert r.json()["evidence"][0]["name"].endswith(".png")
    target.refresh_from_db()
    assert target.current == 45
    d = api.call("GET", f"/api/v1/supervision/tasks/{task.pk}", who=OFFICE).json()
    assert d["status"] == "reported" and d["allowed_actions"] == [
        "accept",
        "return",
        "complete",
        "urge",
    ]
    assert d["progress"] < 1
    r = api.call(
        "POST",
        f"/api/v1/supervision/tasks/{task.pk}/actions",
        who=OFFICE,
        json_body={"action": "accept"},
    )
    assert r.json()["status"] == "open"
    assert Report.objects.get().review == "accepted"
    assert AuditRecord.objects.filter(action="supervision.report_submitted").count() == 1


def test_bad_reports_name_the_field_and_change_nothing(api, frozen, register):
    task, target = miaoxiang(register)
    other = Target.objects.exclude(task=task).first()
    url = f"/api/v1/supervision/tasks/{task.pk}/reports"
    cases = [
        ([{"target": other.pk, "value": 1}], "figures[0].target"),
        ([{"target": target.pk, "value": 1, "unit": "个"}], "figures[0].unit"),
        ([{"target": target.pk, "value": -1}], "figures[0].value"),
    ]
    for figs, field in cases:
        r = upload(api, url, ZSJ, note="进展", figures=json.dumps(figs))
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == field
        assert "单位" in r.json()["message"] or field != "figures[0].unit"
    assert Report.objects.count() == 0
    target.refresh_from_db()
    assert target.current is None
    # another department's staff: 404; the office may not report for them: 409
    assert upload(api, url, WATER, note="x").status_code == 404
    r = upload(api, url, OFFICE, note="x")
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["complete", "urge"]


def test_levels_by_working_days_and_scores(api, register):
    task, _ = miaoxiang(register)
    with time_machine.travel(dt.datetime(2022, 7, 1, 10, tzinfo=TZ), tick=False):
        assert (
            api.call("GET", f"/api/v1/supervision/tasks/{task.pk}", who=OFFICE).json()["level"]
            == "yellow"
        )  # lags: no figure yet
    with time_machine.travel(dt.datetime(2022, 12, 26, 10, tzinfo=TZ), tick=False):
        api._tokens.clear()  # tokens expire
        d = api.call("GET", f"/api/v1/supervision/tasks/{task.pk}", who=OFFICE).json()
        assert d["level"] == "red"
    with time_machine.travel(dt.datetime(2023, 1, 3, 10, tzinfo=TZ), tick=False):
        api._tokens.clear()
        reds = api.call("GET", "/api/v1/supervision/tasks?level=red", who=OFFICE).json()
        assert len(reds) == 71
        mine = api.call("GET", "/api/v1/supervision/tasks", who=WATER).json()
        assert mine == []  # 市水利局 is not the platform's 市水务局: no task of its own
        scores = {
            s["department"]: s
            for s in api.call("GET", "/api/v1/supervision/scores", who=OFFICE).json()
        }
        assert scores["441200-ZSJ"]["overdue"] == scores["441200-ZSJ"]["tasks"]
        assert scores["441200-ZSJ"]["score"] == 0


def test_urge_with_working_day_reply_deadline_and_reply(
    api, frozen, register, django_capture_on_commit_callbacks
):
    task, _ = miaoxiang(register)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.call(
            "POST",
            f"/api/v1/supervision/tasks/{task.pk}/urges",
            who=OFFICE,
            json_body={"body": "秒享比例偏低，请报送整改措施。"},
        )
    assert r.status_code == 201
    urge = r.json()
    assert urge["doc_number"] == "肇政数督〔2022〕1号"
    assert urge["reply_due"] == "2022-07-08"  # 5 working days after Friday 1 July
    r = api.call(
        "POST", f"/api/v1/supervision/urges/{urge['id']}/reply", who=ZSJ, json_body={"reply": ""}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reply"
    r = api.call(
        "POST",
        f"/api/v1/supervision/urges/{urge['id']}/reply",
        who=ZSJ,
        json_body={"reply": "已部署整改。"},
    )
    assert r.status_code == 200 and r.json()["reply"] == "已部署整改。"
    r = api.call(
        "POST",
        f"/api/v1/supervision/urges/{urge['id']}/reply",
        who=ZSJ,
        json_body={"reply": "再次回复"},
    )
    assert r.status_code == 409
    assert (
        api.call(
            "POST",
            f"/api/v1/supervision/urges/{urge['id']}/reply",
            who=WATER,
            json_body={"reply": "x"},
        ).status_code
        == 404
    )


def test_urge_pdf_is_sealed_verifiable_and_audited(api, frozen, register):
    from shuzheng.seals import facade as seals

    task, _ = miaoxiang(register)
    r = api.call("POST", f"/api/v1/supervision/tasks/{task.pk}/urges", who=OFFICE,
                 json_body={"body": "请报送整改措施。"})  # fmt: skip
    urge = r.json()["id"]
    r = api.call("GET", f"/api/v1/supervision/urges/{urge}/pdf", who=ZSJ)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/pdf"
    verdict = seals.verify_pdf(r.content)
    assert verdict.valid and verdict.department_code == "441200-ZSJ"
    assert AuditRecord.objects.filter(action="supervision.urge_pdf").count() == 1
    assert api.call("GET", f"/api/v1/supervision/urges/{urge}/pdf", who=WATER).status_code == 404
