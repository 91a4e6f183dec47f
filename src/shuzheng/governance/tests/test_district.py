"""A 区县's staff: every indicator for their own district only; they may confirm its alerts,
not clear them (the owner department and the center do)."""

import datetime as dt

import pytest

from shuzheng.governance.models import Alert
from shuzheng.identity.models import Department, StaffRole, User

from .conftest import NOW, iso

pytestmark = pytest.mark.django_db


@pytest.fixture
def duanzhou(db):
    admin = User.objects.get(username="demo-admin")
    user = User.objects.create(username="test-duanzhou", kind="staff", password=admin.password)
    StaffRole.objects.create(
        user=user, department=Department.objects.get(code="441202-MZJ"), role="window_clerk"
    )
    return "test-duanzhou"


def test_district_sees_its_own_district(city, river, aqi, duanzhou):
    at = iso(NOW - dt.timedelta(hours=1))
    r = city.push(
        [
            {"indicator": river.code, "value": 11.5, "at": at},
            {"indicator": aqi.code, "value": 160, "at": at, "district": "441202"},
            {"indicator": aqi.code, "value": 170, "at": at, "district": "441204"},
        ]
    )
    ids = {(a["indicator"], a["district"]): a["id"] for a in r.json()["alerts"]}
    tiles = city.get("/api/v1/city/indicators", who=duanzhou).json()
    assert [(t["code"], [v["district"] for v in t["latest"]]) for t in tiles] == [
        (aqi.code, ["441202"])
    ]
    series = city.get(f"/api/v1/city/indicators/{aqi.code}/series", who=duanzhou).json()
    assert {p["district"] for p in series["points"]} == {"441202"}
    assert city.get(f"/api/v1/city/indicators/{river.code}/series", who=duanzhou).status_code == 404
    listed = city.get("/api/v1/city/alerts", who=duanzhou).json()["alerts"]
    assert [a["id"] for a in listed] == [ids[(aqi.code, "441202")]]
    mine, other = ids[(aqi.code, "441202")], ids[(aqi.code, "441204")]
    assert city.act(other, "confirm", who=duanzhou).status_code == 404
    r = city.act(mine, "clear", who=duanzhou)
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["confirm"]
    assert city.act(mine, "confirm", who=duanzhou).json()["status"] == "confirmed"
    assert Alert.objects.get(pk=other).status == "open"


def test_a_town_or_village_lies_in_the_district_its_code_begins_with():
    """A 镇街 (9 digits) or 社区 (12) department's staff belong to its 区县: reading the scope of
    demo-town (城东街道) raised a code error before."""
    from shuzheng.governance.selectors.access import district_of

    assert district_of("441202") == "441202"
    assert district_of("441202001") == "441202"
    assert district_of("441202001001") == "441202"
    assert district_of("441200") is None  # the city itself
    assert district_of("440103001") is None  # 广州's 镇街: outside the city
