"""A registered 公文 as a sealed PDF in the GB/T 9704-2012 layout, the way the 督办通知 is
rendered (supervision/notice.py): 版头 (发文机关标志 in red, 发文字号, the red separator),
标题 (2号, 22 pt), 主送机关, 正文 (3号, 16 pt; headings 一、 (一) 1. (1) as written), 附件说明,
署名 and 成文日期 under the issuing department's e-seal, 版记 (抄送, 印发机关和印发日期) on the
last page and the page number (— N —) on every page. Font: reportlab's built-in CID font
STSong-Light, which ships with the PyPI package (小标宋/仿宋 are not free fonts in Debian or
PyPI). PAdES-signed with the owning department's seal (``seals.facade.sign_pdf``), verifiable
like licences; each download audited (``documents.pdf``)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from pypdf import PdfReader
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.audit import facade as audit
from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.core.pdftext import wrap
from shuzheng.documents import selectors
from shuzheng.documents.models import Document
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
RED = HexColor("#c00000")
INDENT = "\u3000\u3000"
MM = 72 / 25.4
WIDTH, HEIGHT = A4
LEFT, RIGHT = 28 * MM, WIDTH - 26 * MM  # 版心 156 mm wide
TOP, BOTTOM = HEIGHT - 37 * MM, 35 * MM
BODY, LEAD = 16, 28.9
SUBJECT = "shuzheng-document:"  # the PDF's /Subject: which registered 公文 it renders
REASONS = {
    "ok": "电子印章有效：文件自盖章后未被修改。",
    "no_signature": "PDF 中没有电子签章。",
    "modified": "PDF 签章后被修改：文件内容与签名不符。",
    "bad_signature": "PDF 签名值无效：文件被篡改。",
    "untrusted": "PDF 签章证书不是本平台电子印章的证书。",
    "malformed": "不是有效的 PDF 文件。",
}
MAX_PDF = 10 * 1024 * 1024  # 3号, 22 lines of 28 characters


def _day(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


class _Pages:
    """A canvas that breaks pages and numbers them (— N —, 4号, centred under the 版心)."""

    def __init__(self, title: str, subject: str) -> None:
        self.buf = io.BytesIO()
        self.c = rl_canvas.Canvas(self.buf, pagesize=A4, pageCompression=1)
        self.c.setTitle(title)
        self.c.setCreator("数政 shuzheng 公文库")
        self.c.setSubject(subject)
        self.page, self.y = 1, TOP

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.finish_page()
            self.c.showPage()
            self.page += 1
            self.y = TOP

    def finish_page(self) -> None:
        self.c.setFillColor(black)
        self.c.setFont(FONT, 14)
        self.c.drawCentredString(WIDTH / 2, 20 * MM, f"— {self.page} —")

    def line(self, text: str, size: float = BODY, *, centre: bool = False) -> None:
        self.need(LEAD)
        self.c.setFillColor(black)
        self.c.setFont(FONT, size)
        if centre:
            self.c.drawCentredString(WIDTH / 2, self.y - size, text)
        else:
            self.c.drawString(LEFT, self.y - size, text)
        self.y -= LEAD

    def paragraph(self, text: str, indent: bool = True) -> None:
        for part in wrap(
            (INDENT if indent else "") + text, font=FONT, size=BODY, width=RIGHT - LEFT
        ):
            self.line(part)


def render(doc: Document, department_name: str) -> bytes:
    p = _Pages(f"{doc.title} {doc.doc_number}".strip(), f"{SUBJECT}{doc.pk}")
    c = p.c
    issuer = doc.issuer or department_name
    c.setFillColor(RED)
    c.setFont(FONT, 30)
    c.drawCentredString(WIDTH / 2, p.y - 30, f"{issuer}文件")
    p.y -= 60
    if doc.doc_number:
        c.setFillColor(black)
        c.setFont(FONT, BODY)
        c.drawCentredString(WIDTH / 2, p.y - BODY, doc.doc_number)
        p.y -= 28
    c.setStrokeColor(RED)
    c.setLineWidth(1.2)
    c.line(LEFT, p.y, RIGHT, p.y)
    p.y -= 40
    for part in wrap(doc.title, font=FONT, size=22, width=RIGHT - LEFT):  # 2号
        p.need(32)
        c.setFillColor(black)
        c.setFont(FONT, 22)
        c.drawCentredString(WIDTH / 2, p.y - 22, part)
        p.y -= 32
    p.y -= 10
    if doc.recipients:
        p.paragraph(f"{doc.recipients}：", indent=False)
    for para in doc.body.splitlines():
        if para.strip():
            p.paragraph(para.strip().strip("\u3000"))
    if doc.attachments:
        p.y -= 10
        for i, name in enumerate(doc.attachments, 1):
            label = "附件：" if i == 1 else "\u3000\u3000\u3000"
            prefix = f"{i}．" if len(doc.attachments) > 1 else ""
            p.paragraph(f"{label}{prefix}{name}")
    p.need(120)
    p.y -= 40
    c.setFont(FONT, BODY)
    c.drawRightString(RIGHT - 16, p.y - BODY, issuer)
    c.drawRightString(RIGHT - 16, p.y - BODY - 28, _day(doc.date))
    seals.draw_seal(c, RIGHT - 70, p.y - 24, 120, issuer, "")
    p.y -= 80
    # 版记 at the foot of the last page: 抄送, then 印发机关和印发日期, between rules
    rows = (1 if doc.cc else 0) + 1
    if p.y - BOTTOM < rows * 10 * MM + 12 * MM:
        p.finish_page()
        c.showPage()
        p.page += 1
    c.setStrokeColor(black)
    c.setLineWidth(0.8)
    base = 35 * MM
    c.line(LEFT, base + rows * 9 * MM, RIGHT, base + rows * 9 * MM)
    c.setFillColor(black)
    c.setFont(FONT, 14)  # 4号
    if doc.cc:
        c.drawString(LEFT + 14, base + 12 * MM, f"抄送：{doc.cc}。")
        c.setLineWidth(0.4)
        c.line(LEFT, base + 9 * MM, RIGHT, base + 9 * MM)
    c.drawString(LEFT + 14, base + 3 * MM, doc.printed_by or issuer)
    c.drawRightString(RIGHT - 14, base + 3 * MM, f"{_day(doc.printed_on or doc.date)}印发")
    c.setLineWidth(0.8)
    c.line(LEFT, base, RIGHT, base)
    p.finish_page()
    c.showPage()
    c.save()
    return p.buf.getvalue()


def document_pdf(*, principal: Principal, doc_id: int) -> tuple[bytes, str]:
    """The sealed PDF of a 公文 the caller may read (sealed by its owning department), and its
    file name; the download is audited."""
    doc = selectors.document_for(principal, doc_id)
    names = identity.department_names()
    pdf = render(doc, names.get(doc.department, doc.department))
    with transaction.atomic():
        signed, key_id = seals.sign_pdf(
            doc.department, pdf, reason=f"{doc.title}（{doc.doc_number}）", location=""
        )
        audit.record(
            actor=principal.actor,
            action="documents.pdf",
            object_type="document",
            object_id=str(doc.pk),
            after={"doc_number": doc.doc_number, "seal": key_id},
        )
    return signed, f"{doc.doc_number or doc.title}.pdf"


def pdf_verify(*, principal: Principal, pdf: bytes) -> dict[str, Any]:
    """Check a 公文 PDF's e-seal (PAdES, like licences) and name the registered 公文 it renders
    when the caller may read it. A read: nothing stored."""
    if len(pdf) > MAX_PDF:
        raise ValidationFailed.one("file", "文件不能超过10MB。")
    verdict = seals.verify_pdf(pdf)
    out: dict[str, Any] = {
        "valid": verdict.valid,
        "message": REASONS.get(verdict.reason, REASONS["malformed"]),
        "seal_department": verdict.department_code if verdict.valid else "",
        "seal_department_name": identity.department_names().get(verdict.department_code, "")
        if verdict.valid
        else "",
        "document": None,
    }
    if verdict.valid:
        try:
            metadata: Mapping[str, Any] = PdfReader(io.BytesIO(pdf)).metadata or {}
            subject = str(metadata.get("/Subject", ""))
        except Exception:  # a valid signature over unreadable metadata: no document named
            subject = ""
        if subject.startswith(SUBJECT) and subject[len(SUBJECT) :].isdigit():
            try:
                doc = selectors.document_for(principal, int(subject[len(SUBJECT) :]))
            except NotFound:
                doc = None
            if doc is not None and doc.department == verdict.department_code:
                out["document"] = {"id": doc.pk, "title": doc.title, "doc_number": doc.doc_number}
    return out
