"""好差评 pages: the applicant rates a closed case on its page; the department follows a 差评
up in the workbench (reply, then 回访)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.core import calendar
from shuzheng.identity.models import User
from shuzheng.ratings.models import Rating, Rectification

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


def login(username: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(User.objects.get(username=username))
    return client


def html(response) -> str:
    return response.content.decode()


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


def test_open_case_has_no_rating_form(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    client = login("demo-citizen")
    assert 'data-testid="rating-form"' not in html(client.get(f"/cases/{no}/"))
    r = client.post(f"/cases/{no}/rating/", {"level": "1"})
    assert r.status_code == 409 and "办件办结后才能评价。" in html(r)
    assert Rating.objects.count() == 0


def test_closed_case_page_offers_five_levels(closed_case):
    page = html(login("demo-citizen").get(f"/cases/{closed_case}/"))
    assert 'data-testid="rating-form"' in page
    labels = re.findall(r'<label for="f-level-\d">([^<]*)</label>', page)
    assert labels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert f'action="/cases/{closed_case}/rating/"' in page


def test_bad_rating_needs_a_comment_then_opens_rectification(closed_case):
    client = login("demo-citizen")
    r = client.post(f"/cases/{closed_case}/rating/", {"level": "5", "comment": "  "})
    assert r.status_code == 422
    assert (
        '<p class="field-error" id="e-comment">差评请写明不满意的原因，便于部门整改。</p>'
        in html(r)
    )
    assert 'value="5" checked' in html(r)  # the choice is kept
    assert Rating.objects.count() == 0
    r = client.post(f"/cases/{closed_case}/rating/", {"level": "5", "comment": "补正来回两次"})
    assert r.status_code == 302 and r["Location"] == f"/cases/{closed_case}/#rating"
    rating = Rating.objects.get(case_no=closed_case)
    assert (rating.level, rating.comment, rating.rater) == (5, "补正来回两次", "user:demo-citizen")
    task = Rectification.objects.get(rating=rating)
    assert task.department_code == "441200-SCJGJ"
    assert task.due_date == calendar.add_working_days(TODAY, 5)
    page = html(client.get(f"/cases/{closed_case}/"))
    assert "您的评价：非常不满意" in page and 'data-testid="rating-form"' not in page
    # only once
    r = client.post(f"/cases/{closed_case}/rating/", {"level": "1"})
    assert r.status_code == 409 and "该办件已评价。" in html(r)
    assert Rating.objects.count() == 1


def test_good_rating_without_comment(closed_case):
    r = login("demo-citizen").post(f"/cases/{closed_case}/rating/", {"level": "1"})
    assert r.status_code == 302
    assert Rating.objects.get().level == 1 and Rectification.objects.count() == 0


def test_level_must_be_one_of_five(closed_case):
    r = login("demo-citizen").post(f"/cases/{closed_case}/rating/", {"level": "9"})
    assert r.status_code == 422 and "评价等级应为1（非常满意）到5（非常不满意）。" in html(r)


def test_only_the_applicant_rates(closed_case):
    assert login("demo-elder").post(
        f"/cases/{closed_case}/rating/", {"level": "1"}
    ).status_code == (404)
    assert login("demo-elder").get(f"/cases/{closed_case}/rating/").status_code == 404
    assert login("demo-clerk").post(
        f"/cases/{closed_case}/rating/", {"level": "1"}
    ).status_code == (404)
    assert Rating.objects.count() == 0


@pytest.fixture
def task(closed_case):
    login("demo-citizen").post(
        f"/cases/{closed_case}/rating/", {"level": "4", "comment": "等了很久"}
    )
    return Rectification.objects.get()


def test_rectification_reply_then_callback_in_the_workbench(task):
    reviewer = login("demo-reviewer")
    page = html(reviewer.get("/workbench/rectifications/"))
    assert task.rating.case_no in page and "等了很久" in page
    assert calendar.add_working_days(TODAY, 5).isoformat() in page
    assert 'data-testid="reply-form"' in page and 'data-testid="callback-form"' not in page
    # an empty reply is refused next to its box
    r = reviewer.post(f"/workbench/rectifications/{task.pk}/reply/", {"reply": " "})
    assert r.status_code == 422 and "请填写整改情况。" in html(r)
    task.refresh_from_db()
    assert task.status == "open"
    r = reviewer.post(
        f"/workbench/rectifications/{task.pk}/reply/", {"reply": "已优化一次性告知清单"}
    )
    assert r.status_code == 302 and r["Location"] == "/workbench/rectifications/"
    task.refresh_from_db()
    assert (task.status, task.reply, task.replied_by) == (
        "replied",
        "已优化一次性告知清单",
        "user:demo-reviewer",
    )
    page = html(reviewer.get("/workbench/rectifications/"))
    assert 'data-testid="callback-form"' in page and 'data-testid="reply-form"' not in page
    r = reviewer.post(
        f"/workbench/rectifications/{task.pk}/callback/",
        {"note": "电话回访，群众认可", "satisfied": "yes"},
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.callback_note, task.callback_satisfied) == (
        "closed",
        "电话回访，群众认可",
        True,
    )
    actions = list(
        AuditRecord.objects.filter(object_type="ratings.rectification")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "ratings.rectification_open",
        "ratings.rectification_reply",
        "ratings.rectification_callback",
    ]


def test_rectification_rights(task):
    # a window clerk of the department sees the task but may not answer it
    clerk = login("demo-clerk")
    page = html(clerk.get("/workbench/rectifications/"))
    assert task.rating.case_no in page and 'data-testid="reply-form"' not in page
    r = clerk.post(f"/workbench/rectifications/{task.pk}/reply/", {"reply": "已整改"})
    assert r.status_code == 403 and "需要本部门负责人或审批人员处理整改。" in html(r)
    # callback before a reply: refused
    r = login("demo-reviewer").post(
        f"/workbench/rectifications/{task.pk}/callback/", {"note": "x", "satisfied": "yes"}
    )
    assert r.status_code == 409 and "整改答复后才能回访。" in html(r)
    # another department's staff: not found; citizens: forbidden
    assert (
        login("demo-head")
        .post(f"/workbench/rectifications/{task.pk}/reply/", {"reply": "x"})
        .status_code
        == 404
    )
    assert task.rating.case_no not in html(login("demo-head").get("/workbench/rectifications/"))
    assert login("demo-citizen").get("/workbench/rectifications/").status_code == 403
    task.refresh_from_db()
    assert task.status == "open" and task.reply == ""


def test_good_rate_on_metrics(task):
    page = html(login("demo-admin").get("/workbench/metrics/"))
    section = re.search(r'data-testid="metrics-441200-SCJGJ".*?</section>', page, re.S)
    assert section is not None
    assert '<strong data-testid="good-rate">0.0%</strong>' in section.group(0)


def test_rating_form_needs_csrf(closed_case):
    client = login("demo-citizen", enforce_csrf_checks=True)
    assert client.post(f"/cases/{closed_case}/rating/", {"level": "1"}).status_code == 403
    assert Rating.objects.count() == 0
