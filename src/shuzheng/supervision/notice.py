"""督办通知 as a sealed PDF in the GB/T 9704 layout: 版头 (the lead office's 发文机关标志
in red, 发文字号, the red separator), 标题, 主送机关, 正文, 署名 and 成文日期 under the lead
office's e-seal (督办专用章), 版记 (印发机关和印发日期) and the page number — set by the
公文库's renderer (``documents.facade.render_pdf``), as every 公文 of the platform; PAdES-signed
with the office's seal (``seals.facade.sign_pdf``), verifiable like licences. Made when asked
for; each download audited (``supervision.urge_pdf``)."""

from __future__ import annotations

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core.zhdate import zh_date
from shuzheng.documents.facade import Gongwen, render_pdf
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals
from shuzheng.supervision import selectors
from shuzheng.supervision.models import Urge


def render(urge: Urge) -> bytes:
    names = selectors.dept_names()
    office_code = selectors.office_departments()[0]
    office = names.get(office_code, office_code)
    task = urge.task
    due = urge.reply_due
    return render_pdf(
        Gongwen(
            issuer=office,
            doc_number=urge.doc_number,
            title=f"关于督办“{task.title}”的通知",
            recipients="、".join(names.get(c, c) for c in task.lead_departments),
            body="\n".join(
                [
                    f"《{task.plan.title}》第{selectors.path_label(task.path)}项任务"
                    f"“{task.title}”由你单位牵头，完成时限为{zh_date(task.due_date)}。",
                    f"督办事项：{urge.body}",
                    f"请于{zh_date(due)}前书面回复办理情况。",
                ]
            ),
            date=urge.issued_at.date(),
            printed_by=f"{office}办公室",
            subject=f"督办通知 {urge.doc_number}",
            seal_purpose="督办专用章",
        )
    )


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
