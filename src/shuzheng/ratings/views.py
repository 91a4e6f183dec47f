"""好差评 pages: the applicant rates a finished case (a section of the case page and its form)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_http_methods

from shuzheng.cases import facade as cases
from shuzheng.core.errors import DomainError, NotFound, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.ratings import services
from shuzheng.ratings.models import Level, Rating

RATABLE = ("closed", "refused")  # as services.rating_create allows


def _form_context(
    *,
    case_no: str,
    rating: Rating | None,
    ratable: bool = True,
    level: str = "",
    comment: str = "",
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "ratable": ratable,
        "rating": rating,
        "levels": [(value, label) for value, label in Level.choices],
        "level": level,
        "comment": comment,
        "errors": errors or {},
        "message": message,
    }


def case_panel(request: HttpRequest, principal: Principal, case: dict[str, Any]) -> str:
    """The 好差评 section of the citizen case page (registered in ``shuzheng/urls.py``)."""
    if case["status"] not in RATABLE or case.get("parent"):
        return ""  # a sub-case of a 一件事 is rated through its parent
    if cases.case_for_applicant(principal, case["case_no"]) is None:
        return ""
    rating = Rating.objects.filter(case_no=case["case_no"]).first()
    return render_to_string(
        "ratings/_panel.html",
        _form_context(case_no=case["case_no"], rating=rating),
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, case_no: str) -> HttpResponse:
    """GET: the rating (or the form); POST: rate once (``services.rating_create``)."""
    principal = principal_for_request(request)
    case = cases.case_for_applicant(principal, case_no)
    if case is None:
        raise Http404(_t("未找到该办件。"))
    rating = Rating.objects.filter(case_no=case.case_no).first()
    if request.method == "GET":
        ratable = case.status in RATABLE
        ctx = _form_context(
            case_no=case.case_no,
            rating=rating,
            ratable=ratable,
            message="" if ratable else _t("办件办结后才能评价。"),
        )
        return render(request, "ratings/rate.html", {**ctx, "case": case})
    level = request.POST.get("level", "")
    comment = request.POST.get("comment", "")
    try:
        services.rating_create(
            principal=principal,
            case_no=case.case_no,
            level=int(level) if level.isdigit() else 0,
            comment=comment,
        )
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    except DomainError as exc:
        errors = (
            {e.field: e.message for e in exc.errors} if isinstance(exc, ValidationFailed) else {}
        )
        ctx = _form_context(
            case_no=case.case_no,
            rating=Rating.objects.filter(case_no=case.case_no).first(),
            ratable=case.status in RATABLE,
            level=level,
            comment=comment,
            errors=errors,
            message="" if errors else exc.message,
        )
        return render(request, "ratings/rate.html", {**ctx, "case": case}, status=exc.status)
    messages.success(request, _t("感谢您的评价！"))
    return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]) + "#rating")
