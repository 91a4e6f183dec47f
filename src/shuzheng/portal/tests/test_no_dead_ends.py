"""No dead ends (issue 17, defect 10): /dataspace/, /data/, /rules/ and /policies/ are linked
from where each role looks, and rule internals and policy figures are not shown to anonymous
visitors (a policy's published text is)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db


def _as(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


# the links these tests check (the 知识库 link is the knowledge module's, tested there)
MINE = frozenset({"nav-data", "nav-policies", "nav-dataofficer", "nav-rules", "nav-hotline"})


def _nav(client: Client, path: str = "/") -> dict[str, str]:
    """The main navigation's links these tests check on a page: {test id: href}."""
    html = client.get(path).content.decode()
    nav = re.search(r'<nav aria-label="主导航".*?</nav>', html, re.S)
    assert nav, html[:500]
    return {
        testid: href
        for href, testid in re.findall(r'<a href="([^"]+)" data-testid="(nav-[\w-]+)"', nav[0])
        if testid in MINE
    }


def test_citizens_find_their_data_and_policies_in_the_nav() -> None:
    for username in ("demo-citizen", "demo-elder", "demo-agent"):
        nav = _nav(_as(username))
        assert nav == {
            "nav-data": "/dataspace/",
            "nav-policies": "/policies/mine/",
            "nav-hotline": "/hotline/",
        }, username


def test_staff_find_their_desks_in_the_nav_by_role() -> None:
    assert _nav(_as("demo-clerk")) == {"nav-rules": "/rules/", "nav-policies": "/policies/"}
    assert _nav(_as("demo-dataofficer")) == {
        "nav-dataofficer": "/data/",
        "nav-rules": "/rules/",
        "nav-policies": "/policies/",
    }
    assert _nav(_as("demo-admin"))["nav-dataofficer"] == "/data/"
    # 12345: the center's operators and supervisors the console, a department's handlers its
    # tickets
    assert _nav(_as("demo-hotline"))["nav-hotline"] == "/hotline/console/"
    assert _nav(_as("demo-hotline-lead"))["nav-hotline"] == "/hotline/console/"
    assert _nav(_as("demo-handler-cg"))["nav-hotline"] == "/hotline/tickets/"
    assert "nav-hotline" not in _nav(_as("demo-clerk"))


def test_anonymous_visitors_find_the_published_policies() -> None:
    assert _nav(_as(None)) == {"nav-policies": "/policies/", "nav-hotline": "/hotline/"}
    home = _as(None).get("/").content.decode()
    assert 'href="/policies/"' in home and 'href="/dataspace/"' in home


def test_the_current_page_is_marked_in_the_nav() -> None:
    html = _as("demo-citizen").get("/dataspace/").content.decode()
    assert re.search(r'href="/dataspace/" data-testid="nav-data" aria-current="page"', html)


def test_rule_sets_are_for_staff_only() -> None:
    for path in ("/rules/", "/rules/gaoling-jintie/"):
        r = _as(None).get(path)
        assert r.status_code == 302 and r.url == f"/accounts/login/?next={path}"
        assert _as("demo-citizen").get(path).status_code == 403
        for staff in ("demo-clerk", "demo-hotline", "demo-admin"):
            assert _as(staff).get(path).status_code == 200, (staff, path)


def test_a_policy_text_is_public_its_figures_and_rules_are_not() -> None:
    anonymous = _as(None).get("/policies/gaoling-jintie/").content.decode()
    assert "高龄津贴" in anonymous and "政策依据" in anonymous
    for hidden in ('data-testid="policy-stats"', "兑现情况", "/rules/gaoling-jintie/", "比对次数"):
        assert hidden not in anonymous, hidden
    citizen = _as("demo-citizen").get("/policies/gaoling-jintie/").content.decode()
    assert 'data-testid="policy-stats"' not in citizen and 'href="/policies/mine/"' in citizen
    staff = _as("demo-clerk").get("/policies/gaoling-jintie/").content.decode()
    assert 'data-testid="policy-stats"' in staff and "/rules/gaoling-jintie/" in staff
    listing = _as(None).get("/policies/").content.decode()
    assert "已发放金额" not in listing and "gaoling-jintie" in listing
    assert "已发放金额" in _as("demo-reviewer").get("/policies/").content.decode()
