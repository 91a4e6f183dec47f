"""The entitlement register's periods: once, per year, or not recorded (received again and
again). The two paths racing are tested in ``proactive/tests/test_one_benefit.py``."""

import datetime as dt

import pytest
import time_machine

from shuzheng.core import cache
from shuzheng.identity.demo import DEMO_ENTERPRISE_USCC
from shuzheng.rules import facade, registry, selectors
from shuzheng.rules.models import Entitlement, Period, RuleSet

pytestmark = pytest.mark.django_db

GAOLING = "44120030500001000000B"
WENGANG = "441200305000090000006"  # 稳岗返还: once a year
ELDER = registry.demo_id_numbers()["陈桂英"]


def _decide(item_code, kind, subject_id, day):
    with time_machine.travel(day, tick=False):
        return facade.decide_for_item(
            item_code=item_code, subject_kind=kind, subject_id=subject_id, form={}
        )


def test_a_yearly_benefit_is_held_for_its_year_only():
    day = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    first = _decide(WENGANG, "enterprise", DEMO_ENTERPRISE_USCC, day)
    assert first.outcome == "approve", first.explanation
    again = _decide(WENGANG, "enterprise", DEMO_ENTERPRISE_USCC, day + dt.timedelta(days=3))
    assert again.duplicate and again.reason.startswith("申请人已在享受“稳岗返还”（2026年度，")
    next_year = _decide(WENGANG, "enterprise", DEMO_ENTERPRISE_USCC, day + dt.timedelta(days=60))
    assert next_year.outcome == "approve" and not next_year.duplicate
    held = Entitlement.objects.filter(subject_id=DEMO_ENTERPRISE_USCC, status="held")
    assert sorted(held.values_list("period_key", flat=True)) == ["2026", "2027"]


def test_a_benefit_received_again_and_again_is_not_recorded():
    RuleSet.objects.filter(code="gaoling-jintie").update(period=Period.REPEAT)
    cache.bump(selectors.IN_FORCE)
    day = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    assert _decide(GAOLING, "person", ELDER, day).outcome == "approve"
    assert _decide(GAOLING, "person", ELDER, day).outcome == "approve"
    assert not Entitlement.objects.exists()
    with time_machine.travel(day, tick=False):
        assert (
            facade.entitlement_for_item(item_code=GAOLING, subject_kind="person", subject_id=ELDER)
            is None
        )
