"""统一申办受理 API: prepare, apply, list, detail, act."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import BaseModel

from shuzheng.cases import selectors, services
from shuzheng.catalog import facade as catalog
from shuzheng.core import idempotency
from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["cases 办件"], auth=BearerAuth())


class PrepareMaterial(BaseModel):
    material_code: str
    name: str
    required: bool
    license_type: str | None
    satisfied_by: list[str]


class PrepareOut(BaseModel):
    form_schema: dict[str, Any]
    prefill: dict[str, Any]
    prefill_sources: dict[str, str]
    materials: list[PrepareMaterial]
    promised_days: int
    # 智能导办: the answers taken (question code → option value; {} without ``answers``) and
    # the 一件事's member items they leave out
    answers: dict[str, str] = {}
    excluded_items: list[str] = []


def _answers_param(values: list[str]) -> dict[str, str]:
    """``answers=Q1:self`` (repeated) → {"Q1": "self"}; a value without ``:`` names its field."""
    out: dict[str, str] = {}
    for raw in values:
        code, sep, value = str(raw).partition(":")
        if not sep or not code.strip() or not value.strip():
            raise ValidationFailed.one("answers", "导办回答的格式应为“问题编号:选项”，如 Q1:self。")
        out[code.strip()[:8]] = value.strip()[:64]
    return out


@router.get("/cases/prepare", response=PrepareOut, summary="申请前准备：表单、预填、所需材料")
def prepare(
    request: HttpRequest,
    item_code: str = "",
    bundle_code: str = "",
    enterprise_uscc: str = "",
    answers: list[str] = Query([]),  # noqa: B008  (ninja's way to declare a repeated parameter)
) -> dict[str, Any]:
    """``answers=Q1:self`` (repeated): the 智能导办 answers — only the situation's materials are
    listed (as ``POST /api/v1/cases`` with the same ``answers`` will require them)."""
    principal = principal_for_request(request)
    chosen = _answers_param(answers)
    situation: dict[str, Any] = {}
    if item_code:
        item = catalog.item(item_code)
        situation = services.guided(item, chosen)
        listed = services.materials_for(item, situation)
        schema, days = item.form_schema, item.promised_days
    elif bundle_code:
        bundle = catalog.bundle(bundle_code)
        situation = services.guided_bundle(bundle, chosen)
        listed = services.bundle_materials_for(bundle, situation)
        schema, days = bundle.form_schema, bundle.promised_days
    else:
        raise ValidationFailed.one("item_code", "请指定 item_code 或 bundle_code。")
    materials = [m for m in listed if m.required]
    prefill, sources = services.prefill_for(principal, schema, enterprise_uscc or None)
    everything = [*materials, *(m for m in listed if not m.required)]
    choices = services.license_choices_many(
        principal, [m.license_type for m in everything], enterprise_uscc or None
    )
    return {  # validated once, by ninja (plain pydantic models: a tenth of ninja's Schema cost)
        "form_schema": schema,
        "prefill": prefill,
        "prefill_sources": sources,
        "materials": [
            {
                "material_code": m.code,
                "name": m.name,
                "required": m in materials,
                "license_type": m.license_type,
                "satisfied_by": [r.license_id for r in choices.get(m.license_type or "", [])],
            }
            for m in everything
        ],
        "promised_days": days,
        "answers": situation.get("answers", {}),
        "excluded_items": situation.get("excluded_items", []),
    }


class MaterialIn(Schema):
    material_code: str
    file_id: str | None = None
    license_id: str | None = None


class CaseIn(Schema):
    item_code: str | None = None
    bundle_code: str | None = None
    form: dict[str, Any] = {}
    materials: list[MaterialIn] = []
    submit: bool = True
    enterprise_uscc: str | None = None
    applicant_id_number: str | None = None
    # window filing: the clerk confirms the applicant is there in person (recorded)
    applicant_present: bool = False
    # 智能导办: answers to the item's guide questions (question code → option value, as in
    # GET /api/v1/catalog/items/{code}/guide); the situation chosen decides the materials
    # required and is recorded on the case
    answers: dict[str, str] = {}
    # 帮办代办: apply for this person under the caller's valid 代办授权 (identity); the case is
    # theirs, the caller recorded as its agent
    represented_id_number: str | None = None


class CaseSummary(Schema):
    case_no: str
    item_name: str
    status: str
    department: str
    due_date: str | None
    due_date_provisional: bool  # counted on a provisional holiday calendar
    warning: str
    submitted_at: str | None


# A plain pydantic model, not ninja's ``Schema``: the API returns dicts, and ninja's Schema
# validates them through a per-attribute getter at ~6× the cost (~80 µs per case response).
class CaseOut(BaseModel):
    case_no: str
    kind: str
    item_code: str
    item_version: int | None
    bundle_code: str
    item_name: str
    department: str
    status: str
    status_name: str
    handling_type: str
    promised_days: int
    applicant_kind: str
    applicant_name: str
    channel: str
    submitted_at: str | None
    accepted_on: str | None
    due_date: str | None
    # true when the due date was counted across a year whose holidays are provisional (the
    # State Council's 调休 notice not entered yet): it is recounted when the notice is entered
    due_date_provisional: bool
    paused_days: int
    extended_days: int
    warning: str
    assignee: str
    correction_items: list[str]
    decision: dict[str, Any] | None
    decision_reason: str
    delivery: str
    closed_on: str | None
    result: dict[str, Any]
    form: dict[str, Any]
    materials: list[dict[str, Any]]
    parent: str | None
    children: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    allowed_actions: list[str]
    # 智能导办: {"answers": {...}, "situations": ["S1"], "names": ["…"]} ({}: not used)
    situation: dict[str, Any] = {}
    # 邮寄送达: {"carrier", "tracking_no", "sent_on"} once the posting is recorded ({}: not yet)
    mail_tracking: dict[str, Any] = {}


# A client that retries after a network error sends the same key and gets the first answer
# (core.idempotency): the case is filed once.
IdempotencyKey = Header(
    None,
    alias=idempotency.HEADER,
    description="幂等键（可选）：网络中断后重试时带上同一键值，只办理一次并返回首次结果。",
)


def _replayed(response: HttpResponse, replayed: bool) -> None:
    if replayed:
        response["Idempotent-Replayed"] = "true"


@router.post("/cases", response={201: CaseOut}, summary="提交申请（或保存草稿 submit=false）")
def create(
    request: HttpRequest,
    response: HttpResponse,
    body: CaseIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Status:
    principal = principal_for_request(request)

    def run() -> tuple[int, Any]:
        case = services.case_create(
            principal=principal,
            item_code=body.item_code,
            bundle_code=body.bundle_code,
            form=body.form,
            materials=[m.model_dump() for m in body.materials],
            submit=body.submit,
            enterprise_uscc=body.enterprise_uscc,
            applicant_id_number=body.applicant_id_number,
            applicant_present=body.applicant_present,
            answers=body.answers or None,
            represented_id_number=body.represented_id_number,
        )
        return 201, selectors.detail(principal, case)  # validated once, by ninja

    status, out, replayed = idempotency.once(request, principal.actor, run)
    _replayed(response, replayed)
    return Status(status, out)


class CaseListOut(Schema):
    items: list[CaseSummary]
    total: int
    queues: dict[str, int]


@router.get(
    "/cases",
    response=CaseListOut,
    summary="我的办件 / 本部门办件"
    "（queue= pending|in_progress|correction|due_soon|overdue|decided|license_pending|closed）",
)
def list_cases(
    request: HttpRequest,
    queue: str = "",
    q: str = "",
    department: str = "",
    limit: int = 20,
    offset: int = Query(0, ge=0, le=1_000_000),  # larger overflows the database's integer
) -> CaseListOut:
    principal = principal_for_request(request)
    rows, total = selectors.case_list(
        principal,
        queue=queue or None,
        department=department or None,
        q=q.strip()[:40],
        limit=limit,
        offset=offset,
    )
    return CaseListOut(
        items=[
            CaseSummary(
                case_no=c.case_no,
                item_name=c.item_name,
                status=c.status,
                department=c.department_code,
                due_date=c.due_date.isoformat() if c.due_date else None,
                due_date_provisional=c.due_date_provisional,
                warning=c.warning,
                submitted_at=c.submitted_at.isoformat() if c.submitted_at else None,
            )
            for c in rows
        ],
        total=total,
        queues=selectors.queue_counts(principal) if principal.kind == "staff" else {},
    )


@router.get(
    "/cases/{case_no}", response=CaseOut, summary="办件详情：状态、时间线、办结日期、可执行操作"
)
def get_case(request: HttpRequest, case_no: str) -> dict[str, Any]:
    principal = principal_for_request(request)
    return selectors.detail(
        principal, selectors.case_for(principal, case_no)
    )  # validated once, by ninja


class ActionIn(Schema):
    action: str
    note: str = ""
    items: list[str] = []
    days: int | None = None
    delivery: str | None = None
    assignee: str | None = None
    form: dict[str, Any] | None = None
    materials: list[MaterialIn] | None = None
    license_data: dict[str, Any] | None = None  # issue_license: the pending licence's data items
    carrier: str | None = None  # record_mailing: 快递公司
    tracking_no: str | None = None  # record_mailing: 快递单号


@router.post(
    "/cases/{case_no}/actions",
    response=CaseOut,
    summary="办件操作：accept|refuse|request_correction|resubmit|approve|deny|suspend|resume|extend|close|withdraw|assign|submit|issue_license|discard|record_mailing",
)
def act(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: ActionIn,
    idempotency_key: str | None = IdempotencyKey,
) -> dict[str, Any]:
    principal = principal_for_request(request)

    def run() -> tuple[int, Any]:
        case = services.case_act(
            principal=principal,
            case_no=case_no,
            action=body.action,
            note=body.note,
            items=body.items,
            days=body.days,
            delivery=body.delivery,
            assignee=body.assignee,
            form=body.form,
            materials=[m.model_dump() for m in body.materials]
            if body.materials is not None
            else None,
            license_data=body.license_data,
            carrier=body.carrier,
            tracking_no=body.tracking_no,
        )
        return 200, selectors.detail(principal, case)  # validated once, by ninja

    _, out, replayed = idempotency.once(request, principal.actor, run)
    _replayed(response, replayed)
    return out


class PendingFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    choices: list[str]
    value: str
    missing: bool
    problem: str


class PendingLicenseOut(Schema):
    case_no: str
    license_type: str
    fields: list[PendingFieldOut]
    problems: list[str]


@router.get(
    "/cases/{case_no}/pending-license",
    response=PendingLicenseOut,
    summary="待签发的办理结果证照：各数据项及需要补全的项（供 issue_license 使用）",
)
def pending_license(request: HttpRequest, case_no: str) -> PendingLicenseOut:
    principal = principal_for_request(request)
    pending = services.pending_license(selectors.case_for(principal, case_no))
    if pending is None:
        raise NotFound("该办件没有待签发的证照。")
    return PendingLicenseOut(
        case_no=pending.case_no,
        license_type=pending.license_type,
        fields=[
            PendingFieldOut(
                name=f.name,
                label=f.label,
                type=f.type,
                required=f.required,
                choices=list(f.choices),
                value=f.value,
                missing=f.missing,
                problem=f.problem,
            )
            for f in pending.fields
        ],
        problems=list(pending.problems),
    )
