"""Rating a case and following up every 差评."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import facade as cases
from shuzheng.core import calendar
from shuzheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shuzheng.identity.contracts import RATING_ROLES, Principal
from shuzheng.notify import facade as notify
from shuzheng.ratings.models import Level, Rating, RatingSettings, Rectification


def rating_create(*, principal: Principal, case_no: str, level: int, comment: str = "") -> Rating:
    """The applicant rates a finished case once. 差评 open a rectification task."""
    case = cases.case_for_applicant(principal, case_no)
    if case is None:
        raise NotFound("未找到该办件。")
    if case.status not in ("closed", "refused"):
        raise Conflict("办件办结后才能评价。", extra={"allowed_actions": []})
    if level not in Level.values:
        raise ValidationFailed.one("level", "评价等级应为1（非常满意）到5（非常不满意）。")
    comment = (comment or "").strip()
    if level >= Level.DISSATISFIED and not comment:
        raise ValidationFailed.one("comment", "差评请写明不满意的原因，便于部门整改。")
    if len(comment) > 1000:
        raise ValidationFailed.one("comment", "评价内容不超过1000字。")
    rating = Rating(
        case_no=case_no,
        item_code=case.item_code,
        item_name=case.item_name,
        department_code=case.department_code,
        staff=case.assignee,
        channel=case.channel,
        level=level,
        comment=comment,
        rater=principal.actor,
        real_name=principal.real_name_level >= 1,
    )
    with transaction.atomic():  # the rating, its audit record and a 差评's rectification task
        try:  # one rating per case: the unique case_no decides (a concurrent second waits
            # for the first to commit, then fails here; the Conflict rolls the block back)
            rating.save(force_insert=True)
        except IntegrityError:
            raise Conflict("该办件已评价。", extra={"allowed_actions": []}) from None
        audit.record(
            actor=principal.actor,
            action="ratings.rate",
            object_type="ratings.rating",
            object_id=case_no,
            after={"level": level, "comment": comment[:200], "department": case.department_code},
        )
        if rating.is_bad:
            today = timezone.localdate()
            task = Rectification.objects.create(
                rating=rating,
                department_code=case.department_code,
                due_date=calendar.add_working_days(
                    today, RatingSettings.current().rectification_days
                ),
            )
            audit.record(
                actor="system:ratings",
                action="ratings.rectification_open",
                object_type="ratings.rectification",
                object_id=str(task.pk),
                after={
                    "case_no": case_no,
                    "department": task.department_code,
                    "due_date": task.due_date.isoformat(),
                },
            )
            notify.send(
                recipient_kind="department",
                recipient_id=case.department_code,
                title="差评整改任务",
                body=f"{case.item_name}（{case_no}）收到差评，请于 {task.due_date} 前整改并答复。",
                link="/workbench/rectifications/",
                sms=False,
            )
    return rating


def _task_for_staff(principal: Principal, task_id: int, *, roles: tuple[str, ...]) -> Rectification:
    task = (
        Rectification.objects.select_for_update()
        .select_related("rating")
        .filter(pk=task_id)
        .first()
    )
    if task is None or task.department_code not in principal.departments_for(RATING_ROLES):
        raise NotFound("未找到该整改任务。")
    if not any(principal.has_role(r, task.department_code) for r in roles):
        raise Forbidden("需要本部门负责人或审批人员处理整改。")
    return task


def rectification_reply(*, principal: Principal, task_id: int, reply: str) -> Rectification:
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed.one("reply", "请填写整改情况。")
    with transaction.atomic():
        task = _task_for_staff(principal, task_id, roles=("department_head", "reviewer"))
        if task.status != Rectification.Status.OPEN:
            raise Conflict("该整改任务已答复。", extra={"allowed_actions": _allowed(task)})
        task.reply, task.replied_by, task.replied_at = reply, principal.actor, timezone.now()
        # a rater who gave no real name cannot be called back: the loop closes with the reply
        task.status = (
            Rectification.Status.REPLIED if task.rating.real_name else Rectification.Status.CLOSED
        )
        if task.status == Rectification.Status.CLOSED:
            task.closed_at = timezone.now()
        task.save()
        audit.record(
            actor=principal.actor,
            action="ratings.rectification_reply",
            object_type="ratings.rectification",
            object_id=str(task.pk),
            before={"status": "open"},
            after={"status": task.status, "reply": reply[:500]},
        )
    return task


def rectification_callback(
    *, principal: Principal, task_id: int, note: str, satisfied: bool
) -> Rectification:
    """回访: the department calls the rater back and records the answer; the loop closes."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed.one("note", "请记录回访情况。")
    with transaction.atomic():
        task = _task_for_staff(
            principal, task_id, roles=("department_head", "reviewer", "hotline_operator")
        )
        if task.status != Rectification.Status.REPLIED:
            raise Conflict("整改答复后才能回访。", extra={"allowed_actions": _allowed(task)})
        task.callback_note, task.callback_satisfied = note, satisfied
        task.status, task.closed_at = Rectification.Status.CLOSED, timezone.now()
        task.save()
        audit.record(
            actor=principal.actor,
            action="ratings.rectification_callback",
            object_type="ratings.rectification",
            object_id=str(task.pk),
            before={"status": "replied"},
            after={"status": "closed", "satisfied": satisfied},
        )
    return task


def _allowed(task: Rectification) -> list[str]:
    return {"open": ["reply"], "replied": ["callback"], "closed": []}[task.status]
