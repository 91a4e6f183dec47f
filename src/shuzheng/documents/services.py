"""Writes of the 公文 library: register uploaded documents (several at once, all or nothing),
audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import FieldError, Forbidden, Unauthenticated, ValidationFailed
from shuzheng.documents import gbt9704
from shuzheng.documents.models import Citation, Document, Openness
from shuzheng.documents.selectors import is_office
from shuzheng.documents.textfile import text_of
from shuzheng.identity.contracts import Principal

MAX_FILES = 20


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def documents_import(
    *,
    principal: Principal,
    files: list[tuple[str, bytes]],
    openness: str = "",
    department: str = "",
    now: dt.datetime | None = None,
) -> list[Document]:
    """Register ``files`` as 公文 of ``department`` (one of the caller's; the first by default).
    公开属性: the document's own 附注 (此件主动公开 …), else ``openness``, else 依申请公开.
    A classified document (密级 秘密/机密/绝密) is refused: this platform is not a 涉密 system."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff":
        raise Forbidden("只有工作人员可以登记公文。")
    errors: list[FieldError] = []
    mine = principal.departments
    department = department or (mine[0] if mine else "")
    if department not in mine and not is_office(principal):
        errors.append(FieldError("department", "只能登记到本人所在的部门。"))
    if openness and openness not in Openness.values:
        errors.append(FieldError("openness", "公开属性应为 主动公开、依申请公开 或 不予公开。"))
    if not files:
        errors.append(FieldError("files", "请至少选择一个文件。"))
    if len(files) > MAX_FILES:
        errors.append(FieldError("files", f"一次最多 {MAX_FILES} 个文件。"))
    parsed = []
    seen: set[str] = set()
    for i, (name, data) in enumerate(files[:MAX_FILES]):
        field = f"files[{i}]"
        try:
            text = text_of(field=field, name=name, data=data)
        except ValidationFailed as exc:
            errors.extend(FieldError(e.field, f"{name}：{e.message}") for e in exc.errors)
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen or Document.objects.filter(sha256=digest).exists():
            errors.append(FieldError(field, f"{name}：该文件已经登记过。"))
            continue
        seen.add(digest)
        e = gbt9704.parse(text)
        if e.secrecy:
            errors.append(
                FieldError(
                    f"{field}.密级", f"{name}：标有密级“{e.secrecy}”，涉密公文不得在本平台登记。"
                )
            )
            continue
        if e.doc_number_raw and not e.doc_number:
            errors.append(
                FieldError(f"{field}.发文字号", f"{name}：发文字号“{e.doc_number_raw}”无法识别。")
            )
            continue
        parsed.append((name, digest, e))
    if errors:
        raise ValidationFailed(errors[:20])
    now = now or timezone.now()
    out = []
    with transaction.atomic():
        for name, digest, e in parsed:
            doc = Document.objects.create(
                title=e.title[:300],
                doc_number=e.doc_number,
                number_key=gbt9704.number_key(e.doc_number) if e.doc_number else "",
                title_key=gbt9704.title_key(e.title)[:300],
                issuer=e.issuer[:100],
                date=_date(e.date),
                recipients=e.recipients,
                kind=e.kind,
                topic=gbt9704.topic_of(e.title + e.body),
                urgency=e.urgency,
                signer=e.signer[:32],
                attachments=e.attachments,
                cc=e.cc,
                printed_by=e.printed_by[:100],
                printed_on=_date(e.printed_on),
                headings=e.headings,
                body=e.body,
                search_text=gbt9704.norm("\n".join((e.title, e.doc_number, e.issuer, e.body))),
                openness=e.openness or openness or Openness.ON_REQUEST,
                department=department,
                file_name=name[:200],
                sha256=digest,
                created_by=principal.actor,
                created_at=now,
            )
            cites = [Citation(document=doc, kind=Citation.NUMBER, key=gbt9704.number_key(n),
                              text=n) for n in e.cited_numbers]  # fmt: skip
            cites += [
                Citation(document=doc, kind=Citation.TITLE, key=gbt9704.title_key(t)[:300],
                         text=t[:300])
                for t in e.cited_titles
                if gbt9704.title_key(t) != doc.title_key
            ]  # fmt: skip
            if e.issues_title and gbt9704.title_key(e.issues_title) != doc.title_key:
                cites.append(Citation(document=doc, kind=Citation.ISSUES,
                                      key=gbt9704.title_key(e.issues_title)[:300],
                                      text=e.issues_title[:300]))  # fmt: skip
            Citation.objects.bulk_create(cites)
            audit.record(
                actor=principal.actor,
                action="documents.registered",
                object_type="document",
                object_id=str(doc.pk),
                after={"title": doc.title, "doc_number": doc.doc_number, "sha256": digest,
                       "openness": doc.openness, "department": department},
            )  # fmt: skip
            out.append(doc)
    return out
