"""Quality checks per resource and the data officers' dashboard."""

import pytest

from shuzheng.exchange import selectors

from .conftest import MARRIAGE

pytestmark = pytest.mark.django_db


def test_quality_reports_freshness_completeness_and_consistency(api):
    r = api.call("GET", "/api/v1/exchange/quality", who="demo-dataofficer")
    assert r.status_code == 200
    reports = {q["name"]: q for q in r.json()["items"]}
    assert reports["不动产登记"]["fresh"] is False and reports["不动产登记"]["age_days"] == 5
    assert reports["残疾人信息"]["fresh"] is False
    assert reports["人口基础信息"]["fresh"] is True
    marriage = reports["婚姻登记"]
    assert 0 < marriage["consistency"] < 1
    assert len(marriage["inconsistent"]) == 1
    bad = marriage["inconsistent"][0]
    assert bad["field"] == "person.name" and bad["source_resource"] == "101001/000001"
    # personal data in a list is masked: the two names differ in length, not shown in full
    assert bad["value"].endswith("*") and bad["source_value"].endswith("*")
    assert bad["value"] != bad["source_value"]
    assert bad["subject"].count("*") == 8
    assert reports["人口基础信息"]["completeness"] == 1.0
    assert reports["婚姻登记"]["completeness"] < 1.0  # 未婚 records have no spouse


def test_quality_and_dashboard_are_for_data_officers(api, officer_rsj):
    for who, status in [
        (None, 401),
        ("demo-citizen", 403),
        ("demo-clerk", 403),
        ("client:demo-mz-system", 403),
        ("client:demo-bank", 403),
        ("rsj-dataofficer", 200),
    ]:
        assert api.call("GET", "/api/v1/exchange/quality", who=who).status_code == status
        assert api.call("GET", "/api/v1/exchange/dashboard", who=who).status_code == status


def test_dashboard_figures_from_the_seeded_history(api):
    """Seeded: 秒享 (法人), decided in 2 and in 4 working days, one pending past its deadline."""
    body = api.call("GET", "/api/v1/exchange/dashboard", who="demo-dataofficer").json()
    assert body["requests_total"] == 4
    assert body["requests_pending"] == 1 and body["requests_overdue"] == 1
    assert body["approval_days_avg"] == 3.0 and body["approval_days_max"] == 4
    assert body["decided_late"] == 1
    assert body["approved"] == 3 and body["instant"] == 1
    assert body["instant_share"] == round(1 / 3, 4)
    assert len(body["calls_per_day"]) == 14


def test_dashboard_counts_calls_and_top_consumers(api):
    from .conftest import CITIZEN_ID, SOCIAL

    for _ in range(2):
        api.call(
            "GET", f"/api/v1/exchange/data/{SOCIAL}?subject={CITIZEN_ID}", who="client:demo-bank"
        )
    api.call(
        "GET", f"/api/v1/exchange/data/{MARRIAGE}?subject={CITIZEN_ID}", who="client:demo-bank"
    )
    body = api.call("GET", "/api/v1/exchange/dashboard", who="demo-dataofficer").json()
    assert body["calls_30d"] == 3 and body["refused_30d"] == 1
    assert body["top_consumers"] == [
        {"consumer": "demo-bank", "consumer_name": "肇庆农商银行普惠金融系统（演示）", "calls": 2}
    ]
    assert body["calls_per_day"][-1]["calls"] == 3


def test_dashboard_is_scoped_to_the_officers_departments(api, officer_rsj):
    body = api.call("GET", "/api/v1/exchange/dashboard", who="rsj-dataofficer").json()
    assert body["requests_total"] == 1  # 人社 asked 公安 for 人口基础信息


def test_freshness_limits():
    assert selectors.FRESH_DAYS["monthly"] == 32 and selectors.FRESH_DAYS["on_demand"] is None


def test_a_resource_read_live_from_its_source_module_is_always_fresh(api):
    """电子证照 is read from the licences module at call time, not from a copy: never stale."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        r = api.call("GET", "/api/v1/exchange/quality", who="demo-dataofficer")
    reports = {q["name"]: q for q in r.json()["items"]}
    assert reports["电子证照"]["fresh"] is True and reports["电子证照"]["age_days"] == 0
    assert reports["人口基础信息"]["fresh"] is False  # a copy, updated in real time, 30 days old
