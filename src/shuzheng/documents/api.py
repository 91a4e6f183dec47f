"""公文 library API (issue 20, "API": a public contract — extend, never rename).

``POST /documents/import`` (multipart ``files``, one or more; ``openness``, ``department``,
``corrections``) · ``POST /documents/import/preview`` (the elements, nothing stored) ·
``GET /documents?q=&issuer=&year=&kind=&topic=`` (search, highlighted) ·
``GET /documents/stats`` · ``GET /documents/{id}`` (elements, ``relations``, related items).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from shuzheng.core.errors import ValidationFailed
from shuzheng.documents import render, selectors, services
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["documents"], auth=BearerAuth())


class DocumentRelatedItemOut(Schema):
    kind: str
    label: str
    title: str
    url: str


class DocumentSummaryOut(Schema):
    id: int
    doc_number: str
    issuer: str
    title: str
    date: dt.date | None
    kind: str
    topic: str
    openness: str
    title_html: str
    snippet_html: str
    related_items: list[DocumentRelatedItemOut]


class DocumentListOut(Schema):
    total: int
    documents: list[DocumentSummaryOut]


class DocumentRelationOut(Schema):
    id: int
    kind: str
    kind_label: str
    doc_number: str
    title: str
    date: dt.date | None


class DocumentOut(DocumentSummaryOut):
    recipients: str
    attachments: list[str]
    cc: str
    printed_by: str
    printed_on: dt.date | None
    signer: str
    urgency: str
    headings: list[dict[str, Any]]
    body: str
    department: str
    relations: list[DocumentRelationOut]


class DocumentImportOut(Schema):
    documents: list[DocumentOut]


class DocumentDraftOut(Schema):
    file_name: str
    doc_number: str
    issuer: str
    title: str
    date: dt.date | None
    recipients: str
    attachments: list[str]
    kind: str
    topic: str
    cc: str
    printed_by: str
    printed_on: dt.date | None
    openness: str
    headings: list[dict[str, Any]]


class DocumentPreviewOut(Schema):
    documents: list[DocumentDraftOut]


class DocumentCountOut(Schema):
    key: str
    count: int


class DocumentStatsOut(Schema):
    by_issuer: list[DocumentCountOut]
    by_year: list[DocumentCountOut]
    by_kind: list[DocumentCountOut]


@router.post(
    "/documents/import",
    response={201: DocumentImportOut},
    summary="登记公文（multipart：files 文本/Word/PDF，可多个；openness 公开属性；department）",
    description=(
        "工作人员可用。全部成功或全部不保存；错误指明 files[i]。corrections：可选 JSON 数组，"
        '第 i 项为第 i 个文件的要素更正（如 {"title": …, "date": "2022-07-01"}），'
        "错误指明 files[i].要素名。"
    ),
)
def documents_import(
    request: HttpRequest,
    files: list[UploadedFile] = File(None),  # noqa: B008
    openness: str = Form(""),
    department: str = Form(""),
    corrections: str = Form(""),
) -> Status:
    principal = principal_for_request(request)
    try:
        fixes = json.loads(corrections) if corrections else None
    except ValueError:
        raise ValidationFailed.one("corrections", "更正应为 JSON 数组。") from None
    if fixes is not None and not isinstance(fixes, list):
        raise ValidationFailed.one("corrections", "更正应为 JSON 数组。")
    docs = services.documents_import(
        principal=principal,
        files=[(f.name or "file", f.read()) for f in (files or [])],
        openness=openness,
        department=department,
        corrections=fixes,
    )
    return Status(201, {"documents": [selectors.detail(d, principal) for d in docs]})


@router.post(
    "/documents/import/preview",
    response=DocumentPreviewOut,
    summary="识别公文要素（multipart：files，可多个），不保存",
    description="工作人员可用。返回每个文件识别出的 GB/T 9704 要素，供核对更正后再登记。",
)
def documents_import_preview(
    request: HttpRequest,
    files: list[UploadedFile] = File(None),  # noqa: B008
) -> dict[str, Any]:
    drafts = services.documents_preview(
        principal=principal_for_request(request),
        files=[(f.name or "file", f.read()) for f in (files or [])],
    )
    return {
        "documents": [
            {**d.elements.__dict__, "file_name": d.name, "topic": d.topic, "openness": d.openness}
            for d in drafts
        ]
    }


@router.get("/documents", response=DocumentListOut, summary="检索公文（中文全文检索，结果高亮）")
def documents_search(
    request: HttpRequest,
    q: str = "",
    issuer: str = "",
    year: int | None = None,
    kind: str = "",
    topic: str = "",
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    total, docs = selectors.search(
        principal=principal_for_request(request), q=q, issuer=issuer, year=year, kind=kind,
        topic=topic, limit=limit, offset=max(0, offset),
    )  # fmt: skip
    return {"total": total, "documents": docs}


class DocumentComposeIn(Schema):
    issuer: str = ""
    doc_number: str = ""
    title: str = ""
    recipients: str = ""
    body: str = ""
    attachments: list[str] = []
    date: str = ""
    cc: str = ""
    printed_by: str = ""
    printed_on: str = ""
    openness: str = ""
    department: str = ""


@router.post(
    "/documents/compose",
    response={201: DocumentOut},
    summary="拟制公文：按要素登记入公文库，可下载 GB/T 9704 版式、加盖电子印章的 PDF",
    description="工作人员可用。正文为纯文本，层次用 一、 (一) 1. (1)；错误指明要素名，不保存。",
)
def document_compose(request: HttpRequest, payload: DocumentComposeIn) -> Status:
    principal = principal_for_request(request)
    values = payload.dict()
    department = values.pop("department")
    doc = services.document_compose(principal=principal, values=values, department=department)
    return Status(201, selectors.detail(doc, principal))


class DocumentVerifyDocOut(Schema):
    id: int
    title: str
    doc_number: str


class DocumentVerifyOut(Schema):
    valid: bool
    message: str
    seal_department: str
    seal_department_name: str
    document: DocumentVerifyDocOut | None = None


@router.post(
    "/documents/verify-pdf",
    response=DocumentVerifyOut,
    summary="核验公文 PDF 的电子印章（PAdES，与电子证照相同），并指明所登记的公文",
    description="登录后可用。multipart：file。签章有效且可阅读该公文时返回 document。",
)
def document_verify_pdf(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
) -> dict[str, Any]:
    return render.pdf_verify(principal=principal_for_request(request), pdf=file.read())


@router.get(
    "/documents/stats", response=DocumentStatsOut, summary="公文统计：按发文机关、年份、文种"
)
def documents_stats(request: HttpRequest) -> dict[str, Any]:
    return selectors.stats(principal_for_request(request))


@router.get(
    "/documents/{doc_id}", response=DocumentOut, summary="公文详情：要素、关联公文、相关事项"
)
def document_detail(request: HttpRequest, doc_id: int) -> dict[str, Any]:
    principal = principal_for_request(request)
    return selectors.detail(selectors.document_for(principal, doc_id), principal)


@router.get(
    "/documents/{doc_id}/pdf",
    response={200: None},
    summary="公文 PDF（GB/T 9704 版式，发文部门电子印章签名，可验证）",
)
def document_pdf(request: HttpRequest, doc_id: int) -> HttpResponse:
    pdf, name = render.document_pdf(principal=principal_for_request(request), doc_id=doc_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
