"""Pages of the 公文库 under /documents/: search with highlights and the tasks hits belong to,
a document's page (elements, relations, related items, text) and the upload page (several
files, their elements corrected, registered). Thin."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from shuzheng.core.errors import DomainError, NotFound
from shuzheng.documents import gbt9704, selectors, services
from shuzheng.documents import render as doc_render
from shuzheng.documents.models import Openness
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request

TOPICS = (*gbt9704.TOPICS, "其他")  # the 主题 a document is classified into


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    q = request.GET.get("q", "")[:100]
    issuer = request.GET.get("issuer", "")[:50]
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in gbt9704.KINDS else ""
    topic = request.GET.get("topic", "")
    topic = topic if topic in TOPICS else ""
    total, docs = selectors.search(
        principal=principal, q=q, issuer=issuer, year=year, kind=kind, topic=topic
    )
    return render(
        request,
        "documents/search.html",
        {
            "q": q,
            "issuer": issuer,
            "year": year,
            "kind": kind,
            "topic": topic,
            "kinds": gbt9704.KINDS,
            "topics": TOPICS,
            "total": total,
            "documents": docs,
            "can_upload": principal.kind == "staff",
        },
    )


@login_required
@require_GET
def detail(request: HttpRequest, doc_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        doc = selectors.document_for(principal, doc_id)
    except NotFound as e:
        raise Http404(e.message) from e
    return render(
        request,
        "documents/detail.html",
        {"d": selectors.detail(doc, principal)},
    )


# --- the upload page (document officers): several files → their elements, corrected → registered

UPLOAD_SALT = "documents.upload"
UPLOAD_MAX_AGE = 24 * 3600  # a review left open overnight is refused, not half-registered


def _staff(request: HttpRequest) -> Principal:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise PermissionDenied(_("只有工作人员可以登记公文。"))
    return principal


def _form_context(principal: Principal, **extra: Any) -> dict[str, Any]:
    names = identity.department_names()
    return {
        "departments": [(c, names.get(c, c)) for c in principal.departments],
        "opennesses": Openness.values,
        **extra,
    }


def _proposal(d: services.Draft) -> dict[str, str]:
    e = d.elements
    return {
        "title": e.title,
        "doc_number": e.doc_number,
        "issuer": e.issuer,
        "date": e.date or "",
        "recipients": e.recipients,
        "kind": e.kind,
        "topic": d.topic,
        "attachments": "\n".join(e.attachments),
        "cc": e.cc,
        "printed_by": e.printed_by,
        "printed_on": e.printed_on or "",
        "openness": d.openness,
    }


def _row(i: int, name: str, shown: dict[str, str], token: str, headings: Any) -> dict[str, Any]:
    return {
        "i": i,
        "name": name,
        "values": shown,
        "token": token,
        "headings": headings,
        "errors": {},
    }


FIELD_TYPES = {
    "date": "date",
    "printed_on": "date",
    "attachments": "textarea",
    "topic": "select",
    "openness": "select",
    "kind": "kind",
}


def _review(
    request: HttpRequest,
    principal: Principal,
    rows: list[dict[str, Any]],
    *,
    openness: str,
    department: str,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    topics = [*gbt9704.TOPICS, "其他"]
    for r in rows:
        r["fields"] = [
            {
                "key": k,
                "label": label,
                "value": r["values"].get(k, ""),
                "error": r["errors"].get(k, ""),
                "type": FIELD_TYPES.get(k, "text"),
                "choices": topics if k == "topic" else Openness.values,
            }
            for k, label in services.EDITABLE.items()
        ]
    return render(
        request,
        "documents/upload.html",
        _form_context(
            principal,
            review=True,
            rows=rows,
            openness=openness,
            department=department,
            errors=errors or [],
            kinds=gbt9704.KINDS,
        ),
        status=status,
    )


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Several files → each one's GB/T 9704 elements in one screen, editable → registered with
    the corrections (audited, all or nothing). Nothing is stored before the confirm; the files'
    text travels signed between the two steps, so the page works without JavaScript."""
    principal = _staff(request)
    openness = request.POST.get("openness", "")
    department = request.POST.get("department", "")
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request, principal, openness, department)
    if request.method != "POST":
        done = [int(x) for x in request.GET.get("done", "").split(",") if x.isdigit()][:50]
        registered = list(selectors.readable(principal).filter(pk__in=done)) if done else []
        return render(request, "documents/upload.html", _form_context(principal, done=registered))
    files = request.FILES.getlist("files")
    try:
        drafts = services.documents_preview(
            principal=principal, files=[(f.name or "file", f.read()) for f in files]
        )
    except DomainError as e:
        words = [x.message for x in e.errors] or [e.message]
        return render(
            request,
            "documents/upload.html",
            _form_context(principal, errors=words, openness=openness, department=department),
            status=422,
        )
    rows = []
    for i, d in enumerate(drafts):
        shown = _proposal(d)
        shown["openness"] = shown["openness"] or openness or Openness.ON_REQUEST
        token = signing.dumps(
            {"n": d.name, "h": d.sha256, "t": d.text, "o": shown}, salt=UPLOAD_SALT, compress=True
        )
        rows.append(_row(i, d.name, shown, token, d.elements.headings))
    return _review(request, principal, rows, openness=openness, department=department)


def _confirm(
    request: HttpRequest, principal: Principal, openness: str, department: str
) -> HttpResponse:
    count = min(
        int(request.POST.get("count", "0") or 0) if request.POST.get("count", "").isdigit() else 0,
        services.MAX_FILES,
    )
    rows, items, errors = [], [], []
    for i in range(count):
        try:
            saved = signing.loads(
                request.POST.get(f"f{i}_token", ""), salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE
            )
        except signing.BadSignature:
            errors.append(_("上传的文件已失效，请重新选择文件。"))
            break
        shown = {k: request.POST.get(f"f{i}_{k}", "") for k in services.EDITABLE}
        corrections = {k: v for k, v in shown.items() if v.strip() != saved["o"].get(k, "")}
        items.append((saved["n"], saved["h"], saved["t"], corrections))
        rows.append(_row(i, saved["n"], shown, request.POST.get(f"f{i}_token", ""), None))
    if not errors:
        try:
            docs = services.documents_confirm(
                principal=principal, items=items, openness=openness, department=department
            )
        except DomainError as e:
            for x in e.errors or []:
                m = re.fullmatch(r"files\[(\d+)\]\.(.+)", x.field)
                key = next((k for k, v in services.EDITABLE.items() if m and v == m.group(2)), "")
                if m and key and int(m.group(1)) < len(rows):
                    rows[int(m.group(1))]["errors"][key] = x.message
                errors.append(x.message)
            if not e.errors:
                errors.append(e.message)
        else:
            ids = ",".join(str(d.pk) for d in docs)
            return redirect(reverse("documents:upload") + f"?done={ids}")
    if not rows:
        return render(
            request, "documents/upload.html", _form_context(principal, errors=errors), status=422
        )
    return _review(
        request,
        principal,
        rows,
        openness=openness,
        department=department,
        errors=errors,
        status=422,
    )


# --- composing a 公文 (staff) and its sealed PDF

COMPOSE_LABELS = (
    ("issuer", _lazy("发文机关"), "text"),
    ("doc_number", _lazy("发文字号（如 肇政数函〔2026〕12号）"), "text"),
    ("title", _lazy("标题"), "text"),
    ("recipients", _lazy("主送机关"), "text"),
    ("body", _lazy("正文（纯文本，层次序数用 一、 (一) 1. (1)）"), "textarea"),
    ("attachments", _lazy("附件说明（每行一个附件名称，可不填）"), "lines"),
    ("date", _lazy("成文日期"), "date"),
    ("cc", _lazy("抄送机关（可不填）"), "text"),
    ("printed_by", _lazy("印发机关（不填则同发文机关）"), "text"),
    ("printed_on", _lazy("印发日期（不填则同成文日期）"), "date"),
)


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    values = {k: request.POST.get(k, "") for k, _l, _t in COMPOSE_LABELS}
    department = request.POST.get("department", "")
    openness = request.POST.get("openness", "")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            doc = services.document_compose(
                principal=principal,
                values={**values, "openness": openness},
                department=department,
            )
        except DomainError as e:
            errors = [fe.message for fe in getattr(e, "errors", [])] or [e.message]
            status = 422
        else:
            return redirect("documents:detail", doc_id=doc.pk)
    fields = [
        {"name": k, "label": label, "type": t, "value": values[k]} for k, label, t in COMPOSE_LABELS
    ]
    return render(
        request,
        "documents/compose.html",
        _form_context(
            principal, fields=fields, errors=errors, department=department, openness=openness
        ),
        status=status,
    )


@login_required
@require_GET
def pdf(request: HttpRequest, doc_id: int) -> HttpResponse:
    try:
        data, name = doc_render.document_pdf(
            principal=principal_for_request(request), doc_id=doc_id
        )
    except NotFound as e:
        raise Http404(e.message) from e
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Upload a 公文 PDF: is its e-seal valid, and which registered 公文 is it."""
    result, error, status = None, "", 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error, status = _("请选择要核验的 PDF 文件。"), 422
        else:
            try:
                result = doc_render.pdf_verify(
                    principal=principal_for_request(request), pdf=upload.read()
                )
            except DomainError as e:
                error, status = e.message, 422
    return render(
        request, "documents/verify.html", {"result": result, "error": error}, status=status
    )
