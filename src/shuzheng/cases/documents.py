"""Printable notices of a case as sealed PDFs (issue 17): 受理通知书 (acceptance), 一次性告知书
(correction: every item the department asked for, at once) and 不予受理通知书 (refusal: the
reason, and the rights to 行政复议 and 行政诉讼).

A notice exists once the case reached its point (accepted; a correction requested; refused),
otherwise 409. It is drawn with reportlab (the CID font STSong-Light, no font files; the
department's round seal as vectors, ``seals.facade.draw_seal``) and PAdES-signed with the
department's seal (``seals.facade.sign_pdf``), as licences are; any change to the file breaks
the signature (``seals.facade.verify_pdf``). Notices are made when asked for, from the case's
record (its dates, items and reason), so a second download says the same; each download is
audited (``cases.notice_pdf``). Who may download: whoever sees the case
(``selectors.case_for``: the applicant, the handling staff of its department).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from shuzheng.audit import facade as audit
from shuzheng.cases import selectors
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.cases.models import CaseStatus as S
from shuzheng.core.errors import Conflict
from shuzheng.core.pdftext import wrap
from shuzheng.core.zhdate import zh_date
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

Kind = Literal["acceptance", "correction", "refusal"]
INDENT = "\u3000\u3000"  # two full-width spaces: the first line of a paragraph
# punctuation that may not begin a line (it hangs at the end of the previous one)
SEAL_PURPOSE = "业务专用章"
RIGHTS = (
    "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"
)


@dataclass(frozen=True)
class Notice:
    """What one notice says (made from the case; nothing is stored)."""

    kind: str
    title: str
    doc_no: str  # 文书编号: the case number and the notice's code
    addressee: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...]  # numbered (一次性告知书)
    after_items: tuple[str, ...]
    closing: str
    department_code: str
    department_name: str
    issued_on: dt.date


@dataclass(frozen=True)
class NoticeLink:
    kind: str
    title: str
    url: str  # the page that serves the PDF (session login)


@dataclass(frozen=True)
class _Spec:
    title: str  # the notice's name, as printed (Chinese)
    code: str  # the 文书编号's suffix
    available: Callable[[str, bool, bool], bool]  # (status, accepted, correction asked)
    missing: Any  # why not (409), lazy text


SPECS: dict[str, _Spec] = {
    "acceptance": _Spec(
        "受理通知书",
        "SL",
        lambda status, accepted, asked: accepted,
        _("该办件尚未受理，受理后才能下载受理通知书。"),
    ),
    "correction": _Spec(
        "一次性告知书",
        "BZ",
        lambda status, accepted, asked: asked,
        _("该办件没有补正告知，没有一次性告知书。"),
    ),
    "refusal": _Spec(
        "不予受理通知书",
        "BY",
        lambda status, accepted, asked: status == S.REFUSED,
        _("该办件没有被不予受理，没有不予受理通知书。"),
    ),
}
KINDS = tuple(SPECS)


def links(detail: dict[str, Any]) -> list[NoticeLink]:
    """The notices a case has (from the case API's detail: case_no, status, accepted_on,
    correction_items), for the case pages' links."""
    accepted = bool(detail.get("accepted_on"))
    asked = bool(detail.get("correction_items"))
    return [
        NoticeLink(kind, spec.title, reverse("cases:notice", args=[detail["case_no"], kind]))
        for kind, spec in SPECS.items()
        if spec.available(str(detail.get("status")), accepted, asked)
    ]


# --- what a notice says --------------------------------------------------------------------------


def _event(case: Case, action: str) -> CaseEvent | None:
    return CaseEvent.objects.filter(case_id=case.pk, action=action).order_by("-id").first()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？.!?" else text + "。"


def notice_for(case: Case, kind: str, *, base_url: str) -> Notice:
    """What the notice ``kind`` of ``case`` says; ``Conflict`` (409) before the case reached
    its point."""
    spec = SPECS[kind]
    if not spec.available(case.status, case.accepted_at is not None, bool(case.correction_items)):
        if kind == "acceptance" and case.status == S.REFUSED:
            raise Conflict(str(_("该办件不予受理，没有受理通知书；请下载不予受理通知书。")))
        raise Conflict(str(spec.missing))
    submitted = zh_date(timezone.localdate(case.submitted_at) if case.submitted_at else None)
    opening = (
        f"您（单位）于{submitted}提交的{case.item_name}申请（办件编号：{case.case_no}），"
        if submitted
        else f"您（单位）提交的{case.item_name}申请（办件编号：{case.case_no}），"
    )
    progress_url = f"{base_url.rstrip('/')}/cases/progress/"
    items: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    paragraphs: tuple[str, ...]
    if kind == "acceptance":
        issued = case.accepted_on or timezone.localdate(case.accepted_at)
        limit = (
            f"本事项承诺办结时限为{case.promised_days}个工作日，自受理之日起计算"
            + (f"，承诺于{zh_date(case.due_date)}前办结" if case.due_date else "")
            + "；依法需要补正、听证、检验、检测、检疫、鉴定和专家评审的时间不计算在内。"
            if case.promised_days
            else "本事项为即办事项，受理后即时办理。"
        )
        paragraphs = (
            opening + "经审查，申请材料齐全、符合法定形式，本机关决定予以受理。",
            limit,
            "您可以登录“我的办件”，或者凭办件编号和申请时预留的手机号码在"
            f"{progress_url}查询办理进度。",
        )
        closing = "特此通知。"
    elif kind == "correction":
        event = _event(case, "request_correction")
        issued = timezone.localdate(event.at) if event else timezone.localdate()
        items = tuple(case.correction_items)
        paragraphs = (
            opening + "经审查，申请材料不齐全或者不符合法定形式。"
            "现一次性告知您需要补正的全部材料和内容如下：",
        )
        note = (event.note if event else "").strip()
        after = (f"补正说明：{_sentence(note)}",) if note and note != "；".join(items) else ()
        after += (
            "请按上述要求补正后，登录“我的办件”重新提交，或者携带补正材料到受理窗口提交。"
            "补正期间办理时限暂停计算，自收到全部补正材料之日起继续计算。",
        )
        closing = "特此告知。"
    else:
        event = _event(case, "refuse")
        issued = case.closed_on or (timezone.localdate(event.at) if event else timezone.localdate())
        paragraphs = (
            opening + "经审查，本机关决定不予受理。",
            f"不予受理的理由：{_sentence(case.decision_reason)}",
            RIGHTS,
        )
        closing = "特此通知。"
    return Notice(
        kind=kind,
        title=spec.title,
        doc_no=f"{case.case_no}-{spec.code}",
        addressee=case.applicant_name,
        paragraphs=paragraphs,
        items=items,
        after_items=after,
        closing=closing,
        department_code=case.department_code,
        department_name=identity.department_names().get(case.department_code)
        or case.department_code,
        issued_on=issued,
    )


# --- drawing -------------------------------------------------------------------------------------


class _Writer:
    """Lines down an A4 page, a new page when the next block does not fit."""

    def __init__(self, c: rl_canvas.Canvas, notice: Notice, footer: list[str]) -> None:
        self.c = c
        self.width, self.height = A4
        self.margin = 72.0
        self.bottom = 110.0  # room for the footer
        self.notice = notice
        self.footer = footer
        self.y = self.height - self.margin

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.draw_footer()
            self.c.showPage()
            self.y = self.height - self.margin

    def text(self, text: str, *, size: float = 13, leading: float = 24, indent: float = 0) -> None:
        width = self.width - 2 * self.margin - indent
        for line in wrap(text, font=FONT, size=size, width=width):
            self.need(leading)
            self.c.setFont(FONT, size)
            self.c.setFillColor("#000000")
            self.c.drawString(self.margin + indent, self.y - size, line)
            self.y -= leading

    def draw_footer(self) -> None:
        self.c.setFont(FONT, 8.5)
        self.c.setFillColor("#555555")
        y = 60.0
        for line in self.footer:
            self.c.drawString(self.margin, y, line)
            y -= 12


def render_pdf(notice: Notice, *, case_no: str, progress_url: str) -> bytes:
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{notice.title} {case_no}")
    c.setAuthor(notice.department_name)
    c.setSubject(notice.doc_no)
    c.setCreator("数政 shuzheng 办件通知书")
    footer = [
        f"办件编号：{case_no}　文书编号：{notice.doc_no}",
        f"本通知书由{notice.department_name}加盖电子印章（PAdES 数字签名），"
        "文件内容被改动后签章失效。",
        f"办理进度查询：{progress_url}",
    ]
    w = _Writer(c, notice, footer)
    c.setFont(FONT, 22)
    c.setFillColor("#000000")
    c.drawCentredString(w.width / 2, w.y - 22, notice.title)
    w.y -= 46
    c.setFont(FONT, 11)
    c.drawRightString(w.width - w.margin, w.y - 11, f"编号：{notice.doc_no}")
    w.y -= 36
    w.text(f"{notice.addressee}：")
    for para in notice.paragraphs:
        w.text(INDENT + para)
    for n, item in enumerate(notice.items, 1):
        w.text(f"{n}．{item}", indent=26)
    for para in notice.after_items:
        w.text(INDENT + para)
    w.text(INDENT + notice.closing)
    # the signature block: the department and the date, the seal over them
    w.need(150)
    right = w.width - w.margin
    w.y -= 40
    c.setFont(FONT, 13)
    c.setFillColor("#000000")
    c.drawRightString(right, w.y - 13, notice.department_name)
    c.drawRightString(right, w.y - 37, zh_date(notice.issued_on))
    name_width = max(
        pdfmetrics.stringWidth(notice.department_name, FONT, 13),
        pdfmetrics.stringWidth(zh_date(notice.issued_on), FONT, 13),
    )
    seals.draw_seal(c, right - name_width / 2, w.y - 20, 120, notice.department_name, SEAL_PURPOSE)
    w.y -= 80
    w.draw_footer()
    c.showPage()
    c.save()
    return buf.getvalue()


# --- the download --------------------------------------------------------------------------------


def filename(notice: Notice) -> str:
    return f"{notice.title}-{notice.doc_no}.pdf"


def notice_pdf(
    *, principal: Principal, case_no: str, kind: str, base_url: str
) -> tuple[bytes, Notice]:
    """The sealed PDF of the notice ``kind`` of a case the caller sees (``NotFound``
    otherwise), audited; ``Conflict`` before the case reached that point."""
    case = selectors.case_for(principal, case_no)
    notice = notice_for(case, kind, base_url=base_url)
    pdf = render_pdf(
        notice, case_no=case.case_no, progress_url=f"{base_url.rstrip('/')}/cases/progress/"
    )
    with transaction.atomic():
        signed, key_id = seals.sign_pdf(
            notice.department_code,
            pdf,
            reason=f"{notice.title}（{notice.doc_no}）",
            location=notice.department_name,
        )
        audit.record(
            actor=principal.actor,
            action="cases.notice_pdf",
            object_type="cases.case",
            object_id=case.case_no,
            after={"kind": kind, "doc_no": notice.doc_no, "seal": key_id},
        )
    return signed, notice
