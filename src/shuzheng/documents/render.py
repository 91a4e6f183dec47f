"""A registered 公文 as a sealed PDF in the GB/T 9704-2012 layout, the way the 督办通知 is
rendered (supervision/notice.py): 版头 (发文机关标志 in red, 发文字号, the red separator),
标题 (2号, 22 pt), 主送机关, 正文 (3号, 16 pt; headings 一、 (一) 1. (1) as written), 附件说明,
署名 and 成文日期 under the issuing department's e-seal, 版记 (抄送, 印发机关和印发日期) on the
last page and the page number (— N —, outer side) on every page. Font:
``core.pdftext.song_font`` (AR PL UMing from Debian, embedded; 小标宋/仿宋 are not free fonts
in Debian or PyPI). PAdES-signed with the owning department's seal (``seals.facade.sign_pdf``),
verifiable like licences; each download audited (``documents.pdf``)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from pypdf import PdfReader
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.audit import facade as audit
from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.core.pdftext import song_font, wrap
from shuzheng.core.zhdate import zh_date
from shuzheng.documents import selectors
from shuzheng.documents.contracts import Gongwen
from shuzheng.documents.models import Document
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals

RED = HexColor("#c00000")
INDENT = "\u3000\u3000"
MM = 72 / 25.4
WIDTH, HEIGHT = A4
LEFT, RIGHT = 28 * MM, WIDTH - 26 * MM  # 版心 156 mm wide
TOP, BOTTOM = HEIGHT - 37 * MM, 35 * MM
BODY, LEAD = 16, 28.9  # 3号, 22 lines a page
SEAL = 120  # points: a 42 mm seal
SUBJECT = "shuzheng-document:"  # the PDF's /Subject: which registered 公文 it renders
REASONS = {
    "ok": "电子印章有效：文件自盖章后未被修改。",
    "no_signature": "PDF 中没有电子签章。",
    "modified": "PDF 签章后被修改：文件内容与签名不符。",
    "bad_signature": "PDF 签名值无效：文件被篡改。",
    "untrusted": "PDF 签章证书不是本平台电子印章的证书。",
    "malformed": "不是有效的 PDF 文件。",
}
MAX_PDF = 10 * 1024 * 1024


class _Pages:
    """A canvas that breaks pages and numbers them: — N — in 4号, 7 mm under the 版心, odd
    pages on the right and even pages on the left, one character in (GB/T 9704 7.5)."""

    def __init__(self, title: str, subject: str, font: str) -> None:
        self.buf = io.BytesIO()
        self.c = rl_canvas.Canvas(self.buf, pagesize=A4, pageCompression=1)
        self.c.setTitle(title)
        self.c.setCreator("数政 shuzheng 公文库")
        self.c.setSubject(subject)
        self.font = font
        self.page, self.y = 1, TOP

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.finish_page()
            self.c.showPage()
            self.page += 1
            self.y = TOP

    def finish_page(self) -> None:
        self.c.setFillColor(black)
        self.c.setFont(self.font, 14)
        y, number = BOTTOM - 7 * MM - 14, f"— {self.page} —"
        if self.page % 2:
            self.c.drawRightString(RIGHT - 14, y, number)
        else:
            self.c.drawString(LEFT + 14, y, number)

    def line(self, text: str, size: float = BODY) -> None:
        self.need(LEAD)
        self.c.setFillColor(black)
        self.c.setFont(self.font, size)
        self.c.drawString(LEFT, self.y - size, text)
        self.y -= LEAD

    def paragraph(self, text: str, indent: bool = True) -> None:
        for part in wrap(
            (INDENT if indent else "") + text, font=self.font, size=BODY, width=RIGHT - LEFT
        ):
            self.line(part)


def _title_lines(title: str, font: str) -> list[str]:
    """The 标题 in 2号 over as few lines as fit, of even length (no lone character on the
    last line: a title is split where its lines balance, GB/T 9704 7.3.1)."""
    lines = wrap(title, font=font, size=22, width=RIGHT - LEFT)
    if len(lines) > 1:
        even = pdfmetrics.stringWidth(title, font, 22) / len(lines) + 22
        balanced = wrap(title, font=font, size=22, width=min(even, RIGHT - LEFT))
        if len(balanced) == len(lines):
            return balanced
    return lines


def render(g: Gongwen) -> bytes:
    """``g`` set in the GB/T 9704-2012 layout, unsigned (the caller seals it)."""
    font = song_font()
    p = _Pages(f"{g.title} {g.doc_number}".strip(), g.subject, font)
    c = p.c
    c.setFillColor(RED)
    c.setFont(font, 30)
    c.drawCentredString(WIDTH / 2, p.y - 30, f"{g.issuer}文件")
    p.y -= 60
    if g.doc_number:
        c.setFillColor(black)
        c.setFont(font, BODY)
        c.drawCentredString(WIDTH / 2, p.y - BODY, g.doc_number)
        p.y -= 28
    c.setStrokeColor(RED)
    c.setLineWidth(1.2)
    c.line(LEFT, p.y, RIGHT, p.y)
    p.y -= 40
    for part in _title_lines(g.title, font):
        p.need(32)
        c.setFillColor(black)
        c.setFont(font, 22)
        c.drawCentredString(WIDTH / 2, p.y - 22, part)
        p.y -= 32
    p.y -= 10
    if g.recipients:
        p.paragraph(f"{g.recipients}：", indent=False)
    for para in g.body.splitlines():
        if para.strip():
            p.paragraph(para.strip().strip("\u3000"))
    if g.attachments:
        p.y -= 10
        for i, name in enumerate(g.attachments, 1):
            label = "附件：" if i == 1 else "\u3000\u3000\u3000"
            prefix = f"{i}．" if len(g.attachments) > 1 else ""
            p.paragraph(f"{label}{prefix}{name}")
    # 署名 and 成文日期 (GB/T 9704 7.3.5.1): the date four characters in from the right, the
    # 署名 centred over it, both a little below the centre of the seal, whose top is within
    # one line of the text above
    p.need(SEAL + LEAD)
    date = zh_date(g.date)
    c.setFillColor(black)
    c.setFont(font, BODY)
    date_right = RIGHT - 4 * BODY
    centre = date_right - pdfmetrics.stringWidth(date, font, BODY) / 2
    seal_y = p.y - 4 - SEAL / 2  # the seal's top just under the last line of text
    signed_at = seal_y - 30  # baseline of the 署名: the star above it, the date below
    c.drawCentredString(centre, signed_at, g.issuer)
    c.drawRightString(date_right, signed_at - LEAD, date)
    seals.draw_seal(c, centre, seal_y, SEAL, g.issuer, g.seal_purpose)
    p.y = signed_at - LEAD - 30
    # 版记 at the foot of the last page: 抄送, then 印发机关和印发日期, between rules
    rows = (1 if g.cc else 0) + 1
    if p.y - BOTTOM < rows * 10 * MM + 12 * MM:
        p.finish_page()
        c.showPage()
        p.page += 1
    c.setStrokeColor(black)
    c.setLineWidth(0.8)
    base = 35 * MM
    c.line(LEFT, base + rows * 9 * MM, RIGHT, base + rows * 9 * MM)
    c.setFillColor(black)
    c.setFont(font, 14)  # 4号
    if g.cc:
        c.drawString(LEFT + 14, base + 12 * MM, f"抄送：{g.cc}。")
        c.setLineWidth(0.4)
        c.line(LEFT, base + 9 * MM, RIGHT, base + 9 * MM)
    c.drawString(LEFT + 14, base + 3 * MM, g.printed_by or g.issuer)
    c.drawRightString(RIGHT - 14, base + 3 * MM, f"{zh_date(g.printed_on or g.date)}印发")
    c.setLineWidth(0.8)
    c.line(LEFT, base, RIGHT, base)
    p.finish_page()
    c.showPage()
    c.save()
    return p.buf.getvalue()


def gongwen_of(doc: Document, department_name: str) -> Gongwen:
    return Gongwen(
        issuer=doc.issuer or department_name,
        title=doc.title,
        date=doc.date,
        doc_number=doc.doc_number,
        recipients=doc.recipients,
        body=doc.body,
        attachments=tuple(doc.attachments or ()),
        cc=doc.cc,
        printed_by=doc.printed_by,
        printed_on=doc.printed_on,
        subject=f"{SUBJECT}{doc.pk}",
    )


def document_pdf(*, principal: Principal, doc_id: int) -> tuple[bytes, str]:
    """The sealed PDF of a 公文 the caller may read (sealed by its owning department), and its
    file name; the download is audited."""
    doc = selectors.document_for(principal, doc_id)
    names = identity.department_names()
    pdf = render(gongwen_of(doc, names.get(doc.department, doc.department)))
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
