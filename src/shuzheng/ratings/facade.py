"""The ratings module's public face."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shuzheng.identity.contracts import Principal
from shuzheng.ratings import selectors, services
from shuzheng.ratings.models import Rectification

__all__ = [
    "RectificationInfo",
    "rectification_callback",
    "rectification_reply",
    "rectifications",
    "stats",
]


def stats(department: str | None = None) -> list[dict[str, Any]]:
    return selectors.stats(department=department)


# --- 差评整改 for the staff workbench (L4) -------------------------------------------------------

_REPLY_ROLES = ("department_head", "reviewer")  # as services.rectification_reply checks
_CALLBACK_ROLES = ("department_head", "reviewer", "hotline_operator")


@dataclass(frozen=True)
class RectificationInfo:
    id: int
    case_no: str
    item_name: str
    department_code: str
    level: int
    level_name: str
    comment: str
    rated_at: dt.datetime
    due_date: dt.date
    status: str
    status_name: str
    reply: str
    replied_by: str
    callback_note: str
    callback_satisfied: bool | None
    actions: tuple[str, ...]  # what the caller may do now: "reply", "callback"


def _info(principal: Principal, task: Rectification) -> RectificationInfo:
    dept = task.department_code
    actions: list[str] = []
    if task.status == Rectification.Status.OPEN and any(
        principal.has_role(r, dept) for r in _REPLY_ROLES
    ):
        actions.append("reply")
    if task.status == Rectification.Status.REPLIED and any(
        principal.has_role(r, dept) for r in _CALLBACK_ROLES
    ):
        actions.append("callback")
    return RectificationInfo(
        id=task.pk,
        case_no=task.rating.case_no,
        item_name=task.rating.item_name,
        department_code=dept,
        level=task.rating.level,
        level_name=str(task.rating.get_level_display()),
        comment=task.rating.comment,
        rated_at=task.rating.created_at,
        due_date=task.due_date,
        status=task.status,
        status_name=str(task.get_status_display()),
        reply=task.reply,
        replied_by=task.replied_by,
        callback_note=task.callback_note,
        callback_satisfied=task.callback_satisfied,
        actions=tuple(actions),
    )


def rectifications(principal: Principal, status: str | None = None) -> list[RectificationInfo]:
    """The 差评整改 tasks of the caller's departments (empty for non-staff)."""
    return [_info(principal, t) for t in selectors.rectifications(principal, status=status)]


def rectification_reply(*, principal: Principal, task_id: int, reply: str) -> RectificationInfo:
    task = services.rectification_reply(principal=principal, task_id=task_id, reply=reply)
    return _info(principal, task)


def rectification_callback(
    *, principal: Principal, task_id: int, note: str, satisfied: bool
) -> RectificationInfo:
    task = services.rectification_callback(
        principal=principal, task_id=task_id, note=note, satisfied=satisfied
    )
    return _info(principal, task)
