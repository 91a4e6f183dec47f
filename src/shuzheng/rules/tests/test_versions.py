"""Versions with effective dates: a decision keeps the version it used; a later edit (even one
published to take effect tomorrow) never alters it; published versions are immutable."""

import copy
import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.core.errors import ValidationFailed
from shuzheng.identity.facade import principal_for_request  # noqa: F401 (facade import check)
from shuzheng.identity.models import User
from shuzheng.identity.selectors import principal_for_user
from shuzheng.rules import facade, selectors, services
from shuzheng.rules.models import Decision, RuleSet, RuleVersion

from .conftest import GAOLING_ITEM, NOW, SEVENTY

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return principal_for_user(User.objects.get(username="demo-admin"))


def lowered_to_70(document):
    doc = copy.deepcopy(document)
    for node in doc["nodes"]:
        for e in (node.get("content") or {}).get("expressions", []):
            if e["key"] == "cond.age":
                e["value"] = "age >= 70"
    return doc


def test_a_later_version_never_alters_a_past_decision(admin):
    rs = RuleSet.objects.get(code="gaoling-jintie")
    v1 = rs.versions.get(version=1)
    with time_machine.travel(NOW, tick=False):
        before = facade.decide_for_item(
            item_code=GAOLING_ITEM, subject_kind="person", subject_id=SEVENTY, form={}
        )
        assert (before.outcome, before.version) == ("deny", 1)
        tests = [t for t in v1.tests if t["facts"].get("age") != 70]
        tests.append(
            {
                "name": "70岁：批准",
                "facts": {"age": 70, "hukou_region": "441202"},
                "expect": {"outcome": "approve"},
            }
        )
        services.draft_save(
            principal=admin,
            code=rs.code,
            document=lowered_to_70(v1.document),
            tests=tests,
            note="年龄降至70",
        )
        v2 = services.publish(principal=admin, code=rs.code, effective_from=dt.date(2026, 11, 24))
        # not yet in force today
        same_day = facade.decide_for_item(
            item_code=GAOLING_ITEM, subject_kind="person", subject_id=SEVENTY, form={}
        )
        assert (same_day.outcome, same_day.version) == ("deny", 1)
    v1.refresh_from_db()
    assert v1.effective_to == dt.date(2026, 11, 23) and v2.version == 2
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        after = facade.decide_for_item(
            item_code=GAOLING_ITEM, subject_kind="person", subject_id=SEVENTY, form={}
        )
    assert (after.outcome, after.version) == ("approve", 2)
    # the first decision reads back exactly as it was made
    again = facade.decision(before.decision_id)
    assert again == before
    row = Decision.objects.get(decision_id=before.decision_id)
    assert row.rule_version_id == v1.pk and row.rule_version.document == v1.document
    # both versions stay readable; the old one is what the history shows
    assert selectors.version_in_force(rs, dt.date(2026, 11, 23)).version == 1
    assert selectors.version_in_force(rs, dt.date(2026, 11, 24)).version == 2


def test_published_versions_and_decisions_cannot_be_changed():
    v1 = RuleVersion.objects.get(rule_set__code="gaoling-jintie", version=1)
    v1.document = {"nodes": [], "edges": []}
    with pytest.raises(ValueError):
        v1.save()
    with time_machine.travel(NOW, tick=False):
        d = facade.decide_for_item(
            item_code=GAOLING_ITEM, subject_kind="person", subject_id=SEVENTY, form={}
        )
    row = Decision.objects.get(decision_id=d.decision_id)
    row.outcome = "approve"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_publishing_needs_passing_tests_and_a_date_not_in_the_past(admin):
    rs = RuleSet.objects.get(code="gaoling-jintie")
    v1 = rs.versions.get(version=1)
    with time_machine.travel(NOW, tick=False):
        # lowering the age without updating the 70-year-old test case breaks a test
        services.draft_save(
            principal=admin, code=rs.code, document=lowered_to_70(v1.document), tests=v1.tests
        )
        audits = AuditRecord.objects.count()
        with pytest.raises(ValidationFailed) as exc:
            services.publish(principal=admin, code=rs.code, effective_from=dt.date(2026, 12, 1))
        assert "70岁" in exc.value.errors[0].message
        with pytest.raises(ValidationFailed) as exc:
            services.publish(principal=admin, code=rs.code, effective_from=dt.date(2026, 11, 1))
        assert exc.value.errors[0].field == "effective_from"
    assert AuditRecord.objects.count() == audits
    assert rs.versions.filter(status="published").count() == 1
