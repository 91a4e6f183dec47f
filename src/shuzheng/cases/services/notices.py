"""What the applicant is told (in-app message, and a text when they have a phone)."""

from __future__ import annotations

from shuzheng.cases.models import Case
from shuzheng.notify import facade as notify

_MESSAGES = {
    "accept": "已受理，承诺办结日期 {due}。",
    "refuse": "不予受理：{reason}",
    "request_correction": "需要补正材料：{items}。请在“我的办件”中补正后重新提交。",
    "approve": "审批通过，正在办结。",
    "deny": "审批结果：不予许可。理由：{reason}",
    "close": "已办结，结果：{result}。欢迎对本次服务进行评价。",
    "issue_license": "电子证照“{result}”已签发，可在“我的电子证照”中查看。",
    "extend": "办理时限已依法延长，新的办结日期 {due}。",
    "record_mailing": "办理结果已邮寄：{carrier}，快递单号 {tracking_no}。",
}


def to_applicant(case: Case, text: str) -> None:
    notify.send(
        recipient_kind=case.applicant_kind,
        recipient_id=case.applicant_id,
        title=case.item_name,
        body=text,
        link=f"/cases/{case.case_no}/",
    )


def for_action(case: Case, action: str) -> None:
    """The applicant's message after an action, when the action has one."""
    template = _MESSAGES.get(action)
    if not template:
        return
    text = template.format(
        due=case.due_date.isoformat() if case.due_date else "",
        reason=case.decision_reason,
        items="、".join(case.correction_items),
        result=case.result.get("name", "办结") if case.result else "办结",
        carrier=(case.mail_tracking or {}).get("carrier", ""),
        tracking_no=(case.mail_tracking or {}).get("tracking_no", ""),
    )
    to_applicant(case, f"{case.item_name}（{case.case_no}）{text}")
