"""缴费 API: my orders, one order, go to the cashier, the backends' callbacks, the receipt."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from shuzheng.identity.facade import BearerAuth, principal_for_request
from shuzheng.payments import documents, facade, selectors, services
from shuzheng.payments.contracts import OrderInfo

router = Router(tags=["payments 缴费"], auth=BearerAuth())


class PaymentOrderOut(Schema):
    order_no: str
    case_no: str
    item_name: str
    payee_name: str
    amount_fen: int
    amount_yuan: str
    basis: str
    status: str
    status_name: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    ended_at: dt.datetime | None
    reason: str
    receipt_no: str
    receipt_url: str | None


def _out(order: OrderInfo) -> PaymentOrderOut:
    return PaymentOrderOut(
        order_no=order.order_no,
        case_no=order.case_no,
        item_name=order.item_name,
        payee_name=order.payee_name,
        amount_fen=order.amount_fen,
        amount_yuan=order.amount_yuan,
        basis=order.basis,
        status=order.status,
        status_name=order.status_name,
        created_at=order.created_at,
        paid_at=order.paid_at,
        ended_at=order.ended_at,
        reason=order.reason,
        receipt_no=order.receipt_no,
        receipt_url=f"/api/v1/payments/receipts/{order.order_no}.pdf" if order.receipt_no else None,
    )


@router.get(
    "/payments/orders",
    response=list[PaymentOrderOut],
    summary="我的缴费订单（缴款人本人；部门经办人员：本部门的订单）",
)
def orders(request: HttpRequest) -> list[PaymentOrderOut]:
    principal = principal_for_request(request)
    return [_out(facade.info(o)) for o in selectors.orders_mine(principal)]


@router.get("/payments/orders/{order_no}", response=PaymentOrderOut, summary="缴费订单详情")
def order(request: HttpRequest, order_no: str) -> PaymentOrderOut:
    found = selectors.order_for(principal_for_request(request), order_no)
    return _out(facade.info(found))


class PaymentCheckoutOut(Schema):
    order_no: str
    backend: str
    cashier_url: str


@router.post(
    "/payments/orders/{order_no}/pay",
    response=PaymentCheckoutOut,
    summary="去缴费：返回支付渠道收银台地址（缴款人本人）",
    description="订单须为待支付（否则 409）。`backend`（查询参数）为空时使用默认支付渠道。",
)
def pay(
    request: HttpRequest,
    order_no: str,
    backend: str = Query("", max_length=32, description="支付渠道（默认 demo）"),
) -> PaymentCheckoutOut:
    principal = principal_for_request(request)
    url = services.order_checkout(principal=principal, order_no=order_no, backend=backend)
    chosen = selectors.order_for(principal, order_no).backend
    return PaymentCheckoutOut(
        order_no=order_no, backend=chosen, cashier_url=request.build_absolute_uri(url)
    )


class PaymentCallbackOut(Schema):
    code: str
    order_no: str
    status: str


@router.post(
    "/payments/callback/{backend}",
    auth=None,
    response=PaymentCallbackOut,
    summary="支付渠道的支付结果通知（签名校验，可重复通知）",
    description=(
        "支付渠道在缴款人支付成功后调用。演示渠道 `demo`：请求体为 JSON "
        '`{"order_no", "trade_no", "amount_fen", "status": "SUCCESS"}`，请求头 '
        "`X-Shuzheng-Signature` 为请求体的 HMAC-SHA256（密钥 `SHUZHENG_PAYMENTS_DEMO_SECRET`）。"
        "签名不符返回 403；同一通知重复到达时不重复记账。"
    ),
)
def callback(request: HttpRequest, backend: str) -> PaymentCallbackOut:
    paid = services.callback_receive(
        backend=backend[:32], body=request.body, headers=dict(request.headers)
    )
    return PaymentCallbackOut(code="ok", order_no=paid.order_no, status=paid.status)


@router.get(
    "/payments/receipts/{order_no}.pdf",
    response={200: bytes},
    summary="财政电子票据（PDF，加盖收款单位电子印章）",
    description="缴款人和办理部门的经办人员可以下载；订单尚未缴费时返回 409。",
)
def receipt_pdf(request: HttpRequest, order_no: str) -> HttpResponse:
    pdf, receipt = documents.receipt_pdf(
        principal=principal_for_request(request), order_no=order_no
    )
    return pdf_response(pdf, documents.filename(receipt))


def pdf_response(pdf: bytes, name: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    kind = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{kind}; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
