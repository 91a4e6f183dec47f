"""Levels (issue 19 item 5): a 区县 sees the events in it and handles what it is given; an event
is handed down (市 → 区县) and up (区县 → 市) with a reason, audited, on the page as a form."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core import cache
from shuzheng.governance.models import CityEvent, GridCell
from shuzheng.governance.tests.conftest import CENTER
from shuzheng.governance.tests.test_events import SW, act, members, report  # noqa: F401
from shuzheng.identity.facade import DEPARTMENTS_CACHE
from shuzheng.identity.models import Department, Region, StaffRole, User
from shuzheng.notify.models import Notification

DZ_SW = "441202-SWUJ"  # 端州区水务局 (made here; the demo has no 区县 水务局)
DZ = "test-dz-sw"


@pytest.fixture
def duanzhou_water(db):
    dept = Department.objects.create(
        code=DZ_SW,
        name="肇庆市端州区水务局",
        level=4,
        region=Region.objects.get(code="441202"),
        uscc="11441202TEST00001X",
        parent=Department.objects.get(code="441200-SWUJ"),
    )
    cache.bump(DEPARTMENTS_CACHE)
    admin = User.objects.get(username="demo-admin")
    user = User.objects.create(username=DZ, kind="staff", password=admin.password)
    StaffRole.objects.create(user=user, department=dept, role="window_clerk")
    yield DZ
    cache.bump(DEPARTMENTS_CACHE)


def _get(api, no, who):
    return api.call("GET", f"/api/v1/city/events/{no}", who=who)


def _dispatched(api) -> str:
    no = report(api).json()["event_no"]
    act(api, no, "file")
    # to 市水务局 (the suggestion would be the 区县's own 水务局 once it exists)
    assert act(api, no, "dispatch", department="441200-SWUJ").status_code == 200
    return no


def test_hand_down_then_up_with_reasons(api, members, duanzhou_water, frozen):  # noqa: F811
    no = _dispatched(api)
    due = CityEvent.objects.get(event_no=no).due_at
    assert "hand_down" in _get(api, no, CENTER).json()["allowed_actions"]
    allowed = _get(api, no, SW).json()["allowed_actions"]
    assert "hand_down" in allowed and "hand_up" not in allowed
    # the 区县 sees the event in it, and may not act on it before it is given
    assert _get(api, no, DZ).json()["allowed_actions"] == []

    # bad input: nothing changes
    r = act(api, no, "hand_down", department=DZ_SW)
    assert r.status_code == 422 and "reason" in r.content.decode()
    r = act(api, no, "hand_down", department="441200-CGJ", reason="属地处置")
    assert r.status_code == 422 and "只能下放给事件所在区县的部门" in r.content.decode()
    assert CityEvent.objects.get(event_no=no).department == "441200-SWUJ"

    got = act(api, no, "hand_down", reason="属地小区内部管网，由区水务局处置。").json()
    assert (got["status"], got["department"]) == ("dispatched", DZ_SW)
    assert CityEvent.objects.get(event_no=no).due_at == due  # the time limit keeps running
    assert Notification.objects.filter(recipient_id=DZ_SW, title__contains="下放区县处置").exists()
    record = AuditRecord.objects.get(action="city.event_hand_down", object_id=no)
    assert (record.actor, record.before["department"], record.after["department"]) == (
        f"user:{CENTER}",
        "441200-SWUJ",
        DZ_SW,
    )

    # now the 区县 handles it: it may hand it up, not down; the center may not hand it up
    allowed = _get(api, no, DZ).json()["allowed_actions"]
    assert "hand_up" in allowed and "feedback" in allowed and "hand_down" not in allowed
    r = act(api, no, "hand_up", reason="涉及市政主干管")
    assert r.status_code == 409 and "hand_up" not in r.json().get("allowed_actions", [])
    got = act(api, no, "hand_up", who=DZ, reason="涉及市政主干管，超出区级处置能力。").json()
    assert got["department"] == "441200-SWUJ"
    assert AuditRecord.objects.filter(action="city.event_hand_up", actor=f"user:{DZ}").exists()
    steps = [s["action"] for s in _get(api, no, CENTER).json()["steps"]]
    assert steps[-2:] == ["hand_down", "hand_up"]


def test_a_district_sees_only_its_own_events(api, members, duanzhou_water, frozen):  # noqa: F811
    mine = _dispatched(api)
    other = GridCell.objects.filter(district="441204").order_by("code").first()
    theirs = report(api, grid=other.code).json()["event_no"]
    listed = api.call("GET", "/api/v1/city/events", who=DZ).json()
    numbers = {e["event_no"] for e in listed["events"]}
    assert mine in numbers and theirs not in numbers
    assert _get(api, theirs, DZ).status_code == 404


def test_the_page_offers_hand_down_as_a_form(api, client, members, duanzhou_water, frozen):  # noqa: F811
    no = _dispatched(api)
    client.force_login(User.objects.get(username=CENTER))
    page = client.get(f"/city/events/{no}/").content.decode()
    assert 'data-testid="act-hand_down"' in page
    assert f'<option value="{DZ_SW}" selected>' in page
    r = client.post(
        f"/city/events/{no}/act/",
        {"action": "hand_down", "department": DZ_SW, "reason": ""},
    )
    assert r.status_code == 422 and "请填写理由" in r.content.decode()
    r = client.post(
        f"/city/events/{no}/act/",
        {"action": "hand_down", "department": DZ_SW, "reason": "属地处置"},
    )
    assert r.status_code == 302 and r["Location"].endswith("?done=hand_down")
    assert CityEvent.objects.get(event_no=no).department == DZ_SW
