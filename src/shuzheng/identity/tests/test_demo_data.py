import datetime as dt

import pytest

from shuzheng.core.codes import validate_id_number, validate_uscc
from shuzheng.identity.demo import ACCOUNTS, seed_demo
from shuzheng.identity.models import (
    ApiClient,
    Department,
    Enterprise,
    Person,
    Region,
    StaffRole,
    User,
)

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent():
    counts = (
        User.objects.count(),
        Person.objects.count(),
        Enterprise.objects.count(),
        Department.objects.count(),
    )
    seed_demo()
    assert (
        User.objects.count(),
        Person.objects.count(),
        Enterprise.objects.count(),
        Department.objects.count(),
    ) == counts


def test_guangdong_21_cities_and_zhaoqing_counties():
    gd = Region.objects.get(code="440000")
    assert gd.name == "广东省"
    assert Region.objects.filter(parent=gd, level="city").count() == 21
    zq = Region.objects.get(code="441200")
    assert set(zq.children.values_list("code", flat=True)) >= {
        "441202",
        "441203",
        "441204",
        "441223",
        "441224",
        "441225",
        "441226",
        "441284",
    }
    assert Region.objects.get(code="441202").name == "端州区"


def test_every_demo_code_is_valid_and_marked_demo():
    for p in Person.objects.all():
        assert validate_id_number(p.id_number).birth_date == p.birth_date
        assert p.is_demo
    for e in Enterprise.objects.all():
        validate_uscc(e.uscc)
        assert e.is_demo
    for d in Department.objects.all():
        validate_uscc(d.uscc)


def test_demo_accounts_contract():
    assert {a.username for a in ACCOUNTS} >= {
        "demo-citizen",
        "demo-elder",
        "demo-agent",
        "demo-clerk",
        "demo-reviewer",
        "demo-dataofficer",
        "demo-admin",
    }
    elder = Person.objects.get(user__username="demo-elder")
    assert elder.birth_date.year == 1944 and elder.hukou_region.code.startswith("4412")
    agent = Person.objects.get(user__username="demo-agent")
    assert agent.agencies.filter(
        valid_until__gte=dt.date(2026, 11, 23), revoked_at__isnull=True
    ).exists()
    roles = set(StaffRole.objects.values_list("role", flat=True))
    assert roles == {
        "window_clerk",
        "reviewer",
        "department_head",
        "data_officer",
        "hotline_operator",
        "hotline_supervisor",
        "hotline_handler",
        "platform_admin",
    }
    assert set(ApiClient.objects.values_list("client_id", flat=True)) >= {
        "demo-mz-system",
        "demo-bank",
    }
    assert User.objects.get(username="demo-admin").is_superuser


def test_seed_departments_named_in_seeds():
    names = set(Department.objects.values_list("name", flat=True))
    assert {
        "广东省政务服务和数据管理局",
        "肇庆市政务服务和数据管理局",
        "肇庆市民政局",
        "肇庆市市场监督管理局",
    } <= names
    assert Department.objects.filter(level=2).count() >= 10
    assert Department.objects.filter(level=3, region__code="441200").count() >= 10


def test_hotline_departments_under_the_issue_short_names():
    """Issue 18: 12345 dispatches to these departments under exactly these short names."""
    from shuzheng.identity.demo import HOTLINE_SHORT_NAMES

    shorts = set(Department.objects.values_list("short_name", flat=True))
    assert len(HOTLINE_SHORT_NAMES) == 22
    assert set(HOTLINE_SHORT_NAMES) <= shorts
    assert Department.objects.get(code="441200-WJJ").short_name == "市卫生健康局"
    assert Department.objects.get(code="441200-GDJ").short_name == "供电局"


def test_seeding_again_aligns_an_old_short_name():
    dept = Department.objects.get(code="441200-WJJ")
    dept.short_name = "市卫健局"
    dept.save(update_fields=["short_name"])
    seed_demo(people=0, enterprises=0)
    assert Department.objects.get(code="441200-WJJ").short_name == "市卫生健康局"
