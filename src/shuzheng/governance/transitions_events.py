"""The closed loop of a 城市管理事件 (digital city management, GB/T 30428 / CJJ/T 106): one row
per action (docs/style.md habit 11). The API's ``allowed_actions``, the event page's forms and
the timeline's words are read from here.

信息采集 (reported) → 立案 ``file`` (or ``reject`` 不予立案) → 派遣 ``dispatch`` → 处置 and 反馈
``feedback`` (the department, with photos after) → 核查 ``check_pass`` / ``check_fail`` (a
网格员 other than the reporter; failing sends it back to 处置) → 结案 ``close`` → 评价 ``rate``.

Roles on an event (``selectors.events.roles_on_event``):

- ``center`` — the 城市运行管理中心 and leaders (they see every event);
- ``department`` — staff of the department the event is dispatched to;
- ``checker`` — the 网格员 given the 核查 task;
- ``system`` — tasks (time warnings).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition
from shuzheng.governance.models import EventStatus as S
from shuzheng.governance.selectors.event_levels import at_city_level, at_district_level

CENTER = "center"
DEPARTMENT = "department"
CHECKER = "checker"
SYSTEM = "system"

OPEN = (S.REPORTED, S.FILED, S.DISPATCHED, S.CHECKING, S.CHECKED)
"""Statuses of an event not yet closed or rejected (what "open events" counts)."""

HANDLING = (S.DISPATCHED,)


def _not_rated(event: Any) -> bool:
    return event is None or not event.rating


def _not_major(event: Any) -> bool:
    return event is None or not event.level


T = Transition
# fmt: off
ROWS = [
    T("file", (S.REPORTED,), S.FILED, (CENTER,),
      _("立案"), _("受理中心审核立案")),
    T("reject", (S.REPORTED,), S.REJECTED, (CENTER,),
      _("不予立案"), _("经审核不属于立案范围，不予立案")),
    T("dispatch", (S.FILED,), S.DISPATCHED, (CENTER,),
      _("派遣"), _("派遣至处置部门")),
    T("return", (S.DISPATCHED,), S.FILED, (DEPARTMENT,),
      _("退回（非本部门职责）"), _("处置部门退回，待重新派遣")),
    T("feedback", (S.DISPATCHED,), S.CHECKING, (DEPARTMENT,),
      _("处置完毕，反馈结果"), _("处置部门反馈处置结果")),
    T("assign_check", (S.CHECKING,), S.CHECKING, (CENTER,),
      _("指派核查网格员"), _("指派网格员现场核查")),
    T("check_pass", (S.CHECKING,), S.CHECKED, (CHECKER,),
      _("核查通过"), _("网格员现场核查通过")),
    T("check_fail", (S.CHECKING,), S.DISPATCHED, (CHECKER,),
      _("核查不通过，退回处置"), _("网格员现场核查不通过，退回处置部门重新处置")),
    T("close", (S.CHECKED,), S.CLOSED, (CENTER,),
      _("结案"), _("监督中心结案")),
    T("rate", (S.CLOSED,), S.CLOSED, (CENTER,),
      _("评价"), _("对处置情况作出评价"), available=_not_rated),
    T("urge", HANDLING, S.DISPATCHED, (CENTER,),
      _("催办"), _("向处置部门催办")),
    T("supervise", HANDLING, S.DISPATCHED, (CENTER,),
      _("督办"), _("对处置部门发出督办")),
    T("escalate", (S.FILED, S.DISPATCHED, S.CHECKING), None, (CENTER,),
      _("升级为重大事件"), _("升级为重大事件，启动应急预案"), available=_not_major),
    # levels (item 5): the time limit keeps running (services.event_levels)
    T("hand_up", HANDLING, S.DISPATCHED, (DEPARTMENT,),
      _("上交市级处置"), _("区县上交市级部门处置"), available=at_district_level),
    T("hand_down", HANDLING, S.DISPATCHED, (CENTER, DEPARTMENT),
      _("下放区县处置"), _("市级下放区县部门处置"), available=at_city_level),
]
# fmt: on

EVENT_LIFECYCLE = Lifecycle(
    name="city_event",
    transitions=ROWS,
    terminal=(S.CLOSED, S.REJECTED),
    events={
        "reported": _("信息采集上报"),
        "from_hotline": _("由12345工单转为城市管理事件"),
        "warning": _("处置时限预警"),
    },
    unknown_event=_("处理记录"),
)

RATINGS = {
    "satisfied": _("满意"),
    "basic": _("基本满意"),
    "unsatisfied": _("不满意"),
}
