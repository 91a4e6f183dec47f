"""One person, one benefit: the register of who receives which benefit for which period.

Every path that grants a rule set's benefit writes an ``Entitlement`` in the transaction that
grants it: a 秒批 approval (``services.decision_make``, ``instant``), a 免申即享 notice
(``offer``) and its grant (``grant``). The database's partial unique constraint
(``rules_entitlement_one_live``: benefit, subject, period among the live rows) is what decides
when two paths race — the loser gets ``EntitlementTaken`` naming the winner, and its savepoint
leaves nothing behind. ``end`` closes a row (a declined or expired notice, a withdrawn case).

The key: the rule set's ``benefit`` (the name the rules' ``benefits`` fact uses), the subject,
and the period of the decision's date (``once`` or its year, by ``RuleSet.period``). A benefit
that may be received again and again (``Period.REPEAT``) is not recorded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.rules import selectors
from shuzheng.rules.contracts import Entitlement as EntitlementRef
from shuzheng.rules.contracts import EntitlementTaken
from shuzheng.rules.models import LIVE, Decision, Entitlement, EntitlementStatus, RuleSet


def ref(row: Entitlement) -> EntitlementRef:
    since = row.granted_at or row.created_at
    return EntitlementRef(
        benefit=row.benefit,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        period=row.period_key,
        status=row.status,
        source=row.source,
        reference=row.reference,
        case_no=row.case_no,
        since=timezone.localdate(since) if since else timezone.localdate(),
    )


# --- writes -----------------------------------------------------------------------------------


def _snapshot(row: Entitlement) -> dict[str, object]:
    return {
        "benefit": row.benefit,
        "subject_kind": row.subject_kind,
        "subject_id": row.subject_id[:6] + "…",
        "period": row.period_key,
        "status": row.status,
        "source": row.source,
        "reference": row.reference,
        "case_no": row.case_no,
        "decision": row.decision_id,
        "amount": str(row.amount) if row.amount is not None else None,
    }


def _audit(row: Entitlement, action: str, actor: str, before: dict[str, object] | None) -> None:
    audit.record(
        actor=actor,
        action=f"rules.entitlement_{action}",
        object_type="rules.entitlement",
        object_id=str(row.pk),
        before=before,
        after=_snapshot(row),
    )


def claim(
    *,
    rule_set: RuleSet,
    subject_kind: str,
    subject_id: str,
    on: dt.date,
    status: str,
    source: str,
    reference: str,
    decision_id: str,
    actor: str,
    case_no: str = "",
    amount: Decimal | None = None,
) -> Entitlement:
    """Write a live entitlement, or raise ``EntitlementTaken`` naming the live one another
    record holds. The insert runs in a savepoint, so a lost race leaves the caller's
    transaction usable and nothing written."""
    key = selectors.entitlement_period(rule_set.period, on)
    try:
        with transaction.atomic():
            row = Entitlement.objects.create(
                benefit=rule_set.benefit,
                subject_kind=subject_kind,
                subject_id=subject_id,
                period_key=key,
                status=status,
                source=source,
                reference=reference,
                case_no=case_no,
                rule_set_code=rule_set.code,
                decision_id=decision_id,
                amount=amount,
                granted_at=timezone.now() if status == EntitlementStatus.HELD else None,
            )
            _audit(row, "held" if status == EntitlementStatus.HELD else "offered", actor, None)
    except IntegrityError:
        winner = selectors.live_entitlement(rule_set.benefit, subject_kind, subject_id, key)
        if winner is None:  # pragma: no cover - the winner ended between the two statements
            raise
        raise EntitlementTaken(ref(winner)) from None
    return row


def _decided(decision_id: str) -> tuple[Decision, RuleSet]:
    decision = Decision.objects.get(decision_id=decision_id)
    return decision, RuleSet.objects.get(code=decision.rule_set_code)


def offer(*, decision_id: str, reference: str, actor: str) -> EntitlementRef | None:
    """免申即享: the approved batch decision's subject is told it will receive the benefit; the
    notice holds the benefit's place until it is granted, declined or expires. None for a
    benefit the register does not record (``Period.REPEAT``, or no benefit)."""
    decision, rule_set = _decided(decision_id)
    if not selectors.registered(rule_set):
        return None
    row = claim(
        rule_set=rule_set,
        subject_kind=decision.subject_kind,
        subject_id=decision.subject_id,
        on=decision.as_of,
        status=EntitlementStatus.OFFERED,
        source="proactive",
        reference=reference,
        decision_id=decision_id,
        actor=actor,
        amount=decision.amount,
    )
    return ref(row)


def grant(
    *,
    decision_id: str,
    reference: str,
    source: str,
    actor: str,
    case_no: str = "",
) -> EntitlementRef | None:
    """The subject receives the benefit now. The record's own live row (its offer) becomes
    held; without one a held row is claimed for the decision's benefit and period. Raises
    ``EntitlementTaken`` when another record holds or was offered it; None for a benefit the
    register does not record."""
    decision, rule_set = _decided(decision_id)
    if not selectors.registered(rule_set):
        return None
    with transaction.atomic():
        own = (
            Entitlement.objects.select_for_update()
            .filter(reference=reference, status__in=LIVE)
            .first()
        )
        if own is None:
            row = claim(
                rule_set=rule_set,
                subject_kind=decision.subject_kind,
                subject_id=decision.subject_id,
                on=decision.as_of,
                status=EntitlementStatus.HELD,
                source=source,
                reference=reference,
                decision_id=decision_id,
                actor=actor,
                case_no=case_no,
                amount=decision.amount,
            )
            return ref(row)
        before = _snapshot(own)
        own.status = EntitlementStatus.HELD
        own.decision_id = decision_id
        own.case_no = case_no or own.case_no
        own.amount = decision.amount
        own.granted_at = own.granted_at or timezone.now()
        own.save(update_fields=["status", "decision_id", "case_no", "amount", "granted_at"])
        _audit(own, "held", actor, before)
    return ref(own)


def end(*, reference: str, reason: str, actor: str) -> bool:
    """Close the record's live entitlement (a declined or expired notice, a withdrawn case).
    False when it has none."""
    with transaction.atomic():
        row = (
            Entitlement.objects.select_for_update()
            .filter(reference=reference, status__in=LIVE)
            .first()
        )
        if row is None:
            return False
        before = _snapshot(row)
        row.status = EntitlementStatus.ENDED
        row.ended_at = timezone.now()
        row.end_reason = reason[:200]
        row.save(update_fields=["status", "ended_at", "end_reason"])
        _audit(row, "ended", actor, before)
    return True
