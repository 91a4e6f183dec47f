"""Catalog endpoints: public reads, administrator writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shuzheng.catalog import selectors, services
from shuzheng.catalog.contracts import BundleView, ItemView, MaterialView
from shuzheng.identity.facade import BearerAuth, principal_for_request, require_role

router = Router(tags=["catalog 事项中心"])


class MaterialOut(Schema):
    material_code: str
    name: str
    form_kind: str
    required: bool
    count: int
    notes: str
    source: str
    license_type: str | None
    items: list[str] = []


def _materials(ms: list[MaterialView]) -> list[MaterialOut]:
    return [
        MaterialOut(
            material_code=m.code,
            name=m.name,
            form_kind=m.form_kind,
            required=m.required,
            count=m.count,
            notes=m.notes,
            source=m.source,
            license_type=m.license_type,
            items=list(m.items),
        )
        for m in ms
    ]


class ItemSummary(Schema):
    code: str
    basic_code: str
    version: int
    name: str
    department: str
    department_name: str
    item_type: str
    item_type_name: str
    exercise_level: int
    applicant_types: list[str]
    themes: list[str]
    handling_type: str
    promised_days: int
    statutory_days: int
    online_depth: int
    instant_approval: bool


class ItemListOut(Schema):
    items: list[ItemSummary]
    total: int


def _summary(i: ItemView) -> ItemSummary:
    return ItemSummary(**{k: getattr(i, k) for k in ItemSummary.model_fields})


@router.get("/catalog/items", response=ItemListOut, auth=None, summary="事项列表与搜索")
def items(
    request: HttpRequest,
    q: str = "",
    department: str = "",
    applicant_type: str = "",
    theme: str = "",
    online: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> ItemListOut:
    limit = max(1, min(limit, 100))
    views, total = selectors.item_list(
        q=q.strip()[:100],
        department=department or None,
        applicant_type=applicant_type or None,
        theme=theme or None,
        online_only=online,
        limit=limit,
        offset=max(0, offset),
    )
    return ItemListOut(items=[_summary(v) for v in views], total=total)


class ItemOut(ItemSummary):
    status: str
    aliases: list[str]
    region_code: str
    effective_from: str | None
    effective_to: str | None
    legal_basis: str
    conditions: str
    fee: dict[str, Any]
    channels: list[str]
    result: dict[str, Any]
    steps: list[str]
    phone: str
    location: str
    hours: str
    materials: list[MaterialOut]
    situations: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    form_schema: dict[str, Any]


def _item_out(i: ItemView) -> ItemOut:
    s = i.spec
    return ItemOut(
        **_summary(i).model_dump(),
        status=i.status,
        aliases=i.aliases,
        region_code=i.region_code,
        effective_from=i.effective_from,
        effective_to=i.effective_to,
        legal_basis=s["legal_basis"],
        conditions=s["conditions"],
        fee=s["fee"],
        channels=s["channels"],
        result=s["result"],
        steps=s["steps"],
        phone=s["phone"],
        location=s.get("location", ""),
        hours=s.get("hours", ""),
        materials=_materials(i.materials),
        situations=s.get("situations", []),
        questions=s.get("questions", []),
        form_schema=i.form_schema,
    )


@router.get(
    "/catalog/items/{code}",
    response=ItemOut,
    auth=None,
    summary="事项详情（全部要素；version= 指定版本）",
)
def item(request: HttpRequest, code: str, version: int | None = None) -> ItemOut:
    return _item_out(selectors.item_detail(code, version=version))


class AnswersIn(Schema):
    answers: dict[str, str] = {}


class GuideOut(Schema):
    situations: list[str]
    materials: list[MaterialOut]
    excluded_items: list[str]
    unanswered: list[str]


@router.post(
    "/catalog/items/{code}/guide",
    response=GuideOut,
    auth=None,
    summary="智能导办：按情形列出所需材料",
)
def item_guide(request: HttpRequest, code: str, body: AnswersIn) -> GuideOut:
    g = selectors.item_guide(code, body.answers)
    return GuideOut(
        situations=g.situations,
        materials=_materials(g.materials),
        excluded_items=g.excluded_items,
        unanswered=g.unanswered,
    )


class MemberOut(Schema):
    code: str
    name: str
    department: str
    department_name: str
    promised_days: int
    statutory_days: int
    handling_type: str


class BundleSummary(Schema):
    code: str
    version: int
    name: str
    aliases: list[str]
    themes: list[str]
    applicant_types: list[str]
    lead_department: str
    lead_department_name: str
    promised_days: int
    statutory_days: int
    items: list[MemberOut]


class BundleOut(BundleSummary):
    status: str
    description: str
    materials: list[MaterialOut]
    questions: list[dict[str, Any]]
    form_schema: dict[str, Any]
    effective_from: str | None


class BundleListOut(Schema):
    items: list[BundleSummary]
    total: int


def _bundle_summary(b: BundleView) -> dict[str, Any]:
    return dict(
        code=b.code,
        version=b.version,
        name=b.name,
        aliases=b.aliases,
        themes=b.themes,
        applicant_types=b.applicant_types,
        lead_department=b.lead_department,
        lead_department_name=b.lead_department_name,
        promised_days=b.promised_days,
        statutory_days=b.statutory_days,
        items=[MemberOut(**m.__dict__) for m in b.members],
    )


@router.get("/catalog/bundles", response=BundleListOut, auth=None, summary="一件事列表")
def bundles(request: HttpRequest, theme: str = "", applicant_type: str = "") -> BundleListOut:
    views = selectors.bundle_list(theme=theme or None, applicant_type=applicant_type or None)
    return BundleListOut(
        items=[BundleSummary(**_bundle_summary(b)) for b in views], total=len(views)
    )


@router.get(
    "/catalog/bundles/{code}",
    response=BundleOut,
    auth=None,
    summary="一件事详情（合并表单、去重材料）",
)
def bundle(request: HttpRequest, code: str) -> BundleOut:
    b = selectors.bundle_detail(code)
    return BundleOut(
        **_bundle_summary(b),
        status=b.status,
        description=b.description,
        materials=_materials(b.materials),
        questions=b.questions,
        form_schema=b.form_schema,
        effective_from=b.effective_from,
    )


@router.post(
    "/catalog/bundles/{code}/guide", response=GuideOut, auth=None, summary="一件事智能导办"
)
def bundle_guide(request: HttpRequest, code: str, body: AnswersIn) -> GuideOut:
    g = selectors.bundle_guide(code, body.answers)
    return GuideOut(
        situations=g.situations,
        materials=_materials(g.materials),
        excluded_items=g.excluded_items,
        unanswered=g.unanswered,
    )


# --- administrator writes -------------------------------------------------------------------


class ImportIn(Schema):
    items: list[dict[str, Any]] = []
    bundles: list[dict[str, Any]] = []
    publish: bool = False
    check_only: bool = False


class CatalogImportOut(Schema):
    items: int
    bundles: int
    published: bool


@router.post(
    "/catalog/import",
    response={201: CatalogImportOut, 200: CatalogImportOut},
    auth=BearerAuth(),
    summary="导入事项与一件事（平台管理员；整份文件校验，有错则全部不导入）",
)
def catalog_import(request: HttpRequest, body: ImportIn) -> Status:
    principal = principal_for_request(request)
    require_role(principal, "platform_admin")
    r = services.catalog_import(
        actor=principal.actor,
        doc={"items": body.items, "bundles": body.bundles},
        check_only=body.check_only,
        publish=body.publish,
    )
    return Status(
        200 if body.check_only else 201,
        CatalogImportOut(items=r.items, bundles=r.bundles, published=r.published),
    )


class TransitionIn(Schema):
    note: str = ""
    effective: dt.date | None = None


class CatalogVersionOut(Schema):
    code: str
    version: int
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None


def _transition(
    request: HttpRequest, kind: str, code: str, version: int, action: str, body: TransitionIn
) -> CatalogVersionOut:
    principal = principal_for_request(request)
    require_role(principal, "platform_admin")
    obj = services.catalog_transition(
        actor=principal.actor,
        kind=kind,
        code=code,
        version=version,
        action=action,
        note=body.note,
        effective=body.effective,
    )
    return CatalogVersionOut(
        code=obj.code,
        version=obj.version,
        status=obj.status,
        effective_from=obj.effective_from,
        effective_to=obj.effective_to,
    )


@router.post(
    "/catalog/items/{code}/versions/{version}/{action}",
    response=CatalogVersionOut,
    auth=BearerAuth(),
    summary="事项版本流转：submit / reject / publish / retire（平台管理员）",
)
def item_transition(
    request: HttpRequest, code: str, version: int, action: str, body: TransitionIn
) -> CatalogVersionOut:
    return _transition(request, "item", code, version, action, body)


@router.post(
    "/catalog/bundles/{code}/versions/{version}/{action}",
    response=CatalogVersionOut,
    auth=BearerAuth(),
    summary="一件事版本流转：submit / reject / publish / retire（平台管理员）",
)
def bundle_transition(
    request: HttpRequest, code: str, version: int, action: str, body: TransitionIn
) -> CatalogVersionOut:
    return _transition(request, "bundle", code, version, action, body)
