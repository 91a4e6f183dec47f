"""Acting on a case: who may, and one path for every action of ``cases.transitions``.

``case_act`` locks the case (its 一件事 parent first), checks the action against the table,
moves the status, runs the row's handler, saves the changed columns, writes the timeline event,
tells the applicant, audits — one transaction — and brings the 一件事 parent in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import hooks, transitions
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import instant, notices, records
from shuzheng.cases.services.handlers import Act
from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import Conflict, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import CASE_ROLES, Principal


def _is_applicant(principal: Principal, case: Case) -> bool:
    if principal.kind not in ("person", "agent"):
        return False
    if case.applicant_kind == "person" and case.applicant_id == principal.id_number:
        return True
    if case.agent_id and case.agent_id == principal.id_number:
        # 帮办代办: the agent acts for the applicant while the mandate it was filed under is valid
        return case.agent_mandate in identity.mandate_ids_usable(principal)
    return case.applicant_kind == "enterprise" and case.applicant_id in principal.enterprises


def roles_on(principal: Principal, case: Case) -> set[str]:
    """The caller's roles on this case: applicant, and staff roles in the case's department."""
    out: set[str] = set()
    if _is_applicant(principal, case):
        out.add(transitions.APPLICANT)
    if principal.kind == "staff":
        # only the roles that handle applications (issue 16 item 3): a data officer of the
        # department has no role on its cases, so it neither reads nor acts on them
        out |= {r for r, d in principal.staff_roles if d == case.department_code} & set(CASE_ROLES)
    return out


def _lifecycle(case: Case) -> Any:
    # a 一件事 is handled through its sub-cases; the applicant may withdraw it all
    return transitions.BUNDLE if case.kind == "bundle" else transitions.CASE


def allowed_actions(principal: Principal, case: Case) -> list[str]:
    return list(_lifecycle(case).allowed(case.status, roles_on(principal, case), case))


def unknown_action(
    principal: Principal, case: Case, action: str, allowed: list[str]
) -> ValidationFailed:
    """A 422 naming ``action``: no row of the table has it; says what the caller may do now."""
    staff = principal.kind == "staff"
    words = "、".join(f"{_lifecycle(case).label(a, staff=staff)}（{a}）" for a in allowed)
    message = f"没有“{action[:40]}”这项操作。" + (
        f"当前可执行的操作：{words}。" if words else "当前没有可执行的操作。"
    )
    error = ValidationFailed.one("action", message)
    error.extra = {"allowed_actions": allowed}
    return error


def case_act(
    *,
    principal: Principal,
    case_no: str,
    action: str,
    note: str = "",
    items: list[str] | None = None,
    days: int | None = None,
    delivery: str | None = None,
    assignee: str | None = None,
    form: dict[str, Any] | None = None,
    materials: list[dict[str, Any]] | None = None,
    license_data: dict[str, Any] | None = None,
    today: dt.date | None = None,
    carrier: str | None = None,
    tracking_no: str | None = None,
) -> Case:
    """Perform one action. An action the table does not have is a 422 naming ``action``; one
    not allowed now raises 409; both list what the caller may do now.

    ``license_data`` (``issue_license``): the data items of the pending result licence the
    reviewer fills in, by name (``pending_license`` lists them). ``carrier`` and
    ``tracking_no`` (``record_mailing``): the posted result's 快递公司 and 快递单号."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = records.lock(case_no)
        if case is None or not roles_on(principal, case):
            raise NotFound("未找到该办件。")
        allowed = allowed_actions(principal, case)
        if action not in transitions.CASE and action not in transitions.BUNDLE:
            raise unknown_action(principal, case, action, allowed)
        if action not in allowed:
            held = hooks.close_blocked(case) if action == "close" else None
            raise Conflict(
                held or f"当前状态“{S(case.status).label}”下不能执行该操作。",
                extra={"allowed_actions": allowed},
            )
        row = _lifecycle(case)[action]
        before, loaded, from_status = records.snapshot(case), records.columns(case), case.status
        if row.target is not None:
            case.status = row.target
        act = Act(
            case=case,
            principal=principal,
            today=today,
            note=note,
            items=items,
            days=days,
            delivery=delivery,
            assignee=assignee,
            form=form,
            materials=materials,
            license_data=license_data,
            carrier=carrier,
            tracking_no=tracking_no,
        )
        assert row.handler is not None
        row.handler(act)
        records.save(case, loaded)
        records.add_event(
            case, actor=principal.actor, action=action, before=from_status, note=note, data=act.data
        )
        # the notification first: the audit append takes the chain's lock until commit
        notices.for_action(case, action)
        audit.record(
            actor=principal.actor,
            action=f"cases.{action}",
            object_type="cases.case",
            object_id=case.case_no,
            before=before,
            after={**records.snapshot(case), "note": note[:500], **act.data},
        )
        hooks.after_action(case, action, principal.actor)  # modules above (payments)
        if case.parent_id is not None:
            _sync_parent(case.parent_id, actor=principal.actor)  # locked with the case
    if action == "submit" and case.kind == "item" and case.item_code:
        # a draft submitted later gets the same 秒批 as a direct submission
        item = catalog.item_version(case.item_code, case.item_version or 1)
        if item.instant_approval:
            return instant.decide(case, item)
    return case


def _sync_parent(parent_id: int, *, actor: str) -> None:
    """A 一件事 closes when all its sub-cases are finished (并联审批). The parent is already
    locked: ``records.lock`` took it before the sub-case."""
    parent = records.lock_pk(parent_id)
    loaded = records.columns(parent)
    states = list(parent.children.values_list("status", flat=True))
    before = parent.status
    if all(s in transitions.TERMINAL for s in states):
        parent.status = (
            S.CLOSED
            if any(s == S.CLOSED for s in states)
            else (S.WITHDRAWN if all(s == S.WITHDRAWN for s in states) else S.REFUSED)
        )
        parent.closed_at = timezone.now()
        parent.closed_on = timezone.localdate()
    elif any(s in (S.IN_PROGRESS, S.SUSPENDED, S.APPROVED, S.DENIED) for s in states):
        parent.status = S.IN_PROGRESS
    elif any(s == S.CORRECTION for s in states):
        parent.status = S.CORRECTION
    if parent.status != before:
        records.save(parent, loaded)
        records.add_event(parent, actor=actor, action="sync", before=before, note="子办件状态变化")
        audit.record(
            actor=actor,
            action="cases.bundle_sync",
            object_type="cases.case",
            object_id=parent.case_no,
            before={"status": before},
            after={"status": parent.status, "children": states},
        )
