"""One person, one benefit (issue 17 defect 1): demo-elder (陈桂英, 82) applied for 高龄津贴 (秒批,
approved) and then pressed 确认享受 on the 免申即享 notice — and got a second approved grant.
Now both paths write the rules' entitlement register, whose constraint lets one live entitlement
exist per benefit, subject and period; each path checks it first and answers in Chinese."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.cases.services import intake, results
from shuzheng.cases.tests.conftest import CaseApi
from shuzheng.cases.tests.test_instant import GAOLING, _apply, make_seventy
from shuzheng.identity.models import Person, Region, User
from shuzheng.identity.selectors import principal_for_user
from shuzheng.licenses.models import License
from shuzheng.proactive import services
from shuzheng.proactive.models import Match, MatchStatus, PaymentInstruction
from shuzheng.rules import registry
from shuzheng.rules.models import Decision, Entitlement

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # after the catalog's SEED_DAY
ELDER = registry.demo_id_numbers()["陈桂英"]


@pytest.fixture
def cases(api):
    return CaseApi(api)


@pytest.fixture
def day(catalog_seeded):
    """The tests' day, with the demo catalog (高龄津贴申领 is 秒批) in force."""
    with time_machine.travel(DAY, tick=False):
        yield


def notify_elder() -> Match:
    """The 高龄津贴 batch over the elder only (a pilot run): she is notified."""
    summary = services.policy_run(code="gaoling-jintie", actor="system:test", subjects=[ELDER])
    assert summary.new_matches == 1
    return Match.objects.get(policy__code="gaoling-jintie", subject_id=ELDER)


def live() -> list[tuple[str, str, str]]:
    """The elder's live 高龄津贴 entitlements: (status, source, reference)."""
    return list(
        Entitlement.objects.filter(
            benefit="高龄津贴", subject_id=ELDER, status__in=["offered", "held"]
        ).values_list("status", "source", "reference")
    )


def grants() -> tuple[int, int, int]:
    """What the elder was granted: approved 秒批 cases, closed 免申即享 cases, payments."""
    return (
        Case.objects.filter(applicant_id=ELDER, channel="online", decision="approve").count(),
        Case.objects.filter(applicant_id=ELDER, channel="proactive").count(),
        PaymentInstruction.objects.filter(payee_id=ELDER).count(),
    )


# --- the database constraint ------------------------------------------------------------------


def _row(**kw):
    base = {
        "benefit": "高龄津贴",
        "subject_kind": "person",
        "subject_id": ELDER,
        "period_key": "once",
        "status": "held",
        "source": "instant",
        "reference": "BJ0001",
        "rule_set_code": "gaoling-jintie",
        "decision_id": "JC1",
    }
    return Entitlement.objects.create(**{**base, **kw})


def test_the_database_allows_one_live_entitlement_per_benefit_subject_and_period():
    _row()
    for status in ("held", "offered"):
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(status=status, source="proactive", reference="proactive:1")
    # ended rows, other periods, other subjects and other benefits do not count
    _row(status="ended", reference="BJ0002")
    _row(period_key="2027", reference="BJ0003")
    _row(subject_id="441202194403150021", reference="BJ0004")
    _row(benefit="残疾人两项补贴", reference="BJ0005")
    assert Entitlement.objects.count() == 5


# --- order 1: the notice first, then an application ---------------------------------------------


def test_an_application_while_the_notice_is_open_is_refused_before_filing(api, cases, day):
    m = notify_elder()
    assert live() == [("offered", "proactive", f"proactive:{m.pk}")]
    last = AuditRecord.objects.order_by("id").last()  # by id: unsealed records have no seq yet
    before = (Case.objects.count(), Decision.objects.count(), last)
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["message"].startswith(
        "您已符合“高龄津贴”免申即享条件（2026年11月24日告知，免申即享）"
    )
    assert "无需申请" in body["message"] and "可享政策" in body["message"]
    assert body["errors"] == [{"field": "item_code", "message": body["message"]}]
    assert (Case.objects.count(), Decision.objects.count()) == before[:2]
    written = AuditRecord.objects.filter(id__gt=before[2].pk).values_list("action", flat=True)
    assert not [a for a in written if a.startswith(("cases.", "rules.", "proactive."))]
    # she confirms: granted once, by 免申即享
    r = api.call("POST", f"/api/v1/me/policies/{m.pk}/confirm", who="demo-elder")
    assert r.status_code == 200 and r.json()["status"] == "granted", r.content
    assert grants() == (0, 1, 1)
    assert live() == [("held", "proactive", f"proactive:{m.pk}")]


def test_an_application_that_lost_the_race_is_closed_with_the_reason(api, cases, day, monkeypatch):
    """Both paths at once: the application passed its check before the notice's place was
    taken (simulated: the check finds nothing); the register refuses the 秒批 approval, the case
    is closed 不予受理 with the reason, no licence, nothing held; the notice is granted."""
    m = notify_elder()
    monkeypatch.setattr(intake, "not_again", lambda *a, **kw: None)
    licences = License.objects.count()
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "refused", case
    assert case["decision"]["outcome"] == "deny"
    assert case["decision"]["explanation"][0].startswith(
        "结论：不予批准。申请人已符合“高龄津贴”免申即享条件"
    )
    assert case["decision"]["conditions"][-1] == {
        "condition": "未重复享受“高龄津贴”（待遇享受登记）",
        "passed": False,
    }
    row = Case.objects.get(case_no=case["case_no"])
    assert row.closed_at and "免申即享" in row.decision_reason and not row.result
    assert License.objects.count() == licences
    assert live() == [("offered", "proactive", f"proactive:{m.pk}")]
    assert services.match_grant(match_id=m.pk, actor="system:test") is True
    assert grants() == (0, 1, 1)


# --- order 2: an application first, then the notice (the reported defect) -----------------------


def test_confirming_a_notice_after_an_approved_application_grants_nothing_twice(api, cases, day):
    """The reported order: the notice was made before the application (a match decided
    earlier, from before the register), the application was approved by 秒批, then she pressed
    确认享受. The grant re-checks the match: she already receives it — held, nothing paid."""
    m = notify_elder()
    Entitlement.objects.filter(reference=f"proactive:{m.pk}").delete()  # a match from before
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201 and r.json()["status"] == "closed", r.content
    case_no = r.json()["case_no"]
    assert live() == [("held", "instant", case_no)]
    audits = AuditRecord.objects.count()
    r = api.call("POST", f"/api/v1/me/policies/{m.pk}/confirm", who="demo-elder")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["status_name"], body["case_no"]) == (
        "held",
        "已享受，不重复发放",
        "",
    )
    assert body["note"] == (
        f"您已在享受“高龄津贴”（2026年11月24日起，申请秒批，办件编号 {case_no}），"
        "本次不再重复发放。"
    )
    assert grants() == (1, 0, 0)
    assert live() == [("held", "instant", case_no)]
    written = {a.action for a in AuditRecord.objects.order_by("id")[audits:]}
    assert {"proactive.confirmed", "proactive.held"} <= written
    assert "proactive.granted" not in written and "rules.entitlement_held" not in written
    # the page says so too
    c = Client()
    c.force_login(User.objects.get(username="demo-elder"))
    page = c.get("/policies/mine/").content.decode()
    assert 'data-testid="match-note"' in page and "本次不再重复发放" in page


def test_a_batch_does_not_notify_who_receives_it_by_application(api, cases, day):
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201 and r.json()["status"] == "closed", r.content
    summary = services.policy_run(code="gaoling-jintie", actor="system:test", subjects=[ELDER])
    assert (summary.eligible, summary.new_matches) == (0, 0)
    assert not Match.objects.filter(subject_id=ELDER).exists()


# --- a grant first, then an application -----------------------------------------------------------


def test_an_application_after_the_grant_is_refused(api, cases, day):
    m = notify_elder()
    assert services.match_grant(match_id=m.pk, actor="system:test") is True
    m.refresh_from_db()
    before = Case.objects.count()
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 409, r.content
    assert r.json()["message"] == (
        f"您已在享受“高龄津贴”（2026年11月24日起，免申即享，办件编号 {m.case_no}），不能重复申请。"
    )
    assert Case.objects.count() == before and grants() == (0, 1, 1)


def test_a_window_clerk_is_told_the_applicant_already_receives_it(api, cases, day):
    m = notify_elder()
    services.match_grant(match_id=m.pk, actor="system:test")
    clerk = next(
        u
        for u in User.objects.filter(is_active=True).order_by("id")
        if ("window_clerk", "441200-MZJ") in principal_for_user(u).staff_roles
    )
    with pytest.raises(intake.rules.EntitlementTaken) as exc:
        intake.case_create(
            principal=principal_for_user(clerk),
            item_code=GAOLING,
            applicant_id_number=ELDER,
            applicant_present=True,
        )
    assert exc.value.message.startswith("申请人已在享受“高龄津贴”")
    assert exc.value.status == 409


# --- the re-check at grant time ----------------------------------------------------------------


def test_a_notice_is_re_checked_when_granted_and_not_paid_when_facts_changed(day):
    m = notify_elder()
    # she moved her household out of 肇庆 after the batch decided
    person = Person.objects.get(id_number=ELDER)
    person.hukou_region = Region.objects.get(code="440100")  # 广州市
    person.save(update_fields=["hukou_region"])
    assert services.match_grant(match_id=m.pk, actor="system:test") is False
    m.refresh_from_db()
    assert m.status == MatchStatus.INELIGIBLE
    assert (
        m.note == "发放前按最新数据复核：户籍不在肇庆市，请向户籍所在地申请高龄津贴，本次不予发放。"
    )
    fresh = Decision.objects.get(decision_id=m.grant_decision_id)
    assert (fresh.context, fresh.outcome) == ("grant", "deny")
    assert grants() == (0, 0, 0) and live() == []


def test_a_declined_notice_gives_the_benefit_up(api, cases, day):
    m = notify_elder()
    r = api.call("POST", f"/api/v1/me/policies/{m.pk}/decline", who="demo-elder")
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert live() == []
    assert Entitlement.objects.get(reference=f"proactive:{m.pk}").end_reason == "本人选择不享受"
    r = _apply(api, cases, "demo-elder")  # she changed her mind: she may apply
    assert r.status_code == 201 and r.json()["status"] == "closed", r.content
    assert live() == [("held", "instant", r.json()["case_no"])]


def test_a_case_withdrawn_while_the_rules_decide_holds_nothing(api, cases, day, monkeypatch):
    real_issue = results.issue_result

    def withdraw_meanwhile(case, spec, *, actor):  # type: ignore[no-untyped-def]
        from shuzheng.cases.services import actions

        elder = principal_for_user(User.objects.get(username="demo-elder"))
        actions.case_act(principal=elder, case_no=case.case_no, action="withdraw")
        return real_issue(case, spec, actor=actor)

    monkeypatch.setattr(results, "issue_result", withdraw_meanwhile)
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201 and r.json()["status"] == "withdrawn", r.content
    assert live() == []
    ended = Entitlement.objects.get(reference=r.json()["case_no"])
    assert (ended.status, ended.end_reason) == ("ended", "办件已由申请人撤回")


# --- the guide and apply pages ---------------------------------------------------------------


def _pages(who: str | None) -> tuple[str, str]:
    c = Client()
    if who:
        c.force_login(User.objects.get(username=who))
    guide = c.get(f"/services/item/{GAOLING}/").content.decode()
    apply = c.get(f"/cases/apply/{GAOLING}/").content.decode() if who else ""
    return guide, apply


def test_the_guide_and_apply_pages_say_she_need_not_apply(api, cases, day):
    guide, apply = _pages("demo-elder")
    assert 'data-testid="benefit-notice"' not in guide + apply
    m = notify_elder()
    guide, apply = _pages("demo-elder")
    for page in (guide, apply):
        assert "您已符合“高龄津贴”免申即享条件，无需申请。" in page
        assert "2026年12月1日后自动发放。" in page  # opt-out: 5 working days
        assert f'href="/policies/mine/#match-{m.pk}"' in page
    services.match_grant(match_id=m.pk, actor="system:test")
    m.refresh_from_db()
    guide, apply = _pages("demo-elder")
    for page in (guide, apply):
        assert "您已通过免申即享享受“高龄津贴”，无需再申请。" in page and m.case_no in page
    # someone else, and anonymous visitors, are told nothing
    for page in (*_pages("demo-citizen"), _pages(None)[0]):
        assert 'data-testid="benefit-notice"' not in page


def test_the_guide_page_names_an_approved_application(api, cases, day):
    r = _apply(api, cases, "demo-elder")
    case_no = r.json()["case_no"]
    guide, apply = _pages("demo-elder")
    for page in (guide, apply):
        assert "您已在享受“高龄津贴”，不能重复申请。" in page
        assert f'href="/cases/{case_no}/"' in page


def test_a_grant_that_lost_the_race_leaves_no_case_and_no_payment(api, cases, day, monkeypatch):
    """The application is approved between the notice's re-check and its grant (it runs
    right after the fresh decision); the register refuses the grant: the automatic case is
    rolled back with it, nothing is paid, the match ends held."""
    m = notify_elder()
    Entitlement.objects.filter(reference=f"proactive:{m.pk}").delete()  # a match from before
    real_decide = services.rules.decide
    filed = []

    def decide_then_an_application_lands(**kw):  # type: ignore[no-untyped-def]
        fresh = real_decide(**kw)
        filed.append(_apply(api, cases, "demo-elder"))
        return fresh

    monkeypatch.setattr(services.rules, "decide", decide_then_an_application_lands)
    cases_before = Case.objects.count()
    assert services.match_grant(match_id=m.pk, actor="system:test") is False
    (r,) = filed
    assert r.status_code == 201 and r.json()["status"] == "closed", r.content
    cases_before += 1
    m.refresh_from_db()
    assert (m.status, m.case_no, m.payment_reference) == (MatchStatus.HELD, "", "")
    assert m.note.startswith("您已在享受“高龄津贴”") and r.json()["case_no"] in m.note
    assert Case.objects.count() == cases_before and grants() == (1, 0, 0)
    assert live() == [("held", "instant", r.json()["case_no"])]


def test_an_application_approved_before_the_fresh_decision_leaves_the_grant_held(
    api, cases, day, monkeypatch
):
    """The other interleaving: the application is approved after the notice's register check
    but before its fresh decision, so the rules' own "not yet receiving" condition refuses the
    grant. The match is held by the application (a duplicate), not "ineligible"."""
    m = notify_elder()
    Entitlement.objects.filter(reference=f"proactive:{m.pk}").delete()  # a match from before
    real_decide = services.rules.decide
    filed = []

    def an_application_lands_then_decide(**kw):  # type: ignore[no-untyped-def]
        if not filed:
            filed.append(_apply(api, cases, "demo-elder"))
        return real_decide(**kw)

    monkeypatch.setattr(services.rules, "decide", an_application_lands_then_decide)
    assert services.match_grant(match_id=m.pk, actor="system:test") is False
    (r,) = filed
    assert r.status_code == 201 and r.json()["status"] == "closed", r.content
    m.refresh_from_db()
    assert m.status == MatchStatus.HELD, m.note
    assert m.note.startswith("您已在享受“高龄津贴”") and r.json()["case_no"] in m.note
    assert grants() == (1, 0, 0)
    assert live() == [("held", "instant", r.json()["case_no"])]


# --- two requests at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_confirm_and_apply_at_once_give_one_grant(api, cases, catalog_seeded):
    """Two connections at the same moment: the elder confirms a notice made before the
    register (no place held) while an application of hers is submitted. Whichever commits
    first, exactly one grant; the other ends held (the notice) or refused (the case)."""
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite: threads share one connection's cache, not real writers")
    with time_machine.travel(DAY, tick=True):
        m = notify_elder()
        Entitlement.objects.filter(reference=f"proactive:{m.pk}").delete()
        elder = principal_for_user(User.objects.get(username="demo-elder"))
        # the application _apply would send, filed through the service in a thread
        sent: dict = {}
        real_call = api.call

        def keep(method, path, **kw):  # type: ignore[no-untyped-def]
            if method == "POST" and path == "/api/v1/cases":
                sent.update(kw["json_body"])
                return None
            return real_call(method, path, **kw)

        api.call = keep
        _apply(api, cases, "demo-elder")
        api.call = real_call
        form, mats = sent["form"], sent["materials"]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(fn):  # type: ignore[no-untyped-def]
            def target() -> None:
                try:
                    start.wait(10)
                    fn()
                except BaseException as exc:
                    errors.append(exc)
                finally:
                    connections.close_all()

            return target

        threads = [
            threading.Thread(
                target=run(
                    lambda: services.match_respond(principal=elder, match_id=m.pk, accept=True)
                )
            ),
            threading.Thread(
                target=run(
                    lambda: intake.case_create(
                        principal=elder, item_code=GAOLING, form=form, materials=mats
                    )
                )
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    # the application lost at its check (409) or when the rules decided (closed 不予受理), or
    # the notice lost when it was granted (held): one grant either way
    assert all(isinstance(e, intake.rules.EntitlementTaken) for e in errors), errors
    m.refresh_from_db()
    approved, proactive, paid = grants()
    assert (approved, proactive, paid) in ((1, 0, 0), (0, 1, 1)), (approved, proactive, paid)
    assert len(live()) == 1
    assert m.status == (MatchStatus.GRANTED if proactive else MatchStatus.HELD)
    filed = Case.objects.filter(applicant_id=ELDER, channel="online").first()
    if proactive and filed is not None:
        assert filed.status == "refused" and "高龄津贴" in filed.decision_reason


# --- the reviewer's approval is the third path ---------------------------------------------------


def _seventy(api, cases):
    """何秀兰, 70: 秒批 refers her 高龄津贴 application to staff (under 80)."""
    idn = make_seventy()
    r = _apply(api, cases, "demo-70")
    assert r.status_code == 201 and r.json()["status"] == "submitted", r.content
    return idn, r.json()["case_no"]


def test_a_benefit_approved_by_a_reviewer_is_registered_as_received(api, cases, day):
    """秒批 sent the case to staff; the reviewer approves it: the case holds the benefit, so a
    second application is refused before filing."""
    idn, case_no = _seventy(api, cases)
    assert cases.act("demo-clerk", case_no, "accept").status_code == 200
    r = cases.act("demo-reviewer", case_no, "approve", note="经核实符合地方补充规定")
    assert r.status_code == 200, r.content
    held = Entitlement.objects.get(subject_id=idn, status="held")
    assert (held.benefit, held.source, held.reference, held.case_no) == (
        "高龄津贴",
        "staff",
        case_no,
        case_no,
    )
    again = _apply(api, cases, "demo-70")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "item_code"


def test_a_reviewer_cannot_approve_a_benefit_the_applicant_already_receives(api, cases, day):
    idn, case_no = _seventy(api, cases)
    assert cases.act("demo-clerk", case_no, "accept").status_code == 200
    _row(subject_id=idn, reference="proactive:1", source="proactive", status="offered")
    r = cases.act("demo-reviewer", case_no, "approve", note="经核实")
    assert r.status_code == 409, r.content
    assert "高龄津贴" in r.json()["message"]
    case = Case.objects.get(case_no=case_no)
    assert case.decision == "" and case.status == "in_progress"
