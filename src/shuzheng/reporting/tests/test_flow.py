"""The report task end to end through the API: prefill with sources, typing the rest,
退回 with a reason, correction, 通过, the 镇街's sums, the typing meter."""

import random

import pytest

from shuzheng.audit import facade as audit
from shuzheng.reporting.models import FieldValue, QualityReport, ReportTask

from .conftest import ISSUER, TOWN, VILLAGE

pytestmark = pytest.mark.django_db

GLJT_TYPED = {"new": 2, "stopped": 1}


def _confirmed(fields):
    return {n: f["value"] for n, f in fields.items() if f["source"] and not f["computed"]}


def _registry(region, period):
    """The exchange's per-village figures as its source systems published them, by entry."""
    from shuzheng.exchange.models import RegionFigure
    from shuzheng.reporting.demo import ITEMS

    data = {}
    for d in RegionFigure.objects.filter(region=region, period=period).values_list(
        "data", flat=True
    ):
        data.update(d)
    return {entry: data[item] for entry, item in ITEMS.items() if item in data}


def test_prefilled_with_sources_then_typed_returned_corrected_approved_and_summed(reports):
    tid = reports.task_id("GLJT")
    fields = reports.fields(VILLAGE, tid)
    fig = _registry("441202001001", "2026-11")
    assert fields["over80"] == {
        **fields["over80"],
        "value": fig["pop.over80"],
        "source": "prefill:高龄",
    }
    assert fields["paid"]["value"] == fig["gaoling.paid"]
    assert fields["amount"]["source"] == "prefill:高龄"
    assert fields["alone"]["source"] == "previous"  # October's figure, a stock
    assert fields["new"]["source"] is None and fields["stopped"]["source"] is None

    # missing fields: 422 naming them in Chinese, nothing stored
    r = reports.submit(VILLAGE, tid, _confirmed(fields))
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"new", "stopped"}
    assert "请填写本月新增发放对象" in r.json()["message"]
    assert not FieldValue.objects.filter(task_id=tid).exists()

    r = reports.submit(VILLAGE, tid, {**_confirmed(fields), **GLJT_TYPED})
    assert r.status_code == 200, r.content
    assert (r.json()["state"], r.json()["typed"], r.json()["total"]) == ("submitted", 2, 7)
    assert [e.action for e in audit.entries_for("reporting.task", str(tid))][-1:] == [
        "reporting.submit"
    ]

    # the cadre may not approve; the 镇街 must give a reason to return
    r = reports.act(VILLAGE, tid, "approve")
    assert r.status_code == 409 and r.json()["allowed_actions"] == []
    r = reports.act(TOWN, tid, "return")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    assert ReportTask.objects.get(pk=tid).state == "submitted"
    r = reports.act(TOWN, tid, "return", "本月新增人数与民政系统不一致，请核对。")
    assert r.json()["state"] == "returned"

    # corrected: a typed value changed, a prefilled value corrected (reported to its source)
    fields = reports.fields(VILLAGE, tid)
    assert fields["new"]["source"] == "typed"
    values = {n: f["value"] for n, f in fields.items() if not f["computed"]}
    values.update(new=3, over80=fig["pop.over80"] + 1)
    r = reports.submit(VILLAGE, tid, values)
    assert r.status_code == 200 and r.json()["typed"] == 3
    q = QualityReport.objects.get(task_id=tid)
    assert (q.entry, q.department, q.prefilled, q.corrected) == (
        "pop.over80",
        "441200-MZJ",
        fig["pop.over80"],
        fig["pop.over80"] + 1,
    )
    # …filed as the exchange's 数据纠错 for the source department's data officers
    from shuzheng.exchange.models import QualityIssue

    issue = QualityIssue.objects.get(pk=q.issue)
    assert (issue.field_name, issue.subject_kind, issue.subject_id, issue.department) == (
        "village.over80",
        "region",
        "441202001001",
        "441200-MZJ",
    )
    assert (issue.current_value, issue.proposed_value, issue.status) == (
        fig["pop.over80"],
        str(fig["pop.over80"] + 1),
        "open",
    )
    assert "2026-11" in issue.reason and "高龄津贴发放对象月报" in issue.reason
    assert [e.action for e in audit.entries_for("exchange.issue", str(issue.pk))] == [
        "exchange.correction_reported"
    ]
    r = reports.act(TOWN, tid, "approve")
    assert r.json()["state"] == "approved"

    # the 镇街's own task: the sums of its approved villages, nobody typed them
    town = reports.task_id("GLJT", unit="441202001")
    sums = reports.fields(TOWN, town)
    approved = ReportTask.objects.filter(
        definition__code="GLJT", period="2026-11", unit__parent__code="441202001", state="approved"
    )
    assert approved.count() == 1
    assert sums["over80"]["value"] == fig["pop.over80"] + 1
    assert sums["new"] == {**sums["new"], "value": 3, "source": "rollup"}
    r = reports.act(TOWN, town, "summarise")
    assert r.json()["state"] == "summarised" and r.json()["typed"] == 0
    # the issuing department (民政局) sees it too; the meter counts the village's submission
    m = reports.api.call("GET", "/api/v1/reports/metrics", who=ISSUER).json()
    gljt = next(x for x in m["by_report"] if x["code"] == "GLJT")
    assert gljt["submissions"] == 41  # 20 villages × September and October + this November
    assert m["reduction"] == round(1 - m["typed"] / m["total"], 4)


def test_reused_from_another_report_of_the_same_period(reports):
    djtf = reports.task_id("DJTF")
    f = reports.fields(VILLAGE, djtf)
    values = {n: x["value"] for n, x in f.items() if x["source"]}
    values.update(alone=51, visits=60, problems=2)
    assert reports.submit(VILLAGE, djtf, values).status_code == 200
    gljt = reports.fields(VILLAGE, reports.task_id("GLJT"))
    assert gljt["alone"]["value"] == 51
    assert gljt["alone"]["source"] == "reused:独居老人探访月报"


def test_bad_type_and_check_named_nothing_stored(reports):
    tid = reports.task_id("GLJT")
    fields = reports.fields(VILLAGE, tid)
    values = {**_confirmed(fields), "new": "两个", "stopped": 1}
    r = reports.submit(VILLAGE, tid, values)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "new", "message": "本月新增发放对象：格式不正确"}]
    values = {**_confirmed(fields), **GLJT_TYPED, "paid": fields["over80"]["value"] + 5}
    r = reports.submit(VILLAGE, tid, values)
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "高龄津贴发放人数不能多于80周岁以上高龄老人数。"
    assert not FieldValue.objects.filter(task_id=tid).exists()


def test_table_rows_counted_and_limited(reports):
    tid = reports.task_id("FXZY")
    fields = reports.fields(VILLAGE, tid)
    base = {**_confirmed(fields), "points": 2}
    rows = {"persons.1.name": "张三", "persons.1.age": 70, "persons.1.place": "村委会"}
    r = reports.submit(VILLAGE, tid, {**base, **rows, "transferred": 5})
    assert r.status_code == 422
    assert "应为1（由明细自动计算）" in r.json()["errors"][0]["message"]
    r = reports.submit(VILLAGE, tid, {**base, **rows})
    assert r.status_code == 200, r.content
    assert FieldValue.objects.get(task_id=tid, name="transferred").value == 1
    many = {f"persons.{i}.name": "某" for i in range(1, 202)}
    other = reports.task_id("FXZY", unit="441202001002")
    assert other  # another village's task: the cadre cannot touch it
    r = reports.submit(VILLAGE, other, {**base, **many})
    assert r.status_code == 404


def test_closed_report_refused(reports):
    from .conftest import at

    tid = reports.task_id("GLJT")
    fields = reports.fields(VILLAGE, tid)
    with at(2026, 12, 11):
        reports.api._tokens.clear()
        r = reports.submit(VILLAGE, tid, {**_confirmed(fields), **GLJT_TYPED})
    assert r.status_code == 409
    assert "已于2026年12月10日截止" in r.json()["message"]
    assert ReportTask.objects.get(pk=tid).state == "issued"


@pytest.mark.parametrize("who", ["demo-citizen", "demo-clerk", "demo-hotline"])
def test_others_see_nothing(reports, who):
    tid = reports.task_id("GLJT")
    assert reports.get(who, tid).status_code == 404
    r = reports.api.call("GET", "/api/v1/reports/tasks", who=who)
    assert r.status_code == 200 and r.json() == []
    assert reports.act(who, tid, "approve").status_code == 404


def test_town_sees_only_its_villages(reports):
    r = reports.api.call("GET", "/api/v1/reports/tasks?period=2026-11", who=TOWN)
    units = {t["unit"][:9] for t in r.json()}
    assert units == {"441202001"}
    other_town = reports.task_id("GLJT", unit="441202003001")
    assert reports.get(TOWN, other_town).status_code == 404


def test_reminders_before_the_deadline_once_per_unit_and_period(reports):
    from shuzheng.notify import facade as notify
    from shuzheng.reporting import services, tasks

    from .conftest import at

    tid = reports.task_id("GLJT")
    with at(2026, 12, 3):
        assert services.tasks_remind() == 0  # the 10th is a week away
    with at(2026, 12, 7):  # a unit that reports before the window is never reminded
        from shuzheng.reporting.demo import fill

        done = reports.task_id("GLJT", unit="441202001002")
        fill(ReportTask.objects.get(pk=done), random.Random(1), username="cadre-441202001002")
        assert ReportTask.objects.get(pk=done).state == "submitted"
    open_tasks = ReportTask.objects.filter(
        deadline="2026-12-10", state__in=("issued", "filling", "returned")
    ).count()
    with at(2026, 12, 8):
        sent = tasks.remind_now()  # what the daily job runs
        assert tasks.remind_now() == 0  # a rerun the same day: nobody again
    with at(2026, 12, 9):
        assert services.tasks_remind() == 0  # nor the next day: once per unit and period
    with at(2026, 12, 11):
        assert services.tasks_remind() == 0  # past the deadline: nothing
    assert sent == open_tasks > 0
    reminded = ReportTask.objects.exclude(reminded_at=None)
    assert reminded.count() == sent and not reminded.filter(pk=done).exists()
    mine = notify.inbox(recipient_kind="department", recipient_ids=["unit:441202001001"])
    titles = [m.title for m in mine if m.link == f"/reports/tasks/{tid}/"]
    assert titles == ["催报：高龄津贴发放对象月报"]
    entries = audit.entries_for("reporting.task", str(tid))
    assert [(e.action, e.actor) for e in entries if e.action == "reporting.remind"] == [
        ("reporting.remind", "system:reporting_remind")
    ]
