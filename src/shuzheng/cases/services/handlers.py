"""The work of each case action, one function per row of ``cases.transitions.CASE``.

A handler gets the locked case with its status already moved to the row's target (when the row
names one) and does the action's own work: check its input (raising ``ValidationFailed`` naming
the field, before anything is written), set columns, pause or restart the clock, issue a
result. What it puts in ``act.data`` goes to the timeline event and the audit record. Saving,
the event, the notice, the audit record and the 一件事 parent are ``actions.case_act``'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from shuzheng.cases import hooks
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import corrections, deadlines, delivery, records, results
from shuzheng.cases.services.intake import bind_identity, verified_identity
from shuzheng.cases.services.materials import (
    check_materials,
    record_license_uses,
    required_for,
)
from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import FieldError, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.rules import facade as rules_engine
from shuzheng.rules.contracts import EntitlementTaken


@dataclass
class Act:
    """One action being performed: the locked case, who acts, and what they gave."""

    case: Case
    principal: Principal
    today: dt.date
    note: str = ""
    items: list[str] | None = None
    days: int | None = None
    delivery: str | None = None
    assignee: str | None = None
    form: dict[str, Any] | None = None
    materials: list[dict[str, Any]] | None = None
    license_data: dict[str, Any] | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _close(case: Case, today: dt.date) -> None:
    case.closed_at = timezone.now()
    case.closed_on = today


def _bound(
    case: Case, principal: Principal, form: dict[str, Any], schema: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The form with the applicant's identity fields bound to the verified identity."""
    verified = verified_identity(
        principal, case.applicant_kind, case.applicant_id, case.applicant_name
    )
    return bind_identity(schema, form, verified)


def submit(act: Act) -> None:
    """A draft submitted: the whole form and the required materials checked again."""
    case = act.case
    item = catalog.item_version(case.item_code, case.item_version or 1)
    form, identity_errors = _bound(
        case, act.principal, act.form if act.form is not None else case.form, item.form_schema
    )
    case.form, form_errors = catalog.validate_form(item.form_schema, form)
    mail_errors = [] if form_errors else delivery.mailing_problems(item.form_schema, case.form)
    if identity_errors or form_errors or mail_errors:
        raise ValidationFailed(
            identity_errors
            + [FieldError(f"form.{k}", v) for k, v in form_errors.items()]
            + mail_errors
        )
    case.materials = check_materials(
        owner=case.submitted_by,
        submitted=act.materials if act.materials is not None else case.materials,
        # the situation chosen in the guide when the draft was saved decides what is required
        required=required_for(item, case.situation),
        strict=True,
        holder=(case.applicant_kind, case.applicant_id),
        known=list(item.materials),
    )
    case.submitted_at = timezone.now()
    record_license_uses(case, act.principal.actor)


def accept(act: Act) -> None:
    """受理: the clock starts."""
    case = act.case
    case.accepted_at = timezone.now()
    case.accepted_on = act.today
    case.accepted_by = act.principal.actor
    deadlines.recompute_due(case)
    act.data["due_date"] = case.due_date.isoformat() if case.due_date else None


def refuse(act: Act) -> None:
    if not act.note.strip():
        raise ValidationFailed.one("note", "不予受理须说明理由。")
    act.case.decision_reason = act.note
    _close(act.case, act.today)


def request_correction(act: Act) -> None:
    """一次性告知: every item to correct at once, each naming a material to upload again or a
    form field to change (``services.corrections``); the clock pauses until the applicant
    answers."""
    wanted = [str(x).strip() for x in (act.items or []) if str(x).strip()]
    if not wanted:
        raise ValidationFailed.one("items", "请一次性列明需要补正的全部材料或内容。")
    item = records.filed_item(act.case)
    if item is not None:
        wanted, errors = corrections.check_items(wanted, corrections.targets(item))
        if errors:
            raise ValidationFailed(
                errors,
                message="补正要求须逐项写明本事项的材料或申请表内容："
                + "；".join(e.message for e in errors),
            )
    act.case.correction_items = wanted
    deadlines.start_pause(
        act.case, kind="correction", reason=act.note or "；".join(wanted), today=act.today
    )
    act.data["items"] = wanted


def _corrected_form(
    act: Act, schema: dict[str, Any]
) -> tuple[dict[str, Any], set[str], list[FieldError]]:
    """The case's form with the 补正's fields (typed and checked as on the apply page), the
    fields whose value changed, and what is wrong with them."""
    case = act.case
    given = dict(act.form or {})
    props = schema.get("properties", {})
    errors = [
        FieldError(f"form.{k}", "本事项的申请表没有这一项。") for k in given if k not in props
    ]
    given = {k: v for k, v in given.items() if k in props}
    if not given:
        return case.form, set(), errors
    bound, identity_errors = _bound(case, act.principal, {**case.form, **given}, schema)
    data, problems = catalog.validate_form(schema, bound)
    errors += identity_errors
    errors += [FieldError(f"form.{k}", v) for k, v in problems.items() if k in given]
    form = dict(case.form)
    for k in given:
        if k in data:
            form[k] = data[k]
        else:
            form.pop(k, None)  # left empty
    unstorable = catalog.form_text_problems(schema, form)
    errors += [FieldError(f"form.{k}", v) for k, v in unstorable.items()]
    changed = {k for k in given if str(form.get(k, "")) != str(case.form.get(k, ""))}
    return form, changed, errors


def resubmit(act: Act) -> None:
    """补正 answered: back where it was (受理 or 待受理); the paused days are added.

    The applicant must give at least what the request listed — each listed material uploaded
    again, each listed field changed — or nothing is changed (422 naming each missing item) and
    the one-time 补正 is not used up. A window clerk answering for the applicant (paper handed
    in at the window) records what was received in the note instead."""
    case = act.case
    item = records.filed_item(case)
    schema = dict(item.form_schema) if item else {}
    errors: list[FieldError] = []
    extra: list[dict[str, Any]] = []
    if act.materials:
        try:
            extra = check_materials(
                owner=case.submitted_by,
                submitted=act.materials,
                required=[],
                strict=False,
                holder=(case.applicant_kind, case.applicant_id),
                known=list(item.materials) if item else [],
            )
        except ValidationFailed as exc:
            errors += exc.errors
    form, changed, form_errors = _corrected_form(act, schema)
    errors += form_errors
    if act.principal.kind != "staff":  # the applicant (the table lets only them and clerks)
        options = corrections.targets(item) if item else []
        wanted = corrections.listed(case.correction_items, options)
        missing = corrections.missing(wanted, {str(m["material_code"]) for m in extra}, changed)
        if missing:
            summary = "补正内容不全：" + "".join(e.message for e in missing)
            raise ValidationFailed(errors + missing, message=summary)
        if not wanted and not extra and not changed:  # a request naming nothing known
            empty = "补正不能为空：请上传补正材料或修改申请表。"
            raise ValidationFailed([*errors, FieldError("materials", empty)], message=empty)
    elif not act.note.strip():
        errors.append(FieldError("note", "请写明在窗口收取的补正材料或内容。"))
    if errors:
        raise ValidationFailed(errors)
    if extra:
        case.materials = [*case.materials, *extra]
        record_license_uses(case, act.principal.actor, extra)
    case.form = form
    paused = deadlines.end_pause(case, act.today)
    case.status = S.IN_PROGRESS if case.accepted_on else S.SUBMITTED
    if case.accepted_on:
        case.paused_days += paused
        deadlines.recompute_due(case)
    act.data["paused_working_days"] = paused


def assign(act: Act) -> None:
    from shuzheng.cases.services.desk import check_assignee

    assignee = act.assignee or ""
    check_assignee(act.case, assignee)  # a colleague of the department (issue 17)
    act.case.assignee = assignee
    act.data["assignee"] = act.assignee


def suspend(act: Act) -> None:
    """特别程序 (expert review, hearing …): the clock pauses."""
    if not act.note.strip():
        raise ValidationFailed.one("note", "特别程序须说明种类和理由（如专家评审、听证）。")
    deadlines.start_pause(act.case, kind="special", reason=act.note, today=act.today)


def resume(act: Act) -> None:
    paused = deadlines.end_pause(act.case, act.today)
    act.case.paused_days += paused
    deadlines.recompute_due(act.case)
    act.data["paused_working_days"] = paused


def extend(act: Act) -> None:
    """延期 approved by the head of department: once, 1–30 working days, with a reason."""
    if not act.days or act.days < 1 or act.days > 30:
        raise ValidationFailed.one("days", "延期工作日数应在1到30之间。")
    if not act.note.strip():
        raise ValidationFailed.one("note", "延期须说明理由。")
    act.case.extended_days = act.days
    deadlines.recompute_due(act.case)
    act.data["days"] = act.days


def approve(act: Act) -> None:
    """准予. A benefit the rules sent to review is registered as received by this case, in this
    transaction (one person, one benefit): a benefit the applicant already receives or was
    offered meanwhile is a 409 naming it, and nothing changes."""
    case = act.case
    decision_id = (case.rule_decision or {}).get("id")  # the rules referred it to review
    if decision_id:
        rules_engine.entitlement_grant(
            decision_id=str(decision_id),
            reference=case.case_no,
            source="staff",
            actor=act.principal.actor,
            case_no=case.case_no,
        )
    else:
        held = rules_engine.entitlement_for_item(
            item_code=case.item_code, subject_kind=case.applicant_kind, subject_id=case.applicant_id
        )
        if held is not None:
            raise EntitlementTaken(held)
    case.decision = "approve"
    case.decision_reason = act.note


def deny(act: Act) -> None:
    if not act.note.strip():
        raise ValidationFailed.one("note", "不予许可须说明理由。")
    act.case.decision = "deny"
    act.case.decision_reason = act.note


DELIVERIES = ("electronic", "mail", "window")


def close(act: Act) -> None:
    """办结 and 送达; an approved case's result licence is issued now (left pending when the
    case cannot fill it)."""
    case = act.case
    if act.delivery not in DELIVERIES:
        raise ValidationFailed.one(
            "delivery",
            "请选择送达方式：electronic（电子送达）、mail（邮寄）或 window（窗口领取）。",
        )
    filed = records.filed_item(case) if act.delivery == "mail" else None
    if filed is not None:
        delivery.check_mailable(case, filed.form_schema)
    case.delivery = act.delivery
    _close(case, act.today)
    if case.decision == "approve":
        spec = catalog.item_version(case.item_code, case.item_version or 1).spec
        case.result = results.issue_result(case, spec, actor=act.principal.actor)
        if case.result.get("license_id"):
            act.data["license_id"] = case.result["license_id"]
        elif case.result.get("license_pending"):
            act.data["license_pending"] = case.result.get("license_pending_fields", [])


def issue_license(act: Act) -> None:
    """The reviewer completes the pending result licence's data items and issues it."""
    act.case.result, filled = results.issue_pending(
        act.case, act.license_data or {}, actor=act.principal.actor
    )
    act.data.update(
        license_id=act.case.result["license_id"],
        license_no=act.case.result["license_no"],
        fields=filled,
    )


def withdraw(act: Act) -> None:
    """撤回 by the applicant; a 一件事's open sub-cases are withdrawn with it (each locked after
    the parent, which ``case_act`` holds)."""
    case = act.case
    _close(case, act.today)
    deadlines.end_pause(case, act.today)
    for child in records.lock_children(case):
        if child.status in (S.CLOSED, S.REFUSED, S.WITHDRAWN):
            continue
        loaded = records.columns(child)
        child_before = child.status
        child.status = S.WITHDRAWN
        child.closed_at, child.closed_on = case.closed_at, act.today
        records.save(child, loaded)
        records.add_event(
            child,
            actor=act.principal.actor,
            action="withdraw",
            before=child_before,
            note="随一件事撤回",
        )
        hooks.after_action(child, "withdraw", act.principal.actor)  # payments: its fee order


def discard(act: Act) -> None:
    """删除草稿: the draft is closed as withdrawn and no longer listed (``selectors.case_list``);
    its timeline and audit record stay."""
    _close(act.case, act.today)


def record_mailing(act: Act) -> None:
    """邮寄送达: the carrier and tracking number of the posted result (the applicant sees them on
    the case page and in the progress query)."""
    act.case.mail_tracking = delivery.tracking(
        carrier=act.carrier, tracking_no=act.tracking_no, today=act.today
    )
    act.data.update(
        carrier=act.case.mail_tracking["carrier"],
        tracking_no=act.case.mail_tracking["tracking_no"],
    )
