"""The lifecycle of a 督办任务: one row per action (docs/style.md habit 11). The API's
``allowed_actions``, the task page's buttons and the audit words are read from here.

Roles on a task (``selectors.roles_on_task``): ``office`` — the lead office (政数局) and
leaders, who see everything; ``owner`` — staff of a lead department of the task.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition
from shuzheng.supervision.models import TaskStatus as S

OFFICE = "office"
OWNER = "owner"

T = Transition
# fmt: off
ROWS = [
    T("report", (S.OPEN, S.REPORTED), S.REPORTED, (OWNER,),
      _("报送进展"), _("牵头单位报送进展")),
    T("accept", (S.REPORTED,), S.OPEN, (OFFICE,),
      _("审核通过"), _("牵头办审核通过进展报告")),
    T("return", (S.REPORTED,), S.OPEN, (OFFICE,),
      _("退回"), _("牵头办退回进展报告")),
    T("complete", (S.OPEN, S.REPORTED), S.DONE, (OFFICE,),
      _("确认完成"), _("牵头办确认任务完成")),
    T("reopen", (S.DONE,), S.OPEN, (OFFICE,),
      _("重新打开"), _("任务重新打开")),
    T("urge", (S.OPEN, S.REPORTED), None, (OFFICE,),
      _("发督办通知"), _("牵头办发出督办通知")),
    T("urge_reply", (S.OPEN, S.REPORTED), None, (OWNER,),
      _("回复督办"), _("牵头单位回复督办通知")),
]
# fmt: on

TASK_LIFECYCLE = Lifecycle(
    name="supervision_task",
    transitions=ROWS,
    terminal=(S.DONE,),
    events={"imported": _("工作计划导入，任务建立")},
)
