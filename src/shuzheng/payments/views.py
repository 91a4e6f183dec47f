"""Pages: 我的缴费 (``/payments/``), one order with its 去缴费 button, the demo cashier (pay /
cancel; it calls back like a gateway), the receipt PDF; and the sections other modules' pages
show (wired in ``shuzheng/urls.py``): the case page's 缴费 section, the guide page's fee and
the wallet's 电子票据. Plain forms: everything works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.payments import demo, documents, facade, fees, selectors, services, transitions
from shuzheng.payments.api import pdf_response
from shuzheng.payments.models import Order, OrderStatus


def _order(request: HttpRequest, order_no: str) -> Order:
    try:
        return selectors.order_for(principal_for_request(request), order_no)
    except NotFound:
        raise Http404(_t("未找到该缴费订单。")) from None


def _row(order: Order, principal: Principal) -> dict[str, Any]:
    return {
        "order": facade.info(order),
        "payer": selectors.is_payer(principal, order),
        "pending": order.status == OrderStatus.PENDING,
        "words": transitions.ORDER.timeline_label(
            {"paid": "pay", "refunded": "refund", "closed": "close"}.get(order.status, "open")
        ),
    }


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        rows = [_row(o, principal) for o in selectors.orders_mine(principal)]
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    return render(request, "payments/orders.html", {"rows": rows})


@login_required
def order(request: HttpRequest, order_no: str) -> HttpResponse:
    principal = principal_for_request(request)
    found = _order(request, order_no)
    return render(request, "payments/order.html", _row(found, principal))


@login_required
@require_POST
def pay(request: HttpRequest, order_no: str) -> HttpResponse:
    """去缴费: to the backend's cashier."""
    principal = principal_for_request(request)
    try:
        url = services.order_checkout(principal=principal, order_no=order_no)
    except NotFound:
        raise Http404(_t("未找到该缴费订单。")) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("payments:order", order_no)
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def demo_cashier(request: HttpRequest, order_no: str) -> HttpResponse:
    """演示收银台: the payer confirms (the gateway calls back with a signed notification) or
    cancels (the order stays 待支付)."""
    if not demo.enabled():  # no demo cashier outside demo, debug and tests
        raise Http404(_t("未找到该缴费订单。"))
    principal = principal_for_request(request)
    found = _order(request, order_no)
    if not selectors.is_payer(principal, found):
        raise PermissionDenied(_t("只有缴款人本人可以缴费。"))
    if request.method == "POST":
        if request.POST.get("choice") == "pay" and found.status == OrderStatus.PENDING:
            body = demo.callback_body(order_no=found.order_no, amount_fen=found.amount_fen)
            try:
                services.callback_receive(
                    backend="demo", body=body, headers=demo.signed_headers(body)
                )
            except Conflict as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _t("缴费成功，财政电子票据已存入您的证照夹。"))
        elif request.POST.get("choice") == "cancel":
            messages.info(request, _t("已取消支付，订单仍为待支付，可稍后再缴。"))
        return redirect("payments:order", found.order_no)
    return render(
        request,
        "payments/demo_cashier.html",
        {"order": facade.info(found), "pending": found.status == OrderStatus.PENDING},
    )


@login_required
def receipt_pdf(request: HttpRequest, order_no: str) -> HttpResponse:
    try:
        pdf, receipt = documents.receipt_pdf(
            principal=principal_for_request(request), order_no=order_no
        )
    except NotFound:
        raise Http404(_t("未找到该缴费订单。")) from None
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("payments:order", order_no)
    return pdf_response(pdf, documents.filename(receipt))


# --- sections of other modules' pages (registered in shuzheng/urls.py) --------------------------


def case_panel(request: HttpRequest, principal: Principal, detail: dict[str, Any]) -> str:
    """The 缴费 section of the citizen case page: the order and its 去缴费 button."""
    found = selectors.order_of_case(principal, str(detail.get("case_no", "")))
    if found is None:
        return ""
    return render_to_string("payments/_case_panel.html", _row(found, principal), request=request)


def guide_panel(request: HttpRequest, item_code: str) -> str:
    """An item's guide page: how its fee is paid (the guide itself says the amount and the
    收费依据)."""
    try:
        item = catalog.item(item_code)
    except NotFound:
        return ""
    fee = fees.fee_of(item.code)
    if fee is None:
        return ""
    return render_to_string(
        "payments/_guide_panel.html",
        {"amount": fees.yuan(fee.amount_fen)},
        request=request,
    )


def wallet_panel(request: HttpRequest, principal: Principal) -> str:
    """The wallet's 电子票据 section: the payer's 财政电子票据."""
    receipts = selectors.receipts_mine(principal)
    if not receipts and principal.kind not in ("person", "agent"):
        return ""
    rows = [
        {
            "receipt": r,
            "amount": fees.yuan(r.amount_fen),
            "refunded": r.order.status == OrderStatus.REFUNDED,
            "url": reverse("payments:receipt", args=[r.order.order_no]),
        }
        for r in receipts
    ]
    return render_to_string("payments/_wallet_panel.html", {"rows": rows}, request=request)
