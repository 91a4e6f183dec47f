import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.core.models import OutboxMessage
from shuzheng.notify.models import Notification

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 10, 0, tzinfo=TZ), tick=False)


def test_full_lifecycle_with_correction_moves_due_date(
    catalog, cases, api, django_capture_on_commit_callbacks
):
    with at(2026, 9, 29):
        r = cases.apply("demo-citizen", catalog["licence"])
        assert r.status_code == 201, r.content
        case = r.json()
        no = case["case_no"]
        assert no.startswith("BJ44120020260929") and len(no) == 22
        assert case["status"] == "submitted" and case["allowed_actions"] == ["withdraw"]
        clerk_view = api.call("GET", f"/api/v1/cases/{no}", who="demo-clerk").json()
        assert set(clerk_view["allowed_actions"]) == {
            "accept",
            "refuse",
            "request_correction",
            "assign",
        }
        r = cases.act("demo-clerk", no, "accept")
        assert r.json()["due_date"] == "2026-10-12"  # 5 working days over National Day
    with at(2026, 9, 30):
        r = cases.act(
            "demo-reviewer", no, "request_correction", items=["公司章程缺少全体股东签字页"]
        )
        assert r.status_code == 200 and r.json()["status"] == "correction"
        # 一次性告知: a second correction request is not allowed
        assert (
            cases.act("demo-reviewer", no, "request_correction", items=["再补一次"]).status_code
            == 409
        )
    with (
        at(2026, 10, 10),
        django_capture_on_commit_callbacks(execute=True),
    ):  # 调休 Saturday: 3 working days later
        r = cases.act(
            "demo-citizen",
            no,
            "resubmit",
            materials=[{"material_code": "M2", "file_id": cases.upload("demo-citizen")}],
        )
        body = r.json()
        assert body["status"] == "in_progress" and body["paused_days"] == 3
        assert body["due_date"] == "2026-10-15"  # moved by exactly 3 working days
    with at(2026, 10, 12), django_capture_on_commit_callbacks(execute=True):
        assert (
            cases.act("demo-reviewer", no, "approve", note="符合设立条件").json()["status"]
            == "approved"
        )
        r = cases.act("demo-reviewer", no, "close", delivery="electronic")
        body = r.json()
        assert body["status"] == "closed" and body["result"]["license_type"] == "营业执照"
    timeline = [e["action"] for e in body["timeline"]]
    assert timeline == ["submit", "accept", "request_correction", "resubmit", "approve", "close"]
    actions = list(
        AuditRecord.objects.filter(object_id=no).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "cases.submit",
        "cases.accept",
        "cases.request_correction",
        "cases.resubmit",
        "cases.approve",
        "cases.close",
    ]
    assert (
        Notification.objects.filter(recipient_id=Case.objects.get(case_no=no).applicant_id).count()
        >= 4
    )
    from shuzheng.notify import facade as notify

    notify.dispatch_sms()  # texts sent by ``shuzheng serve`` when deferred (PostgreSQL's default)
    assert OutboxMessage.objects.filter(body__contains=no).exists()


def test_with_deferred_sms_the_applicant_is_texted_by_the_dispatch(catalog, cases, settings):
    """``NOTIFY_SMS = "deferred"`` (PostgreSQL's default outside tests): the actions store the
    in-app messages; the texts go out when ``dispatch_sms`` runs, one per message."""
    from shuzheng.notify import facade as notify

    settings.NOTIFY_SMS = "deferred"
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    cases.act("demo-clerk", no, "accept")
    assert not OutboxMessage.objects.filter(body__contains=no).exists()
    assert Notification.objects.filter(sms_pending=True, body__contains=no).count() == 2
    assert notify.dispatch_sms() >= 2
    texts = list(OutboxMessage.objects.filter(body__contains=no).values_list("recipient", "body"))
    assert len(texts) == 2 and {r for r, _ in texts} == {"13800000001"}
    assert any("已受理" in b for _, b in texts)


def test_illegal_transition_is_409_and_changes_nothing(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    cases.api.token("demo-reviewer")  # issuing a token is audited too: do it before counting
    n_events, n_audit = CaseEvent.objects.count(), AuditRecord.objects.count()
    r = cases.act("demo-reviewer", no, "approve")
    assert r.status_code == 409
    assert r.json()["allowed_actions"] == ["request_correction", "assign"]
    assert Case.objects.get(case_no=no).status == "submitted"
    assert (CaseEvent.objects.count(), AuditRecord.objects.count()) == (n_events, n_audit)


def test_refuse_needs_a_reason(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    r = cases.act("demo-clerk", no, "refuse")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    assert (
        cases.act("demo-clerk", no, "refuse", note="不属于本部门受理范围").json()["status"]
        == "refused"
    )


def test_special_procedure_and_extension(catalog, cases):
    with at(2026, 11, 2):
        no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
        assert cases.act("demo-clerk", no, "accept").json()["due_date"] == "2026-11-09"
    with at(2026, 11, 3):
        assert (
            cases.act("demo-reviewer", no, "suspend", note="专家评审").json()["status"]
            == "suspended"
        )
    with at(2026, 11, 5):
        body = cases.act("demo-reviewer", no, "resume").json()
        assert body["paused_days"] == 2 and body["due_date"] == "2026-11-11"
        # 延期 needs the department head
        assert cases.act("demo-reviewer", no, "extend", days=3, note="情况复杂").status_code == 409
    r = cases.act("demo-head", no, "extend", days=3, note="情况复杂")
    assert r.status_code in (200, 404)  # demo-head heads 民政 and 政数, not 市场监管: not visible
    assert Case.objects.get(case_no=no).extended_days == 0


def test_withdraw_before_decision(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    assert cases.act("demo-citizen", no, "withdraw").json()["status"] == "withdrawn"
    assert cases.act("demo-citizen", no, "withdraw").status_code == 409


def test_bad_form_and_missing_material_name_fields_and_create_nothing(catalog, cases, api):
    n = Case.objects.count()
    r = cases.apply(
        "demo-citizen", catalog["licence"], form={"applicant_name": "李明", "applicant_phone": "1"}
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"form.applicant_phone", "form.enterprise_name"} <= fields
    assert "form.applicant_id_number" not in fields  # filled from the verified identity
    r = api.call(
        "POST",
        "/api/v1/cases",
        who="demo-citizen",
        json_body={"item_code": catalog["licence"], "form": {}, "materials": []},
    )
    assert r.status_code == 422
    assert any(e["field"].startswith("materials.") for e in r.json()["errors"])
    assert Case.objects.count() == n


def test_someone_elses_upload_cannot_be_used(catalog, cases, api):
    other_file = cases.upload("demo-elder")
    prep = api.call(
        "GET", f"/api/v1/cases/prepare?item_code={catalog['licence']}", who="demo-citizen"
    ).json()
    body = {
        "item_code": catalog["licence"],
        "form": prep["prefill"],
        "submit": False,
        "materials": [{"material_code": "M1", "file_id": other_file}],
    }
    r = api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "materials.0.file_id"


def test_draft_then_submit(catalog, cases):
    r = cases.apply("demo-citizen", catalog["licence"], submit=False)
    assert r.status_code == 201 and r.json()["status"] == "draft"
    no = r.json()["case_no"]
    assert cases.act("demo-citizen", no, "submit").json()["status"] == "submitted"


def test_prefill_from_own_records(catalog, api):
    prep = api.call(
        "GET", f"/api/v1/cases/prepare?item_code={catalog['licence']}", who="demo-citizen"
    ).json()
    assert prep["prefill"]["applicant_name"] == "李明"
    assert prep["prefill"]["applicant_id_number"].startswith("441202")
    assert prep["prefill_sources"]["applicant_name"] == "肇庆市公安局"  # 人口基础信息, via 数据共享
    assert [m["material_code"] for m in prep["materials"] if m["required"]] == ["M1", "M2", "M3"]


def test_enterprise_application_only_by_its_agent(catalog, cases, api):
    from shuzheng.identity.models import EnterpriseAgent

    uscc = EnterpriseAgent.objects.get(person__user__username="demo-agent").enterprise.uscc
    r = cases.apply("demo-agent", catalog["food"], enterprise_uscc=uscc)
    assert r.status_code == 201, r.content
    assert r.json()["applicant_kind"] == "enterprise"
    r = cases.apply("demo-citizen", catalog["food"], enterprise_uscc=uscc)
    assert r.status_code == 403


def test_window_clerk_applies_for_a_citizen(catalog, cases, api):
    from shuzheng.identity.models import Person

    idn = Person.objects.get(user__username="demo-elder").id_number
    r = cases.apply(
        "demo-clerk",
        catalog["licence"],
        applicant_id_number=idn,
        applicant_present=True,
        form={
            "applicant_name": "陈桂英",
            "applicant_id_number": idn,
            "applicant_phone": "13800000002",
            "enterprise_name": "测试",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "window"
    mine = api.call("GET", "/api/v1/cases", who="demo-elder").json()
    assert r.json()["case_no"] in [c["case_no"] for c in mine["items"]]


def test_bundle_splits_into_parallel_sub_cases_and_closes_with_them(catalog, cases, api):
    r = cases.apply_bundle("demo-citizen", catalog["bundle"])
    assert r.status_code == 201, r.content
    parent = r.json()
    assert len(parent["children"]) == 2 and parent["allowed_actions"] == ["withdraw"]
    for child in parent["children"]:
        assert cases.act("demo-clerk", child["case_no"], "accept").status_code == 200
        cases.act("demo-reviewer", child["case_no"], "approve")
    assert (
        api.call("GET", f"/api/v1/cases/{parent['case_no']}", who="demo-citizen").json()["status"]
        == "in_progress"
    )
    for child in parent["children"]:
        cases.act("demo-reviewer", child["case_no"], "close", delivery="window")
    assert (
        api.call("GET", f"/api/v1/cases/{parent['case_no']}", who="demo-citizen").json()["status"]
        == "closed"
    )


def test_warnings_refresh(catalog, cases):
    from shuzheng.cases.services import cases_refresh_warnings

    with at(2026, 11, 2):
        no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
        cases.act("demo-clerk", no, "accept")  # due 2026-11-09
    assert cases_refresh_warnings(today=dt.date(2026, 11, 3))["none"] >= 1
    assert Case.objects.get(case_no=no).warning == "none"
    cases_refresh_warnings(today=dt.date(2026, 11, 5))  # 2 working days left
    assert Case.objects.get(case_no=no).warning == "yellow"
    cases_refresh_warnings(today=dt.date(2026, 11, 6))
    assert Case.objects.get(case_no=no).warning == "red"
    cases_refresh_warnings(today=dt.date(2026, 11, 10))
    assert Case.objects.get(case_no=no).warning == "overdue"


def test_proactive_case_is_recorded_closed(catalog, api):
    from shuzheng.cases import facade
    from shuzheng.identity.models import Person

    elder = Person.objects.get(user__username="demo-elder")
    ref = facade.create_proactive_case(
        item_code=catalog["licence"],
        title="高龄津贴（免申即享）",
        department_code="441200-SCJGJ",
        applicant_kind="person",
        applicant_id=elder.id_number,
        applicant_name=elder.name,
        decision={
            "outcome": "approve",
            "rule_set": "gaoling",
            "version": 1,
            "explanation": ["年满80周岁"],
        },
    )
    assert ref.status == "closed" and ref.channel == "proactive" and ref.closed
    body = api.call("GET", f"/api/v1/cases/{ref.case_no}", who="demo-elder").json()
    assert body["decision"]["outcome"] == "approve" and body["decision"]["rule_set"] == "gaoling"
    assert body["timeline"][0]["action"] == "proactive_grant"
    assert AuditRecord.objects.filter(
        action="cases.proactive_grant", object_id=ref.case_no
    ).exists()


def test_admin_sets_warning_thresholds(client, catalog, cases):
    from shuzheng.cases.models import DeadlineSettings
    from shuzheng.cases.services import cases_refresh_warnings
    from shuzheng.identity.models import User

    client.force_login(User.objects.get(username="demo-admin"))
    r = client.post("/admin/cases/deadlinesettings/add/", {"yellow_days": 4, "red_days": 2})
    assert r.status_code == 302
    assert DeadlineSettings.current().yellow_days == 4
    assert AuditRecord.objects.filter(
        action="admin.add", object_type="cases.deadlinesettings"
    ).exists()
    with at(2026, 11, 2):
        no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
        cases.act("demo-clerk", no, "accept")  # due 2026-11-09
    cases_refresh_warnings(today=dt.date(2026, 11, 3))  # 4 working days left: yellow now
    assert Case.objects.get(case_no=no).warning == "yellow"


def _row(no):
    case = Case.objects.get(case_no=no)
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}


def test_actions_save_what_they_change_and_only_that(catalog, cases):
    """An action UPDATEs only the columns it changed (``_changed``): the stored row must still
    match what every response reports."""
    with at(2026, 11, 2):
        no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    for minute, (who, action, body) in enumerate(
        (
            ("demo-clerk", "accept", {}),
            ("demo-reviewer", "suspend", {"note": "专家评审"}),
            ("demo-reviewer", "resume", {}),
            ("demo-reviewer", "approve", {"note": "符合设立条件"}),
            ("demo-reviewer", "close", {"delivery": "electronic"}),
        ),
        start=1,
    ):
        before = _row(no)
        with time_machine.travel(dt.datetime(2026, 11, 2, 10, minute, tzinfo=TZ), tick=False):
            out = cases.act(who, no, action, **body).json()
        after = _row(no)
        assert out["status"] == after["status"] and out["due_date"] == (
            after["due_date"].isoformat() if after["due_date"] else None
        )
        assert out["result"] == after["result"] and out["delivery"] == after["delivery"]
        assert after["updated_at"] > before["updated_at"]
        assert after["accepted_on"] == dt.date(2026, 11, 2)
    assert after["status"] == "closed" and after["closed_on"] == dt.date(2026, 11, 2)
    assert after["license_pending"] is bool(after["result"].get("license_pending"))


def test_changed_columns_see_json_changed_in_place(catalog, cases):
    from shuzheng.cases.services.records import changed as _changed
    from shuzheng.cases.services.records import columns as _columns

    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    case = Case.objects.get(case_no=no)
    loaded = _columns(case)
    assert _changed(case, loaded) == ["updated_at"]
    case.form["applicant_phone"] = "13900000000"  # mutated, not reassigned
    case.status = "in_progress"
    assert set(_changed(case, loaded)) == {"form", "status", "updated_at"}


def test_sms_of_a_rolled_back_change_is_never_sent(
    catalog, django_capture_on_commit_callbacks, settings
):
    """Inline texts (SQLite's default): the demo outbox is written in the change's transaction
    (one commit, and no message for a change that rolled back); other backends still run after
    commit. (Deferred: ``notify/tests/test_sms.py``.)"""
    from django.db import transaction

    settings.NOTIFY_SMS = "inline"
    from shuzheng.core import sms
    from shuzheng.notify import facade as notify

    n = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.send(
            recipient_kind="person", recipient_id="441202199005120317", title="t", body="回滚"
        )
        assert OutboxMessage.objects.count() == n + 1
        raise RuntimeError
    assert OutboxMessage.objects.count() == n
    notify.send(recipient_kind="person", recipient_id="441202199005120317", title="t", body="好")
    assert OutboxMessage.objects.filter(body="【数政】好").count() == 1
    sent = []
    sms.register("later")(lambda phone, text: sent.append(text))
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("django.conf.settings.SMS_BACKEND", "later")
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                sms.send_sms_after_commit("13800000001", "稍后")
                assert sent == []
    finally:
        sms._REGISTRY.pop("later", None)
    assert sent == ["稍后"]


def test_every_action_answers_with_the_timeline_the_case_page_reads(catalog, cases, api):
    """The action's response builds its timeline from the events read with the locked case
    plus those it wrote (PostgreSQL: one statement fewer per action); it must equal what a
    fresh read of the case gives, event for event, timestamps included."""
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    steps = [
        ("demo-clerk", "request_correction", {"items": ["居民身份证：复印件不清晰"]}),
        (
            "demo-citizen",
            "resubmit",
            {"materials": [{"material_code": "M1", "file_id": cases.upload("demo-citizen")}]},
        ),
        ("demo-clerk", "accept", {}),
        ("demo-reviewer", "approve", {"note": "符合条件"}),
        ("demo-reviewer", "close", {"delivery": "electronic"}),
    ]
    for who, action, body in steps:
        r = cases.act(who, no, action, **body)
        assert r.status_code == 200, r.content
        fresh = api.call("GET", f"/api/v1/cases/{no}", who=who).json()["timeline"]
        assert r.json()["timeline"] == fresh and fresh[-1]["action"] == action
    assert len(fresh) == 6
