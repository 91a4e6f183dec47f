"""秒批: an item's rule set decides a submitted case at once. Approve → closed with the result
licence issued; deny or review → the case waits for staff with the explanation; a benefit the
applicant already receives (or was offered by 免申即享) → 不予受理 with the reason, closed.

An approved item that charges a fee (``spec.fee.charged``) is not closed at once: it is
accepted — the action listeners hear ``accept``, so payments opens the fee order — and, when a
close gate then holds it (the fee unpaid), it waits 准予许可 with the rules' approval recorded
and the applicant told to pay; no result licence is signed yet. Once the order is paid,
payments calls ``cases.facade.close_paid_instant`` and ``close_paid`` closes it through the
``close`` row with the 秒批 actor, issuing the result."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import hooks, transitions
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import deadlines, notices, records, results
from shuzheng.catalog import facade as catalog
from shuzheng.licenses import facade as licenses
from shuzheng.rules import facade as rules_engine

SYSTEM_RULES = "system:秒批"

_OUTCOME_TEXT = {
    "approve": "已秒批通过并办结，结果已发送到您的电子证照包。",
    "deny": "自动审核未通过：{why}。如有异议，工作人员将人工复核。",
    "review": "需要人工审核：{why}",
    "duplicate": "不予受理：{why}。",
    "to_pay": "已秒批通过：{why}。请缴纳费用，缴费后即办结，结果将发送到您的电子证照包。",
}


def _charges(item: Any) -> bool:
    """Whether the item version says it charges a fee (payments decides the amount)."""
    return bool(((item.spec or {}).get("fee") or {}).get("charged"))


def decide(case: Case, item: Any) -> Case:
    """Run the rules on a case just submitted (committed) and apply their decision; returns the
    case as saved.

    The rules run and the result licence is signed outside any transaction (signing held the
    write lock of every other writer for ~100 ms); the decision is then applied to the case
    read again under its lock, so a change made meanwhile (an ``assign``) is kept, and a case
    withdrawn meanwhile is left alone and its licence voided."""
    decision = rules_engine.decide_for_item(
        item_code=case.item_code,
        subject_kind=case.applicant_kind,
        subject_id=case.applicant_id,
        form=case.form,
        case_no=case.case_no,  # an approved benefit is registered as held by this case
    )
    if decision is None:
        return case
    # issued idempotently per case: a failure after it leaves the case submitted, and staff
    # approval reuses the licence
    case.rule_decision = decision.as_api()  # the licence carries the rules' amount
    approve = decision.outcome == "approve"
    if approve and _charges(item):
        return _decide_paying(case, decision)
    result = results.issue_result(case, item.spec, actor=SYSTEM_RULES) if approve else None
    with transaction.atomic():
        locked = records.lock(case.case_no)
        if locked is not None and locked.status == S.SUBMITTED:
            _apply(locked, decision, result)
            return locked
    # withdrawn while the rules decided and the licence was signed: the licence is void, and
    # the benefit the approval registered is not received
    if approve:
        rules_engine.entitlement_end(
            reference=case.case_no, reason="办件已由申请人撤回", actor=SYSTEM_RULES
        )
    if result and result.get("license_id"):
        licenses.cancel_for_case(
            result["license_id"],
            case.case_no,
            "办件已由申请人撤回，办理结果证照作废。",
            SYSTEM_RULES,
        )
    return records.case_by_no(case.case_no) or case


def _apply(case: Case, decision: Any, result: dict[str, Any] | None) -> None:
    """Apply the rules' decision to the locked case: one save path, one event, one audit."""
    loaded = records.columns(case)
    before = case.status
    case.rule_decision = decision.as_api()
    if decision.outcome == "approve":
        now, today = timezone.now(), timezone.localdate()
        case.accepted_at, case.accepted_on, case.accepted_by = now, today, SYSTEM_RULES
        case.due_date = today
        case.decision, case.decision_reason = "approve", "；".join(decision.explanation)
        case.status, case.delivery = S.CLOSED, "electronic"
        case.closed_at, case.closed_on = now, today
        case.result = result or {}
    elif decision.duplicate:  # one person, one benefit: nothing for staff to decide
        now, today = timezone.now(), timezone.localdate()
        case.decision_reason = decision.reason
        case.status = S.REFUSED
        case.closed_at, case.closed_on = now, today
    records.save(case, loaded)
    records.add_event(
        case,
        actor=SYSTEM_RULES,
        action=f"rules_{decision.outcome}",
        before=before,
        note="；".join(decision.explanation),
        data={"decision_id": decision.decision_id},
    )
    if decision.duplicate:
        text = _OUTCOME_TEXT["duplicate"].format(why=decision.reason)
    else:
        text = _OUTCOME_TEXT[decision.outcome].format(why="；".join(decision.explanation))
    notices.to_applicant(case, f"{case.item_name}（{case.case_no}）{text}")
    audit.record(
        actor=SYSTEM_RULES,
        action=f"cases.rules_{decision.outcome}",
        object_type="cases.case",
        object_id=case.case_no,
        before={"status": before},
        after={**records.snapshot(case), "rule_decision": case.rule_decision},
    )


# --- an approved item that charges a fee: accepted, paid, then closed ---------------------------


def _decide_paying(case: Case, decision: Any) -> Case:
    """Accept the approved case and let the listeners open the fee order; when a close gate
    then holds it, it waits for the payment (``close_paid``); when none does (nothing to pay
    after all), it is closed at once through the same path."""
    with transaction.atomic():
        locked = records.lock(case.case_no)
        if locked is not None and locked.status == S.SUBMITTED:
            held = _accept_approved(locked, decision)
        else:
            locked = None
    if locked is None:
        # withdrawn while the rules decided: the benefit the approval registered is not received
        rules_engine.entitlement_end(
            reference=case.case_no, reason="办件已由申请人撤回", actor=SYSTEM_RULES
        )
        return records.case_by_no(case.case_no) or case
    if held:
        return locked
    return close_paid(case.case_no) or locked


def _accept_approved(case: Case, decision: Any) -> str | None:
    """受理 by the rules and 准予 (the locked case): the ``accept`` listeners told, their close
    gates asked. Returns why the case may not be closed yet (None: nothing holds it)."""
    loaded, before = records.columns(case), records.snapshot(case)
    now, today = timezone.now(), timezone.localdate()
    case.rule_decision = decision.as_api()
    case.accepted_at, case.accepted_on, case.accepted_by = now, today, SYSTEM_RULES
    case.status = S.IN_PROGRESS
    deadlines.recompute_due(case)
    records.add_event(case, actor=SYSTEM_RULES, action="accept", before=S.SUBMITTED)
    accepted = records.snapshot(case)
    audit.record(
        actor=SYSTEM_RULES,
        action="cases.accept",
        object_type="cases.case",
        object_id=case.case_no,
        before=before,
        after=accepted,
    )
    case.decision, case.decision_reason = "approve", "；".join(decision.explanation)
    case.status = S.APPROVED
    records.save(case, loaded)
    records.add_event(
        case,
        actor=SYSTEM_RULES,
        action="rules_approve",
        before=S.IN_PROGRESS,
        note="；".join(decision.explanation),
        data={"decision_id": decision.decision_id},
    )
    audit.record(
        actor=SYSTEM_RULES,
        action="cases.rules_approve",
        object_type="cases.case",
        object_id=case.case_no,
        before=accepted,
        after={**records.snapshot(case), "rule_decision": case.rule_decision},
    )
    hooks.after_action(case, "accept", SYSTEM_RULES)  # payments opens the fee order
    held = hooks.close_blocked(case)
    if held:
        why = "；".join(decision.explanation)
        notices.to_applicant(
            case, f"{case.item_name}（{case.case_no}）{_OUTCOME_TEXT['to_pay'].format(why=why)}"
        )
    return held


def _waits_to_close(case: Case) -> bool:
    """Approved by the rules and waiting only to be closed (its fee, until paid)."""
    return (
        case.status == S.APPROVED
        and case.decision == "approve"
        and case.accepted_by == SYSTEM_RULES
        and case.kind == "item"
    )


def close_paid(case_no: str) -> Case | None:
    """Close a 秒批 case whose close gate no longer holds it (its fee paid) through the
    ``close`` row — 电子送达, the result licence issued — as the 秒批 actor, audited. Anything
    else (not found, not such a case, still held, closed by staff meanwhile) is left alone.

    As in ``decide``, the licence is signed outside the transaction (issued once per case: a
    clerk closing the case meanwhile gets the same licence)."""
    case = records.case_by_no(case_no)
    if case is None or not _waits_to_close(case) or not hooks.close_allowed(case):
        return case
    spec = catalog.item_version(case.item_code, case.item_version or 1).spec
    result = results.issue_result(case, spec, actor=SYSTEM_RULES)
    row = transitions.CASE["close"]
    with transaction.atomic():
        locked = records.lock(case_no)
        if locked is None or not _waits_to_close(locked) or not hooks.close_allowed(locked):
            return locked
        loaded, before, from_status = (
            records.columns(locked),
            records.snapshot(locked),
            locked.status,
        )
        assert row.target is not None
        locked.status = row.target
        locked.delivery = "electronic"
        locked.closed_at, locked.closed_on = timezone.now(), timezone.localdate()
        locked.result = result
        data: dict[str, Any] = {"delivery": "electronic"}
        if result.get("license_id"):
            data["license_id"] = result["license_id"]
        elif result.get("license_pending"):
            data["license_pending"] = result.get("license_pending_fields", [])
        records.save(locked, loaded)
        records.add_event(
            locked, actor=SYSTEM_RULES, action="close", before=from_status, note="", data=data
        )
        notices.for_action(locked, "close")
        audit.record(
            actor=SYSTEM_RULES,
            action="cases.close",
            object_type="cases.case",
            object_id=locked.case_no,
            before=before,
            after={**records.snapshot(locked), **data},
        )
        hooks.after_action(locked, "close", SYSTEM_RULES)
    return locked
