"""知识库 API: live search for the 12345 center and API clients, articles with their
``allowed_actions``, authoring (POST/PATCH) and the lifecycle actions (409 with
``allowed_actions`` in a wrong state), the expiry warning list and 使用记录."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from shuzheng.core.errors import Forbidden, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import BearerAuth, principal_for_request
from shuzheng.knowledge import selectors, services
from shuzheng.knowledge import transitions as tr
from shuzheng.knowledge.contracts import ArticleInput
from shuzheng.knowledge.models import Article

router = Router(tags=["knowledge 知识库"], auth=BearerAuth())
Q_MAX = 200


class KnowledgeItemOut(Schema):
    code: str
    name: str


class KnowledgeHitOut(Schema):
    id: int
    title: str
    excerpt: str
    department: str
    department_name: str
    items: list[KnowledgeItemOut]
    score: float
    matched_words: list[str]


def _center_or_client(principal: Principal) -> None:
    if not (tr.is_center(principal) or principal.kind == "client"):
        raise Forbidden("仅 12345 热线中心和接入系统可以检索知识库。")


@router.get(
    "/knowledge/search",
    response=list[KnowledgeHitOut],
    summary="知识库检索（话务员边输入边检索）",
    description=(
        "12345 中心（话务员、班长）和 API 客户端可用。只返回已发布且在有效期内的条目；"
        "q 为空时返回空列表。"
    ),
)
def search(request: HttpRequest, q: str = "", limit: int = 5) -> list[KnowledgeHitOut]:
    _center_or_client(principal_for_request(request))
    if len(q) > Q_MAX:
        raise ValidationFailed.one("q", f"检索词不能超过 {Q_MAX} 个字。")
    if not 1 <= limit <= 50:
        raise ValidationFailed.one("limit", "返回条数应在 1 到 50 之间。")
    return [
        KnowledgeHitOut(
            id=h.id,
            title=h.title,
            excerpt=h.excerpt,
            department=h.department_code,
            department_name=h.department_name,
            items=[KnowledgeItemOut(code=i.code, name=i.name) for i in h.items],
            score=h.score,
            matched_words=list(h.matched_words),
        )
        for h in selectors.search(text=q, limit=limit)
    ]


class KnowledgeArticleOut(Schema):
    id: int
    title: str
    questions: list[str]
    answer: str
    department: str
    department_name: str
    items: list[KnowledgeItemOut]
    category: str
    category_name: str
    tags: list[str]
    status: str
    status_name: str
    valid_from: dt.date
    valid_to: dt.date | None
    version: int
    uses: int
    review_note: str
    allowed_actions: list[str]


def article_out(principal: Principal, a: Article) -> KnowledgeArticleOut:
    v = selectors.as_contract(a)
    return KnowledgeArticleOut(
        id=v.id,
        title=v.title,
        questions=list(v.questions),
        answer=v.answer,
        department=v.department_code,
        department_name=v.department_name,
        items=[KnowledgeItemOut(code=i.code, name=i.name) for i in v.items],
        category=v.category,
        category_name=v.category_name,
        tags=list(v.tags),
        status=v.status,
        status_name=v.status_name,
        valid_from=v.valid_from,
        valid_to=v.valid_to,
        version=v.version,
        uses=v.uses,
        review_note=v.review_note if selectors.may_manage(principal, a) else "",
        allowed_actions=tr.allowed_actions(principal, a),
    )


@router.get(
    "/knowledge/articles",
    response=list[KnowledgeArticleOut],
    summary="本部门（或待审核）的知识条目列表",
    description=(
        "编写或审核知识库的工作人员可用；status 可为 draft、in_review、published、retired。"
    ),
)
def articles(
    request: HttpRequest, status: str = "", department: str = "", limit: int = 100
) -> list[KnowledgeArticleOut]:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise Forbidden("仅工作人员可以管理知识库。")
    if status and status not in Article.Status.values:
        raise ValidationFailed.one("status", "状态应为 draft、in_review、published 或 retired。")
    rows = selectors.managed_articles(principal, status=status, department=department)
    return [article_out(principal, a) for a in rows[: max(1, min(limit, 500))]]


@router.get(
    "/knowledge/articles/{article_id}",
    response=KnowledgeArticleOut,
    summary="知识条目详情（含 allowed_actions）",
    description="已发布且在有效期内的条目登录即可查看；其他状态仅所属部门的编写、审核人员可见。",
)
def article(request: HttpRequest, article_id: int) -> KnowledgeArticleOut:
    principal = principal_for_request(request)
    return article_out(principal, selectors.article_for(principal, article_id))


class KnowledgeArticleIn(Schema):
    title: str = Field("", description="标题（不超过 80 字）")
    questions: list[str] = Field([], description="常见问法（每条不超过 100 字，至多 20 条）")
    answer: str = Field("", description="答复口径：话务员照读的简短答复（不超过 1000 字）")
    department: str = Field("", description="所属部门编码")
    items: list[str] = Field([], description="关联事项的实施编码")
    category: str = Field("", description="分类：social_security、housing、household …")
    tags: list[str] = []
    valid_from: str | None = Field(None, description="生效日期 YYYY-MM-DD（默认今天）")
    valid_to: str | None = Field(None, description="失效日期 YYYY-MM-DD（可空）")


class KnowledgeArticlePatch(Schema):
    title: str | None = None
    questions: list[str] | None = None
    answer: str | None = None
    department: str | None = None
    items: list[str] | None = None
    category: str | None = None
    tags: list[str] | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    version: int | None = Field(None, description="所修改的版本号（他人已改时返回 409）")


@router.post(
    "/knowledge/articles",
    response={201: KnowledgeArticleOut},
    summary="新建知识条目（草稿）",
    description="所属部门的编写人员（窗口、审批、部门负责人、热线处置人员）及 12345 中心可用。",
)
def create(request: HttpRequest, body: KnowledgeArticleIn) -> Status:
    principal = principal_for_request(request)
    a = services.article_create(
        principal=principal,
        data=ArticleInput(
            title=body.title,
            questions=tuple(body.questions),
            answer=body.answer,
            department=body.department,
            items=tuple(body.items),
            category=body.category,
            tags=tuple(body.tags),
            valid_from=body.valid_from,
            valid_to=body.valid_to,
        ),
    )
    return Status(201, article_out(principal, a))


@router.patch(
    "/knowledge/articles/{article_id}",
    response=KnowledgeArticleOut,
    summary="修改知识条目（仅草稿；已发布的先执行 revise）",
)
def update(
    request: HttpRequest, article_id: int, body: KnowledgeArticlePatch
) -> KnowledgeArticleOut:
    principal = principal_for_request(request)
    current = selectors.article_for(principal, article_id)
    if not selectors.may_manage(principal, current):
        raise Forbidden("您不能修改该部门的知识条目。")
    given = body.model_dump(exclude_unset=True)

    def pick(key: str, value: object) -> object:
        return given[key] if given.get(key) is not None else value

    data = ArticleInput(
        title=str(pick("title", current.title)),
        questions=tuple(pick("questions", current.questions)),  # type: ignore[arg-type]
        answer=str(pick("answer", current.answer)),
        department=str(pick("department", current.department_code)),
        items=tuple(pick("items", current.item_codes)),  # type: ignore[arg-type]
        category=str(pick("category", current.category)),
        tags=tuple(pick("tags", current.tags)),  # type: ignore[arg-type]
        valid_from=given.get("valid_from", current.valid_from),
        valid_to=given.get("valid_to", current.valid_to),
    )
    a = services.article_update(
        principal=principal, article_id=article_id, data=data, version=body.version
    )
    return article_out(principal, a)


class KnowledgeActionIn(Schema):
    action: str = Field(..., description="submit | publish | return | retire | revise")
    reason: str = Field("", description="退回、下架的原因")


@router.post(
    "/knowledge/articles/{article_id}/actions",
    response=KnowledgeArticleOut,
    summary="知识条目流转：提交审核、发布、退回、下架、修订",
    description="当前状态下不允许的操作返回 409 及 allowed_actions；退回、下架须填写 reason。",
)
def act(request: HttpRequest, article_id: int, body: KnowledgeActionIn) -> KnowledgeArticleOut:
    principal = principal_for_request(request)
    a = services.article_act(
        principal=principal, article_id=article_id, action=body.action, reason=body.reason
    )
    return article_out(principal, a)


class KnowledgeUseIn(Schema):
    ticket_no: str = Field(..., description="以该条目答复的工单编号")


class KnowledgeUseOut(Schema):
    id: int
    uses: int


@router.post(
    "/knowledge/articles/{article_id}/uses",
    response=KnowledgeUseOut,
    summary="记录以知识条目答复工单（一次性解答统计，同一工单只计一次）",
    description="12345 中心和 API 客户端可用。",
)
def use(request: HttpRequest, article_id: int, body: KnowledgeUseIn) -> KnowledgeUseOut:
    principal = principal_for_request(request)
    _center_or_client(principal)
    uses = services.article_record_use(
        article_id=article_id, ticket_no=body.ticket_no, actor=principal.actor
    )
    return KnowledgeUseOut(id=article_id, uses=uses)


@router.get(
    "/knowledge/expiring",
    response=list[KnowledgeArticleOut],
    summary="30 天内到期（或已过期）的已发布条目",
    description="编写或审核知识库的工作人员可用，范围为其部门（12345 中心为全部）。",
)
def expiring(request: HttpRequest) -> list[KnowledgeArticleOut]:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise Forbidden("仅工作人员可以管理知识库。")
    rows = selectors.expiring(principal, today=timezone.localdate())
    return [article_out(principal, a) for a in rows]
