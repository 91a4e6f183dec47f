"""秒批 through the facade: decisions, explanations, versions that never change past decisions."""

import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import make_id_number
from shuzheng.identity.demo import ACCOUNTS, DUANZHOU
from shuzheng.rules import facade, registry
from shuzheng.rules.models import Decision as DecisionRow

pytestmark = pytest.mark.django_db

GAOLING = "44120030500001000000B"
TODAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def id_of(username):
    acc = next(a for a in ACCOUNTS if a.username == username)
    return make_id_number(DUANZHOU, acc.birth, acc.sex_seq)


SEVENTY = registry.demo_id_numbers()["何秀兰"]


@time_machine.travel(TODAY, tick=False)
def test_demo_elder_is_approved_at_once_with_the_amount_and_explanation():
    audits = AuditRecord.objects.count()
    d = facade.decide_for_item(
        item_code=GAOLING, subject_kind="person", subject_id=id_of("demo-elder"), form={}
    )
    assert d is not None
    assert (d.outcome, d.rule_set, d.version) == ("approve", "gaoling-jintie", 1)
    assert d.amount == "100.00"
    assert d.facts["age"] == 82 and d.facts["hukou_region"] == "441202"
    assert all(c["passed"] for c in d.conditions)
    assert d.explanation[0] == "结论：批准。符合高龄津贴发放条件。"
    assert "符合：年满80周岁（年龄：82 周岁）" in d.explanation
    assert d.explanation[-1] == "核定金额：100 元/月。"
    row = DecisionRow.objects.get(decision_id=d.decision_id)
    assert row.rule_version.version == 1 and row.context == "instant"
    # the decision and the benefit it grants (the entitlement register), one record each
    actions = list(AuditRecord.objects.order_by("-id").values_list("action", flat=True)[:2])
    assert AuditRecord.objects.count() == audits + 2
    assert sorted(actions) == ["rules.decision_made", "rules.entitlement_held"]
    assert d.as_api()["outcome"] == "approve"


@time_machine.travel(TODAY, tick=False)
def test_a_seventy_year_old_is_refused_and_told_which_condition_failed():
    d = facade.decide_for_item(
        item_code=GAOLING, subject_kind="person", subject_id=SEVENTY, form={}
    )
    assert d is not None and d.outcome == "deny"
    assert d.facts["age"] == 70
    failed = [c["condition"] for c in d.conditions if not c["passed"]]
    assert failed == ["年满80周岁"]
    assert d.explanation[0].startswith("结论：不予批准。申请人未满80周岁")
    assert "不符合：年满80周岁（年龄：70 周岁）" in d.explanation


@time_machine.travel(TODAY, tick=False)
def test_an_approved_allowance_counts_as_held_so_a_second_application_is_refused():
    elder = id_of("demo-elder")
    first = facade.decide_for_item(
        item_code=GAOLING, subject_kind="person", subject_id=elder, form={}
    )
    second = facade.decide_for_item(
        item_code=GAOLING, subject_kind="person", subject_id=elder, form={}
    )
    assert first.outcome == "approve" and not first.duplicate
    assert second.outcome == "deny" and second.duplicate
    # the rule's own condition, and the register naming the first approval
    assert [c["condition"] for c in second.conditions if not c["passed"]] == [
        "未在享受高龄津贴",
        "未重复享受“高龄津贴”（待遇享受登记）",
    ]
    assert second.reason.startswith("申请人已在享受“高龄津贴”（2026年11月23日起，申请秒批")
    assert second.explanation[-1].startswith("不符合：未重复享受“高龄津贴”（待遇享受登记）")


def test_no_rule_set_means_none():
    assert (
        facade.decide_for_item(
            item_code="441200000000000000000", subject_kind="person", subject_id=SEVENTY, form={}
        )
        is None
    )
