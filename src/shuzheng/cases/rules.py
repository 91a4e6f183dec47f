"""Who may do what to a case in which state (one table, used by services and by the API's
``allowed_actions``)."""

from __future__ import annotations

from dataclasses import dataclass

from shuzheng.cases.models import CaseStatus as S

APPLICANT = "applicant"
CLERK = "window_clerk"
REVIEWER = "reviewer"
HEAD = "department_head"


@dataclass(frozen=True)
class Rule:
    from_statuses: tuple[str, ...]
    to_status: str | None  # None: decided by the service (e.g. resubmit goes back where it was)
    who: tuple[str, ...]
    label: str


RULES: dict[str, Rule] = {
    "submit": Rule((S.DRAFT,), S.SUBMITTED, (APPLICANT, CLERK), "提交申请"),
    "accept": Rule((S.SUBMITTED,), S.IN_PROGRESS, (CLERK,), "受理"),
    "refuse": Rule((S.SUBMITTED,), S.REFUSED, (CLERK,), "不予受理"),
    "request_correction": Rule(
        (S.SUBMITTED, S.IN_PROGRESS), S.CORRECTION, (CLERK, REVIEWER), "一次性告知补正"
    ),
    "resubmit": Rule((S.CORRECTION,), None, (APPLICANT, CLERK), "补正后重新提交"),
    "assign": Rule(
        (S.SUBMITTED, S.IN_PROGRESS, S.SUSPENDED), None, (CLERK, REVIEWER, HEAD), "分配承办人"
    ),
    "suspend": Rule((S.IN_PROGRESS,), S.SUSPENDED, (REVIEWER,), "特别程序（计时暂停）"),
    "resume": Rule((S.SUSPENDED,), S.IN_PROGRESS, (REVIEWER,), "特别程序结束"),
    "extend": Rule((S.IN_PROGRESS,), S.IN_PROGRESS, (HEAD,), "延期（负责人批准）"),
    "approve": Rule((S.IN_PROGRESS,), S.APPROVED, (REVIEWER,), "准予"),
    "deny": Rule((S.IN_PROGRESS,), S.DENIED, (REVIEWER,), "不予"),
    "close": Rule((S.APPROVED, S.DENIED), S.CLOSED, (REVIEWER, CLERK), "办结并送达"),
    # a result licence the case could not fill (``result.license_pending``): the reviewer
    # completes its data items and issues it; the case stays closed
    "issue_license": Rule((S.CLOSED,), S.CLOSED, (REVIEWER,), "补全照面信息并签发证照"),
    "withdraw": Rule(
        (S.DRAFT, S.SUBMITTED, S.CORRECTION, S.IN_PROGRESS, S.SUSPENDED),
        S.WITHDRAWN,
        (APPLICANT,),
        "撤回申请",
    ),
}

TERMINAL = {S.CLOSED, S.REFUSED, S.WITHDRAWN}
OPEN_FOR_CLOCK = {S.IN_PROGRESS}
