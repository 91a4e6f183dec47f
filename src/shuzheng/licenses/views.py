"""Portal pages: 电子证照夹 (wallet), licence detail with history and 用证记录, 亮证 (QR shown
inline as SVG from the server: no JavaScript needed), and the public verification page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzheng.core.errors import DomainError, NotFound
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.licenses import api, documents, selectors, services
from shuzheng.licenses.models import License
from shuzheng.seals import facade as seals


def _license(request: HttpRequest, license_id: str) -> License:
    try:
        return selectors.license_for(principal_for_request(request), license_id)
    except NotFound:
        raise Http404("未找到该电子证照") from None


def _row(lic: License) -> dict[str, object]:
    status = selectors.effective_status(lic)
    return {"lic": lic, "status": status, "status_name": selectors.status_name(status)}


# --- extension point: sections that higher modules add to the wallet (payments' 电子票据) ---------

WalletPanel = Callable[[HttpRequest, Principal], str]
"""``(request, principal) -> HTML`` (empty string: nothing to add)."""

WALLET_PANELS: list[WalletPanel] = []


def register_wallet_panel(panel: WalletPanel) -> None:
    """Add a section to the wallet page without importing the module that draws it;
    ``shuzheng/urls.py`` wires them."""
    if panel not in WALLET_PANELS:
        WALLET_PANELS.append(panel)


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    licenses = selectors.wallet(principal)
    return render(
        request,
        "licenses/wallet.html",
        {
            "mine": [_row(x) for x in licenses if x.holder_kind == "person"],
            "enterprise": [_row(x) for x in licenses if x.holder_kind == "enterprise"],
            "principal": principal,
            "panels": [html for panel in WALLET_PANELS if (html := panel(request, principal))],
        },
    )


def _detail_context(request: HttpRequest, lic: License, error: str = "") -> dict[str, object]:
    principal = principal_for_request(request)
    labels = lic.license_type.labels()
    full = selectors.personal_data_visible(principal, lic)
    return {
        **_row(lic),
        "fields": [
            (k, labels.get(k, k), v if full else identity.mask_text(v)) for k, v in lic.data.items()
        ],
        "masked": not full,
        "license_no": selectors.license_no_seen(lic, not full),
        "masked_holder": identity.mask_name(lic.holder_name),
        "events": selectors.events(lic),
        "uses": selectors.uses_seen(principal, lic),
        "is_holder": selectors.is_holder(principal, lic),
        "seal_svg": seals.seal_svg(lic.department_code),
        "error": error,
    }


@login_required
def detail(request: HttpRequest, license_id: str) -> HttpResponse:
    lic = _license(request, license_id)
    services.license_read_audit(principal=principal_for_request(request), lic=lic, what="page")
    return render(request, "licenses/detail.html", _detail_context(request, lic))


@login_required
def pdf(request: HttpRequest, license_id: str) -> HttpResponse:
    principal = principal_for_request(request)
    lic = _license(request, license_id)
    if not selectors.personal_data_visible(principal, lic):
        raise PermissionDenied(_("版式文件含完整个人信息，仅持证人和颁发部门的经办人员可以下载。"))
    services.license_read_audit(principal=principal, lic=lic, what="pdf")
    return api.pdf_response(lic)


@login_required
@require_POST
def present(request: HttpRequest, license_id: str) -> HttpResponse:
    principal = principal_for_request(request)
    lic = _license(request, license_id)
    try:
        p = services.presentation_create(
            principal=principal, license_id=lic.license_id, fields=request.POST.getlist("fields")
        )
    except DomainError as e:
        return render(
            request,
            "licenses/detail.html",
            _detail_context(request, lic, e.message),
            status=e.status,
        )
    return redirect("licenses:presentation", nonce=p.nonce)


@login_required
def presentation(request: HttpRequest, nonce: str) -> HttpResponse:
    try:
        p = selectors.presentation_for(principal_for_request(request), nonce)
    except NotFound:
        raise Http404("未找到该亮证记录") from None
    short = api.qr_url(request, p.nonce)
    labels = p.license.license_type.labels()
    remaining = max(0, int((p.expires_at - timezone.now()).total_seconds()))
    return render(
        request,
        "licenses/presentation.html",
        {
            "p": p,
            "lic": p.license,
            # the short link (a version 5-6 code), sized by CSS to the screen
            "qr_svg": documents.qr_svg(short, label=_("亮证二维码：请核验方扫码"), responsive=True),
            "qr_url": short,
            "verify_url": api.verify_url(request, p.token),
            "disclosed": [(labels.get(f, f), p.license.data.get(f, "")) for f in p.fields],
            "remaining": remaining,
            "minutes": max(1, round((p.expires_at - p.created_at).total_seconds() / 60)),
            "expired": remaining == 0,
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    """Public: checks a 亮证 token (``t``) or a licence id from a PDF's QR code (``id``)."""
    principal = principal_for_request(request)
    token = request.GET.get("t", "").strip()
    ref = request.GET.get("p", "").strip()[:100] or services.presentation_ref_in(token)
    license_id = request.GET.get("id", "").strip()[:120]
    purpose = request.GET.get("purpose", "").strip()[:200]
    verdict = None
    kind = ""
    if ref:  # the QR code's short link, or that link pasted into the form
        kind = "token"
        verdict = services.presentation_verify_ref(
            ref=ref,
            actor=principal.actor,
            actor_name=principal.name if principal.is_authenticated else "",
            purpose=purpose,
        )
    elif token:
        kind = "token"
        verdict = services.presentation_verify(
            token=token,
            actor=principal.actor,
            actor_name=principal.name if principal.is_authenticated else "",
            purpose=purpose,
        )
    elif license_id:
        kind = "id"
        verdict = services.license_check(
            license_id=license_id,
            actor=principal.actor,
            actor_name=principal.name if principal.is_authenticated else "",
            purpose=purpose,
        )
    fields = [(verdict.labels.get(k, k), v) for k, v in verdict.fields.items()] if verdict else []
    return render(
        request,
        "licenses/verify.html",
        {
            "verdict": verdict,
            "kind": kind,
            "fields": fields,
            "token": token,
            "purpose": purpose,
            "status_name": selectors.status_name(verdict.status)
            if verdict and verdict.status
            else "",
            "wallet_url": reverse("licenses:wallet"),
        },
        status=200,
    )
