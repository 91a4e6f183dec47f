import datetime as dt

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core import calendar
from shuzheng.ratings.models import Rating, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    for who, action, extra in (
        ("demo-clerk", "accept", {}),
        ("demo-reviewer", "approve", {}),
        ("demo-reviewer", "close", {"delivery": "electronic"}),
    ):
        assert cases.act(who, no, action, **extra).status_code == 200
    return no


def test_good_rating_has_no_rectification(api, closed_case):
    r = api.call(
        "POST", f"/api/v1/cases/{closed_case}/rating", who="demo-citizen", json_body={"level": 1}
    )
    assert r.status_code == 201
    assert r.json() == {
        "case_no": closed_case,
        "level": 1,
        "level_name": "非常满意",
        "comment": "",
        "rectification": None,
    }
    assert Rectification.objects.count() == 0


def test_bad_rating_opens_rectification_with_deadline_then_reply_and_callback(api, closed_case):
    r = api.call(
        "POST",
        f"/api/v1/cases/{closed_case}/rating",
        who="demo-citizen",
        json_body={"level": 5, "comment": "补正来回两次"},
    )
    assert r.status_code == 201
    rect = r.json()["rectification"]
    assert rect["status"] == "open" and rect["department"] == "441200-SCJGJ"
    assert rect["due_date"] == calendar.add_working_days(dt.date.today(), 5).isoformat()
    tasks = api.call("GET", "/api/v1/ratings/rectifications", who="demo-reviewer").json()
    assert [t["case_no"] for t in tasks] == [closed_case]
    assert api.call("GET", "/api/v1/ratings/rectifications", who="demo-citizen").status_code == 403
    # callback before a reply is refused
    r = api.call(
        "POST",
        f"/api/v1/ratings/rectifications/{rect['id']}/callback",
        who="demo-reviewer",
        json_body={"note": "x", "satisfied": True},
    )
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["reply"]
    r = api.call(
        "POST",
        f"/api/v1/ratings/rectifications/{rect['id']}/reply",
        who="demo-reviewer",
        json_body={"reply": "已优化一次性告知清单"},
    )
    assert r.json()["status"] == "replied"
    r = api.call(
        "POST",
        f"/api/v1/ratings/rectifications/{rect['id']}/callback",
        who="demo-reviewer",
        json_body={"note": "电话回访，群众认可", "satisfied": True},
    )
    assert r.json()["status"] == "closed"
    actions = list(
        AuditRecord.objects.filter(object_type__startswith="ratings.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "ratings.rate",
        "ratings.rectification_open",
        "ratings.rectification_reply",
        "ratings.rectification_callback",
    ]


def test_rating_rules(api, catalog, cases, closed_case):
    # only the applicant, only once, only when finished; bad ratings need a reason
    assert (
        api.call(
            "POST", f"/api/v1/cases/{closed_case}/rating", who="demo-elder", json_body={"level": 1}
        ).status_code
        == 404
    )
    assert (
        api.call(
            "POST", f"/api/v1/cases/{closed_case}/rating", who="demo-clerk", json_body={"level": 1}
        ).status_code
        == 404
    )
    r = api.call(
        "POST", f"/api/v1/cases/{closed_case}/rating", who="demo-citizen", json_body={"level": 4}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comment"
    r = api.call(
        "POST", f"/api/v1/cases/{closed_case}/rating", who="demo-citizen", json_body={"level": 9}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "level"
    assert (
        api.call(
            "POST",
            f"/api/v1/cases/{closed_case}/rating",
            who="demo-citizen",
            json_body={"level": 2},
        ).status_code
        == 201
    )
    assert (
        api.call(
            "POST",
            f"/api/v1/cases/{closed_case}/rating",
            who="demo-citizen",
            json_body={"level": 1},
        ).status_code
        == 409
    )
    open_case = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    assert (
        api.call(
            "POST", f"/api/v1/cases/{open_case}/rating", who="demo-citizen", json_body={"level": 1}
        ).status_code
        == 409
    )
    assert Rating.objects.count() == 1


def test_stats_and_metrics(api, closed_case):
    api.call(
        "POST", f"/api/v1/cases/{closed_case}/rating", who="demo-citizen", json_body={"level": 1}
    )
    stats = api.call("GET", "/api/v1/ratings/stats").json()
    assert stats[0]["department_code"] == "441200-SCJGJ" and stats[0]["good_rate"] == 1.0
    rows = api.call("GET", "/api/v1/metrics", who="demo-admin").json()
    row = next(r for r in rows if r["department_code"] == "441200-SCJGJ")
    assert (
        row["total"] == 1
        and row["closed"] == 1
        and row["online_rate"] == 1.0
        and row["good_rate"] == 1.0
    )
    assert api.call("GET", "/api/v1/metrics", who="demo-citizen").status_code == 403
    # the same rule as /workbench/metrics/ (issue 16 item 10): department heads see the
    # departments they head, reviewers and data officers nothing
    for who in ("demo-reviewer", "demo-clerk", "demo-dataofficer", "demo-hotline"):
        r = api.call("GET", "/api/v1/metrics", who=who)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", who
    head = api.call("GET", "/api/v1/metrics", who="demo-head").json()
    assert {r["department_code"] for r in head} <= {"441200-MZJ", "441200-ZSJ"}
    assert api.call("GET", "/api/v1/metrics").status_code == 401
