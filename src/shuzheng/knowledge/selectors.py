"""All reads of the 知识库, scoped to the caller: published articles in force are for everyone the
platform lets read them (the operator console, API clients, the public FAQ); drafts, articles
in review and retired ones only for the owning department's authors and its reviewers.

The search index (``search.KnowledgeIndex``) is built per process from the published articles
and rebuilt when ``KNOWLEDGE_CACHE`` (bumped by every write) or the departments change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuzheng.core import cache
from shuzheng.core.errors import NotFound
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.knowledge import contracts as c
from shuzheng.knowledge import transitions as tr
from shuzheng.knowledge.models import Article
from shuzheng.knowledge.search import Doc, KnowledgeIndex

KNOWLEDGE_CACHE = "knowledge.articles"
EXCERPT_CHARS = 80
EXPIRY_WARNING_DAYS = 30
S = Article.Status


def department_name(code: str) -> str:
    return identity.department_names().get(code, "")


def as_contract(a: Article) -> c.Article:
    return c.Article(
        id=a.pk,
        title=a.title,
        questions=tuple(a.questions),
        answer=a.answer,
        department_code=a.department_code,
        department_name=department_name(a.department_code),
        items=tuple(c.ItemRef(code=i["code"], name=i["name"]) for i in a.items),
        category=a.category,
        category_name=str(a.get_category_display()),
        tags=tuple(a.tags),
        status=a.status,
        status_name=str(a.get_status_display()),
        valid_from=a.valid_from,
        valid_to=a.valid_to,
        version=a.version,
        uses=a.uses,
        review_note=a.review_note,
    )


def in_force(today: dt.date) -> Q:
    return Q(status=S.PUBLISHED, valid_from__lte=today) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


# --- search -------------------------------------------------------------------------------


class _Built:
    def __init__(self, index: KnowledgeIndex, payload: dict[int, c.ArticleHit]) -> None:
        self.index = index
        self.payload = payload


_indexes: cache.Memo[str, _Built] = cache.Memo(
    KNOWLEDGE_CACHE, identity.DEPARTMENTS_CACHE, maxsize=2
)


def _excerpt(answer: str) -> str:
    text = " ".join(answer.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def build_index(articles: list[Article]) -> _Built:
    names = identity.department_names()
    docs = []
    payload = {}
    for a in articles:
        dept = names.get(a.department_code, "")
        docs.append(
            Doc(
                id=a.pk,
                title=a.title,
                questions=tuple(a.questions),
                answer=a.answer,
                tags=tuple(a.tags),
                items=tuple(i["name"] for i in a.items),
                department=dept,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
            )
        )
        payload[a.pk] = c.ArticleHit(
            id=a.pk,
            title=a.title,
            excerpt=_excerpt(a.answer),
            department_code=a.department_code,
            department_name=dept,
            items=tuple(c.ItemRef(code=i["code"], name=i["name"]) for i in a.items),
            score=0.0,
            matched_words=(),
        )
    return _Built(KnowledgeIndex(docs), payload)


def _index() -> _Built:
    return _indexes.get(
        "published", lambda: build_index(list(Article.objects.filter(status=S.PUBLISHED)))
    )


def warm_up() -> None:
    _index()


def search(*, text: str, limit: int = 5, today: dt.date | None = None) -> list[c.ArticleHit]:
    """Published articles in force on ``today`` (default: today) best matching ``text``."""
    built = _index()
    day = today or timezone.localdate()
    limit = max(0, min(int(limit), 50))
    out = []
    for match in built.index.search(text, limit=limit, today=day):
        hit = built.payload[match.id]
        out.append(
            c.ArticleHit(
                id=hit.id,
                title=hit.title,
                excerpt=hit.excerpt,
                department_code=hit.department_code,
                department_name=hit.department_name,
                items=hit.items,
                score=match.score,
                matched_words=match.words,
            )
        )
    return out


# --- one article --------------------------------------------------------------------------


def published(article_id: int, today: dt.date | None = None) -> c.Article | None:
    """The article when it is published and in force on ``today``; None otherwise."""
    day = today or timezone.localdate()
    row = Article.objects.filter(in_force(day), pk=article_id).first()
    return as_contract(row) if row is not None else None


def may_manage(principal: Principal, article: Article) -> bool:
    return bool(tr.roles_on(principal, article.department_code))


def article_for(principal: Principal, article_id: int) -> Article:
    """An article the caller may see: any state for the owning department's authors and
    reviewers, published and in force for everyone else; NotFound (404) otherwise."""
    row = Article.objects.filter(pk=article_id).first()
    if row is None:
        raise NotFound("未找到该知识条目。")
    if principal.kind == "staff" and may_manage(principal, row):
        return row
    if published(article_id) is None:
        raise NotFound("未找到该知识条目。")
    return row


# --- lists for the pages and the API ------------------------------------------------------


def _managed(principal: Principal) -> Q | None:
    """Departments whose articles the caller writes or reviews (None: every department)."""
    if principal.kind != "staff":
        return Q(pk__in=[])
    if principal.has_role(tr.REVIEW_CENTER_ROLE):
        return None
    authored = tr.author_departments(principal)
    if authored is None:
        return None
    depts = set(authored) | set(principal.departments_for((tr.REVIEW_DEPARTMENT_ROLE,)))
    return Q(department_code__in=sorted(depts))


def managed_articles(
    principal: Principal, *, status: str = "", q: str = "", department: str = ""
) -> QuerySet[Article]:
    rows = Article.objects.all()
    scope = _managed(principal)
    if scope is not None:
        rows = rows.filter(scope)
    if status:
        rows = rows.filter(status=status)
    if department:
        rows = rows.filter(department_code=department)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(answer__icontains=q))
    return rows.order_by("-updated_at", "-id")


def review_queue(principal: Principal) -> list[Article]:
    """待审核 articles the caller may publish or return (oldest submission first)."""
    rows = managed_articles(principal, status=S.IN_REVIEW).order_by("submitted_at", "id")
    return [a for a in rows if tr.REVIEWER in tr.roles_on(principal, a.department_code)]


def expiring(
    principal: Principal, *, today: dt.date | None = None, days: int = EXPIRY_WARNING_DAYS
) -> list[Article]:
    """Published articles of the caller's departments whose validity ends within ``days``
    (already expired ones included: they are no longer offered)."""
    day = today or timezone.localdate()
    rows = managed_articles(principal, status=S.PUBLISHED).filter(
        valid_to__isnull=False, valid_to__lte=day + dt.timedelta(days=days)
    )
    return list(rows.order_by("valid_to", "id"))


def manages_any(principal: Principal) -> bool:
    """The caller writes articles for some department or reviews them."""
    return principal.kind == "staff" and (
        tr.author_departments(principal) != []
        or principal.has_role(tr.REVIEW_CENTER_ROLE)
        or bool(principal.departments_for((tr.REVIEW_DEPARTMENT_ROLE,)))
    )


def writable_departments(principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the departments the caller may write articles for."""
    names = identity.department_names()
    depts = tr.author_departments(principal)
    codes = sorted(names) if depts is None else depts
    return [(code, names.get(code, code)) for code in codes if code in names]


def public_faq(*, q: str = "", today: dt.date | None = None, limit: int = 200) -> list[Any]:
    """常见问题 for citizens: published articles in force, searched when ``q`` is given."""
    day = today or timezone.localdate()
    if q.strip():
        return search(text=q, limit=20, today=day)
    rows = Article.objects.filter(in_force(day)).order_by("category", "title")[:limit]
    return [as_contract(a) for a in rows]
