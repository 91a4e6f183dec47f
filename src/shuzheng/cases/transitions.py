"""The lifecycle of a case (办件): who may do what in which state, what the action is called
and what the timeline says, and the handler that does it — one row per action
(docs/style.md habit 11). Services, the API's ``allowed_actions``, the citizen's case page and
the workbench read their labels, rights and timeline words from here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.cases import hooks
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import handlers as h
from shuzheng.core.lifecycle import Lifecycle, Transition

APPLICANT = "applicant"
CLERK = "window_clerk"
REVIEWER = "reviewer"
HEAD = "department_head"

TERMINAL = frozenset({S.CLOSED, S.REFUSED, S.WITHDRAWN})
OPEN = (S.DRAFT, S.SUBMITTED, S.CORRECTION, S.IN_PROGRESS, S.SUSPENDED)
SUBMITTED_OPEN = tuple(s for s in OPEN if s != S.DRAFT)  # filed, not finished: may be withdrawn


def _no_correction_yet(case: Case) -> bool:
    return not case.correction_items  # 一次性告知: one correction request per case


def _not_extended_yet(case: Case) -> bool:
    return not case.extended_days


def _license_pending(case: Case) -> bool:
    return case.decision == "approve" and bool((case.result or {}).get("license_pending"))


def _not_a_sub_case(case: Case) -> bool:
    return case.parent_id is None  # sub-cases are withdrawn with their 一件事


def _sent_by_post(case: Case) -> bool:
    return case.delivery == "mail"  # 邮寄送达: the result is posted, its tracking recorded


T = Transition
# fmt: off
#  action, from states, to state (None: the handler decides), who,
#  label, timeline words, handler, [further condition, name at a staff desk]
ROWS = [
    T("submit", (S.DRAFT,), S.SUBMITTED, (APPLICANT, CLERK),
      _("提交申请"), _("提交申请"), h.submit, staff_label=_("代为提交草稿")),
    T("accept", (S.SUBMITTED,), S.IN_PROGRESS, (CLERK,), _("受理"), _("受理"), h.accept),
    T("refuse", (S.SUBMITTED,), S.REFUSED, (CLERK,), _("不予受理"), _("不予受理"), h.refuse),
    T("request_correction", (S.SUBMITTED, S.IN_PROGRESS), S.CORRECTION, (CLERK, REVIEWER),
      _("一次性告知补正"), _("一次性告知补正"), h.request_correction,
      available=_no_correction_yet),
    T("resubmit", (S.CORRECTION,), None, (APPLICANT, CLERK),
      _("补正后重新提交"), _("补正后重新提交"), h.resubmit, staff_label=_("窗口代为补正")),
    T("assign", (S.SUBMITTED, S.IN_PROGRESS, S.SUSPENDED), None, (CLERK, REVIEWER, HEAD),
      _("分配承办人"), _("分配承办人"), h.assign),
    T("suspend", (S.IN_PROGRESS,), S.SUSPENDED, (REVIEWER,),
      _("特别程序（计时暂停）"), _("特别程序（计时暂停）"), h.suspend),
    T("resume", (S.SUSPENDED,), S.IN_PROGRESS, (REVIEWER,),
      _("特别程序结束"), _("特别程序结束"), h.resume),
    T("extend", (S.IN_PROGRESS,), S.IN_PROGRESS, (HEAD,),
      _("延期（负责人批准）"), _("延期"), h.extend, available=_not_extended_yet),
    T("approve", (S.IN_PROGRESS,), S.APPROVED, (REVIEWER,), _("准予"), _("准予"), h.approve),
    T("deny", (S.IN_PROGRESS,), S.DENIED, (REVIEWER,), _("不予"), _("不予"), h.deny),
    # a gate of a module above (payments: a fee still unpaid) may hold back 办结/出证
    T("close", (S.APPROVED, S.DENIED), S.CLOSED, (REVIEWER, CLERK),
      _("办结并送达"), _("办结并送达"), h.close, available=hooks.close_allowed),
    # a result licence the case could not fill (``result.license_pending``): the reviewer
    # completes its data items and issues it; the case stays closed
    T("issue_license", (S.CLOSED,), S.CLOSED, (REVIEWER,),
      _("补全照面信息并签发证照"), _("补全照面信息并签发证照"), h.issue_license,
      available=_license_pending),
    # the result posted (邮寄送达): carrier and tracking number, recorded again to correct them
    T("record_mailing", (S.CLOSED,), S.CLOSED, (CLERK, REVIEWER),
      _("登记邮寄信息"), _("结果已邮寄"), h.record_mailing, available=_sent_by_post),
    # a draft is not an application yet: it is deleted (删除草稿), never 撤回
    T("withdraw", SUBMITTED_OPEN, S.WITHDRAWN, (APPLICANT,), _("撤回申请"), _("撤回申请"),
      h.withdraw, available=_not_a_sub_case),
    T("discard", (S.DRAFT,), S.WITHDRAWN, (APPLICANT,), _("删除草稿"), _("删除草稿"),
      h.discard),
]
# fmt: on

CASE = Lifecycle(
    name="case",
    terminal=TERMINAL,
    transitions=ROWS,
    events={
        "draft": _("保存草稿"),
        "sync": _("各部门办理进度更新"),
        "rules_approve": _("秒批通过"),
        "rules_deny": _("自动审核未通过"),
        "rules_review": _("转人工审核"),
        "proactive_grant": _("免申即享，自动发放"),
        "material_check": _("材料预审"),  # the 预审 checklist (services.desk)
    },
)

# the applicant may withdraw a 一件事 as a whole; its sub-cases are handled one by one
BUNDLE = Lifecycle(
    name="bundle",
    terminal=TERMINAL,
    transitions=[CASE["withdraw"]],
    events=CASE.events,
)
