"""秒批: an item's rule set decides a submitted case at once. Approve → closed with the result
licence issued; deny or review → the case waits for staff with the explanation; a benefit the
applicant already receives (or was offered by 免申即享) → 不予受理 with the reason, closed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import notices, records, results
from shuzheng.licenses import facade as licenses
from shuzheng.rules import facade as rules_engine

SYSTEM_RULES = "system:秒批"

_OUTCOME_TEXT = {
    "approve": "已秒批通过并办结，结果已发送到您的电子证照包。",
    "deny": "自动审核未通过：{why}。如有异议，工作人员将人工复核。",
    "review": "需要人工审核：{why}",
    "duplicate": "不予受理：{why}。",
}


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
