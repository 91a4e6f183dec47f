"""Data exchange API: catalog, share requests and decisions, the data API (client
credentials), data spaces (consents, usage, my data, corrections), quality and dashboard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from shuzheng.exchange import selectors, services
from shuzheng.exchange.contracts import CallResult, ResourceInfo
from shuzheng.exchange.models import (
    Consent,
    ConsentScope,
    Frequency,
    OpenLevel,
    QualityIssue,
    ShareGrant,
    ShareLevel,
    ShareRequest,
)
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["exchange 数据共享与数字空间"])

SHARE_NAMES = dict(ShareLevel.choices)
OPEN_NAMES = dict(OpenLevel.choices)
FREQ_NAMES = dict(Frequency.choices)
CONSENT_NAMES = dict(ConsentScope.choices)


# --- catalog -------------------------------------------------------------------------------------


class FieldOut(Schema):
    name: str
    title: str
    data_type: str
    classification: str
    personal: bool
    masking: str
    source_resource: str
    is_source: bool


class ResourceSummary(Schema):
    code: str
    name: str
    source_department: str
    source_department_name: str
    subject_kind: str
    share_level: str
    share_level_name: str
    open_level: str
    update_frequency: str
    last_updated_at: str
    fresh: bool
    consent_scope: str
    classification: str
    field_count: int


class ResourceOut(ResourceSummary):
    summary: str
    share_condition: str
    open_level_name: str
    update_frequency_name: str
    consent_scope_name: str
    owner_officer: str
    published_on: str
    fields: list[FieldOut]


class ResourceList(Schema):
    items: list[ResourceSummary]


def _summary(info: ResourceInfo, names: dict[str, str]) -> dict[str, Any]:
    fresh, _ = selectors.is_fresh(info)
    return {
        "code": info.code,
        "name": info.name,
        "source_department": info.source_department,
        "source_department_name": names.get(info.source_department, info.source_department),
        "subject_kind": info.subject_kind,
        "share_level": info.share_level,
        "share_level_name": str(SHARE_NAMES.get(info.share_level, info.share_level)),
        "open_level": info.open_level,
        "update_frequency": info.update_frequency,
        "last_updated_at": info.last_updated_at.isoformat(),
        "fresh": fresh,
        "consent_scope": info.consent_scope,
        "classification": info.classification,
        "field_count": len(info.fields),
    }


def _resource_out(info: ResourceInfo) -> ResourceOut:
    names = selectors.department_names()
    return ResourceOut(
        **_summary(info, names),
        summary=info.summary,
        share_condition=info.share_condition,
        open_level_name=str(OPEN_NAMES.get(info.open_level, "")),
        update_frequency_name=str(FREQ_NAMES.get(info.update_frequency, "")),
        consent_scope_name=str(CONSENT_NAMES.get(info.consent_scope, "")),
        owner_officer=info.owner_officer,
        published_on=info.published_on.isoformat(),
        fields=[
            FieldOut(
                name=f.name,
                title=f.title,
                data_type=f.data_type,
                classification=f.classification,
                personal=f.personal,
                masking=f.masking,
                source_resource=f.source_resource,
                is_source=f.source_resource == info.code,
            )
            for f in info.fields
        ],
    )


@router.get(
    "/exchange/resources",
    response=ResourceList,
    auth=None,
    summary="政务数据目录：信息资源列表（公开的目录元数据，不含数据）",
)
def resource_list(
    request: HttpRequest,
    q: str = "",
    department: str = "",
    subject_kind: str = "",
    share_level: str = "",
) -> ResourceList:
    names = selectors.department_names()
    infos = selectors.resources(
        q=q.strip()[:50],
        department=department,
        subject_kind=subject_kind,
        share_level=share_level,
    )
    return ResourceList(items=[ResourceSummary(**_summary(i, names)) for i in infos])


@router.get(
    "/exchange/resources/{path:code}",
    response=ResourceOut,
    auth=None,
    summary="信息资源详情：信息项、分级、脱敏规则、权威来源（一数一源）",
)
def resource_detail(request: HttpRequest, code: str) -> ResourceOut:
    return _resource_out(selectors.resource_info(code))


class FieldIn(Schema):
    name: str
    title: str
    data_type: str = "string"
    classification: str
    personal: bool = False
    masking: str = "none"
    source: bool = True


class ResourceIn(Schema):
    name: str
    summary: str = ""
    catalogue_class: str
    item: str
    catalogue: str
    detail: str = ""
    source_department: str
    subject_kind: str
    share_level: str
    share_condition: str = ""
    open_level: str = "closed"
    update_frequency: str
    consent_scope: str = "none"
    fields: list[FieldIn]


@router.post(
    "/exchange/resources",
    response={201: ResourceOut},
    auth=BearerAuth(),
    summary="登记信息资源（提供部门的数据管理员）；数据项已有权威来源时拒绝（一数一源，409）",
)
def resource_create(request: HttpRequest, body: ResourceIn) -> Status:
    spec = body.model_dump()
    resource = services.resource_register(principal=principal_for_request(request), spec=spec)
    return Status(201, _resource_out(selectors.resource_info(resource.code)))


# --- share requests ------------------------------------------------------------------------------


class GrantOut(Schema):
    code: str
    fields: list[str]
    purpose: str
    valid_from: str
    valid_until: str
    revoked_at: str | None
    consumer_department: str
    consumer_client: str


class RequestOut(Schema):
    id: int
    resource: str
    resource_name: str
    source_department: str
    consumer_department: str
    consumer_client: str
    fields: list[str]
    purpose: str
    purpose_name: str
    scenario: str
    legal_basis: str
    days: int
    requested_by: str
    status: str
    status_name: str
    instant: bool
    submitted_at: str
    due_date: str
    decided_at: str | None
    decided_by: str
    decision_note: str
    working_days_taken: int
    working_days_left: int | None
    overdue: bool
    grant: GrantOut | None


def _grant_out(g: ShareGrant) -> GrantOut:
    return GrantOut(
        code=g.code,
        fields=list(g.fields),
        purpose=g.purpose,
        valid_from=g.valid_from.isoformat(),
        valid_until=g.valid_until.isoformat(),
        revoked_at=g.revoked_at.isoformat() if g.revoked_at else None,
        consumer_department=g.consumer_department,
        consumer_client=g.consumer_client,
    )


def _request_out(r: ShareRequest) -> RequestOut:
    grant = ShareGrant.objects.filter(request=r).first()
    return RequestOut(
        id=r.pk,
        resource=r.resource.code,
        resource_name=r.resource.name,
        source_department=r.resource.source_department,
        consumer_department=r.consumer_department,
        consumer_client=r.consumer_client,
        fields=list(r.fields),
        purpose=r.purpose,
        purpose_name=str(r.get_purpose_display()),
        scenario=r.scenario,
        legal_basis=r.legal_basis,
        days=r.days,
        requested_by=r.requested_by,
        status=r.status,
        status_name=str(r.get_status_display()),
        instant=r.instant,
        submitted_at=r.submitted_at.isoformat(),
        due_date=r.due_date.isoformat(),
        decided_at=r.decided_at.isoformat() if r.decided_at else None,
        decided_by=r.decided_by,
        decision_note=r.decision_note,
        **selectors.request_timing(r),
        grant=_grant_out(grant) if grant else None,
    )


class RequestIn(Schema):
    resource: str
    fields: list[str]
    purpose: str
    scenario: str
    legal_basis: str
    days: int = 365
    consumer_department: str | None = None
    consumer_client: str | None = None


@router.post(
    "/exchange/requests",
    response={201: RequestOut},
    auth=BearerAuth(),
    summary="共享申请（部门数据管理员或政务系统）；无条件共享资源即时授权（秒享）",
)
def request_create(request: HttpRequest, body: RequestIn) -> Status:
    req = services.request_submit(
        principal=principal_for_request(request),
        resource_code=body.resource,
        fields=body.fields,
        purpose=body.purpose,
        scenario=body.scenario,
        legal_basis=body.legal_basis,
        days=body.days,
        consumer_department=body.consumer_department,
        consumer_client=body.consumer_client,
    )
    return Status(201, _request_out(req))


class RequestList(Schema):
    items: list[RequestOut]


@router.get(
    "/exchange/requests",
    response=RequestList,
    auth=BearerAuth(),
    summary="共享申请列表（incoming 待我审批 / outgoing 我部门申请）",
)
def request_list(request: HttpRequest, box: str = "", status: str = "") -> RequestList:
    reqs = selectors.requests_for(principal_for_request(request), box=box, status=status)
    return RequestList(items=[_request_out(r) for r in reqs])


@router.get(
    "/exchange/requests/{int:request_id}",
    response=RequestOut,
    auth=BearerAuth(),
    summary="共享申请详情",
)
def request_detail(request: HttpRequest, request_id: int) -> RequestOut:
    return _request_out(selectors.request_for(principal_for_request(request), request_id))


class DecisionIn(Schema):
    decision: str
    note: str = ""
    fields: list[str] | None = None


@router.post(
    "/exchange/requests/{int:request_id}/decision",
    response=RequestOut,
    auth=BearerAuth(),
    summary="审批共享申请（数据提供部门的数据管理员；approve 可只同意部分信息项）",
)
def request_decision(request: HttpRequest, request_id: int, body: DecisionIn) -> RequestOut:
    req = services.request_decide(
        principal=principal_for_request(request),
        request_id=request_id,
        decision=body.decision,
        note=body.note,
        fields=body.fields,
    )
    return _request_out(req)


class GrantList(Schema):
    items: list[GrantOut]


@router.get(
    "/exchange/grants", response=GrantList, auth=BearerAuth(), summary="共享授权（授权凭证）列表"
)
def grant_list(request: HttpRequest) -> GrantList:
    return GrantList(
        items=[_grant_out(g) for g in selectors.grants_for(principal_for_request(request))]
    )


class RevokeIn(Schema):
    note: str


@router.post(
    "/exchange/grants/{code}/revoke",
    response=GrantOut,
    auth=BearerAuth(),
    summary="撤销共享授权（数据提供部门的数据管理员），立即生效",
)
def grant_revoke(request: HttpRequest, code: str, body: RevokeIn) -> GrantOut:
    return _grant_out(
        services.grant_revoke(principal=principal_for_request(request), code=code, note=body.note)
    )


# --- data API ------------------------------------------------------------------------------------


class SubjectOut(Schema):
    subject: str
    found: bool
    fields: dict[str, Any]
    masked: list[str]
    updated_at: str | None
    error: dict[str, str] | None


class DataOut(Schema):
    call_id: int
    resource: str
    resource_name: str
    source_department: str
    purpose: str
    basis: str
    subject: str
    fields: dict[str, Any]
    masked: list[str]
    updated_at: str | None


class BatchOut(Schema):
    call_id: int
    resource: str
    resource_name: str
    source_department: str
    purpose: str
    basis: str
    items: list[SubjectOut]


def _csv(value: str) -> list[str] | None:
    names = [v.strip() for v in value.split(",") if v.strip()]
    return names or None


@router.get(
    "/exchange/data/{path:resource_code}",
    response=DataOut,
    auth=BearerAuth(),
    summary="数据查询（客户端凭证）：按公民身份号码或统一社会信用代码查询单个主体",
    description=(
        "政务系统凭有效共享授权调用；外部机构凭数据主体本人授权调用。只返回授权范围内的信息项，"
        "按数据分级与用途脱敏（`masked` 列出被脱敏的信息项）。每次调用（含被拒绝的）都写入"
        "防篡改审计链。`fields` 为逗号分隔的信息项，省略时返回授权的全部信息项。"
    ),
)
def data_one(
    request: HttpRequest, resource_code: str, subject: str = "", fields: str = "", purpose: str = ""
) -> DataOut:
    result: CallResult = services.data_query(
        principal=principal_for_request(request),
        resource_code=resource_code,
        subjects=[subject] if subject else [],
        fields=_csv(fields),
        purpose=purpose or None,
    )
    item = result.items[0]
    return DataOut(
        call_id=result.call_id,
        resource=result.resource,
        resource_name=result.resource_name,
        source_department=result.source_department,
        purpose=result.purpose,
        basis=result.basis,
        subject=item.subject,
        fields=item.fields,
        masked=item.masked,
        updated_at=item.updated_at,
    )


class BatchIn(Schema):
    subjects: list[str]
    fields: list[str] | None = None
    purpose: str | None = None


@router.post(
    "/exchange/data/{path:resource_code}",
    response=BatchOut,
    auth=BearerAuth(),
    summary="批量数据查询（客户端凭证，一次最多 100 个主体）；逐个主体核验授权",
)
def data_batch(request: HttpRequest, resource_code: str, body: BatchIn) -> BatchOut:
    result = services.data_query(
        principal=principal_for_request(request),
        resource_code=resource_code,
        subjects=body.subjects,
        fields=body.fields,
        purpose=body.purpose,
    )
    return BatchOut(
        call_id=result.call_id,
        resource=result.resource,
        resource_name=result.resource_name,
        source_department=result.source_department,
        purpose=result.purpose,
        basis=result.basis,
        items=[
            SubjectOut(
                subject=i.subject,
                found=i.found,
                fields=i.fields,
                masked=i.masked,
                updated_at=i.updated_at,
                error=i.error,
            )
            for i in result.items
        ],
    )


# --- data spaces ---------------------------------------------------------------------------------


class ConsentOut(Schema):
    id: int
    subject_kind: str
    requester: str
    requester_name: str
    resource: str
    resource_name: str
    fields: list[str]
    purpose: str
    valid_from: str
    valid_until: str
    revoked_at: str | None
    status: str


def _consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        id=c.pk,
        subject_kind=c.subject_kind,
        requester=c.requester,
        requester_name=c.requester_name,
        resource=c.resource.code,
        resource_name=c.resource.name,
        fields=list(c.fields),
        purpose=c.purpose,
        valid_from=c.valid_from.isoformat(),
        valid_until=c.valid_until.isoformat(),
        revoked_at=c.revoked_at.isoformat() if c.revoked_at else None,
        status=selectors.consent_state(c),
    )


class ConsentList(Schema):
    items: list[ConsentOut]


class SpaceQuery(Schema):
    enterprise: str = ""


@router.get(
    "/dataspace/consents",
    response=ConsentList,
    auth=BearerAuth(),
    summary="我的授权（个人；enterprise=统一社会信用代码 查看企业的授权）",
)
def consent_list(request: HttpRequest, q: Query[SpaceQuery]) -> ConsentList:
    consents = selectors.consents_for(principal_for_request(request), q.enterprise or None)
    return ConsentList(items=[_consent_out(c) for c in consents])


class ConsentIn(Schema):
    requester: str
    resource: str
    purpose: str
    days: int
    fields: list[str] | None = None
    enterprise: str | None = None


@router.post(
    "/dataspace/consents",
    response={201: ConsentOut},
    auth=BearerAuth(),
    summary="授权：允许指定机构在期限内为某用途读取我的选定信息项（如银行贷款，政银数据融合）",
)
def consent_create(request: HttpRequest, body: ConsentIn) -> Status:
    consent = services.consent_grant(
        principal=principal_for_request(request),
        requester=body.requester,
        resource_code=body.resource,
        purpose=body.purpose,
        days=body.days,
        fields=body.fields,
        enterprise_uscc=body.enterprise,
    )
    return Status(201, _consent_out(consent))


@router.delete(
    "/dataspace/consents/{int:consent_id}",
    response=ConsentOut,
    auth=BearerAuth(),
    summary="撤销授权，立即生效：被授权方的下一次调用即被拒绝",
)
def consent_delete(request: HttpRequest, consent_id: int) -> ConsentOut:
    consent = services.consent_revoke(
        principal=principal_for_request(request), consent_id=consent_id
    )
    return _consent_out(consent)


class UsageOut(Schema):
    at: str
    consumer: str
    consumer_name: str
    resource: str
    fields: list[str]
    purpose: str
    basis: str
    outcome: str
    reason: str


class UsageList(Schema):
    items: list[UsageOut]


@router.get(
    "/dataspace/usage",
    response=UsageList,
    auth=BearerAuth(),
    summary="谁在什么时候为什么用了我的数据（含被拒绝的访问）",
)
def usage(request: HttpRequest, q: Query[SpaceQuery]) -> UsageList:
    calls = selectors.usage_for(principal_for_request(request), q.enterprise or None)
    return UsageList(
        items=[
            UsageOut(
                at=c.at.isoformat(),
                consumer=c.consumer,
                consumer_name=c.consumer_name,
                resource=c.resource_code,
                fields=list(c.fields),
                purpose=c.purpose,
                basis=c.basis,
                outcome=c.outcome,
                reason=c.reason,
            )
            for c in calls
        ]
    )


class MyDataField(Schema):
    name: str
    title: str
    value: Any
    source: str
    is_source: bool


class MyDataOut(Schema):
    resource: str
    resource_name: str
    department: str
    department_name: str
    updated_at: str
    fields: list[MyDataField]


class MyDataList(Schema):
    items: list[MyDataOut]


@router.get(
    "/dataspace/data",
    response=MyDataList,
    auth=BearerAuth(),
    summary="我的数据：各来源部门持有的关于我的数据",
)
def my_data(request: HttpRequest, q: Query[SpaceQuery]) -> MyDataList:
    rows = selectors.my_data(principal_for_request(request), q.enterprise or None)
    return MyDataList(
        items=[
            MyDataOut(
                resource=r["resource"].code,
                resource_name=r["resource"].name,
                department=r["department"],
                department_name=r["department_name"],
                updated_at=r["updated_at"].isoformat(),
                fields=[MyDataField(**f) for f in r["fields"]],
            )
            for r in rows
        ]
    )


class CorrectionIn(Schema):
    resource: str
    field: str
    proposed_value: str
    reason: str
    enterprise: str | None = None


class IssueOut(Schema):
    id: int
    resource: str
    resource_name: str
    field: str
    department: str
    current_value: Any
    proposed_value: str
    reason: str
    status: str
    due_date: str
    overdue: bool
    resolution_note: str


def _issue_out(i: QualityIssue) -> IssueOut:
    return IssueOut(
        id=i.pk,
        resource=i.resource.code,
        resource_name=i.resource.name,
        field=i.field_name,
        department=i.department,
        current_value=i.current_value,
        proposed_value=i.proposed_value,
        reason=i.reason,
        status=i.status,
        due_date=i.due_date.isoformat(),
        overdue=(timezone.localdate(i.resolved_at) if i.resolved_at else timezone.localdate())
        > i.due_date,
        resolution_note=i.resolution_note,
    )


@router.post(
    "/dataspace/corrections",
    response={201: IssueOut},
    auth=BearerAuth(),
    summary="数据纠错：反馈我的数据中的错误，生成限时工单给数据提供部门",
)
def correction_create(request: HttpRequest, body: CorrectionIn) -> Status:
    issue = services.correction_report(
        principal=principal_for_request(request),
        resource_code=body.resource,
        field=body.field,
        proposed_value=body.proposed_value,
        reason=body.reason,
        enterprise_uscc=body.enterprise,
    )
    return Status(201, _issue_out(issue))


# --- quality and dashboard (data officers) -------------------------------------------------------


class IssueList(Schema):
    items: list[IssueOut]


@router.get(
    "/exchange/quality/issues",
    response=IssueList,
    auth=BearerAuth(),
    summary="数据纠错工单（本部门为数据提供方）",
)
def issue_list(request: HttpRequest, status: str = "") -> IssueList:
    issues = selectors.issues_for(principal_for_request(request), status=status)
    return IssueList(items=[_issue_out(i) for i in issues])


class ResolveIn(Schema):
    decision: str
    note: str
    value: str | None = None


@router.post(
    "/exchange/quality/issues/{int:issue_id}/resolve",
    response=IssueOut,
    auth=BearerAuth(),
    summary="处理纠错：更正（留痕）或核实无误",
)
def issue_resolve(request: HttpRequest, issue_id: int, body: ResolveIn) -> IssueOut:
    issue = services.correction_resolve(
        principal=principal_for_request(request),
        issue_id=issue_id,
        decision=body.decision,
        note=body.note,
        value=body.value,
    )
    return _issue_out(issue)


class QualityOut(Schema):
    resource: str
    name: str
    source_department: str
    update_frequency: str
    last_updated_at: str
    fresh: bool
    age_days: int
    records: int
    completeness: float | None
    consistency: float | None
    inconsistent: list[dict[str, Any]]
    open_issues: int


class QualityList(Schema):
    items: list[QualityOut]


@router.get(
    "/exchange/quality",
    response=QualityList,
    auth=BearerAuth(),
    summary="数据质量：每个资源的及时性、完整性、一致性（多源校核）",
)
def quality(request: HttpRequest) -> QualityList:
    selectors.visible_departments(principal_for_request(request))
    return QualityList(items=[QualityOut(**r.__dict__) for r in selectors.quality()])


class DashboardOut(Schema):
    requests_total: int
    requests_pending: int
    requests_overdue: int
    decided_late: int
    approval_days_avg: float | None
    approval_days_max: int | None
    instant_share: float | None
    approved: int
    instant: int
    calls_per_day: list[dict[str, Any]]
    calls_30d: int
    refused_30d: int
    top_consumers: list[dict[str, Any]]
    quality_open: int
    quality_overdue: int


@router.get(
    "/exchange/dashboard",
    response=DashboardOut,
    auth=BearerAuth(),
    summary="数据管理员看板：申请、审批用时（工作日）、秒享占比、调用量、主要调用方、待处理纠错",
)
def dashboard(request: HttpRequest) -> DashboardOut:
    return DashboardOut(**selectors.dashboard(principal_for_request(request)))


# --- per-village statistics (分村统计, services/regional.py) ----------------------------------


class RegionQuery(Schema):
    period: str
    items: str  # comma-separated data item keys, e.g. village.over80,village.dibao_households
    purpose: str = "statistics"


class RegionSourceOut(Schema):
    item: str
    title: str
    resource: str
    resource_name: str
    registry: str
    department: str
    department_name: str


class RegionFiguresOut(Schema):
    region: str
    period: str
    values: dict[str, Any]
    sources: list[RegionSourceOut]
    refused: dict[str, str]


@router.get(
    "/exchange/regions/{region}/figures",
    response=RegionFiguresOut,
    auth=BearerAuth(),
    summary="分村统计：一个村（社区）某统计期的登记数据汇总（政务系统凭共享授权调用，留痕审计）",
)
def region_figures(request: HttpRequest, region: str, q: Query[RegionQuery]) -> RegionFiguresOut:
    from shuzheng.core.errors import Forbidden
    from shuzheng.exchange.services import regional

    principal = principal_for_request(request)
    if principal.kind != "client":
        raise Forbidden("分村统计只向接入的政务系统提供，请以系统凭证调用。")
    keys = [k.strip() for k in q.items.split(",") if k.strip()]
    answer = regional.figures_read(
        client_id=principal.client_id,
        purpose=q.purpose,
        keys=keys,
        region=region,
        period=q.period,
        actor=principal.actor,
    )
    return RegionFiguresOut(
        region=region,
        period=q.period,
        values=answer.values,
        sources=[
            RegionSourceOut(
                item=s.key,
                title=s.title,
                resource=s.resource_code,
                resource_name=s.resource_name,
                registry=s.registry,
                department=s.department,
                department_name=s.department_name,
            )
            for s in answer.sources.values()
        ],
        refused=answer.refused,
    )
