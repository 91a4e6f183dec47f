"""The patrol page and the event pages work without JavaScript: plain forms, errors in words."""

import io

import pytest

from shuzheng.files.tests.samples import pdf, png
from shuzheng.governance.models import CityEvent, GridCell, GridMember
from shuzheng.governance.tests.conftest import CENTER

GRID, GRID2 = "demo-grid", "demo-grid2"
SW = "demo-handler-sw"
CELL = "441202001001"


@pytest.fixture
def members(db):
    cell = GridCell.objects.get(code=CELL)
    for username, name in ((GRID, "李网格"), (GRID2, "赵巡查")):
        GridMember.objects.create(username=username, name=name, district="441202").cells.add(cell)


def upload(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def as_user(client, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))
    return client


def post_patrol(client, **extra):
    data = {
        "category": "BJ-0102",
        "description": "井盖缺失",
        "grid": CELL,
        "photos": upload(png(), "井盖.png"),
        **extra,
    }
    return client.post("/city/patrol/", data)


def test_a_grid_worker_reports_on_the_patrol_page(client, django_user_model, members, frozen):
    c = as_user(client, django_user_model, GRID)
    page = c.get("/city/patrol/")
    assert page.status_code == 200
    assert "巡查上报" in page.content.decode() and 'capture="environment"' in page.content.decode()
    r = post_patrol(c)
    assert r.status_code == 302
    event = CityEvent.objects.get()
    assert r["Location"] == f"/city/events/{event.event_no}/?done=reported"
    detail = c.get(r["Location"]).content.decode()
    assert "已上报，等待监督中心立案" in detail and "待立案" in detail
    photo = event.photos[0]["file_id"]
    got = c.get(f"/city/events/{event.event_no}/photos/{photo}/")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    # another 网格员 neither sees the event nor its photo
    c2 = as_user(client, django_user_model, GRID2)
    assert c2.get(f"/city/events/{event.event_no}/").status_code == 404
    assert c2.get(f"/city/events/{event.event_no}/photos/{photo}/").status_code == 404


def test_bad_input_on_the_patrol_page_is_said_in_words(client, django_user_model, members):
    c = as_user(client, django_user_model, GRID)
    r = post_patrol(c, photos=upload(pdf(), "a.pdf"), grid="", lat="40.0", lng="116.3")
    body = r.content.decode()
    assert r.status_code == 422
    assert "不是图片" in body and "不在肇庆市范围内" in body
    assert not CityEvent.objects.exists()


def test_citizens_cannot_open_the_patrol_page(client, django_user_model, db):
    assert (
        as_user(client, django_user_model, "demo-citizen").get("/city/patrol/").status_code == 403
    )


def test_the_center_files_and_dispatches_through_forms(client, django_user_model, members, frozen):
    post_patrol(as_user(client, django_user_model, GRID))
    no = CityEvent.objects.get().event_no
    c = as_user(client, django_user_model, CENTER)
    page = c.get(f"/city/events/{no}/").content.decode()
    assert 'data-testid="act-file"' in page and 'data-testid="act-reject"' in page
    r = c.post(f"/city/events/{no}/act/", {"action": "reject", "reason": ""})
    assert r.status_code == 422 and "请填写不予立案的理由" in r.content.decode()
    r = c.post(f"/city/events/{no}/act/", {"action": "close"})
    assert r.status_code == 409 and "待立案" in r.content.decode()
    assert c.post(f"/city/events/{no}/act/", {"action": "file"}).status_code == 302
    page = c.get(f"/city/events/{no}/").content.decode()
    assert 'value="441200-SWUJ" selected' in page  # the suggested department
    assert (
        c.post(
            f"/city/events/{no}/act/", {"action": "dispatch", "department": "441200-SWUJ"}
        ).status_code
        == 302
    )
    listing = c.get("/city/events/").content.decode()
    assert no in listing and 'data-district="441202"' in listing
    sw = as_user(client, django_user_model, SW)
    r = sw.post(f"/city/events/{no}/act/", {"action": "feedback", "note": "已更换"})
    assert r.status_code == 422 and "请上传处置后的现场照片" in r.content.decode()
    r = sw.post(
        f"/city/events/{no}/act/",
        {"action": "feedback", "note": "已更换", "photos": upload(png(), "after.png")},
    )
    assert r.status_code == 302
    assert CityEvent.objects.get().checker == f"user:{GRID2}"
