"""The work of each action of ``transitions.TICKET``, on the locked ticket.

``actions.ticket_act`` has already checked the action against the table and set the row's
target state; a handler checks its own input (``ValidationFailed`` naming the field, before it
changes anything), does its work, fills ``act.data`` (the timeline's and audit record's data) and
says what the citizen and the department are told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.core.errors import FieldError, ValidationFailed
from shuzheng.core.lifecycle import TimeLimit as Limit
from shuzheng.hotline.models import (
    Callback,
    ClosedHow,
    HotlineSettings,
    Satisfaction,
    Ticket,
    TicketStatus,
    TimeLimit,
)
from shuzheng.hotline.services import rating_link, records
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

MAX_TEXT = 2000
MAX_REASON = 500


def now() -> dt.datetime:
    return timezone.now()


def settings() -> HotlineSettings:
    return HotlineSettings.objects.get_or_create(pk=1)[0]


@dataclass
class Act:
    """One action being done: the locked ticket, who, when, and the action's input."""

    ticket: Ticket
    principal: Principal
    at: dt.datetime
    params: dict[str, Any]
    actor: str = ""  # as the timeline and audit name who acted
    data: dict[str, Any] = field(default_factory=dict)
    citizen_text: str = ""
    department_text: str = ""
    department: str = ""  # the department the timeline event names (default: the lead)

    def text(self, name: str, *, required: bool, label: str, limit: int = MAX_REASON) -> str:
        value = str(self.params.get(name) or "").strip()
        if required and not value:
            raise ValidationFailed.one(name, _t("请填写%(label)s。") % {"label": label})
        if len(value) > limit:
            raise ValidationFailed.one(
                name, _t("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}
            )
        return value


# --- departments and clocks ------------------------------------------------------------------


def department_checked(code: Any, field_name: str) -> str:
    """A 肇庆 department's code, or ``ValidationFailed`` naming ``field_name``."""
    value = str(code or "").strip()
    if not value:
        raise ValidationFailed.one(field_name, _t("请选择承办单位。"))
    names = identity.department_names()
    if value not in names or not value.startswith("4412"):
        raise ValidationFailed.one(
            field_name, _t("承办单位“%(code)s”不存在或不是肇庆市的单位。") % {"code": value[:40]}
        )
    return value


def assisting_checked(values: Any, lead: str) -> list[str]:
    if values in (None, ""):
        return []
    if not isinstance(values, list):
        raise ValidationFailed.one("assisting", _t("协办单位应为单位代码的列表。"))
    out: list[str] = []
    errors = []
    for i, code in enumerate(values):
        try:
            checked = department_checked(code, f"assisting[{i}]")
        except ValidationFailed as exc:
            errors += exc.errors
            continue
        if checked != lead and checked not in out:
            out.append(checked)
    if errors:
        raise ValidationFailed(errors)
    return out


def limit_for(ticket: Ticket) -> TimeLimit:
    row = TimeLimit.objects.filter(ticket_type=ticket.ticket_type, urgency=ticket.urgency).first()
    if row is None:  # a deleted row: the safest default, one working day, 2 hours to sign
        row = TimeLimit(
            ticket_type=ticket.ticket_type,
            urgency=ticket.urgency,
            sign_minutes=120,
            amount=1,
            unit="working_days",
        )
    return row


def start_clock(ticket: Ticket, at: dt.datetime) -> None:
    """A department takes the ticket now: 签收 and 办理 limits counted from ``at``."""
    limit = limit_for(ticket)
    ticket.dispatched_at = at
    ticket.sign_due_at = at + dt.timedelta(minutes=limit.sign_minutes)
    ticket.signed_at = None
    ticket.signed_in_time = None
    ticket.limit_amount, ticket.limit_unit = limit.amount, limit.unit
    ticket.extended = 0
    ticket.extension_request = {}
    ticket.due_at = Limit(limit.amount, limit.unit).due_at(at)
    ticket.warning = "none"
    ticket.escalated = False


def _send_to(act: Act, lead: str, assisting: list[str]) -> None:
    t = act.ticket
    t.lead_department = lead
    t.assisting_departments = assisting
    start_clock(t, act.at)
    act.data.update({"department": lead, "assisting": assisting})
    name = records.department_name(lead)
    act.citizen_text = _t("已转交%(dept)s办理。") % {"dept": name}
    act.department_text = _t("新工单待签收：%(title)s") % {"title": t.title}
    for code in assisting:
        records.tell_department(code, t, _t("请协办工单：%(title)s") % {"title": t.title})


# --- the handlers ---------------------------------------------------------------------------------


def answer_direct(act: Act) -> None:
    t = act.ticket
    t.answer = act.text("answer", required=True, label=_t("答复内容"), limit=MAX_TEXT)
    t.knowledge_ref = act.text("knowledge_ref", required=False, label=_t("知识库条目"), limit=64)
    t.answered_at = t.closed_at = act.at
    t.closed_how = ClosedHow.DIRECT
    t.answered_in_time = True
    act.data["knowledge_ref"] = t.knowledge_ref
    act.citizen_text = _t("已直接答复：%(answer)s") % {"answer": t.answer[:120]}


def merge(act: Act) -> None:
    t = act.ticket
    master_no = act.text("master_no", required=True, label=_t("主工单编号"), limit=24)
    master = Ticket.objects.filter(ticket_no=master_no).first()
    if master is None or master.pk == t.pk:
        raise ValidationFailed.one("master_no", _t("主工单“%(no)s”不存在。") % {"no": master_no})
    if master.status in (TicketStatus.CLOSED, TicketStatus.MERGED):
        raise ValidationFailed.one(
            "master_no", _t("主工单“%(no)s”已办结或已合并，不能作为主工单。") % {"no": master_no}
        )
    t.master = master
    t.lead_department = master.lead_department
    t.closed_at = act.at
    t.closed_how = ClosedHow.MASTER
    act.data["master_no"] = master.ticket_no
    act.citizen_text = _t("与相同诉求合并办理（主工单 %(no)s），答复后将通知您。") % {
        "no": master.ticket_no
    }


def dispatch(act: Act) -> None:
    lead = department_checked(act.params.get("department"), "department")
    _send_to(act, lead, assisting_checked(act.params.get("assisting"), lead))


def decide(act: Act) -> None:
    lead = department_checked(act.params.get("department"), "department")
    act.data["reason"] = act.text("reason", required=False, label=_t("裁定意见"))
    _send_to(act, lead, assisting_checked(act.params.get("assisting"), lead))


def transfer(act: Act) -> None:
    t = act.ticket
    reason = act.text("reason", required=True, label=_t("转办理由"))
    lead = department_checked(act.params.get("department"), "department")
    if lead == t.lead_department:
        raise ValidationFailed.one("department", _t("转办的承办单位应与当前承办单位不同。"))
    previous = t.lead_department
    _send_to(act, lead, assisting_checked(act.params.get("assisting"), lead))
    act.data.update({"from_department": previous, "reason": reason})
    records.tell_department(previous, t, _t("工单已由中心转办至其他单位。"))


def sign(act: Act) -> None:
    t = act.ticket
    t.signed_at = act.at
    t.signed_in_time = t.sign_due_at is None or act.at <= t.sign_due_at
    act.citizen_text = _t("%(dept)s已签收，正在办理。") % {
        "dept": records.department_name(t.lead_department)
    }


def return_(act: Act) -> None:
    t = act.ticket
    reason = act.text("reason", required=True, label=_t("退单理由"))
    t.return_count += 1
    disputed = t.return_count >= settings().dispute_after_returns
    t.status = TicketStatus.DISPUTED if disputed else TicketStatus.RETURNED
    act.data.update({"reason": reason, "returns": t.return_count, "disputed": disputed})


def extend(act: Act) -> None:
    t = act.ticket
    reason = act.text("reason", required=True, label=_t("延期理由"))
    raw = act.params.get("amount")
    try:
        amount = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        amount = 0
    most = 72 if t.limit_unit == "hours" else 15
    if not 1 <= amount <= most:
        unit = _t("小时") if t.limit_unit == "hours" else _t("个工作日")
        raise ValidationFailed.one(
            "amount", _t("延期时长应为 1 到 %(n)d %(unit)s。") % {"n": most, "unit": unit}
        )
    t.extension_request = {"amount": amount, "unit": t.limit_unit, "reason": reason}
    act.data.update(t.extension_request)


def approve_extension(act: Act) -> None:
    t = act.ticket
    request = dict(t.extension_request)
    amount = int(request.get("amount") or 0)
    t.extended = amount
    assert t.due_at is not None
    t.due_at = Limit(amount, t.limit_unit or "working_days").due_at(t.due_at)
    t.extension_request = {}
    act.data.update({**request, "due_at": t.due_at.isoformat()})
    act.department_text = _t("延期申请已批准。")
    act.citizen_text = _t("办理时限已延期，请耐心等待答复。")


def reject_extension(act: Act) -> None:
    t = act.ticket
    act.data.update({**t.extension_request, "reason": act.text("reason", required=False, label="")})
    t.extension_request = {}
    act.department_text = _t("延期申请未获批准，请按原时限办结。")


def answer(act: Act) -> None:
    t = act.ticket
    t.answer = act.text("answer", required=True, label=_t("答复内容"), limit=MAX_TEXT)
    t.answered_at = act.at
    t.answered_by = t.lead_department
    t.answered_in_time = t.due_at is None or act.at <= t.due_at
    act.data["in_time"] = t.answered_in_time
    act.citizen_text = _t(
        "已答复：%(answer)s。请对办理结果作出评价（满意/基本满意/不满意）：%(link)s"
    ) % {"answer": t.answer[:120], "link": rating_link.rating_url(t)}
    # 合并: the master's answer reaches every linked caller
    for linked in Ticket.objects.select_for_update().filter(master=t, status=TicketStatus.MERGED):
        linked.answer, linked.answered_at, linked.answered_by = t.answer, act.at, t.answered_by
        linked.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
        records.add_event(
            linked,
            actor=act.actor,
            action="master_answer",
            before=linked.status,
            at=act.at,
            data={"master_no": t.ticket_no},
        )
        records.tell_citizen(linked, _t("已答复：%(answer)s") % {"answer": t.answer[:120]})


def callback(act: Act) -> None:
    t = act.ticket
    value = str(act.params.get("satisfaction") or "")
    if value not in Satisfaction.values:
        by_label = {str(label): v for v, label in Satisfaction.choices}
        value = by_label.get(value, "")
    if not value:
        raise ValidationFailed(
            [FieldError("satisfaction", _t("请选择回访结果：满意、基本满意、不满意或未接通。"))]
        )
    note = act.text("note", required=False, label=_t("回访记录"))
    Callback.objects.create(
        ticket=t,
        at=act.at,
        actor=act.actor,
        satisfaction=value,
        department=t.lead_department,
        note=note,
    )
    act.data["satisfaction"] = value
    if value == Satisfaction.UNREACHABLE:
        return  # stays answered: call again or text the link
    t.satisfaction = value
    if value == Satisfaction.UNSATISFIED:
        t.status = TicketStatus.UNSATISFIED
        act.citizen_text = _t("您的评价“不满意”已记录，中心将督促承办单位重新办理。")
    else:
        t.status = TicketStatus.CLOSED
        t.closed_at = act.at
        t.closed_how = ClosedHow.CALLBACK
        act.citizen_text = _t("已办结，感谢您的评价。")


def reopen(act: Act) -> None:
    t = act.ticket
    t.reopen_count += 1
    limit = limit_for(t)
    t.limit_amount, t.limit_unit = limit.amount, limit.unit
    t.due_at = Limit(limit.amount, limit.unit).due_at(act.at)
    t.answered_in_time = None
    t.warning = "none"
    act.data.update(
        {"reopen": t.reopen_count, "reason": act.text("reason", required=False, label="")}
    )
    act.department_text = _t("诉求人不满意，工单退回重办。")
    act.citizen_text = _t("已退回%(dept)s重新办理。") % {
        "dept": records.department_name(t.lead_department)
    }


def close(act: Act) -> None:
    t = act.ticket
    reason = act.text("reason", required=True, label=_t("办结理由"))
    t.closed_at = act.at
    t.closed_how = ClosedHow.SUPERVISOR
    t.close_reason = reason
    act.data["reason"] = reason
    act.citizen_text = _t("经审核已办结：%(reason)s") % {"reason": reason[:120]}


def urge(act: Act) -> None:
    t = act.ticket
    t.urge_count += 1
    note = act.text("note", required=False, label=_t("催办意见"))
    act.data["urges"] = t.urge_count
    act.department_text = _t("中心催办：%(note)s") % {"note": note or t.title}


def supervise(act: Act) -> None:
    t = act.ticket
    reason = act.text("reason", required=True, label=_t("督办意见"))
    t.supervise_count += 1
    act.data.update({"reason": reason, "notice": t.supervise_count})
    act.department_text = _t("督办通知（第 %(n)d 号）：%(reason)s") % {
        "n": t.supervise_count,
        "reason": reason,
    }


def escalate(act: Act) -> None:
    act.ticket.escalated = True
    act.data["sign_due_at"] = act.ticket.sign_due_at.isoformat() if act.ticket.sign_due_at else ""
    records.tell_department(
        records.CENTER_DEPARTMENT, act.ticket, _t("工单超时未签收，请班长处理。")
    )
