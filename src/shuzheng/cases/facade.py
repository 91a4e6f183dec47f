"""The cases module's public face."""

from __future__ import annotations

from shuzheng.cases import rules, selectors
from shuzheng.cases.contracts import CaseRef
from shuzheng.cases.models import Case
from shuzheng.cases.services import roles_on
from shuzheng.identity.contracts import Principal

__all__ = ["CaseRef", "case_for_applicant", "case_ref", "metrics_rows"]


def _ref(case: Case) -> CaseRef:
    return CaseRef(
        case_no=case.case_no,
        item_code=case.item_code or case.bundle_code,
        item_name=case.item_name,
        department_code=case.department_code,
        applicant_kind=case.applicant_kind,
        applicant_id=case.applicant_id,
        submitted_by=case.submitted_by,
        status=case.status,
        channel=case.channel,
        assignee=case.assignee or case.accepted_by,
        closed=case.status in rules.TERMINAL,
        decision=case.decision,
    )


def case_ref(principal: Principal, case_no: str) -> CaseRef:
    """A case the caller may see (raises NotFound otherwise)."""
    return _ref(selectors.case_for(principal, case_no))


def case_for_applicant(principal: Principal, case_no: str) -> CaseRef | None:
    """The case when the caller is its applicant (the only one who may rate it)."""
    case = selectors.visible_cases(principal).filter(case_no=case_no).first()
    if case is None or rules.APPLICANT not in roles_on(principal, case):
        return None
    return _ref(case)


def metrics_rows() -> list[dict[str, object]]:
    return selectors.metrics_rows()
