"""All writes of the 知识库: create, edit, the lifecycle actions, record a use. Each change and
its audit record are one transaction; every write that changes what operators may find bumps
the index's cache version (``selectors.KNOWLEDGE_CACHE``) in the same transaction.

Bad input is refused whole, each field named in Chinese (``ValidationFailed``, 422); an action
in the wrong state is 409 with ``allowed_actions``; nothing changes in either case.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.catalog import facade as catalog
from shuzheng.core import cache
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.knowledge import models as m
from shuzheng.knowledge import transitions as tr
from shuzheng.knowledge.contracts import ArticleInput
from shuzheng.knowledge.models import Article, ArticleUse
from shuzheng.knowledge.selectors import KNOWLEDGE_CACHE

S = Article.Status
_SPLIT_LINES = re.compile(r"[\r\n]+")
_SPLIT_TAGS = re.compile(r"[,，、;；\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TICKET_NO = re.compile(r"^[A-Za-z0-9-]{4,32}$")
# Fields of an article, in the order errors are listed, with the word a person reads.
FIELD_NAMES = {
    "title": "标题",
    "questions": "常见问法",
    "answer": "答复口径",
    "department": "所属部门",
    "items": "关联事项",
    "category": "分类",
    "tags": "标签",
    "valid_from": "生效日期",
    "valid_to": "失效日期",
    "reason": "原因",
    "action": "操作",
    "ticket_no": "工单编号",
    "version": "版本",
}


def _snapshot(a: Article) -> dict[str, Any]:
    return {
        "title": a.title,
        "questions": list(a.questions),
        "answer": a.answer,
        "department": a.department_code,
        "items": [i["code"] for i in a.items],
        "category": a.category,
        "tags": list(a.tags),
        "status": a.status,
        "valid_from": a.valid_from.isoformat() if a.valid_from else None,
        "valid_to": a.valid_to.isoformat() if a.valid_to else None,
        "version": a.version,
    }


def _list(value: Any, splitter: re.Pattern[str]) -> list[str]:
    if value is None:
        return []
    parts = splitter.split(value) if isinstance(value, str) else [str(v) for v in value]
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _date(value: Any, field: str, errors: list[FieldError]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(FieldError(field, f"{FIELD_NAMES[field]}应为日期，格式如 2026-01-31。"))
        return None


def _text(value: str, field: str, limit: int, errors: list[FieldError], *, required: bool) -> str:
    text = (value or "").strip()
    name = FIELD_NAMES[field]
    if required and not text:
        errors.append(FieldError(field, f"请填写{name}。"))
    elif len(text) > limit:
        errors.append(FieldError(field, f"{name}不能超过 {limit} 个字（现有 {len(text)} 个）。"))
    elif _CONTROL.search(text):
        errors.append(FieldError(field, f"{name}含有无法显示的字符，请删除后再提交。"))
    return text


def _clean(principal: Principal, data: ArticleInput) -> dict[str, Any]:
    """The article's columns from an author's input, or ValidationFailed naming every bad field.
    Refuses (403) a department the caller does not write for."""
    errors: list[FieldError] = []
    title = _text(data.title, "title", m.TITLE_MAX, errors, required=True)
    answer = _text(data.answer, "answer", m.ANSWER_MAX, errors, required=True)

    questions = _list(data.questions, _SPLIT_LINES)
    if len(questions) > m.QUESTIONS_MAX:
        errors.append(FieldError("questions", f"常见问法最多 {m.QUESTIONS_MAX} 条。"))
    long_q = [q for q in questions if len(q) > m.QUESTION_MAX]
    if long_q:
        errors.append(
            FieldError(
                "questions", f"每条常见问法不能超过 {m.QUESTION_MAX} 个字：“{long_q[0][:20]}…”。"
            )
        )
    if any(_CONTROL.search(q) for q in questions):
        errors.append(FieldError("questions", "常见问法含有无法显示的字符，请删除后再提交。"))

    tags = _list(data.tags, _SPLIT_TAGS)
    if len(tags) > m.TAGS_MAX:
        errors.append(FieldError("tags", f"标签最多 {m.TAGS_MAX} 个。"))
    elif any(len(t) > m.TAG_MAX for t in tags):
        errors.append(FieldError("tags", f"每个标签不能超过 {m.TAG_MAX} 个字。"))

    category = (data.category or "").strip() or Article.Category.OTHER
    if category not in Article.Category.values:
        labels = {str(label): value for value, label in Article.Category.choices}
        if category in labels:
            category = labels[category]
        else:
            errors.append(FieldError("category", "请选择列出的分类。"))

    department = (data.department or "").strip()
    if not department:
        errors.append(FieldError("department", "请选择所属部门。"))
    elif department not in identity.department_names():
        errors.append(FieldError("department", "所属部门不存在，请从列表中选择。"))

    items = []
    codes = _list(data.items, _SPLIT_TAGS)
    if len(codes) > m.ITEMS_MAX:
        errors.append(FieldError("items", f"关联事项最多 {m.ITEMS_MAX} 个。"))
    else:
        unknown = []
        for code in codes:
            try:
                view = catalog.item(code)
            except NotFound:
                unknown.append(code)
                continue
            items.append({"code": view.code, "name": view.name})
        if unknown:
            shown = "、".join(c[:32] for c in unknown[:3])
            errors.append(FieldError("items", f"关联事项不存在或未发布：{shown}。"))

    valid_from = _date(data.valid_from, "valid_from", errors)
    valid_to = _date(data.valid_to, "valid_to", errors)
    if valid_from is None and not any(e.field == "valid_from" for e in errors):
        valid_from = timezone.localdate()
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(FieldError("valid_to", "失效日期不能早于生效日期。"))

    if errors:
        raise ValidationFailed(errors)
    if not tr.may_author(principal, department):
        raise Forbidden("您不能编写该部门的知识条目。")
    return {
        "title": title,
        "questions": questions,
        "answer": answer,
        "department_code": department,
        "items": items,
        "category": category,
        "tags": tags,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _require_staff(principal: Principal) -> None:
    """Staff who write articles for some department (the center writes for all)."""
    identity.require_staff(principal)
    if tr.author_departments(principal) == []:
        raise Forbidden("您没有编写知识库条目的角色。")


def article_create(*, principal: Principal, data: ArticleInput) -> Article:
    """A new draft (草稿, version 1) of a department the caller writes for."""
    _require_staff(principal)
    values = _clean(principal, data)
    with transaction.atomic():
        article = Article.objects.create(
            **values, created_by=principal.actor, updated_by=principal.actor
        )
        audit.record(
            actor=principal.actor,
            action="knowledge.article_create",
            object_type="knowledge.article",
            object_id=str(article.pk),
            after=_snapshot(article),
        )
        cache.bump(KNOWLEDGE_CACHE)
    return article


def _locked(principal: Principal, article_id: int) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None or not tr.roles_on(principal, article.department_code):
        raise NotFound("未找到该知识条目。")
    return article


def _wrong_state(principal: Principal, article: Article, message: str) -> Conflict:
    return Conflict(
        message,
        extra={
            "status": article.status,
            "allowed_actions": tr.allowed_actions(principal, article),
        },
    )


def article_update(
    *, principal: Principal, article_id: int, data: ArticleInput, version: int | None = None
) -> Article:
    """Edit a draft (草稿; a published one is first 修订). ``version``: the version the author
    edited — another saved edit since is 409, so nobody overwrites a colleague's change."""
    _require_staff(principal)
    values = _clean(principal, data)
    with transaction.atomic():
        article = _locked(principal, article_id)
        if tr.AUTHOR not in tr.roles_on(principal, article.department_code):
            raise Forbidden("您不能修改该部门的知识条目。")
        if article.status != S.DRAFT:
            raise _wrong_state(
                principal,
                article,
                f"该条目{article.get_status_display()}，只有草稿可以修改；已发布或已下架的条目请先“修订”。",
            )
        if version is not None and version != article.version:
            raise Conflict(
                f"该条目已被他人修改（当前为第 {article.version} 版），请刷新后再改。",
                extra={"version": article.version},
            )
        before = _snapshot(article)
        for key, value in values.items():
            setattr(article, key, value)
        after = _snapshot(article)
        after["version"] = before["version"]
        if after == before:
            return article
        article.version += 1
        article.updated_by = principal.actor
        article.save()
        audit.record(
            actor=principal.actor,
            action="knowledge.article_edit",
            object_type="knowledge.article",
            object_id=str(article.pk),
            before=before,
            after=_snapshot(article),
        )
        cache.bump(KNOWLEDGE_CACHE)
    return article


def article_act(*, principal: Principal, article_id: int, action: str, reason: str = "") -> Article:
    """One row of ``transitions.ARTICLE``: submit, publish, return (reason), retire (reason),
    revise. A wrong state or an action the caller may not take here: 409 with
    ``allowed_actions``."""
    identity.require_staff(principal)
    reason = (reason or "").strip()
    if action not in tr.ARTICLE:
        raise ValidationFailed.one(
            "action",
            "操作应为 "
            + "、".join(f"{a}（{tr.ARTICLE.label(a)}）" for a in tr.ARTICLE.transitions)
            + "。",
        )
    if len(reason) > m.REASON_MAX:
        raise ValidationFailed.one("reason", f"原因不能超过 {m.REASON_MAX} 个字。")
    with transaction.atomic():
        article = _locked(principal, article_id)
        allowed = tr.allowed_actions(principal, article)
        if action not in allowed:
            raise _wrong_state(
                principal,
                article,
                f"该条目{article.get_status_display()}，不能{tr.ARTICLE.label(action)}。",
            )
        if action in tr.REASON_REQUIRED and not reason:
            raise ValidationFailed.one("reason", f"请填写{tr.ARTICLE.label(action)}的原因。")
        if action == "publish":
            today = timezone.localdate()
            if article.valid_to is not None and article.valid_to < today:
                raise ValidationFailed.one(
                    "valid_to", "该条目已过失效日期，请退回修改日期后再发布。"
                )
        before = _snapshot(article)
        transition = tr.ARTICLE[action]
        article.status = transition.target or article.status
        now = timezone.now()
        if action == "submit":
            article.submitted_at = now
            article.review_note = ""
        elif action == "publish":
            article.published_at = now
            article.published_by = principal.actor
            article.review_note = ""
        elif action in ("return", "retire"):
            article.review_note = reason
        article.updated_by = principal.actor
        article.save()
        audit.record(
            actor=principal.actor,
            action=f"knowledge.article_{action}",
            object_type="knowledge.article",
            object_id=str(article.pk),
            before=before,
            after={**_snapshot(article), **({"reason": reason} if reason else {})},
        )
        cache.bump(KNOWLEDGE_CACHE)
    return article


def article_record_use(*, article_id: int, ticket_no: str, actor: str = "") -> int:
    """Count that ``ticket_no`` was answered from the article (一次性解答); once per ticket.
    Only published articles count. Returns the article's uses. Counted, not audited: the
    ticket's own 直接办结, which quotes the article, is the audited act."""
    ticket_no = (ticket_no or "").strip()
    if not _TICKET_NO.match(ticket_no):
        raise ValidationFailed.one("ticket_no", "工单编号格式不正确。")
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.status != S.PUBLISHED:
            raise NotFound("未找到该知识条目。")
        try:
            with transaction.atomic():
                ArticleUse.objects.create(article=article, ticket_no=ticket_no, used_by=actor[:150])
        except IntegrityError:
            return article.uses
        Article.objects.filter(pk=article.pk).update(uses=F("uses") + 1)
    return article.uses + 1
