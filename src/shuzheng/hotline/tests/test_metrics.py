"""三率 and friends per department and district, counted exactly from the tickets' outcomes."""

import sys
import types

import pytest

from shuzheng.hotline.tests.conftest import CG, CG_CODE, HB, HB_CODE, OPERATOR, at

pytestmark = pytest.mark.django_db
URL = "/api/v1/hotline/metrics?start=2026-11-01&end=2026-11-30"


def _through(hotline, no, dept, who, *, rating):
    hotline.act(OPERATOR, no, "dispatch", department=dept)
    hotline.act(who, no, "sign")
    hotline.act(who, no, "answer", answer="已处理")
    hotline.act(OPERATOR, no, "callback", satisfaction=rating)


def test_rates_per_department_and_district(hotline):
    with at(2026, 11, 23, 9):
        a = hotline.noise()  # 端州, 城管: signed in time, answered in time, 满意
        _through(hotline, a, CG_CODE, CG, rating="satisfied")
    with at(2026, 11, 23, 9, 10):
        b = hotline.noise()  # same phone, same category within 30 days: a repeat call
        hotline.act(OPERATOR, b, "dispatch", department=CG_CODE)
        hotline.act(CG, b, "return", reason="非本单位职责")
        hotline.act(OPERATOR, b, "dispatch", department=HB_CODE)
    with at(2026, 11, 23, 12):  # 生态环境 signs late (limit 120 minutes after 09:10)
        hotline.act(HB, b, "sign")
        hotline.act(HB, b, "answer", answer="已处理")
        hotline.act(OPERATOR, b, "callback", satisfaction="unsatisfied")
        c = hotline.noise(
            type="咨询",
            content="四会市大旺街道怎么办居住证？",
            category="",
            caller_phone="13912345678",
        )
        hotline.act(OPERATOR, c, "answer_direct", answer="到派出所办理。")
        by_dept = hotline.api.call("GET", URL, who=OPERATOR).json()
        by_region = hotline.api.call("GET", URL + "&group=region", who=OPERATOR).json()
        mine = hotline.api.call("GET", URL, who=CG).json()
    overall = by_dept["overall"]
    assert overall["tickets"] == 3
    assert overall["first_contact_rate"] == round(1 / 3, 4)
    assert overall["satisfaction_rate"] == 0.5
    assert overall["resolution_rate"] == round(2 / 3, 4)  # a (callback) and c (direct)
    assert overall["response_rate"] == 0.5  # a in time, b late
    assert overall["return_rate"] == 0.5
    assert overall["on_time_rate"] == 1.0
    assert overall["repeat_call_rate"] == round(1 / 3, 4)  # b repeats a
    groups = {g["code"]: g for g in by_dept["groups"]}
    assert groups[CG_CODE]["name"] == "肇庆市城市管理和综合执法局"
    assert groups[CG_CODE]["satisfaction_rate"] == 1.0
    assert groups[HB_CODE]["satisfaction_rate"] == 0.0
    regions = {g["code"]: g for g in by_region["groups"]}
    assert regions["441202"]["tickets"] == 2 and regions["441284"]["name"] == "四会市"
    assert mine["overall"]["tickets"] == 1  # 城管's own list: a (b went to 生态环境)
    assert by_dept["names"]["response_rate"] == "响应率"


def test_metrics_access(hotline):
    with at(2026, 11, 23, 9):
        r = hotline.api.call("GET", URL, who="demo-clerk")
        anon = hotline.api.client.get(URL)
        citizen = hotline.api.call("GET", URL, who="demo-citizen")
        bad = hotline.api.call(
            "GET", "/api/v1/hotline/metrics?start=2026-12-01&end=2026-11-01", who=OPERATOR
        )
    assert (r.status_code, anon.status_code, citizen.status_code) == (403, 401, 403)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "start"


def test_suggest_calls_the_classifier(hotline, monkeypatch):
    """The endpoint passes text and address to ``hotline.suggest.suggest`` (a stub here: the
    classifier is another part of the module) and answers its result as JSON."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Dept:
        code: str
        name: str
        short_name: str
        score: float
        why: tuple[str, ...]

    seen = {}

    def suggest(*, text, address=""):
        seen.update(text=text, address=address)
        return {
            "departments": [
                Dept(
                    CG_CODE,
                    "肇庆市城市管理和综合执法局",
                    "市城市管理和综合执法局",
                    0.9,
                    ("烧烤", "噪音"),
                )
            ],
            "type": "投诉",
            "category": {"code": "030103", "name": "社会生活噪声"},
        }

    stub = types.ModuleType("shuzheng.hotline.suggest")
    stub.suggest = suggest
    monkeypatch.setitem(sys.modules, "shuzheng.hotline.suggest", stub)
    with at(2026, 11, 23, 9):
        body = {"text": "楼下烧烤档噪音", "address": "端州区"}
        r = hotline.api.call("POST", "/api/v1/hotline/suggest", who=OPERATOR, json_body=body)
        refused = hotline.api.call("POST", "/api/v1/hotline/suggest", who=CG, json_body=body)
        empty = hotline.api.call(
            "POST", "/api/v1/hotline/suggest", who=OPERATOR, json_body={"text": " "}
        )
    assert r.status_code == 200, r.content
    assert seen == {"text": "楼下烧烤档噪音", "address": "端州区"}
    assert r.json()["departments"][0] == {
        "code": CG_CODE,
        "name": "肇庆市城市管理和综合执法局",
        "short_name": "市城市管理和综合执法局",
        "score": 0.9,
        "why": ["烧烤", "噪音"],
    }
    assert refused.status_code == 403
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "text"


def _probe_repeats(lo, hi):
    """重复来电 by its definition: an ``EXISTS`` probe per
    ticket (same phone, same category or both without one, within 30 days before)."""
    import datetime as dt

    from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q

    from shuzheng.hotline.models import Ticket

    earlier = Ticket.objects.filter(
        caller_phone=OuterRef("caller_phone"),
        created_at__gte=ExpressionWrapper(
            OuterRef("created_at") - dt.timedelta(days=30), output_field=DateTimeField()
        ),
        created_at__lt=OuterRef("created_at"),
    )
    return set(
        Ticket.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .exclude(caller_phone="")
        .annotate(
            same_cat=Exists(earlier.filter(category_id=OuterRef("category_id"))),
            no_cat=Exists(earlier.filter(category__isnull=True)),
        )
        .filter(Q(same_cat=True) | Q(category__isnull=True, no_cat=True))
        .values_list("ticket_no", flat=True)
    )


@pytest.mark.django_db
def test_repeat_call_flag_at_intake_and_backfill_equal_the_probe_per_ticket():
    """A small world around a month's edges: same phone and category (inside 30 days, just at
    30 days, beyond), another category, no category on both or one side, no phone, a repeat
    whose first call was the month before. The intake's flag (``records.is_repeat_call``, asked
    as each ticket is filed) and migration 0005's backfill (one window scan over the tickets
    already there) both equal the probe."""
    import datetime as dt
    import importlib

    from django.apps import apps

    from shuzheng.hotline.models import Category, Ticket
    from shuzheng.hotline.services.records import is_repeat_call

    tz = dt.timezone(dt.timedelta(hours=8))
    lo, hi = dt.datetime(2026, 11, 1, tzinfo=tz), dt.datetime(2026, 12, 1, tzinfo=tz)
    noise, water = (Category.objects.get(code=c) for c in ("020202", "100101"))
    day = dt.timedelta(days=1)
    world = [  # (phone, category, created_at)
        ("13900000001", noise, lo - 5 * day),  # before the month: counted for what follows
        ("13900000001", noise, lo + 2 * day),  # repeat of the call 7 days before
        ("13900000001", water, lo + 3 * day),  # another category: not a repeat
        ("13900000001", noise, lo + 20 * day),  # 18 days after the last noise call: repeat
        ("13900000002", None, lo - 10 * day),
        ("13900000002", None, lo + 1 * day),  # both without a category: repeat
        ("13900000002", noise, lo + 4 * day),  # a category after none: not a repeat
        ("13900000003", water, lo - 2 * day),
        ("13900000003", water, lo + 28 * day + dt.timedelta(hours=1)),  # > 30 days: no
        ("13900000004", water, lo - 3 * day),
        ("13900000004", water, lo + 27 * day),  # exactly 30 days after: a repeat
        ("", noise, lo + 5 * day),  # no phone: never
        ("", noise, lo + 6 * day),
        ("13900000005", noise, lo - 40 * day),  # more than 30 days before the month
        ("13900000005", noise, lo + 1 * day),  # not a repeat
        ("13900000005", noise, hi + day),  # after the month: outside
    ]
    Ticket.objects.bulk_create(
        Ticket(
            ticket_no=f"12345-20261101-{i:06d}",
            channel="phone",
            ticket_type="complaint",
            category=cat,
            title="t",
            content="c",
            region_code="441202",
            status="registered",
            created_at=when,
            created_by="test",
            caller_phone=phone,
        )
        for i, (phone, cat, when) in enumerate(world, start=1)
    )
    in_month = Ticket.objects.filter(created_at__gte=lo, created_at__lt=hi)
    at_intake = {
        t.ticket_no for t in in_month if is_repeat_call(t.caller_phone, t.category_id, t.created_at)
    }
    backfill = importlib.import_module("shuzheng.hotline.migrations.0005_repeat_call")
    backfill.mark_repeat_calls(apps, None)
    flagged = set(in_month.filter(repeat_call=True).values_list("ticket_no", flat=True))
    expected = {f"12345-20261101-{i:06d}" for i in (2, 4, 6, 11)}
    assert _probe_repeats(lo, hi) == expected  # the world is what the comments say
    assert at_intake == expected
    assert flagged == expected
