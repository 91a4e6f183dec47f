"""The 工单 lifecycle over the API (issue 18), time frozen: 登记 → 派单 → 签收 → 退单 → 重派 →
签收 → 答复 → 回访不满意 → 重办 → 答复 → 满意办结; every step audited and timelined, the citizen
texted at each step; 直接办结 from the 知识库; 争议 after repeated 退单; 转办; 延期; 催办/督办."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.hotline.models import Callback, Ticket, TicketEvent
from shuzheng.hotline.tests.conftest import (
    CG,
    CG_CODE,
    HB,
    HB_CODE,
    LEAD,
    OPERATOR,
    SW,
    SW_CODE,
    at,
)
from shuzheng.notify.models import Notification

pytestmark = pytest.mark.django_db


def _sms_count():
    return OutboxMessage.objects.count()


def test_number_type_place_and_limits_on_create(hotline):
    with at(2026, 11, 23, 10):
        r = hotline.create(
            type="投诉",
            content="高要区南岸街道碧桂园小区门口垃圾三天没人清运，臭气熏天。",
            caller_phone="13912345678",
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["ticket_no"] == "12345-20261123-000001"
    assert (body["status"], body["status_name"]) == ("registered", "待派单")
    assert (body["type"], body["type_name"]) == ("complaint", "投诉")
    assert (body["region_code"], body["region_name"]) == ("441204", "高要区")
    assert (body["town_code"], body["town_name"]) == ("441204001", "南岸街道")
    assert body["allowed_actions"] == ["answer_direct", "merge", "dispatch"]
    t = Ticket.objects.get(ticket_no=body["ticket_no"])
    assert t.created_by == "user:demo-hotline" and t.channel == "phone"
    assert AuditRecord.objects.filter(
        action="hotline.ticket_create", object_id=t.ticket_no
    ).exists()
    with at(2026, 11, 23, 10, 30):
        second = hotline.create(content="咨询公积金提取需要什么材料？", caller_phone="13912345678")
    assert second.json()["ticket_no"] == "12345-20261123-000002"


def test_the_whole_journey(hotline):
    with at(2026, 11, 23, 9):  # a Monday
        no = hotline.noise()
        sms0 = _sms_count()
        r = hotline.act(OPERATOR, no, "dispatch", department=CG_CODE, assisting=[HB_CODE])
        assert r.status_code == 200, r.content
        d = r.json()
        assert d["status"] == "dispatched" and d["lead_department"] == CG_CODE
        # 投诉, 一般: 10 working days, 签收 within 120 minutes
        assert d["sign_due_at"] == "2026-11-23T11:00:00+08:00"
        assert d["due_at"] == "2026-12-07T23:59:59+08:00"
        assert _sms_count() == sms0 + 1  # the citizen is told where it went
    # a wrong state: 409 with what may be done now, nothing changed
    with at(2026, 11, 23, 9, 30):
        r = hotline.act(CG, no, "answer", answer="已处理")
        assert r.status_code == 409
        assert r.json()["allowed_actions"] == ["sign", "return"]
        assert Ticket.objects.get(ticket_no=no).status == "dispatched"
        assert hotline.act(CG, no, "sign").status_code == 200
        r = hotline.act(CG, no, "return", reason="夜间噪声属生态环境部门职责")
        assert r.json()["status"] == "returned" and r.json()["return_count"] == 1
    with at(2026, 11, 23, 10):
        r = hotline.act(OPERATOR, no, "dispatch", department=HB_CODE)
        assert r.json()["lead_department"] == HB_CODE
        assert hotline.act(HB, no, "sign").json()["status"] == "handling"
        assert hotline.get(CG, no).status_code == 404  # no longer 城管's
    with at(2026, 11, 25, 15):
        r = hotline.act(HB, no, "answer", answer="已联系商户，晚上十点后停止营业。")
        assert r.json()["status"] == "answered"
    with at(2026, 11, 26, 10):
        r = hotline.act(OPERATOR, no, "callback", satisfaction="不满意", note="仍有噪音")
        assert r.json()["status"] == "unsatisfied"
        assert (
            r.json()["allowed_actions"] == ["reopen", "urge"]
            or "reopen" in r.json()["allowed_actions"]
        )
        assert hotline.act(OPERATOR, no, "reopen").json()["status"] == "handling"
    with at(2026, 11, 27, 10):
        assert hotline.act(HB, no, "answer", answer="已现场执法并责令整改。").status_code == 200
        r = hotline.act(OPERATOR, no, "callback", satisfaction="satisfied")
    d = r.json()
    assert d["status"] == "closed" and d["closed_how"] == "callback"
    assert d["reopen_count"] == 1 and d["satisfaction"] == "satisfied"
    assert [e["action"] for e in d["timeline"]] == [
        "create",
        "dispatch",
        "sign",
        "return",
        "dispatch",
        "sign",
        "answer",
        "callback",
        "reopen",
        "answer",
        "callback",
    ]
    assert d["timeline"][3]["text"] == "承办单位退单"
    assert Callback.objects.filter(ticket__ticket_no=no).count() == 2
    audited = list(
        AuditRecord.objects.filter(object_id=no).order_by("id").values_list("action", flat=True)
    )
    assert audited == [
        "hotline.ticket_create",
        "hotline.dispatch",
        "hotline.sign",
        "hotline.return",
        "hotline.dispatch",
        "hotline.sign",
        "hotline.answer",
        "hotline.callback",
        "hotline.reopen",
        "hotline.answer",
        "hotline.callback",
    ]
    # demo-citizen's ticket (李明 by his account? no: typed by the operator) was texted
    assert OutboxMessage.objects.filter(recipient="13800000001", body__contains=no).count() >= 6


def test_direct_answer_from_the_knowledge_base(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise(type="咨询", content="请问在端州区怎么办理居住证？", category="")
        r = hotline.act(
            OPERATOR,
            no,
            "answer_direct",
            answer="携带身份证到居住地派出所办理。",
            knowledge_ref="KB-1",
        )
    d = r.json()
    assert d["status"] == "closed" and d["closed_how"] == "direct"
    assert d["allowed_actions"] == []


def test_repeated_returns_make_a_dispute_the_supervisor_decides(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        hotline.act(CG, no, "return", reason="不属于本单位职责")
        hotline.act(OPERATOR, no, "dispatch", department=HB_CODE)
        r = hotline.act(HB, no, "return", reason="应由城管处理")
        assert r.json()["status"] == "disputed"
        # the operator cannot decide a dispute
        r = hotline.act(OPERATOR, no, "decide", department=CG_CODE)
        assert r.status_code == 409 and r.json()["allowed_actions"] == []
        r = hotline.act(LEAD, no, "decide", department=CG_CODE, reason="占道经营噪声由城管负责")
    assert r.json()["status"] == "dispatched" and r.json()["lead_department"] == CG_CODE


def test_transfer_extension_urge_and_supervision(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        r = hotline.act(OPERATOR, no, "transfer", department=SW_CODE, reason="涉及排水")
        assert r.json()["lead_department"] == SW_CODE and r.json()["status"] == "dispatched"
        hotline.act(SW, no, "sign")
        r = hotline.act(SW, no, "extend", amount=3, reason="需协调多个部门")
        assert r.json()["extension_request"]["amount"] == 3
        assert "extend" not in r.json()["allowed_actions"]
        r = hotline.act(LEAD, no, "approve_extension")
    assert r.json()["due_at"] == "2026-12-10T23:59:59+08:00"  # 12-07 + 3 working days
    with at(2026, 11, 24, 9):
        assert hotline.act(OPERATOR, no, "urge", note="请尽快处理").json()["urge_count"] == 1
        r = hotline.act(LEAD, no, "supervise", reason="群众反映强烈，请于三日内答复")
        assert r.json()["supervise_count"] == 1
        pdf = hotline.api.call("GET", f"/api/v1/hotline/tickets/{no}/supervision/1.pdf", who=LEAD)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from shuzheng.seals import facade as seals

    assert seals.verify_pdf(pdf.content).valid
    assert (
        Notification.objects.filter(recipient_kind="department", recipient_id=SW_CODE).count() >= 3
    )


def test_sign_limit_escalates_once(hotline):
    from shuzheng.hotline import facade

    with at(2026, 11, 23, 9):
        no = hotline.noise(urgency="urgent")  # 签收 within 60 minutes
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        assert facade.escalate_overdue() == 0
    with at(2026, 11, 23, 10, 5):
        assert facade.escalate_overdue() == 1
        assert facade.escalate_overdue() == 0
        t = Ticket.objects.get(ticket_no=no)
        assert t.escalated and t.status == "dispatched"
        assert TicketEvent.objects.filter(
            ticket=t, action="escalate", actor="system:hotline"
        ).exists()
        r = hotline.act(CG, no, "sign")
    assert r.json()["status"] == "handling"
    assert Ticket.objects.get(ticket_no=no).signed_in_time is False


def test_urgent_limits_count_hours(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise(urgency="critical")
        d = hotline.act(OPERATOR, no, "dispatch", department=CG_CODE).json()
    assert d["due_at"] == "2026-11-23T11:00:00+08:00"  # 特急: 2 hours
    assert d["sign_due_at"] == "2026-11-23T09:30:00+08:00"


def test_reopen_has_a_maximum(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        hotline.act(CG, no, "sign")
        for _ in range(2):  # HotlineSettings.max_reopen
            hotline.act(CG, no, "answer", answer="已处理")
            hotline.act(OPERATOR, no, "callback", satisfaction="unsatisfied")
            assert hotline.act(OPERATOR, no, "reopen").status_code == 200
        hotline.act(CG, no, "answer", answer="已处理")
        r = hotline.act(OPERATOR, no, "callback", satisfaction="unsatisfied")
        assert "reopen" not in r.json()["allowed_actions"]
        r = hotline.act(OPERATOR, no, "reopen")
        assert r.status_code == 409
        r = hotline.act(LEAD, no, "close", reason="已多次处理，诉求超出政策范围")
    assert r.json()["status"] == "closed" and r.json()["closed_how"] == "supervisor"


def test_merged_tickets_get_the_master_answer(hotline):
    with at(2026, 11, 23, 9):
        master = hotline.noise()
        r = hotline.create(
            type="投诉",
            content="天宁北路12号楼下烧烤档每晚营业到凌晨，噪音很大影响休息。",
            address="端州区城东街道天宁北路",
            caller_phone="13911112222",
        )
        assert [c["ticket_no"] for c in r.json()["merge_candidates"]] == [master]
        linked = r.json()["ticket_no"]
        assert hotline.act(OPERATOR, linked, "merge", master_no=master).json()["status"] == "merged"
        hotline.act(OPERATOR, master, "dispatch", department=CG_CODE)
        hotline.act(CG, master, "sign")
        hotline.act(CG, master, "answer", answer="已责令烧烤档晚上十点前收摊。")
    t = Ticket.objects.get(ticket_no=linked)
    assert t.answer == "已责令烧烤档晚上十点前收摊。"
    assert OutboxMessage.objects.filter(recipient="13911112222", body__contains="已责令").exists()
    assert hotline.get(OPERATOR, master).json()["linked_tickets"] == [linked]
