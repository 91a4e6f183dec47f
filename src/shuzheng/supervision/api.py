"""督查督办 API (issue 20, "API": a public contract — extend, never rename).

``POST /supervision/plans/preview`` (multipart ``file``: the proposed register, nothing stored) ·
``POST /supervision/plans`` (the reviewed register) · ``GET /supervision/tasks`` ·
``GET /supervision/tasks/{id}`` · ``POST /supervision/tasks/{id}/reports`` (multipart: ``note``,
``figures`` as JSON, ``evidence`` files) · ``POST /supervision/tasks/{id}/actions`` ·
``POST /supervision/tasks/{id}/urges`` · ``POST /supervision/urges/{id}/reply`` ·
``GET /supervision/urges/{id}/pdf`` (sealed) · ``GET /supervision/scores``. Handlers parse,
call one service or selector, answer.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from shuzheng.core.errors import ValidationFailed
from shuzheng.identity.facade import BearerAuth, principal_for_request
from shuzheng.supervision import notice, selectors, services

router = Router(tags=["supervision"], auth=BearerAuth())


class SupervisionTargetIn(Schema):
    text: str
    value: float
    unit: str


class SupervisionTargetOut(SupervisionTargetIn):
    id: int | None = None
    current: float | None = None


class SupervisionProposedTaskOut(Schema):
    path: list[str]
    title: str
    lead_departments: list[str]
    lead_department_codes: list[str]
    lead_text: str
    targets: list[SupervisionTargetIn]
    deadline: dt.date | None
    text: str


class SupervisionPreviewOut(Schema):
    title: str
    year: int | None
    tasks: list[SupervisionProposedTaskOut]


class SupervisionPlanIn(Schema):
    title: str
    year: int
    doc_number: str = ""
    issuer: str = ""
    tasks: list[Any] = Field(
        ...,
        description=(
            "审核后的任务：path 编号列表，title 任务，lead_departments 牵头单位的部门代码，"
            "targets [{text, value, unit}]，deadline 完成时限（可选，默认年底），text 原文（可选）"
        ),
    )


class SupervisionPlanOut(Schema):
    id: int
    title: str
    year: int
    tasks: int


class SupervisionDeptOut(Schema):
    code: str
    name: str


class SupervisionTaskOut(Schema):
    id: int
    plan_id: int
    plan_title: str
    path: list[str]
    path_label: str
    title: str
    text: str
    lead_departments: list[SupervisionDeptOut]
    lead_text: str
    due_date: dt.date
    status: str
    status_label: str
    level: str
    level_label: str
    progress: float | None
    targets: list[SupervisionTargetOut]
    allowed_actions: list[str]


class SupervisionReportOut(Schema):
    id: int
    department: str
    note: str
    figures: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    reported_at: dt.datetime
    review: str
    review_note: str


class SupervisionUrgeOut(Schema):
    id: int
    doc_number: str
    body: str
    issued_at: dt.datetime
    reply_due: dt.date
    reply: str
    replied_at: dt.datetime | None


class SupervisionTaskDetailOut(SupervisionTaskOut):
    reports: list[SupervisionReportOut]
    urges: list[SupervisionUrgeOut]


class SupervisionActionIn(Schema):
    action: str = Field(
        ..., description="accept 审核通过 | return 退回 | complete 确认完成 | reopen 重新打开"
    )
    note: str = ""


class SupervisionUrgeIn(Schema):
    body: str = Field(..., description="督办事项")


class SupervisionReplyIn(Schema):
    reply: str


class SupervisionScoreOut(Schema):
    department: str
    department_name: str
    tasks: int
    completed: int
    overdue: int
    completion_rate: float
    target_progress: float
    score: float


def _report(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "department": r.department,
        "note": r.note,
        "figures": r.figures,
        "evidence": r.evidence,
        "reported_at": r.reported_at,
        "review": r.review,
        "review_note": r.review_note,
    }


def _urge(u: Any) -> dict[str, Any]:
    return {
        "id": u.pk,
        "doc_number": u.doc_number,
        "body": u.body,
        "issued_at": u.issued_at,
        "reply_due": u.reply_due,
        "reply": u.reply,
        "replied_at": u.replied_at,
    }


def _detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    principal = principal_for_request(request)
    task = selectors.task_for(principal, task_id)
    out = selectors.task_dict(task, principal, timezone.localdate())
    out["reports"] = [_report(r) for r in selectors.reports_of(task)]
    out["urges"] = [_urge(u) for u in selectors.urges_of(task)]
    return out


@router.post(
    "/supervision/plans/preview",
    response=SupervisionPreviewOut,
    summary="上传工作计划，提出任务清单（不保存）",
    description="牵头办（市政数局）和领导可用。文本文件或 Word 文档（.docx）。",
)
def plan_preview(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    return services.plan_preview(
        principal=principal_for_request(request), name=file.name or "", data=file.read()
    )


@router.post(
    "/supervision/plans",
    response={201: SupervisionPlanOut},
    summary="确认任务清单，建立督办台账（全部成功或全部不保存）",
)
def plan_confirm(request: HttpRequest, body: SupervisionPlanIn) -> Status:
    plan = services.plan_confirm(
        principal=principal_for_request(request),
        title=body.title,
        year=body.year,
        tasks=body.tasks,
        doc_number=body.doc_number,
        issuer=body.issuer,
    )
    return Status(
        201, {"id": plan.pk, "title": plan.title, "year": plan.year, "tasks": plan.tasks.count()}
    )


@router.get(
    "/supervision/tasks",
    response=list[SupervisionTaskOut],
    summary="督办任务（按调用者可见范围；level: green/yellow/red）",
)
def tasks(
    request: HttpRequest,
    department: str = "",
    level: str = "",
    plan: int | None = None,
    q: str = "",
) -> list[dict[str, Any]]:
    return selectors.tasks_list(
        principal=principal_for_request(request),
        department=department,
        level=level,
        plan=plan,
        q=q,
    )


@router.get(
    "/supervision/tasks/{task_id}",
    response=SupervisionTaskDetailOut,
    summary="督办任务详情：指标、进展报告、督办通知",
)
def task_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _detail(request, task_id)


@router.post(
    "/supervision/tasks/{task_id}/reports",
    response={201: SupervisionReportOut},
    summary="牵头单位报送进展（multipart：note 进展，figures 指标数值 JSON，evidence 佐证材料）",
)
def report_post(
    request: HttpRequest,
    task_id: int,
    note: str = Form(""),
    figures: str = Form("[]", description='如 [{"target": 12, "value": 45, "unit": "%"}]'),
    evidence: list[UploadedFile] = File(None),  # noqa: B008
) -> Status:
    try:
        parsed = json.loads(figures or "[]")
    except ValueError:
        raise ValidationFailed.one("figures", "指标数值应为 JSON 列表。") from None
    files = [(f.name or "evidence", f.read()) for f in (evidence or [])]
    report = services.report_submit(
        principal=principal_for_request(request),
        task_id=task_id,
        note=note,
        figures=parsed,
        evidence=files,
    )
    return Status(201, _report(report))


@router.post(
    "/supervision/tasks/{task_id}/actions",
    response=SupervisionTaskOut,
    summary="牵头办审核进展、确认完成或重新打开（状态不允许时 409）",
)
def task_action(request: HttpRequest, task_id: int, body: SupervisionActionIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    task = services.task_act(
        principal=principal, task_id=task_id, action=body.action, note=body.note
    )
    return selectors.task_dict(task, principal, timezone.localdate())


@router.post(
    "/supervision/tasks/{task_id}/urges",
    response={201: SupervisionUrgeOut},
    summary="向牵头单位发督办通知（回复时限按工作日计算）",
)
def urge_post(request: HttpRequest, task_id: int, body: SupervisionUrgeIn) -> Status:
    urge = services.urge_issue(
        principal=principal_for_request(request), task_id=task_id, body=body.body
    )
    return Status(201, _urge(urge))


@router.post(
    "/supervision/urges/{urge_id}/reply",
    response=SupervisionUrgeOut,
    summary="牵头单位回复督办通知",
)
def urge_reply(request: HttpRequest, urge_id: int, body: SupervisionReplyIn) -> dict[str, Any]:
    urge = services.urge_answer(
        principal=principal_for_request(request), urge_id=urge_id, reply=body.reply
    )
    return _urge(urge)


@router.get(
    "/supervision/urges/{urge_id}/pdf",
    response={200: None},
    summary="督办通知的 PDF（GB/T 9704 版式，加盖牵头办电子印章，PAdES 签名）",
)
def urge_pdf(request: HttpRequest, urge_id: int) -> HttpResponse:
    pdf, name = notice.urge_pdf(principal=principal_for_request(request), urge_id=urge_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@router.get(
    "/supervision/scores",
    response=list[SupervisionScoreOut],
    summary="各牵头单位的完成率、指标进度与得分",
)
def scores(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.scores(principal=principal_for_request(request))
