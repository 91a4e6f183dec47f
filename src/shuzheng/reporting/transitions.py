"""The report task's lifecycle as one table (core.lifecycle): 下发 → 填报 → 提交 → 审核
(退回 with a reason / 通过) → 汇总 → 上报.

Who: ``filler`` is a cadre of the task's own unit; ``reviewer`` a reviewer of the unit above
(a 镇街 reviews its villages) or, for a task of the reviewer's own unit, the one who sums its
children and reports upwards.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition

ISSUED, FILLING, SUBMITTED, RETURNED, APPROVED, SUMMARISED, REPORTED = (
    "issued",
    "filling",
    "submitted",
    "returned",
    "approved",
    "summarised",
    "reported",
)
STATE_LABELS = {
    ISSUED: _("待填报"),
    FILLING: _("填报中（草稿）"),
    SUBMITTED: _("已提交，待审核"),
    RETURNED: _("已退回，待修改"),
    APPROVED: _("审核通过"),
    SUMMARISED: _("已汇总"),
    REPORTED: _("已上报"),
}
# a value counted in the unit above once its task reached one of these
COUNTED = (APPROVED, SUMMARISED, REPORTED)
DONE = (SUBMITTED, APPROVED, SUMMARISED, REPORTED)

TASK = Lifecycle(
    name="report_task",
    transitions=[
        Transition(
            "submit", (ISSUED, FILLING, RETURNED), SUBMITTED, ("filler",), _("提交"), _("提交报表")
        ),
        Transition("return", (SUBMITTED,), RETURNED, ("reviewer",), _("退回修改"), _("退回")),
        Transition("approve", (SUBMITTED,), APPROVED, ("reviewer",), _("审核通过"), _("审核通过")),
        Transition(
            "summarise",
            (ISSUED, FILLING, SUMMARISED),
            SUMMARISED,
            ("summariser",),
            _("汇总"),
            _("汇总下级数据"),
        ),
        Transition("report", (SUMMARISED,), REPORTED, ("summariser",), _("上报"), _("上报上级")),
    ],
    terminal=(REPORTED,),
    events={"issue": _("下发"), "draft": _("保存草稿"), "correct": _("更正预填数据")},
)


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, _("处理中")))
