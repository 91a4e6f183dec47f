"""督办通知 as a sealed PDF in the GB/T 9704 layout: 版头 (the lead office's 发文机关标志
in red, 发文字号, the red separator), 标题, 主送机关, 正文, 署名 and 成文日期 under the lead
office's e-seal, 版记 (印发机关和印发日期) and the page number; PAdES-signed with the office's
seal (``seals.facade.sign_pdf``), verifiable like licences. Font: reportlab's built-in CID font
STSong-Light (宋体), which ships with the PyPI package (the standard's 小标宋/仿宋 are not free
fonts in Debian or PyPI). Made when asked for; each download audited (``supervision.urge_pdf``)."""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.audit import facade as audit
from shuzheng.core.pdftext import wrap
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals
from shuzheng.supervision import selectors
from shuzheng.supervision.models import Urge

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
RED = HexColor("#c00000")
INDENT = "\u3000\u3000"
MM = 72 / 25.4


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render(urge: Urge) -> bytes:
    names = selectors.dept_names()
    office_code = selectors.office_departments()[0]
    office = names.get(office_code, office_code)
    task = urge.task
    recipients = "、".join(names.get(c, c) for c in task.lead_departments)
    day = urge.issued_at.date()
    due = urge.reply_due
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"督办通知 {urge.doc_number}")
    c.setCreator("数政 shuzheng 督查督办")
    width, height = A4
    left, right = 28 * MM, width - 26 * MM  # GB/T 9704: 版心 156 mm wide
    y = height - 37 * MM
    c.setFillColor(RED)
    c.setFont(FONT, 30)
    c.drawCentredString(width / 2, y - 30, f"{office}文件")
    y -= 60
    c.setFillColor(black)
    c.setFont(FONT, 16)  # 3号
    c.drawCentredString(width / 2, y - 16, urge.doc_number)
    y -= 28
    c.setStrokeColor(RED)
    c.setLineWidth(1.2)
    c.line(left, y, right, y)
    y -= 40
    c.setFont(FONT, 22)  # 2号
    for line in wrap(f"关于督办“{task.title}”的通知", font=FONT, size=22, width=right - left):
        c.drawCentredString(width / 2, y - 22, line)
        y -= 32
    y -= 10
    paragraphs = [
        f"{recipients}：",
        INDENT + f"《{task.plan.title}》第{selectors.path_label(task.path)}项任务“{task.title}”"
        f"由你单位牵头，完成时限为 {_day(task.due_date)}。",
        INDENT + f"督办事项：{urge.body}",
        INDENT + f"请于 {_day(due)}前书面回复办理情况。",
    ]
    for para in paragraphs:
        for line in wrap(para, font=FONT, size=16, width=right - left):
            c.setFont(FONT, 16)
            c.drawString(left, y - 16, line)
            y -= 28
    y -= 40
    c.drawRightString(right - 16, y - 16, office)
    c.drawRightString(right - 16, y - 44, f"{day.year}年{day.month}月{day.day}日")
    seals.draw_seal(c, right - 70, y - 24, 120, office, "督办专用章")
    # 版记
    c.setStrokeColor(black)
    c.setLineWidth(0.8)
    c.line(left, 44 * MM, right, 44 * MM)
    c.setFont(FONT, 14)  # 4号
    c.drawString(left + 14, 38 * MM, f"{office}办公室")
    c.drawRightString(right - 14, 38 * MM, f"{day.year}年{day.month}月{day.day}日印发")
    c.line(left, 35 * MM, right, 35 * MM)
    c.drawCentredString(width / 2, 20 * MM, "— 1 —")
    c.showPage()
    c.save()
    return buf.getvalue()


def urge_pdf(*, principal: Principal, urge_id: int) -> tuple[bytes, str]:
    """The sealed PDF of a 督办通知 the caller may see, and its file name."""
    urge = selectors.urge_for(principal, urge_id)
    pdf = render(urge)
    office = selectors.office_departments()[0]
    with transaction.atomic():
        signed, key_id = seals.sign_pdf(
            office, pdf, reason=f"督办通知（{urge.doc_number}）", location="肇庆"
        )
        audit.record(
            actor=principal.actor,
            action="supervision.urge_pdf",
            object_type="supervision_task",
            object_id=str(urge.task_id),
            after={"urge": urge.pk, "doc_number": urge.doc_number, "seal": key_id},
        )
    return signed, f"督办通知{urge.doc_number}.pdf"
