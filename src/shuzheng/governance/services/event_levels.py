"""Handing an event between levels (issue 19 item 5), two rows of the loop's table:

- ``hand_up`` 上交市级处置 (区县 → 市): the 区县 department handling it, with a ``reason``; to a
  city department (``department``, default the class's own);
- ``hand_down`` 下放区县处置 (市 → 区县): the center or the city department handling it, with a
  ``reason``; to a department of the event's 区县 (``department``, default the 区县's department
  of the class's kind, e.g. 441202-CGJ for 441200-CGJ).

The event stays 处置中 and its time limit keeps running; ``event_act`` locks, records the step
and audits (``city.event_hand_up`` / ``city.event_hand_down``) in its transaction. The new
department and the center are told."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _t

from shuzheng.core.errors import FieldError
from shuzheng.governance.models import CityEvent
from shuzheng.governance.selectors.event_levels import city_departments, district_departments


def default_target(event: CityEvent, action: str) -> str:
    """The department an event is handed to when none is named ('' when there is none)."""
    if action == "hand_up":
        own = event.event_class.department
        return own if own in dict(city_departments()) else ""
    suffix = event.event_class.department.split("-", 1)[-1]
    local = f"{event.district}-{suffix}"
    return local if local in dict(district_departments(event.district)) else ""


def hand(
    event: CityEvent, action: str, params: Mapping[str, Any], errors: list[FieldError]
) -> tuple[str, list[Callable[[], None]]]:
    """Check and apply ``hand_up`` / ``hand_down`` to the locked event: (note, notices)."""
    from shuzheng.governance.services.events import tell_center, tell_department

    reason = str(params.get("reason") or "").strip()
    if not reason:
        errors.append(FieldError("reason", _t("请填写理由。")))
    elif len(reason) > 1000:
        errors.append(FieldError("reason", _t("理由不能超过1000字。")))
    dept = str(params.get("department") or "").strip() or default_target(event, action)
    if action == "hand_up":
        targets = dict(city_departments())
        if not dept:
            errors.append(FieldError("department", _t("请选择接收的市级部门。")))
        elif dept not in targets:
            errors.append(FieldError("department", _t("只能上交给市级部门，请从列表中选择。")))
    else:
        targets = dict(district_departments(event.district))
        if not dept:
            errors.append(
                FieldError("department", _t("该区县没有对应的处置部门，请从列表中选择。"))
            )
        elif dept not in targets:
            errors.append(
                FieldError("department", _t("只能下放给事件所在区县的部门，请从列表中选择。"))
            )
    if dept == event.department and not errors:
        errors.append(FieldError("department", _t("请选择另一个部门。")))
    if errors:
        return reason, []
    previous = event.department
    event.department = dept
    title = _t("上交市级处置") if action == "hand_up" else _t("下放区县处置")
    note = _t("%(title)s：%(from)s → %(to)s。理由：%(reason)s") % {
        "title": title,
        "from": targets.get(previous) or _department_name(previous),
        "to": targets[dept],
        "reason": reason,
    }
    return note, [
        lambda: tell_department(dept, event, _t("新接收事件（%(t)s）") % {"t": title}),
        lambda: tell_center(event, title),
    ]


def _department_name(code: str) -> str:
    from shuzheng.identity import facade as identity

    return identity.department_names().get(code, code)
