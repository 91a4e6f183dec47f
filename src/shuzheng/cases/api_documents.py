"""办件进度查询 without logging in and the printed notices of a case: the API (issue 17).

A router of its own, mounted before ``cases.api``'s: ``/cases/progress`` must be matched
before ``/cases/{case_no}`` takes "progress" for a case number.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router
from pydantic import BaseModel

from shuzheng.cases import documents, progress
from shuzheng.core.errors import RateLimited
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["cases 办件"])


class ProgressStepOut(BaseModel):
    at: str
    text: str
    status_name: str


class ProgressPartOut(BaseModel):
    item_name: str
    department_name: str
    status: str
    status_name: str
    due_date: str | None


class ProgressMailOut(BaseModel):
    carrier: str
    tracking_no: str
    sent_on: str


class ProgressOut(BaseModel):
    case_no: str
    item_name: str
    department_name: str
    status: str
    status_name: str
    summary: str
    submitted_on: str | None
    accepted_on: str | None
    due_date: str | None
    closed_on: str | None
    timeline: list[ProgressStepOut]
    parts: list[ProgressPartOut]
    # 邮寄送达: the posted result's carrier, tracking number and date (null: not posted)
    mail: ProgressMailOut | None = None


def too_many(exc: RateLimited) -> HttpResponse:
    """A 429 in the platform's error format, with ``Retry-After``."""
    response = JsonResponse(exc.as_dict(), status=429, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return response


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def progress_out(found: progress.Progress) -> ProgressOut:
    return ProgressOut(
        case_no=found.case_no,
        item_name=found.item_name,
        department_name=found.department_name,
        status=found.status,
        status_name=found.status_name,
        summary=found.summary,
        submitted_on=_iso(found.submitted_on),
        accepted_on=_iso(found.accepted_on),
        due_date=_iso(found.due_date),
        closed_on=_iso(found.closed_on),
        timeline=[
            ProgressStepOut(at=s.at.isoformat(), text=s.text, status_name=s.status_name)
            for s in found.steps
        ],
        parts=[
            ProgressPartOut(
                item_name=p.item_name,
                department_name=p.department_name,
                status=p.status,
                status_name=p.status_name,
                due_date=_iso(p.due_date),
            )
            for p in found.parts
        ],
        mail=ProgressMailOut(**found.mail) if found.mail else None,
    )


@router.get(
    "/cases/progress",
    response=ProgressOut,
    auth=None,
    summary="办件进度查询（免登录）：办件编号 + 申请时预留的手机号码",
    description=(
        "返回办件状态和办理进度（文字），不含姓名、证件号码、地址、表单和材料。"
        "办件不存在、手机号码不符一律返回相同的 404。每个客户端 IP 每小时可查询 "
        "`SHUZHENG_PROGRESS_MAX_PER_HOUR` 次（默认 20），超过返回 429 和 `Retry-After`。"
    ),
)
def progress_query(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str = Query(..., max_length=64, description="办件编号"),
    phone: str = Query(..., max_length=32, description="申请人手机号码"),
) -> ProgressOut | HttpResponse:
    try:
        found = progress.progress_read(request=request, case_no=case_no, phone=phone, via="api")
    except RateLimited as exc:
        return too_many(exc)
    response["Cache-Control"] = "no-store"
    return progress_out(found)


@router.get(
    "/cases/{case_no}/notices/{kind}.pdf",
    auth=BearerAuth(),
    response={200: bytes},
    summary="打印办件通知书（PDF，加盖部门电子印章）："
    "acceptance 受理通知书 | correction 一次性告知书 | refusal 不予受理通知书",
    description="申请人和办件所属部门的经办人员可以下载；办件尚未到达相应环节时返回 409。",
)
def notice_pdf(
    request: HttpRequest, case_no: str, kind: Literal["acceptance", "correction", "refusal"]
) -> HttpResponse:
    principal = principal_for_request(request)
    pdf, notice = documents.notice_pdf(
        principal=principal,
        case_no=case_no,
        kind=kind,
        base_url=request.build_absolute_uri("/"),
    )
    return pdf_response(pdf, documents.filename(notice))


def pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
