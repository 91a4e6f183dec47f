"""督办通知 (a supervision notice) as a sealed PDF, like ``cases.documents``: drawn with reportlab
from the ticket's ``supervise`` event (its number, reason and date), the 12345 center's seal drawn
and PAdES-signed (``seals.facade.sign_pdf``); made when asked for, so every download says the
same; each download audited (``hotline.supervision_pdf``)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.audit import facade as audit
from shuzheng.core.errors import NotFound
from shuzheng.core.pdftext import wrap
from shuzheng.core.zhdate import zh_date
from shuzheng.hotline.models import Ticket
from shuzheng.hotline.services import records
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
INDENT = "\u3000\u3000"


@dataclass(frozen=True)
class SupervisionNotice:
    doc_no: str
    ticket_no: str
    department_name: str
    title: str
    reason: str
    due_text: str
    issued_on: str


def notice_for(ticket: Ticket, n: int) -> SupervisionNotice:
    event = ticket.events.filter(action="supervise", data__notice=n).first() if n >= 1 else None
    if event is None:
        raise NotFound(_t("未找到该督办通知。"))
    day = timezone.localtime(event.at).date()
    due_at = timezone.localtime(ticket.due_at) if ticket.due_at else None
    due = f"{zh_date(due_at.date())} {due_at:%H:%M}" if due_at else ""
    return SupervisionNotice(
        doc_no=f"肇12345督〔{day.year}〕{ticket.ticket_no[-6:]}-{n}号",
        ticket_no=ticket.ticket_no,
        department_name=records.department_name(event.department or ticket.lead_department),
        title=ticket.title,
        reason=str(event.data.get("reason") or ""),
        due_text=due,
        issued_on=zh_date(day),
    )


def render(notice: SupervisionNotice) -> bytes:
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"督办通知 {notice.doc_no}")
    c.setCreator("数政 shuzheng 12345")
    width, height = A4
    margin, y = 72.0, height - 72.0
    c.setFont(FONT, 22)
    c.drawCentredString(width / 2, y - 22, "12345 热线工单督办通知")
    y -= 50
    c.setFont(FONT, 11)
    c.drawRightString(width - margin, y, f"编号：{notice.doc_no}")
    y -= 34
    paragraphs = [
        f"{notice.department_name}：",
        INDENT
        + f"你单位承办的 12345 工单 {notice.ticket_no}（{notice.title}）"
        + (f"办理时限为 {notice.due_text}。" if notice.due_text else "尚未办结。"),
        INDENT + f"督办意见：{notice.reason}",
        INDENT
        + "请你单位接此通知后立即组织办理，按时限答复诉求人，并将办理结果反馈 12345 热线中心。",
    ]
    for para in paragraphs:
        for line in wrap(para, font=FONT, size=13, width=width - 2 * margin):
            c.setFont(FONT, 13)
            c.drawString(margin, y - 13, line)
            y -= 24
    y -= 40
    right = width - margin
    center = records.department_name(records.CENTER_DEPARTMENT)
    c.drawRightString(right, y - 13, center)
    c.drawRightString(right, y - 37, notice.issued_on)
    seals.draw_seal(c, right - 80, y - 20, 120, center, "督办专用章")
    c.setFont(FONT, 8.5)
    c.drawString(
        margin, 60, "本通知由 12345 热线中心加盖电子印章（PAdES 数字签名），内容被改动后签章失效。"
    )
    c.showPage()
    c.save()
    return buf.getvalue()


def supervision_pdf(
    *, principal: Principal, ticket: Ticket, n: int
) -> tuple[bytes, SupervisionNotice]:
    """The sealed PDF of the ticket's ``n``-th 督办通知 (the caller already sees the ticket)."""
    notice = notice_for(ticket, n)
    pdf = render(notice)
    with transaction.atomic():
        signed, key_id = seals.sign_pdf(
            records.CENTER_DEPARTMENT, pdf, reason=f"督办通知（{notice.doc_no}）", location="肇庆"
        )
        audit.record(
            actor=principal.actor,
            action="hotline.supervision_pdf",
            object_type="hotline.ticket",
            object_id=ticket.ticket_no,
            after={"notice": n, "doc_no": notice.doc_no, "seal": key_id},
        )
    return signed, notice
