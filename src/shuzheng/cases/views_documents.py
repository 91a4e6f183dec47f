"""Pages of issue 17: 办件进度查询 without logging in (``/cases/progress/``, a plain POST form
that works without JavaScript) and the printed notices of a case
(``/cases/<case_no>/notices/<kind>.pdf``, for the applicant and the handling staff, with the
case pages' links to them). The rules live in ``progress`` and ``documents``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_http_methods

from shuzheng.cases import documents, progress
from shuzheng.core.errors import DomainError, NotFound, RateLimited, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal


@require_http_methods(["GET", "POST"])
def progress_page(request: HttpRequest) -> HttpResponse:
    """The form (GET), or the case's progress in words (POST: case number and phone). A
    POST, so the phone stays out of addresses, logs and the browser's history."""
    values = {
        "case_no": str(request.POST.get("case_no", ""))[:64],
        "phone": str(request.POST.get("phone", ""))[:32],
    }
    context: dict[str, Any] = {"values": values, "errors": {}, "message": "", "found": None}
    status = 200
    retry_after = 0
    if request.method == "POST":
        try:
            context["found"] = progress.progress_read(
                request=request, case_no=values["case_no"], phone=values["phone"], via="page"
            )
            context["values"] = {"case_no": "", "phone": ""}  # the form asks for another case
        except ValidationFailed as exc:
            context["errors"] = {e.field: e.message for e in exc.errors}
            status = 422
        except RateLimited as exc:
            context["message"] = exc.message
            retry_after = int(exc.extra.get("retry_after", 60))
            status = 429
        except NotFound as exc:
            context["message"] = exc.message
            status = 404
    response = render(request, "cases/progress.html", context, status=status)
    response["Cache-Control"] = "no-store"
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def notice_page(request: HttpRequest, case_no: str, kind: str) -> HttpResponse:
    """A notice's sealed PDF for whoever sees the case (the applicant; the department's
    handling staff). Someone else's case, or a kind there is none of: 404."""
    if kind not in documents.KINDS:
        raise Http404(_t("没有这种通知书。"))
    principal = identity.principal_for_request(request)
    try:
        pdf, notice = documents.notice_pdf(
            principal=principal,
            case_no=case_no,
            kind=kind,
            base_url=request.build_absolute_uri("/"),
        )
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    except DomainError as exc:  # not at that point yet (409)
        return render(
            request,
            "cases/notice_unavailable.html",
            {"case_no": case_no, "message": exc.message},
            status=exc.status,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = quote(documents.filename(notice))
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    return response


def notices_panel(request: HttpRequest, principal: Principal, detail: dict[str, Any]) -> str:
    """The citizen case page's section of printable notices (a ``views.CASE_PANELS`` entry)."""
    found = documents.links(detail)
    if not found:
        return ""
    return render_to_string("cases/_notices.html", {"notices": found}, request=request)
