"""The lifecycle of a 12345 工单: who may do what in which state, its words and its handler —
one row per action (docs/style.md habit 11, like ``cases.transitions``). Services, the API's
``allowed_actions``, the console pages and the timeline read labels, rights and words from here.

Roles on a ticket (``services.actions.roles_on``):

- ``operator`` — 话务员 of the 12345 center (identity role ``hotline_operator``);
- ``supervisor`` — 班长 of the center (``hotline_supervisor``): 争议裁定, 延期审批, 督办, 办结;
- ``handler`` — 处置人员 of the lead department (``hotline_handler`` there);
- ``citizen`` — the person who filed it (回访 by the SMS link);
- ``system`` — the platform's own checks (超时未签收升级).

The path: 登记 → 直接办结 (from the 知识库) or 派单 → 签收 (within the limit, else it escalates) →
答复 → 回访 (满意/基本满意 closes; 不满意 → 重办 up to ``HotlineSettings.max_reopen`` or 班长办结).
退单 returns it to the center (``returned``) for 重派; the ``dispute_after_returns``-th 退单
makes it a 争议工单 the supervisor decides. 转办 (center), 延期 (department asks, center
approves), 催办 and 督办 (a sealed 督办通知 PDF) keep the state.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition
from shuzheng.hotline.models import Ticket
from shuzheng.hotline.models import TicketStatus as S
from shuzheng.hotline.services import handlers as h

OPERATOR = "operator"
SUPERVISOR = "supervisor"
HANDLER = "handler"
CITIZEN = "citizen"
SYSTEM = "system"
CENTER = (OPERATOR, SUPERVISOR)

TERMINAL = frozenset({S.CLOSED, S.MERGED})
OPEN = (S.REGISTERED, S.DISPATCHED, S.HANDLING, S.RETURNED, S.DISPUTED, S.ANSWERED, S.UNSATISFIED)
AT_DEPARTMENT = (S.DISPATCHED, S.HANDLING)


def _no_extension_pending(t: Ticket) -> bool:
    return not t.extension_request and not t.extended


def _extension_pending(t: Ticket) -> bool:
    return bool(t.extension_request)


def _may_reopen(t: Ticket) -> bool:
    return t.reopen_count < h.settings().max_reopen


def _sign_overdue(t: Ticket) -> bool:
    return not t.escalated and t.sign_due_at is not None and h.now() > t.sign_due_at


T = Transition
# fmt: off
#  action, from states, to state (None: the handler decides), who, label, timeline words,
#  handler, [further condition]
ROWS = [
    T("answer_direct", (S.REGISTERED,), S.CLOSED, CENTER,
      _("直接答复办结"), _("话务员依据知识库直接答复，办结"), h.answer_direct),
    T("merge", (S.REGISTERED,), S.MERGED, CENTER,
      _("合并至主工单"), _("与相同诉求合并，随主工单办理"), h.merge),
    T("dispatch", (S.REGISTERED, S.RETURNED), S.DISPATCHED, CENTER,
      _("派单"), _("派单至承办单位"), h.dispatch),
    T("sign", (S.DISPATCHED,), S.HANDLING, (HANDLER,), _("签收"), _("承办单位签收"), h.sign),
    T("return", AT_DEPARTMENT, None, (HANDLER,), _("退单"), _("承办单位退单"), h.return_),
    T("decide", (S.DISPUTED,), S.DISPATCHED, (SUPERVISOR,),
      _("争议裁定"), _("争议工单经班长裁定，派单至承办单位"), h.decide),
    T("transfer", AT_DEPARTMENT, S.DISPATCHED, CENTER,
      _("转办"), _("中心转办至其他承办单位"), h.transfer),
    T("extend", (S.HANDLING,), S.HANDLING, (HANDLER,),
      _("申请延期"), _("承办单位申请延期"), h.extend, available=_no_extension_pending),
    T("approve_extension", (S.HANDLING,), S.HANDLING, (SUPERVISOR,),
      _("批准延期"), _("中心批准延期"), h.approve_extension, available=_extension_pending),
    T("reject_extension", (S.HANDLING,), S.HANDLING, (SUPERVISOR,),
      _("不批准延期"), _("中心不批准延期"), h.reject_extension, available=_extension_pending),
    T("answer", (S.HANDLING,), S.ANSWERED, (HANDLER,),
      _("答复"), _("承办单位答复诉求人"), h.answer),
    T("callback", (S.ANSWERED,), None, (*CENTER, CITIZEN),
      _("回访"), _("回访诉求人"), h.callback),
    T("reopen", (S.UNSATISFIED,), S.HANDLING, CENTER,
      _("重办"), _("诉求人不满意，退回承办单位重办"), h.reopen, available=_may_reopen),
    T("close", (S.ANSWERED, S.UNSATISFIED), S.CLOSED, (SUPERVISOR,),
      _("审核办结"), _("班长审核办结"), h.close),
    T("urge", AT_DEPARTMENT, None, CENTER, _("催办"), _("中心催办"), h.urge),
    T("supervise", (*AT_DEPARTMENT, S.UNSATISFIED), None, (SUPERVISOR,),
      _("督办"), _("中心发出督办通知"), h.supervise),
    T("escalate", (S.DISPATCHED,), S.DISPATCHED, (SYSTEM,),
      _("超时未签收升级"), _("超时未签收，已升级至班长"), h.escalate, available=_sign_overdue),
]
# fmt: on

TICKET = Lifecycle(
    name="hotline_ticket",
    terminal=TERMINAL,
    transitions=ROWS,
    events={
        "create": _("受理诉求，登记工单"),
        "master_answer": _("主工单已答复，同步答复"),
        "master_close": _("主工单办结，随之办结"),
        "warning": _("办理时限预警"),
    },
)
