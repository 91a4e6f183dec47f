"""预案: started for an alert (the listed departments told in their inbox and by SMS to the duty
phone, the checklist created), steps checked off by their department, the response ended by the
center; bad input in Chinese per field, wrong state 409, every change audited."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.governance.models import Alert, Plan, PlanDepartment, PlanRun, PlanStep
from shuzheng.governance.services.plans import start_plan_for_event
from shuzheng.notify.models import Notification

from .conftest import CENTER, ECO, NOW, WATER, iso

pytestmark = pytest.mark.django_db


@pytest.fixture
def flood(river):
    plan = Plan.objects.create(
        code="flood-test", name="防汛应急预案", kind="flood", level=4, indicator=river
    )
    PlanDepartment.objects.create(
        plan=plan, department="441200-SWUJ", duty_phone="13800758102", duty="加密监测"
    )
    PlanDepartment.objects.create(plan=plan, department="441200-STHJJ", duty_phone="13800758109")
    PlanStep.objects.create(plan=plan, order=1, title="水位每小时报告", department="441200-SWUJ")
    PlanStep.objects.create(plan=plan, order=2, title="水质监测", department="441200-STHJJ")
    return plan


@pytest.fixture
def red_alert(city, river):
    body = city.push([{"indicator": river.code, "value": 13.4, "at": iso(NOW)}]).json()
    return body["alerts"][0]["id"]


def start(city, who=CENTER, **body):
    return city.api.call("POST", "/api/v1/city/plan-runs", who=who, json_body=body)


def test_start_for_alert_notifies_departments_and_checklist(
    city, flood, red_alert, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = start(city, alert=red_alert)
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["plan"] == "flood-test" and run["status"] == "active" and run["total"] == 2
    assert "西江水位" in run["reason"] and "13.4m" in run["reason"]
    inbox = Notification.objects.filter(title__contains="防汛应急预案")
    assert sorted(inbox.values_list("recipient_id", flat=True)) == ["441200-STHJJ", "441200-SWUJ"]
    assert "水位每小时报告" in inbox.get(recipient_id="441200-SWUJ").body
    sms = OutboxMessage.objects.filter(body__contains="防汛应急预案")
    assert sorted(sms.values_list("recipient", flat=True)) == ["13800758102", "13800758109"]
    assert AuditRecord.objects.filter(action="city.plan_started", object_id=str(run["id"])).exists()
    # the same plan for the same alert again: 409, nothing more sent
    again = start(city, alert=red_alert)
    assert again.status_code == 409 and PlanRun.objects.count() == 1
    assert OutboxMessage.objects.filter(body__contains="防汛应急预案").count() == 2


def test_steps_checked_by_their_department_then_closed(city, flood, red_alert):
    run = start(city, alert=red_alert, plan="flood-test").json()
    water, eco = run["steps"]
    path = f"/api/v1/city/plan-runs/{run['id']}"
    # 生态环境局 sees the run (it owns a step) but may not check 水务局's step
    seen = city.api.call("GET", path, who=ECO).json()
    assert [s["may_check"] for s in seen["steps"]] == [False, True]
    r = city.api.call("POST", f"{path}/steps/{water['id']}/check", who=ECO, json_body={})
    assert r.status_code == 403
    r = city.api.call(
        "POST", f"{path}/steps/{water['id']}/check", who=WATER, json_body={"note": "已报告"}
    )
    assert r.status_code == 200 and r.json()["done"] == 1
    again = city.api.call("POST", f"{path}/steps/{water['id']}/check", who=WATER, json_body={})
    assert again.status_code == 409
    assert AuditRecord.objects.filter(action="city.plan_step_done").count() == 1
    # only the center ends it; then no step can be checked
    assert (
        city.api.call(
            "POST", f"{path}/actions", who=WATER, json_body={"action": "close"}
        ).status_code
        == 403
    )
    bad = city.api.call("POST", f"{path}/actions", who=CENTER, json_body={"action": "fly"})
    assert bad.status_code == 422 and "close" in bad.json()["message"]
    closed = city.api.call("POST", f"{path}/actions", who=CENTER, json_body={"action": "close"})
    assert closed.json()["status"] == "closed"
    late = city.api.call("POST", f"{path}/steps/{eco['id']}/check", who=ECO, json_body={})
    assert late.status_code == 409
    assert AuditRecord.objects.filter(action="city.plan_closed").count() == 1


def test_bad_input_named_in_chinese_and_nothing_started(city, flood, red_alert):
    r = start(city, plan="no-such-plan", alert=999999, reason="长" * 501)
    assert r.status_code == 422
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert fields == {
        "plan": "没有这个预案，或预案已停用",
        "alert": "没有这个预警",
        "reason": "启动原因不能超过 500 个字",
    }
    assert start(city).json()["errors"][0]["field"] == "alert"
    assert start(city, alert=red_alert, event_no="E1").json()["errors"][0]["field"] == "event_no"
    assert PlanRun.objects.count() == 0
    # only the center starts plans; a department's staff 403, a citizen 403
    assert start(city, who=WATER, alert=red_alert).status_code == 403
    assert start(city, who="demo-citizen", alert=red_alert).status_code == 403


def test_start_for_event_picks_the_emergency_plan_of_its_level(flood):
    general = Plan.objects.create(code="em-3", name="突发事件应急预案", kind="emergency", level=3)
    PlanStep.objects.create(plan=general, order=1, title="现场核实", department="441200-CGJ")

    class Event:
        event_no = "SJ202606150001"
        level = 3
        description = "井盖缺失致人受伤"

    run = start_plan_for_event(Event(), "user:demo-hotline")
    assert run.plan == general and run.event_no == "SJ202606150001" and run.steps.count() == 1
    assert "Ⅲ级重大事件" in run.reason


def test_runs_list_scoped(city, flood, red_alert):
    start(city, alert=red_alert)
    assert city.api.call("GET", "/api/v1/city/plan-runs", who=CENTER).json()["total"] == 1
    assert city.api.call("GET", "/api/v1/city/plan-runs", who=ECO).json()["total"] == 1
    assert city.api.call("GET", "/api/v1/city/plan-runs?status=x", who=CENTER).status_code == 422
    assert city.api.call("GET", "/api/v1/city/plan-runs", who="demo-citizen").status_code == 403
    plans = city.api.call("GET", "/api/v1/city/plans", who=CENTER).json()
    assert [p["code"] for p in plans] == ["flood-test"]
    assert Alert.objects.get(pk=red_alert).plan_runs.count() == 1


def test_admin_defines_a_plan_with_its_lists_audited(client):
    from tests.support import DEMO_PASSWORD

    assert client.login(username="demo-admin", password=DEMO_PASSWORD)
    form = {
        "code": "fire-4", "name": "森林防火预案", "kind": "forest_fire", "level": "4",
        "indicator": "", "description": "", "active": "on",
        "departments-TOTAL_FORMS": "1", "departments-INITIAL_FORMS": "0",
        "departments-0-department": "441200-ZYJ", "departments-0-duty_phone": "1380075",
        "departments-0-duty": "巡山",
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1", "steps-0-title": "加强巡山", "steps-0-department": "441200-ZYJ",
    }  # fmt: skip
    r = client.post("/admin/governance/plan/add/", form)
    assert r.status_code == 200 and "值班手机应为 11 位手机号码" in r.content.decode()
    assert not Plan.objects.filter(code="fire-4").exists()
    r = client.post("/admin/governance/plan/add/", {**form, "departments-0-duty_phone": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = Plan.objects.get(code="fire-4")
    assert plan.steps.get().department == "441200-ZYJ"
    assert AuditRecord.objects.filter(action="admin.add", object_id=str(plan.pk)).exists()
    lists = AuditRecord.objects.get(object_type="governance.plan_lists", object_id=str(plan.pk))
    assert lists.after["steps"] == [[1, "加强巡山", "441200-ZYJ"]]
