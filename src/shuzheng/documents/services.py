"""Writes of the 公文 library: register uploaded documents (several at once, all or nothing),
audited in the same transaction. In two steps for the upload page: ``documents_preview`` reads
and parses the files without storing anything; ``documents_confirm`` registers them with the
person's corrections of the GB/T 9704 elements. ``documents_import`` is both at once (the API)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import FieldError, Forbidden, Unauthenticated, ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.documents import gbt9704, termindex
from shuzheng.documents.models import Citation, Document, Openness
from shuzheng.documents.selectors import is_office
from shuzheng.documents.textfile import text_of
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

MAX_FILES = 20

# the elements a person may correct before registering, with the words naming them in errors
EDITABLE = {
    "title": "标题",
    "doc_number": "发文字号",
    "issuer": "发文机关",
    "date": "成文日期",
    "recipients": "主送机关",
    "kind": "文种",
    "topic": "主题",
    "attachments": "附件",
    "cc": "抄送机关",
    "printed_by": "印发机关",
    "printed_on": "印发日期",
    "openness": "公开属性",
}
ON_DRAFT = ("openness", "topic")  # kept on the draft, not among the parsed elements
MAX_LEN = {"title": 300, "issuer": 100, "kind": 8, "topic": 16, "printed_by": 100}


@dataclass
class Draft:
    """A file read and parsed, not stored: what the upload page shows for correction."""

    name: str
    sha256: str
    text: str
    elements: gbt9704.Elements
    openness: str = ""
    topic: str = ""
    corrected: list[str] = field(default_factory=list)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _check_caller(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff":
        raise Forbidden("只有工作人员可以登记公文。")


def _draft(i: int, name: str, text: str, digest: str, errors: list[FieldError]) -> Draft | None:
    fld = f"files[{i}]"
    if Document.objects.filter(sha256=digest).exists():
        errors.append(FieldError(fld, f"{name}：该文件已经登记过。"))
        return None
    e = gbt9704.parse(text)
    if e.secrecy:
        errors.append(
            FieldError(f"{fld}.密级", f"{name}：标有密级“{e.secrecy}”，涉密公文不得在本平台登记。")
        )
        return None
    if e.doc_number_raw and not e.doc_number:
        errors.append(
            FieldError(f"{fld}.发文字号", f"{name}：发文字号“{e.doc_number_raw}”无法识别。")
        )
        return None
    topic = gbt9704.topic_of(e.title + e.body)
    return Draft(name=name, sha256=digest, text=text, elements=e, openness=e.openness, topic=topic)


def documents_preview(*, principal: Principal, files: list[tuple[str, bytes]]) -> list[Draft]:
    """Read and parse ``files`` (nothing stored). Errors name ``files[i]`` and the file."""
    _check_caller(principal)
    errors: list[FieldError] = []
    if not files:
        errors.append(FieldError("files", "请至少选择一个文件。"))
    if len(files) > MAX_FILES:
        errors.append(FieldError("files", f"一次最多 {MAX_FILES} 个文件。"))
    drafts = []
    seen: set[str] = set()
    for i, (name, data) in enumerate(files[:MAX_FILES]):
        try:
            text = text_of(field=f"files[{i}]", name=name, data=data)
        except ValidationFailed as exc:
            errors.extend(FieldError(e.field, f"{name}：{e.message}") for e in exc.errors)
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            errors.append(FieldError(f"files[{i}]", f"{name}：与前面的文件重复。"))
            continue
        seen.add(digest)
        d = _draft(i, name, text, digest, errors)
        if d is not None:
            drafts.append(d)
    if errors:
        raise ValidationFailed(errors[:20])
    return drafts


def apply_corrections(i: int, draft: Draft, values: dict[str, Any]) -> list[FieldError]:
    """Put the person's ``values`` (element → text; attachments one per line) into ``draft``;
    the errors name ``files[i].<element>`` and the file. Unchanged values are not corrections."""
    e, errors = draft.elements, []

    def bad(key: str, words: str) -> None:
        errors.append(FieldError(f"files[{i}].{EDITABLE[key]}", f"{draft.name}：{words}"))

    for key, raw in values.items():
        if key not in EDITABLE or raw is None:
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if key == "attachments":
            lines = value.splitlines() if isinstance(value, str) else list(value)
            value = [x.strip() for x in lines if x.strip()]
        before = getattr(draft if key in ON_DRAFT else e, key)
        if value == (before or ("" if key != "attachments" else [])):
            continue
        if key == "title" and not value:
            bad(key, "标题不能为空。")
            continue
        if key == "doc_number" and value:
            number = gbt9704.normalize_number(value)
            if number is None:
                bad(key, f"发文字号“{value}”无法识别，应如 粤办函〔2022〕24号。")
                continue
            value = number
        if key in ("date", "printed_on") and value:
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                bad(key, f"{EDITABLE[key]}应为日期，如 2022-07-01。")
                continue
        if key == "openness" and value not in Openness.values:
            bad(key, "公开属性应为 主动公开、依申请公开 或 不予公开。")
            continue
        if key in MAX_LEN and len(value) > MAX_LEN[key]:
            bad(key, f"{EDITABLE[key]}最多 {MAX_LEN[key]} 个字。")
            continue
        if key in ("date", "printed_on"):
            value = value or None
        setattr(draft if key in ON_DRAFT else e, key, value)
        draft.corrected.append(key)
    return errors


def documents_confirm(
    *,
    principal: Principal,
    items: list[tuple[str, str, str, dict[str, Any]]],
    openness: str = "",
    department: str = "",
    now: dt.datetime | None = None,
) -> list[Document]:
    """Register ``items`` — (file name, sha256 of its bytes, its text as read, corrections) from
    a preview — re-parsed and corrected; all or nothing."""
    _check_caller(principal)
    errors: list[FieldError] = []
    department = _department(principal, department, errors)
    if openness and openness not in Openness.values:
        errors.append(FieldError("openness", "公开属性应为 主动公开、依申请公开 或 不予公开。"))
    if not items:
        errors.append(FieldError("files", "请至少选择一个文件。"))
    drafts = []
    for i, (name, digest, text, corrections) in enumerate(items[:MAX_FILES]):
        d = _draft(i, name, text, digest, errors)
        if d is not None:
            errors.extend(apply_corrections(i, d, corrections))
            drafts.append(d)
    if len({d.sha256 for d in drafts}) < len(drafts):
        errors.append(FieldError("files", "同一文件提交了两次。"))
    if errors:
        raise ValidationFailed(errors[:20])
    return _register(principal, drafts, openness, department, now or timezone.now())


def documents_import(
    *,
    principal: Principal,
    files: list[tuple[str, bytes]],
    openness: str = "",
    department: str = "",
    corrections: list[dict[str, Any]] | None = None,
    now: dt.datetime | None = None,
) -> list[Document]:
    """Register ``files`` as 公文 of ``department`` (one of the caller's; the first by default).
    公开属性: the document's own 附注 (此件主动公开 …), else ``openness``, else 依申请公开.
    A classified document (密级 秘密/机密/绝密) is refused: this platform is not a 涉密 system.
    ``corrections[i]`` (element → value, as on the upload page) corrects the i-th file."""
    _check_caller(principal)
    errors: list[FieldError] = []
    department = _department(principal, department, errors)
    if openness and openness not in Openness.values:
        errors.append(FieldError("openness", "公开属性应为 主动公开、依申请公开 或 不予公开。"))
    drafts: list[Draft] = []
    try:
        drafts = documents_preview(principal=principal, files=files)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    corrections = corrections or []
    if len(corrections) > len(files) or not all(isinstance(c, dict) for c in corrections):
        errors.append(FieldError("corrections", "更正应为每个文件一项（要素名: 值）。"))
    elif not errors:
        for i, (d, values) in enumerate(zip(drafts, corrections, strict=False)):
            errors.extend(apply_corrections(i, d, values))
    if errors:
        raise ValidationFailed(errors[:20])
    return _register(principal, drafts, openness, department, now or timezone.now())


def _department(principal: Principal, department: str, errors: list[FieldError]) -> str:
    mine = principal.departments
    department = department or (mine[0] if mine else "")
    if department not in mine and not is_office(principal):
        errors.append(FieldError("department", "只能登记到本人所在的部门。"))
    return department


def _register(
    principal: Principal, drafts: list[Draft], openness: str, department: str, now: dt.datetime
) -> list[Document]:
    out = []
    with transaction.atomic():
        for dr in drafts:
            e, digest = dr.elements, dr.sha256
            doc = Document.objects.create(
                title=e.title[:300],
                doc_number=e.doc_number,
                number_key=gbt9704.number_key(e.doc_number) if e.doc_number else "",
                title_key=gbt9704.title_key(e.title)[:300],
                issuer=e.issuer[:100],
                date=_date(e.date),
                recipients=e.recipients,
                kind=e.kind[:8],
                topic=dr.topic[:16],
                urgency=e.urgency,
                signer=e.signer[:32],
                attachments=e.attachments,
                cc=e.cc,
                printed_by=e.printed_by[:100],
                printed_on=_date(e.printed_on),
                headings=e.headings,
                body=e.body,
                search_text=gbt9704.norm("\n".join((e.title, e.doc_number, e.issuer, e.body))),
                openness=dr.openness or openness or Openness.ON_REQUEST,
                department=department,
                file_name=dr.name[:200],
                sha256=digest,
                created_by=principal.actor,
                created_at=now,
            )
            own = {doc.number_key}
            cites = [Citation(document=doc, kind=Citation.NUMBER, key=gbt9704.number_key(n),
                              text=n) for n in e.cited_numbers
                     if gbt9704.number_key(n) not in own]  # fmt: skip
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
            after: dict[str, Any] = {"title": doc.title, "doc_number": doc.doc_number,
                                     "sha256": digest, "openness": doc.openness,
                                     "department": department}  # fmt: skip
            if dr.corrected:
                after["corrected"] = [EDITABLE[k] for k in dr.corrected]
            audit.record(
                actor=principal.actor,
                action="documents.registered",
                object_type="document",
                object_id=str(doc.pk),
                after=after,
            )
            out.append(doc)
        termindex.add([(d.pk, d.search_text) for d in out])
    return out


COMPOSE_FIELDS = {
    "issuer": "发文机关",
    "doc_number": "发文字号",
    "title": "标题",
    "recipients": "主送机关",
    "body": "正文",
    "attachments": "附件说明",
    "date": "成文日期",
    "cc": "抄送机关",
    "printed_by": "印发机关",
    "printed_on": "印发日期",
    "openness": "公开属性",
}
REQUIRED = ("issuer", "doc_number", "title", "recipients", "body", "date")


def compose_text(v: dict[str, Any]) -> str:
    """The elements in GB/T 9704 order as the 公文's text (what is stored and searched)."""
    out = [f"{v['issuer']}文件", v["doc_number"], v["title"], f"{v['recipients']}：", v["body"]]
    for i, name in enumerate(v["attachments"], 1):
        out.append(f"附件：{i}．{name}" if i == 1 else f"{i}．{name}")
    out += [v["issuer"], v["date_text"]]
    if v["cc"]:
        out.append(f"抄送：{v['cc']}。")
    out.append(f"{v['printed_by'] or v['issuer']} {v['printed_text']}印发")
    return "\n".join(out) + "\n"


def document_compose(
    *,
    principal: Principal,
    values: dict[str, Any],
    department: str = "",
    now: dt.datetime | None = None,
) -> Document:
    """Register a 公文 composed in the platform (its elements as entered; 正文 plain text with
    headings 一、 (一) 1. (1)) into the 公文库 of ``department``; audited like an import. Errors
    name the element in Chinese; nothing stored."""
    _check_caller(principal)
    errors: list[FieldError] = []
    if not department:  # the caller's department the 发文机关 names, sealing with its seal
        names = identity.department_names()
        issuer = str(values.get("issuer") or "").strip()
        department = next((c for c in principal.departments if names.get(c) == issuer), "")
    department = _department(principal, department, errors)
    v: dict[str, Any] = {}
    for key, words in COMPOSE_FIELDS.items():
        raw = values.get(key) or ""
        if key == "attachments":
            lines = raw.splitlines() if isinstance(raw, str) else [str(x) for x in raw]
            v[key] = [x.strip() for x in lines if x.strip()]
            continue
        v[key] = raw.strip() if isinstance(raw, str) else ""
        if key in REQUIRED and not v[key]:
            errors.append(FieldError(words, f"请填写{words}。"))
    if v["doc_number"]:
        number = gbt9704.normalize_number(v["doc_number"])
        if number is None:
            errors.append(
                FieldError(
                    "发文字号", f"发文字号“{v['doc_number']}”无法识别，应如 粤办函〔2022〕24号。"
                )
            )
        else:
            v["doc_number"] = number
    for key in ("date", "printed_on"):
        if v[key]:
            try:
                v[key] = dt.date.fromisoformat(v[key]).isoformat()
            except ValueError:
                errors.append(
                    FieldError(
                        COMPOSE_FIELDS[key], f"{COMPOSE_FIELDS[key]}应为日期，如 2022-07-01。"
                    )
                )
                v[key] = ""
    if v["openness"] and v["openness"] not in Openness.values:
        errors.append(FieldError("公开属性", "公开属性应为 主动公开、依申请公开 或 不予公开。"))
    for key, most in {**MAX_LEN, "body": 50_000, "recipients": 500, "cc": 500}.items():
        if key in v and isinstance(v[key], str) and len(v[key]) > most:
            errors.append(
                FieldError(COMPOSE_FIELDS[key], f"{COMPOSE_FIELDS[key]}最多 {most} 个字。")
            )
    if len(v["attachments"]) > 20:
        errors.append(FieldError("附件说明", "附件说明最多 20 项。"))
    if errors:
        raise ValidationFailed(errors[:20])

    v["printed_on"] = v["printed_on"] or v["date"]
    v["date_text"], v["printed_text"] = (
        zh_date(dt.date.fromisoformat(v["date"])),
        zh_date(dt.date.fromisoformat(v["printed_on"])),
    )
    text = compose_text(v)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if Document.objects.filter(sha256=digest).exists():
        raise ValidationFailed([FieldError("正文", "同样的公文已经登记过。")])
    e = gbt9704.parse(text)
    e.issuer, e.doc_number, e.title = v["issuer"], v["doc_number"], v["title"]
    e.recipients, e.body, e.attachments = v["recipients"], v["body"], v["attachments"]
    e.date, e.cc, e.printed_on = v["date"], v["cc"], v["printed_on"]
    e.printed_by = v["printed_by"] or v["issuer"]
    e.kind = next((k for k in gbt9704.KINDS if v["title"].endswith(k)), "")
    e.secrecy, e.openness = "", v["openness"]
    draft = Draft(
        name=f"{v['title'][:190]}.txt",
        sha256=digest,
        text=text,
        elements=e,
        openness=v["openness"] or Openness.ON_REQUEST,
        topic=gbt9704.topic_of(v["title"] + v["body"]),
    )
    return _register(principal, [draft], "", department, now or timezone.now())[0]
