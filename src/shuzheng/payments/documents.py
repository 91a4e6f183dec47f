"""The 财政电子票据 (非税收入统一票据) of a paid order as a sealed PDF.

Its content is the ``Receipt`` row written when the order was paid (票据代码, 票据号码, 校验码,
开票日期, 交款人, the item, the amount in figures and in 大写, the 收款单位): drawn with
reportlab (CID font STSong-Light, the department's 财务专用章 as vectors,
``seals.facade.draw_seal``) and PAdES-signed with the department's seal
(``seals.facade.sign_pdf``), as cases' printed notices are; any change breaks the signature
(``seals.facade.verify_pdf``). Made on each download; each download is audited
(``payments.receipt_pdf``).
"""

from __future__ import annotations

import io

from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict
from shuzheng.identity.contracts import Principal
from shuzheng.payments import fees, selectors
from shuzheng.payments.models import OrderStatus, Receipt
from shuzheng.seals import facade as seals

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = "广东省非税收入统一票据（电子）"
SEAL_PURPOSE = "财务专用章"


def filename(receipt: Receipt) -> str:
    return f"财政电子票据-{receipt.code}-{receipt.number}.pdf"


def _cn_date(receipt: Receipt) -> str:
    day = timezone.localdate(receipt.issued_at)
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def render_pdf(receipt: Receipt) -> bytes:
    buf = io.BytesIO()
    size = landscape(A5)
    width, height = size
    c = rl_canvas.Canvas(buf, pagesize=size, pageCompression=1)
    c.setTitle(f"{TITLE} {receipt.code}-{receipt.number}")
    c.setAuthor(receipt.payee_name)
    c.setSubject(f"票据代码 {receipt.code} 票据号码 {receipt.number}")
    c.setCreator("数政 shuzheng 财政电子票据")
    margin = 36.0
    c.setFillColor("#000000")
    c.setFont(FONT, 18)
    c.drawCentredString(width / 2, height - margin - 18, TITLE)
    c.setFont(FONT, 9.5)
    top = height - margin - 44
    c.drawString(margin, top, f"票据代码：{receipt.code}")
    c.drawString(margin + 150, top, f"票据号码：{receipt.number}")
    c.drawRightString(width - margin, top, f"校验码：{receipt.check_code}")
    c.drawString(margin, top - 16, f"交款人：{receipt.payer_name}")
    c.drawRightString(width - margin, top - 16, f"开票日期：{_cn_date(receipt)}")
    # the table: 项目名称 | 单位 | 数量 | 标准 | 金额（元）
    table_top = top - 30
    cols = [margin, margin + 200, margin + 250, margin + 300, margin + 400, width - margin]
    rows = [table_top, table_top - 22, table_top - 48, table_top - 70]
    c.setLineWidth(0.8)
    for y in rows:
        c.line(cols[0], y, cols[-1], y)
    for x in cols:
        c.line(x, rows[0], x, rows[2])
    c.line(cols[0], rows[2], cols[0], rows[3])
    c.line(cols[-1], rows[2], cols[-1], rows[3])
    heads = ["项目名称", "单位", "数量", "标准（元）", "金额（元）"]
    amount = fees.yuan(receipt.amount_fen)
    cells = [receipt.item_name[:16], "件", "1", amount, amount]
    c.setFont(FONT, 10)
    for i, (head, cell) in enumerate(zip(heads, cells, strict=True)):
        c.drawString(cols[i] + 4, rows[0] - 15, head)
        c.drawString(cols[i] + 4, rows[1] - 17, cell)
    c.drawString(
        cols[0] + 4, rows[2] - 15, f"金额合计（大写）：{receipt.amount_words}　（小写）￥{amount}"
    )
    c.setFont(FONT, 9.5)
    bottom = rows[3] - 20
    c.drawString(margin, bottom, f"收款单位（章）：{receipt.payee_name}")
    c.drawString(
        margin,
        bottom - 16,
        f"业务流水号：{receipt.order.order_no}　办件编号：{receipt.order.case_no}",
    )
    c.setFont(FONT, 8)
    c.setFillColor("#555555")
    c.drawString(
        margin,
        24,
        "本票据由收款单位加盖电子印章（PAdES 数字签名），文件内容被改动后签章失效。",
    )
    seals.draw_seal(c, margin + 260, bottom + 4, 84, receipt.payee_name, SEAL_PURPOSE)
    c.showPage()
    c.save()
    return buf.getvalue()


def receipt_pdf(*, principal: Principal, order_no: str) -> tuple[bytes, Receipt]:
    """The sealed PDF of the receipt of an order the caller sees (NotFound otherwise;
    Conflict before it is paid), audited."""
    receipt = selectors.receipt_for(principal, order_no)
    if receipt is None:
        raise Conflict("该订单尚未缴费，还没有电子票据。", extra={"allowed_actions": []})
    pdf = render_pdf(receipt)
    with transaction.atomic():
        signed, key_id = seals.sign_pdf(
            receipt.order.department_code,
            pdf,
            reason=f"财政电子票据（{receipt.code}-{receipt.number}）",
            location=receipt.payee_name,
        )
        audit.record(
            actor=principal.actor,
            action="payments.receipt_pdf",
            object_type="payments.order",
            object_id=receipt.order.order_no,
            after={
                "receipt": f"{receipt.code}-{receipt.number}",
                "seal": key_id,
                "refunded": receipt.order.status == OrderStatus.REFUNDED,
            },
        )
    return signed, receipt
