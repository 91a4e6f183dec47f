"""All writes of 免申即享: run a policy's batch, notify, confirm/decline, grant. Each change is
one transaction with its audit record; SMS leave after commit (``notify.send``).

Idempotence: a subject has at most one ``Match`` per policy and period (a unique constraint),
a grant moves a match from notified/confirmed to granted under a row lock, and the payment
reference is derived from the match — so running a batch, or the grant step, twice never
notifies or pays twice.

One person, one benefit: a notice holds the benefit's place in the rules' entitlement register
(``rules.entitlement_offer``) until it is granted (``entitlement_grant``), declined or expires
(``entitlement_end``), so an application for the same benefit is refused meanwhile; a grant
re-checks the match first — another path's entitlement makes it ``held``, a fresh decision
that no longer approves makes it ``ineligible`` — and the register's constraint decides a race.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import facade as cases
from shuzheng.catalog import facade as catalog
from shuzheng.core import calendar
from shuzheng.core.errors import Conflict, NotFound
from shuzheng.core.zhdate import zh_date
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify
from shuzheng.proactive import payments, selectors
from shuzheng.proactive.models import BatchRun, Match, MatchStatus, Mode, Period, Policy
from shuzheng.rules import facade as rules

logger = logging.getLogger(__name__)
EDITOR_ROLE = "platform_admin"
MINE_LINK = "/policies/mine/"


@dataclass
class RunSummary:
    policy: str
    as_of: str
    rule_version: int
    evaluated: int
    outcomes: dict[str, int]
    eligible: int
    new_matches: int
    already_matched: int
    granted: int
    expired: int
    seconds: float
    batch_id: int
    notified: list[str] = field(default_factory=list)


def period_key(policy: Policy, on: dt.date) -> str:
    return str(on.year) if policy.period == Period.YEAR else "once"


def _money(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return f"{text} {unit or '元'}"


def _match_snapshot(m: Match) -> dict[str, Any]:
    return {
        "policy": m.policy.code,
        "subject_kind": m.subject_kind,
        "subject_id": m.subject_id,
        "period": m.period_key,
        "status": m.status,
        "amount": str(m.amount) if m.amount is not None else None,
        "case_no": m.case_no,
        "payment_reference": m.payment_reference,
    }


def _item_in_force(code: str) -> str | None:
    """The policy's service item when the catalog has it in force (else the case is filed
    under the policy's name)."""
    if not code:
        return None
    try:
        return catalog.item(code).code
    except NotFound:
        return None


def _notify_match(policy: Policy, m: Match) -> None:
    amount = _money(m.amount, policy.amount_unit)
    if policy.mode == Mode.OPT_OUT:
        tail = (
            f"无需申请，将于{zh_date(m.window_ends_on)}后自动发放；如不需要，"
            "请在此前到“我的 › 可享政策”选择不享受。"
        )
    else:
        tail = f"请在{zh_date(m.window_ends_on)}前到“我的 › 可享政策”确认，逾期视为放弃。"
    notify.send(
        recipient_kind=m.subject_kind,
        recipient_id=m.subject_id,
        title=f"您可享受“{policy.name}”（免申即享）",
        body=f"经数据比对，{m.subject_name}符合“{policy.name}”条件"
        + (f"（{amount}）" if amount else "")
        + f"。{tail}",
        link=MINE_LINK,
        sms=m.subject_kind == "person",
    )


def policy_run(
    *,
    code: str,
    actor: str,
    principal: Principal | None = None,
    as_of: dt.date | None = None,
    grant_due: bool = True,
    subjects: list[str] | None = None,
) -> RunSummary:
    """Evaluate a policy over every subject, notify the newly eligible, grant what is due.

    ``principal`` is the caller of a page or API (must be the policy officer); commands and
    tasks pass ``actor`` only. ``subjects`` limits the run to some subjects (a pilot).
    """
    if principal is not None:
        identity.require_role(principal, EDITOR_ROLE)
    policy = selectors.policy_get(code)
    if not policy.active:
        raise Conflict("该政策已停用。")
    as_of = as_of or timezone.localdate()
    granted = expired = 0
    if grant_due:
        granted, expired = grants_due(actor=actor, as_of=as_of, policy=policy)
    result = rules.batch_evaluate(
        rule_set_code=policy.rule_set_code, as_of=as_of, subjects=subjects
    )
    key = period_key(policy, as_of)
    known = set(
        Match.objects.filter(policy=policy, period_key=key).values_list("subject_id", flat=True)
    )
    with transaction.atomic():
        run = BatchRun.objects.create(
            policy=policy,
            as_of=as_of,
            rule_version=result.version,
            started_by=actor,
            evaluated=result.evaluated,
            eligible=len(result.eligible),
            seconds=result.seconds,
        )
        audit.record(
            actor=actor,
            action="proactive.batch_started",
            object_type="proactive.batch",
            object_id=str(run.pk),
            after={"policy": policy.code, "as_of": as_of.isoformat(), "version": result.version},
        )
    window_end = calendar.add_working_days(as_of, policy.window_days)
    fresh = [row for row in result.eligible if row.subject_id not in known]
    decisions = (
        rules.batch_decide(
            rule_set_code=policy.rule_set_code,
            subject_ids=[r.subject_id for r in fresh],
            actor=actor,
            as_of=as_of,
        )
        if fresh
        else {}
    )
    notified: list[str] = []
    for row in fresh:
        decision = decisions.get(row.subject_id)
        if decision is None or decision.outcome != "approve":
            continue
        try:
            with transaction.atomic():
                m = Match.objects.create(
                    policy=policy,
                    batch=run,
                    subject_kind=policy.subject_kind,
                    subject_id=row.subject_id,
                    subject_name=row.name[:128],
                    period_key=key,
                    status=MatchStatus.NOTIFIED,
                    amount=Decimal(decision.amount) if decision.amount is not None else None,
                    decision_id=decision.decision_id,
                    explanation=decision.explanation,
                    window_ends_on=window_end,
                )
                rules.entitlement_offer(
                    decision_id=decision.decision_id, reference=m.reference, actor=actor
                )
                _notify_match(policy, m)
                audit.record(
                    actor=actor,
                    action="proactive.matched",
                    object_type="proactive.match",
                    object_id=str(m.pk),
                    after={"status": m.status, "decision": decision.decision_id},
                )
        except IntegrityError:  # a concurrent run matched it first
            continue
        except rules.EntitlementTaken:  # received meanwhile by another path: not notified
            continue
        notified.append(row.subject_id)
    with transaction.atomic():
        BatchRun.objects.filter(pk=run.pk).update(new_matches=len(notified), granted=granted)
        audit.record(
            actor=actor,
            action="proactive.batch_finished",
            object_type="proactive.batch",
            object_id=str(run.pk),
            after={
                "policy": policy.code,
                "evaluated": result.evaluated,
                "eligible": len(result.eligible),
                "new_matches": len(notified),
                "granted": granted,
                "expired": expired,
            },
        )
    return RunSummary(
        policy=policy.code,
        as_of=as_of.isoformat(),
        rule_version=result.version,
        evaluated=result.evaluated,
        outcomes=result.outcomes,
        eligible=len(result.eligible),
        new_matches=len(notified),
        already_matched=len(result.eligible) - len(notified),
        granted=granted,
        expired=expired,
        seconds=result.seconds,
        batch_id=run.pk,
        notified=notified,
    )


def grants_due(
    *, actor: str, as_of: dt.date | None = None, policy: Policy | None = None
) -> tuple[int, int]:
    """Grant confirmed matches and opt-out matches whose window has passed; expire
    confirm-mode matches nobody confirmed. Returns (granted, expired)."""
    as_of = as_of or timezone.localdate()
    qs = Match.objects.select_related("policy").filter(
        status__in=[MatchStatus.NOTIFIED, MatchStatus.CONFIRMED]
    )
    if policy is not None:
        qs = qs.filter(policy=policy)
    granted = expired = 0
    for m in list(qs.order_by("id")):
        if m.status == MatchStatus.CONFIRMED:
            granted += int(match_grant(match_id=m.pk, actor=actor))
        elif m.window_ends_on < as_of:
            if m.policy.mode == Mode.OPT_OUT:
                granted += int(match_grant(match_id=m.pk, actor=actor))
            else:
                expired += int(_match_expire(match_id=m.pk, actor=actor))
    return granted, expired


def _match_expire(*, match_id: int, actor: str) -> bool:
    with transaction.atomic():
        m = Match.objects.select_for_update().select_related("policy").get(pk=match_id)
        if m.status != MatchStatus.NOTIFIED:
            return False
        before = _match_snapshot(m)
        m.status = MatchStatus.EXPIRED
        m.save(update_fields=["status"])
        rules.entitlement_end(reference=m.reference, reason="逾期未确认", actor=actor)
        audit.record(
            actor=actor,
            action="proactive.expired",
            object_type="proactive.match",
            object_id=str(m.pk),
            before=before,
            after=_match_snapshot(m),
        )
    return True


def _not_granted(m: Match, status: str, note: str, *, actor: str, before: dict[str, Any]) -> None:
    """The re-check at grant time found nothing to grant: the match says why, its place in the
    entitlement register is given up, the subject is told."""
    m.status = status
    m.note = note[:300]
    m.save(update_fields=["status", "note", "grant_decision_id"])
    rules.entitlement_end(reference=m.reference, reason=note, actor=actor)
    notify.send(
        recipient_kind=m.subject_kind,
        recipient_id=m.subject_id,
        title=f"“{m.policy.name}”未重复发放"
        if status == MatchStatus.HELD
        else f"“{m.policy.name}”经复核未发放",
        body=note,
        link=MINE_LINK,
        sms=False,
    )
    audit.record(
        actor=actor,
        action="proactive.held" if status == MatchStatus.HELD else "proactive.ineligible",
        object_type="proactive.match",
        object_id=str(m.pk),
        before=before,
        after={**_match_snapshot(m), "note": m.note},
    )


def _held_note(holder: rules.Entitlement) -> str:
    if holder.held:
        return f"您已在享受“{holder.benefit}”（{holder.describe()}），本次不再重复发放。"
    return f"“{holder.benefit}”已另有免申即享告知（{holder.describe()}），本次不再重复发放。"


def _recheck(m: Match, *, actor: str) -> tuple[str, str, rules.Decision | None]:
    """A match decided days (or a batch) ago, re-checked now: (status to close it with, why,
    None) when it must not be granted, else ("", "", the fresh decision to grant with)."""

    def held_elsewhere() -> rules.Entitlement | None:
        holder = rules.entitlement_for_decision(m.decision_id)
        return holder if holder is not None and holder.reference != m.reference else None

    if (holder := held_elsewhere()) is not None:
        return MatchStatus.HELD, _held_note(holder), None
    fresh = rules.decide(
        rule_set_code=m.policy.rule_set_code,
        subject_kind=m.subject_kind,
        subject_id=m.subject_id,
        actor=actor,
        context="grant",
    )
    m.grant_decision_id = fresh.decision_id
    if fresh.outcome != "approve":
        # an application approved between the register's read and this decision is refused
        # by the rules' own "not yet receiving" condition: held elsewhere, not ineligible
        if (holder := held_elsewhere()) is not None:
            return MatchStatus.HELD, _held_note(holder), None
        reason = fresh.reason.rstrip("。") or "按当前数据不再符合条件"
        return MatchStatus.INELIGIBLE, f"发放前按最新数据复核：{reason}，本次不予发放。", None
    return "", "", fresh


def match_grant(*, match_id: int, actor: str) -> bool:
    """Grant one match: re-checked first (``_recheck``: another path's entitlement, a fresh
    decision), then the benefit registered as held, the automatic case (when cases offers
    ``create_proactive_case``), the payment instruction and the notice. False when nothing was
    granted: already granted or no longer grantable, or the re-check closed it (``held`` or
    ``ineligible``, with ``note``)."""
    with transaction.atomic():
        m = Match.objects.select_for_update().select_related("policy").get(pk=match_id)
        if m.status not in (MatchStatus.NOTIFIED, MatchStatus.CONFIRMED):
            return False
        policy = m.policy
        before = _match_snapshot(m)
        try:
            status, why, fresh = _recheck(m, actor=actor)
        except (NotFound, Conflict) as exc:  # no rule version in force: left for the next run
            logger.warning("match %s not re-checked, left pending: %s", m.pk, exc)
            return False
        if fresh is None:
            _not_granted(m, status, why, actor=actor, before=before)
            return False
        try:
            with transaction.atomic():  # the case and the held entitlement, or neither
                create_case = getattr(cases, "create_proactive_case", None)
                if create_case is not None:
                    ref = create_case(
                        item_code=_item_in_force(policy.item_code),
                        title=policy.name,
                        department_code=policy.department_code,
                        applicant_kind=m.subject_kind,
                        applicant_id=m.subject_id,
                        applicant_name=m.subject_name,
                        decision=fresh.as_api(),
                    )
                    m.case_no = str(getattr(ref, "case_no", "") or "")
                else:  # until cases offers it: the grant is recorded here, without a case
                    logger.info(
                        "cases.facade.create_proactive_case is missing; grant %s has no case", m.pk
                    )
                rules.entitlement_grant(
                    decision_id=fresh.decision_id,
                    reference=m.reference,
                    source="proactive",
                    actor=actor,
                    case_no=m.case_no,
                )
        except rules.EntitlementTaken as taken:  # another path won the race
            m.case_no = ""
            _not_granted(m, MatchStatus.HELD, _held_note(taken.held), actor=actor, before=before)
            return False
        m.amount = Decimal(fresh.amount) if fresh.amount is not None else None
        if m.amount is not None and m.amount > 0:
            receipt = payments.backend().instruct(
                reference=f"MSJX-{policy.code}-{m.period_key}-{m.subject_id}",
                payee_kind=m.subject_kind,
                payee_id=m.subject_id,
                payee_name=m.subject_name,
                amount=m.amount,
                purpose=f"{policy.name}（免申即享）",
            )
            m.payment_reference = receipt.reference
        m.status = MatchStatus.GRANTED
        m.granted_at = timezone.now()
        m.save(
            update_fields=[
                "status",
                "granted_at",
                "case_no",
                "payment_reference",
                "amount",
                "grant_decision_id",
            ]
        )
        amount = _money(m.amount, policy.amount_unit)
        notify.send(
            recipient_kind=m.subject_kind,
            recipient_id=m.subject_id,
            title=f"“{policy.name}”已为您办理",
            body=f"“{policy.name}”已免申请发放"
            + (f"，金额 {amount}" if amount else "")
            + (f"，办件编号 {m.case_no}" if m.case_no else "")
            + "。",
            link=MINE_LINK,
            sms=m.subject_kind == "person",
        )
        audit.record(
            actor=actor,
            action="proactive.granted",
            object_type="proactive.match",
            object_id=str(m.pk),
            before=before,
            after=_match_snapshot(m),
        )
    return True


def match_respond(*, principal: Principal, match_id: int, accept: bool) -> Match:
    """The subject confirms (granted at once, after the grant's re-check: the match may end
    ``held`` or ``ineligible`` instead, with ``note``) or declines within the window."""
    m = selectors.match_for(principal, match_id)
    today = timezone.localdate()
    with transaction.atomic():
        m = Match.objects.select_for_update().select_related("policy").get(pk=m.pk)
        if m.status != MatchStatus.NOTIFIED:
            raise Conflict("该政策已处理，不能再更改。", extra={"status": m.status})
        if m.window_ends_on < today:
            raise Conflict("已过确认期限。")
        before = _match_snapshot(m)
        m.status = MatchStatus.CONFIRMED if accept else MatchStatus.DECLINED
        m.responded_at = timezone.now()
        m.save(update_fields=["status", "responded_at"])
        if not accept:  # the benefit's place is given up: the subject may apply later
            rules.entitlement_end(
                reference=m.reference, reason="本人选择不享受", actor=principal.actor
            )
        audit.record(
            actor=principal.actor,
            action="proactive.confirmed" if accept else "proactive.declined",
            object_type="proactive.match",
            object_id=str(m.pk),
            before=before,
            after=_match_snapshot(m),
        )
    if accept:
        match_grant(match_id=m.pk, actor=principal.actor)
    m.refresh_from_db()
    return m


def policies_seed(*, actor: str = "system:proactive_seed") -> list[str]:
    from shuzheng.proactive import seed

    with transaction.atomic():
        created = seed.load(Policy)
        if created:
            audit.record(
                actor=actor,
                action="proactive.seeded",
                object_type="proactive.policy",
                object_id="seed",
                after={"created": created},
            )
    return created
