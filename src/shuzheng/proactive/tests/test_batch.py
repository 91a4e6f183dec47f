"""免申即享 end to end: a batch notifies the eligible, grants after the window, never twice."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.identity.demo import DEMO_ENTERPRISE_USCC
from shuzheng.notify.models import Notification
from shuzheng.proactive import services
from shuzheng.proactive.models import BatchRun, Match, MatchStatus, PaymentInstruction
from shuzheng.rules import facade as rules
from shuzheng.rules import registry
from shuzheng.rules.models import Decision

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ELDER = registry.demo_id_numbers()["陈桂英"]
SEVENTY = registry.demo_id_numbers()["何秀兰"]


def run(code, days=0, **kw):
    with time_machine.travel(DAY + dt.timedelta(days=days), tick=False):
        return services.policy_run(code=code, actor="system:test", **kw)


def test_run_notify_grant_and_rerun_grants_nothing_new():
    first = run("gaoling-jintie")
    assert first.evaluated == registry.PEOPLE
    assert first.new_matches == first.eligible > 0
    assert ELDER in first.notified and SEVENTY not in first.notified
    m = Match.objects.get(policy__code="gaoling-jintie", subject_id=ELDER)
    assert m.status == MatchStatus.NOTIFIED and m.amount == 100
    assert m.window_ends_on == dt.date(2026, 11, 30)  # 5 working days
    d = Decision.objects.get(decision_id=m.decision_id)
    assert (d.context, d.outcome, d.version) == ("batch", "approve", 1)
    note = Notification.objects.get(recipient_id=ELDER, title__contains="高龄津贴")
    assert "2026年11月30日后自动发放" in note.body
    again = run("gaoling-jintie", 1)
    assert (again.new_matches, again.granted, again.already_matched) == (0, 0, first.eligible)
    assert Notification.objects.filter(recipient_id=ELDER).count() == 1
    # after the window the opt-out matches are granted: a closed automatic case + payment
    later = run("gaoling-jintie", 10)
    assert later.granted == first.new_matches and later.new_matches == 0
    m.refresh_from_db()
    assert m.status == MatchStatus.GRANTED and m.case_no and m.payment_reference
    case = Case.objects.get(case_no=m.case_no)
    assert (case.channel, case.status, case.applicant_id) == ("proactive", "closed", ELDER)
    assert PaymentInstruction.objects.get(payee_id=ELDER).amount == 100
    # once granted, the benefit is held: the next batch does not even find them eligible
    last = run("gaoling-jintie", 11)
    assert (last.granted, last.new_matches, last.eligible) == (0, 0, 0)
    assert PaymentInstruction.objects.count() == first.new_matches
    assert Case.objects.filter(channel="proactive").count() == first.new_matches
    assert BatchRun.objects.filter(policy__code="gaoling-jintie").count() == 4


def test_grant_step_is_idempotent():
    run("gaoling-jintie")
    m = Match.objects.get(policy__code="gaoling-jintie", subject_id=ELDER)
    assert services.match_grant(match_id=m.pk, actor="system:test") is True
    audits = AuditRecord.objects.count()
    assert services.match_grant(match_id=m.pk, actor="system:test") is False
    assert AuditRecord.objects.count() == audits
    assert PaymentInstruction.objects.filter(payee_id=ELDER).count() == 1


def test_declined_matches_are_never_granted_and_confirm_mode_expires():
    run("gaoling-jintie")
    m = Match.objects.get(policy__code="gaoling-jintie", subject_id=ELDER)
    Match.objects.filter(pk=m.pk).update(status=MatchStatus.DECLINED)
    run("gaoling-jintie", 10)
    m.refresh_from_db()
    assert m.status == MatchStatus.DECLINED and not m.case_no
    assert not PaymentInstruction.objects.filter(payee_id=ELDER).exists()
    # 创业补贴 asks for confirmation; nobody confirms → expired, nothing paid
    first = run("chuangye-zizhu")
    assert first.new_matches > 0
    later = run("chuangye-zizhu", 20)
    assert later.expired == first.new_matches and later.granted == 0
    assert not PaymentInstruction.objects.filter(
        reference__startswith="MSJX-chuangye-zizhu"
    ).exists()


def test_enterprises_are_notified_and_yearly_policies_match_once_a_year():
    first = run("wengang-butie")
    assert first.evaluated == registry.ENTERPRISES and first.new_matches > 0
    assert DEMO_ENTERPRISE_USCC in first.notified
    m = Match.objects.get(policy__code="wengang-butie", subject_id=DEMO_ENTERPRISE_USCC)
    assert (m.period_key, m.amount) == ("2026", 6912)  # 60% of 11,520
    assert (
        Notification.objects.filter(
            recipient_kind="enterprise", recipient_id=DEMO_ENTERPRISE_USCC
        ).count()
        == 1
    )
    assert run("wengang-butie", 1).new_matches == 0


def test_the_console_command_runs_every_policy(capsys):
    with time_machine.travel(DAY, tick=False):
        call_command("proactive_run")
    out = capsys.readouterr().out
    assert out.count("比对 ") == 5 and "gaoling-jintie（规则 v1，2026-11-23）：比对 2000" in out
    with time_machine.travel(DAY, tick=False):
        call_command("proactive_run", "gaoling-jintie")
    assert "新告知 0" in capsys.readouterr().out


def test_cases_are_filed_under_the_catalog_item_when_it_exists(catalog_seeded):
    run("gaoling-jintie")
    run("gaoling-jintie", 10)
    m = Match.objects.get(policy__code="gaoling-jintie", subject_id=ELDER)
    case = Case.objects.get(case_no=m.case_no)
    assert case.item_code == "44120030500001000000B" and case.item_name == "高龄津贴申领"


def test_an_instant_approval_counts_as_held_for_the_batch():
    with time_machine.travel(DAY, tick=False):
        d = rules.decide_for_item(
            item_code="44120030500001000000B", subject_kind="person", subject_id=ELDER, form={}
        )
    assert d.outcome == "approve"
    assert ELDER not in run("gaoling-jintie").notified
