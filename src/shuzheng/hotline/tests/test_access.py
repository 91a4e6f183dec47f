"""Rules of access (issue 18): the center sees all; a department the tickets dispatched to it,
the caller masked and a confidential reporter hidden; a citizen their own; anyone else 404."""

import pytest

from shuzheng.hotline.tests.conftest import CG, CG_CODE, HB, HB_CODE, LEAD, NOISE, OPERATOR, SW, at

pytestmark = pytest.mark.django_db


def test_who_sees_a_ticket(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        assert hotline.get(OPERATOR, no).status_code == 200
        assert hotline.get(LEAD, no).status_code == 200
        assert hotline.get(CG, no).status_code == 404  # not dispatched yet
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE, assisting=[HB_CODE])
        cg = hotline.get(CG, no).json()
        hb = hotline.get(HB, no).json()
        assert hotline.get(SW, no).status_code == 404
        assert hotline.get("demo-clerk", no).status_code == 404
        assert hotline.get("demo-citizen", no).status_code == 404  # typed by the operator
        assert hotline.get("demo-elder", no).status_code == 404
    assert cg["caller"] == {"name": "李*", "phone": "138****0001", "id_number": "", "hidden": False}
    assert cg["allowed_actions"] == ["sign", "return"]
    assert hb["allowed_actions"] == []  # assisting: reads only
    full = hotline.get(OPERATOR, no).json()["caller"]
    assert full["phone"] == "13800000001"


def test_a_report_is_always_confidential(hotline):
    with at(2026, 11, 23, 9):
        r = hotline.create(**{**NOISE, "type": "举报", "confidential": False})
        no = r.json()["ticket_no"]
        assert r.json()["confidential"] is True
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        seen = hotline.get(CG, no).json()
    assert seen["caller"] == {"name": "", "phone": "", "id_number": "", "hidden": True}


def test_a_citizen_files_and_follows_their_own(hotline):
    with at(2026, 11, 23, 9):
        r = hotline.create(
            who="demo-citizen",
            type="求助",
            content="鼎湖区坑口街道路灯坏了一个星期，晚上很黑。",
            caller_phone="",
        )
        assert r.status_code == 201, r.content
        no = r.json()["ticket_no"]
        assert r.json()["channel"] == "web"
        assert r.json()["caller"]["phone"] == "13800000001"  # from his account
        assert r.json()["merge_candidates"] == []  # the center's tool only
        mine = hotline.api.call("GET", "/api/v1/hotline/tickets", who="demo-citizen").json()
        assert [t["ticket_no"] for t in mine["items"]] == [no]
        assert hotline.get("demo-elder", no).status_code == 404
        assert (
            hotline.api.call("GET", "/api/v1/hotline/tickets", who="demo-elder").json()["total"]
            == 0
        )
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        hotline.act(CG, no, "sign")
        hotline.act(CG, no, "answer", answer="路灯已修复。")
        # the citizen rates it through the SMS link (the callback action)
        r = hotline.act("demo-citizen", no, "callback", satisfaction="satisfied")
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_staff_without_a_hotline_role_cannot_file(hotline):
    with at(2026, 11, 23, 9):
        r = hotline.create(who="demo-clerk", **NOISE)
    assert r.status_code == 403


def test_the_caller_phone_finds_earlier_tickets_for_the_center_only(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        url = "/api/v1/hotline/tickets?phone=13800000001"
        center = hotline.api.call("GET", url, who=OPERATOR).json()
        dept = hotline.api.call("GET", url, who=CG).json()
        other = hotline.api.call("GET", "/api/v1/hotline/tickets?phone=13900000000", who=OPERATOR)
    assert [t["ticket_no"] for t in center["items"]] == [no]
    assert dept["total"] == 1  # the filter is ignored for a department: its own list
    assert other.json()["total"] == 0


def test_the_console_knows_the_caller(hotline):
    from shuzheng.core.errors import NotFound
    from shuzheng.hotline import facade
    from shuzheng.hotline.demo import OPERATOR as CENTER
    from shuzheng.hotline.demo import _handler

    with at(2026, 11, 23, 9):
        no = hotline.noise()
        who = facade.caller(CENTER, "13800000001")
        nobody = facade.caller(CENTER, "13900000000")
        with pytest.raises(NotFound):
            facade.caller(_handler(CG_CODE), "13800000001")
    assert (who["name"], who["tickets_total"], who["open"]) == ("李明", 1, 1)
    assert who["tickets"][0]["ticket_no"] == no
    assert (nobody["name"], nobody["tickets_total"]) == ("", 0)
