"""The migrations that filled the entitlement register from what existed before it: the first
approved 秒批 decision or 免申即享 match per benefit, subject and period; the reported
duplicate (a notice, then an approved application) leaves the notice without a place, so its
grant is re-checked and ends held."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from shuzheng.proactive import services
from shuzheng.proactive.models import Match, MatchStatus
from shuzheng.rules import facade as rules
from shuzheng.rules import registry
from shuzheng.rules.models import Entitlement

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ELDER = registry.demo_id_numbers()["陈桂英"]
GAOLING = "44120030500001000000B"


def backfill() -> None:
    for name in (
        "shuzheng.rules.migrations.0004_entitlements_backfill",
        "shuzheng.proactive.migrations.0004_entitlements_backfill",
    ):
        importlib.import_module(name).forwards(apps, None)


def test_the_register_is_filled_from_decisions_and_matches():
    with time_machine.travel(DAY, tick=False):
        summary = services.policy_run(code="gaoling-jintie", actor="system:test")
        elder = Match.objects.get(subject_id=ELDER)
        other = Match.objects.exclude(subject_id=ELDER).order_by("id").first()
        assert summary.new_matches > 2 and other is not None
        services.match_grant(match_id=other.pk, actor="system:test")
        # the defect, as data from before the register: an approval after the notice
        Entitlement.objects.all().delete()
        approval = rules.decide_for_item(
            item_code=GAOLING, subject_kind="person", subject_id=ELDER, form={}, case_no="BJ1"
        )
        Entitlement.objects.all().delete()
        backfill()
    rows = {(e.subject_id, e.status, e.source, e.reference) for e in Entitlement.objects.all()}
    assert (ELDER, "held", "instant", f"decision:{approval.decision_id}") in rows
    assert (other.subject_id, "held", "proactive", f"proactive:{other.pk}") in rows
    assert not Entitlement.objects.filter(reference=f"proactive:{elder.pk}").exists()
    offered = Entitlement.objects.filter(status="offered").count()
    assert offered == summary.new_matches - 2  # every other notice holds its place
    # the elder's old notice, granted now, is re-checked: she receives it already
    with time_machine.travel(DAY + dt.timedelta(days=10), tick=False):
        assert services.match_grant(match_id=elder.pk, actor="system:test") is False
    elder.refresh_from_db()
    assert elder.status == MatchStatus.HELD and "本次不再重复发放" in elder.note
    backfill()  # runs again harmlessly
    assert Entitlement.objects.filter(status__in=["offered", "held"]).count() == len(rows)
