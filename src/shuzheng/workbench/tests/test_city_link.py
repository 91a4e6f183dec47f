"""A 12345 ticket about 占道经营 becomes a 城市管理事件 with one click (the workbench, above
hotline and governance), both pages show the link, and the citizen sees the outcome."""

import datetime as dt

import pytest
import time_machine

from shuzheng.files import facade as files
from shuzheng.files.tests.samples import png
from shuzheng.governance.models import CityEvent, GridCell, GridMember

TZ = dt.timezone(dt.timedelta(hours=8))
CENTER = "demo-hotline"
STREET = {
    "type": "投诉",
    "content": "端州区城东街道天宁北路12号门口水果摊长期占道经营，行人只能走机动车道。",
    "address": "端州区城东街道天宁北路12号",
    "category": "080101",  # 占道经营与流动摊贩
}


@pytest.fixture
def monday():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=False):
        yield


def login(client, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))
    return client


def test_a_street_vending_ticket_becomes_an_event_and_the_citizen_sees_its_outcome(
    api, client, django_user_model, monday
):
    r = api.call("POST", "/api/v1/hotline/tickets", who="demo-citizen", json_body=STREET)
    assert r.status_code == 201, r.content
    no = r.json()["ticket_no"]
    center = login(client, django_user_model, CENTER)
    page = center.get(f"/hotline/tickets/{no}/").content.decode()
    assert "转为城市管理事件（店外经营）" in page
    # one click
    r = center.post(f"/workbench/city/from-ticket/{no}/")
    event = CityEvent.objects.get(hotline_ticket_no=no)
    assert r.status_code == 302
    assert r["Location"] == f"/city/events/{event.event_no}/?done=from_hotline"
    assert (event.source, event.event_class.code, event.district) == (
        "hotline",
        "SJ-0504",
        "441202",
    )
    assert event.grid.town_code == "441202001"  # 城东街道
    # a second click does not make a second event; the button is gone, the link shown both ways
    center.post(f"/workbench/city/from-ticket/{no}/")
    assert CityEvent.objects.filter(hotline_ticket_no=no).count() == 1
    page = center.get(f"/hotline/tickets/{no}/").content.decode()
    assert "转为城市管理事件（店外经营）" not in page
    assert f'<a href="/city/events/{event.event_no}/">{event.event_no}</a>' in page
    assert no in center.get(f"/city/events/{event.event_no}/").content.decode()

    # through the loop to 结案
    cell = GridCell.objects.get(code="441202001001")
    GridMember.objects.create(username="demo-grid2", name="赵巡查", district="441202").cells.add(
        cell
    )
    act = lambda who, action, **p: api.call(  # noqa: E731
        "POST", f"/api/v1/city/events/{event.event_no}/actions", who=who,
        json_body={"action": action, **p},
    )  # fmt: skip
    act(CENTER, "file")
    act(CENTER, "dispatch")
    photo = files.file_store(actor="user:demo-handler-cg", name="a.png", data=png()).file_id
    act("demo-handler-cg", "feedback", note="已劝离摊贩并清理占道物品。", photos=[photo])
    act("demo-grid2", "check_pass")
    assert act(CENTER, "close").json()["status"] == "closed"

    citizen = login(client, django_user_model, "demo-citizen")
    mine = citizen.get(f"/hotline/mine/{no}/").content.decode()
    assert "城市管理事件" in mine and "已结案" in mine and "已劝离摊贩并清理占道物品。" in mine
    assert f"/city/events/{event.event_no}/" not in mine  # no staff page link for the citizen


def test_only_the_center_converts(api, client, django_user_model, monday):
    no = api.call("POST", "/api/v1/hotline/tickets", who="demo-citizen", json_body=STREET).json()[
        "ticket_no"
    ]
    assert (
        login(client, django_user_model, "demo-handler-cg")
        .post(f"/workbench/city/from-ticket/{no}/")
        .status_code
        == 403
    )
    assert (
        login(client, django_user_model, "demo-citizen")
        .post(f"/workbench/city/from-ticket/{no}/")
        .status_code
        == 403
    )
    assert not CityEvent.objects.exists()
