"""Pages of the 公文库 under /documents/: search with highlights and the tasks hits belong to,
and a document's page (elements, relations, related items, text). Thin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuzheng.core.errors import NotFound
from shuzheng.documents import selectors
from shuzheng.identity.facade import principal_for_request


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    q = request.GET.get("q", "")[:100]
    issuer = request.GET.get("issuer", "")[:50]
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else None
    total, docs = selectors.search(principal=principal, q=q, issuer=issuer, year=year)
    return render(
        request,
        "documents/search.html",
        {"q": q, "issuer": issuer, "year": year, "total": total, "documents": docs},
    )


@login_required
@require_GET
def detail(request: HttpRequest, doc_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        doc = selectors.document_for(principal, doc_id)
    except NotFound as e:
        raise Http404(e.message) from e
    return render(request, "documents/detail.html", {"d": selectors.detail(doc, principal)})
