"""The lifecycle of a 知识条目 as one table of transitions (docs/style.md habit 11). The service,
the API's ``allowed_actions``, the pages' buttons and the review queue read it.

草稿 → 提交审核 → 待审核 → 发布 (已发布) or 退回 (草稿, with a reason); 已发布 → 下架 (已下架);
已发布 or 已下架 → 修订 (草稿 again, out of the operators' search until published anew).

Who: ``author`` — a staff member of the owning department in a handling role (``AUTHOR_ROLES``)
or the 12345 center; ``reviewer`` — the center's 班长 (``hotline_supervisor``) or a head of the
owning department (``department_head``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition
from shuzheng.identity.contracts import HOTLINE_CENTER_ROLES, Principal
from shuzheng.knowledge.models import Article

S = Article.Status
AUTHOR = "author"
REVIEWER = "reviewer"

# Roles in a department that may write its articles (the people who know its answers).
AUTHOR_ROLES = ("window_clerk", "reviewer", "department_head", "hotline_handler")
REVIEW_CENTER_ROLE = "hotline_supervisor"
REVIEW_DEPARTMENT_ROLE = "department_head"


T = Transition
# fmt: off
ROWS = [
    T("submit", (S.DRAFT,), S.IN_REVIEW, (AUTHOR,), _("提交审核"), _("提交审核")),
    T("publish", (S.IN_REVIEW,), S.PUBLISHED, (REVIEWER,),
      _("审核通过并发布"), _("审核通过，已发布")),
    T("return", (S.IN_REVIEW,), S.DRAFT, (REVIEWER,), _("退回修改"), _("退回修改")),
    T("retire", (S.PUBLISHED,), S.RETIRED, (REVIEWER,), _("下架"), _("已下架")),
    T("revise", (S.PUBLISHED, S.RETIRED), S.DRAFT, (AUTHOR,), _("修订"), _("转为草稿修订")),
]
# fmt: on

ARTICLE = Lifecycle(
    name="knowledge_article",
    transitions=ROWS,
    terminal=(),
    events={"create": _("创建草稿"), "edit": _("修改内容")},
)
REASON_REQUIRED = frozenset({"return", "retire"})


def is_center(principal: Principal) -> bool:
    return principal.kind == "staff" and any(principal.has_role(r) for r in HOTLINE_CENTER_ROLES)


def author_departments(principal: Principal) -> list[str] | None:
    """Departments whose articles the caller writes: None = every one (the 12345 center)."""
    if principal.kind != "staff":
        return []
    if is_center(principal):
        return None
    return principal.departments_for(AUTHOR_ROLES)


def may_author(principal: Principal, department_code: str) -> bool:
    depts = author_departments(principal)
    return depts is None or department_code in depts


def may_review(principal: Principal, department_code: str) -> bool:
    return principal.kind == "staff" and (
        principal.has_role(REVIEW_CENTER_ROLE)
        or principal.has_role(REVIEW_DEPARTMENT_ROLE, department_code)
    )


def roles_on(principal: Principal, department_code: str) -> list[str]:
    roles = []
    if may_author(principal, department_code):
        roles.append(AUTHOR)
    if may_review(principal, department_code):
        roles.append(REVIEWER)
    return roles


def allowed_actions(principal: Principal, article: Article) -> list[str]:
    return ARTICLE.allowed(article.status, roles_on(principal, article.department_code), article)
