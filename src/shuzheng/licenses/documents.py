"""What a licence looks like outside the database: the signed payload (SZLIC-1), the QR code
and the PDF (reportlab, CID font STSong-Light — no font files needed — with the seal drawn as
vectors and a QR code for checking the licence)."""

from __future__ import annotations

import datetime as dt
import io
from html import escape
from typing import Any

import segno
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.core.pdftext import wrap
from shuzheng.seals.facade import canonical_bytes, draw_seal

FONT = "STSong-Light"
PAYLOAD_FORMAT = "SZLIC-1"
# A fixed mask pattern: choosing the best of eight costs ~15 ms per code and every mask is
# valid (ISO/IEC 18004 §7.8); pattern 2 (vertical stripes) scans well on screens and paper.
QR_MASK = 2
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def public_url() -> str:
    """Base URL printed into QR codes made without a request (PDFs): ``settings.PUBLIC_URL``
    (``SHUZHENG_PUBLIC_URL``; see settings.py for its default)."""
    return str(settings.PUBLIC_URL).rstrip("/")


def payload(
    *,
    license_id: str,
    license_no: str,
    version: int,
    type_code: str,
    type_name: str,
    holder_kind: str,
    holder_id: str,
    holder_name: str,
    department_code: str,
    department_name: str,
    department_uscc: str,
    data: dict[str, str],
    issued_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date | None,
    algorithm: str,
    key_id: str,
    signer_id: str,
) -> bytes:
    """The exact bytes the department's seal signs (canonical JSON, see seals.crypto)."""
    doc: dict[str, Any] = {
        "format": PAYLOAD_FORMAT,
        "license_id": license_id,
        "license_no": license_no,
        "version": version,
        "type": {"code": type_code, "name": type_name},
        "holder": {"kind": holder_kind, "id": holder_id, "name": holder_name},
        "issuer": {
            "department_code": department_code,
            "name": department_name,
            "uscc": department_uscc,
        },
        "data": data,
        "issued_on": issued_on.isoformat(),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "signature": {"algorithm": algorithm, "key_id": key_id, "signer_id": signer_id},
    }
    return canonical_bytes(doc)


def qr_svg(content: str, *, label: str, scale: int = 4, responsive: bool = False) -> str:
    """An inline SVG QR code (presentation attributes only, CSP-safe) with its quiet zone of 4
    white modules, labelled for screen readers. ``responsive`` leaves out the width and height
    (the viewBox stays), so the page's CSS sizes it to the screen."""
    svg = segno.make(content, error="m", mask=QR_MASK).svg_inline(
        scale=scale, dark="#000", light="#fff", border=4, omitsize=responsive
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _draw_qr(c: rl_canvas.Canvas, content: str, x: float, y: float, size: float) -> None:
    qr = segno.make(content, error="m", mask=QR_MASK)
    rows = list(qr.matrix)
    n = len(rows) + 8  # quiet zone of 4 modules
    m = size / n
    c.saveState()
    c.setFillColor("#ffffff")
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor("#000000")
    for r, row in enumerate(rows):
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                c.rect(
                    x + (start + 4) * m,
                    y + size - (r + 5) * m,
                    (col - start) * m,
                    m,
                    stroke=0,
                    fill=1,
                )
            else:
                col += 1
    c.restoreState()


def render_pdf(
    *,
    license_id: str,
    license_no: str,
    type_name: str,
    holder_name: str,
    holder_label: str,
    holder_id: str,
    department_name: str,
    fields: list[tuple[str, str]],
    issued_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date | None,
    algorithm: str,
    key_id: str,
    verify_url: str,
) -> bytes:
    buf = io.BytesIO()
    width, height = A4
    c = rl_canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{type_name}（电子证照）{license_no}")
    c.setAuthor(department_name)
    c.setSubject(license_id)
    c.setCreator("数政 shuzheng 电子证照")
    margin = 56.0
    c.setStrokeColor("#8a1c1c")
    c.setLineWidth(2)
    c.rect(margin - 16, margin - 16, width - 2 * (margin - 16), height - 2 * (margin - 16))
    c.setFillColor("#8a1c1c")
    c.setFont(FONT, 28)
    c.drawCentredString(width / 2, height - margin - 40, type_name)
    c.setFont(FONT, 11)
    c.setFillColor("#333333")
    c.drawCentredString(width / 2, height - margin - 62, "电子证照")
    y = height - margin - 100
    c.setFont(FONT, 10)
    c.drawString(margin, y, f"证照编号：{license_no}")
    y -= 16
    c.drawString(margin, y, f"电子证照标识：{license_id}")
    y -= 28
    shown = {v for _, v in fields}
    rows = fields if holder_name in shown else [(holder_label, holder_name), *fields]
    label_w = 110.0
    value_w = width - 2 * margin - label_w
    c.setFillColor("#000000")
    for label, value in rows:
        lines = wrap(str(value), font=FONT, size=13, width=value_w)
        c.setFont(FONT, 11)
        c.setFillColor("#555555")
        c.drawString(margin, y, label)
        c.setFont(FONT, 13)
        c.setFillColor("#000000")
        for line in lines:
            c.drawString(margin + label_w, y, line)
            y -= 19
        y -= 5
        if y < 300:
            break
    y = min(y, 300.0)
    validity = (
        f"{valid_from.isoformat()} 至 {valid_until.isoformat()}"
        if valid_until
        else f"{valid_from.isoformat()} 起长期有效"
    )
    c.setFont(FONT, 11)
    c.drawString(margin, y - 10, f"有效期限：{validity}")
    c.drawString(margin, y - 28, f"颁发机构：{department_name}")
    c.drawString(margin, y - 46, f"颁发日期：{issued_on.isoformat()}")
    draw_seal(c, width - margin - 90, y - 40, 150, department_name, "电子证照专用章")
    _draw_qr(c, verify_url, margin, margin + 10, 110)
    c.setFont(FONT, 9)
    c.setFillColor("#333333")
    c.drawString(margin + 120, margin + 96, "扫码核验证照状态")
    notes = [
        f"数据签名：{algorithm}（密钥 {key_id}，签名者标识 1234567812345678）",
        "PDF 签章：PAdES，ECDSA P-256（部门自签名证书）",
        f"核验：{verify_url.split('?')[0]}",
        f"持证主体代码：{holder_id[:6]}********{holder_id[-4:]}" if len(holder_id) == 18 else "",
    ]
    ny = margin + 78
    for note in notes:
        if note:
            c.drawString(margin + 120, ny, note)
            ny -= 14
    c.showPage()
    c.save()
    return buf.getvalue()
