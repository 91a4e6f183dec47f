"""Pages of the 知识库: department staff list, write and submit their department's articles;
reviewers (the 12345 班长, department heads) work the 待审核 queue; citizens read the published
ones as 常见问题. Plain forms, no JavaScript needed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.knowledge import selectors, services
from shuzheng.knowledge import transitions as tr
from shuzheng.knowledge.contracts import ArticleInput
from shuzheng.knowledge.models import Article

S = Article.Status


def _staff(request: HttpRequest) -> Principal:
    principal = principal_for_request(request)
    if not selectors.manages_any(principal):
        raise PermissionDenied("仅编写或审核知识库的工作人员可以访问。")
    return principal


def _actions(principal: Principal, a: Article) -> list[dict[str, Any]]:
    return [
        {
            "action": name,
            "label": tr.ARTICLE.label(name),
            "reason": name in tr.REASON_REQUIRED,
        }
        for name in tr.allowed_actions(principal, a)
    ]


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    status = request.GET.get("status", "")
    if status not in Article.Status.values:
        status = ""
    q = request.GET.get("q", "").strip()[:50]
    rows = [
        {"a": a, "dept": selectors.department_name(a.department_code)}
        for a in selectors.managed_articles(principal, status=status, q=q)[:200]
    ]
    return render(
        request,
        "knowledge/manage.html",
        {
            "rows": rows,
            "status": status,
            "q": q,
            "statuses": Article.Status.choices,
            "expiring": selectors.expiring(principal, today=timezone.localdate()),
            "today": timezone.localdate(),
            "queue_count": len(selectors.review_queue(principal)),
            "can_write": bool(selectors.writable_departments(principal)),
        },
    )


def _form_input(post: Any) -> ArticleInput:
    return ArticleInput(
        title=post.get("title", ""),
        questions=post.get("questions", ""),
        answer=post.get("answer", ""),
        department=post.get("department", ""),
        items=post.get("items", ""),
        category=post.get("category", ""),
        tags=post.get("tags", ""),
        valid_from=post.get("valid_from", ""),
        valid_to=post.get("valid_to", ""),
    )


def _form_context(principal: Principal, values: dict[str, Any], errors: dict[str, str]) -> dict:
    return {
        "values": values,
        "errors": errors,
        "departments": selectors.writable_departments(principal),
        "categories": Article.Category.choices,
    }


def _values_of(a: Article) -> dict[str, Any]:
    return {
        "title": a.title,
        "questions": "\n".join(a.questions),
        "answer": a.answer,
        "department": a.department_code,
        "items": " ".join(a.item_codes),
        "category": a.category,
        "tags": "，".join(a.tags),
        "valid_from": a.valid_from.isoformat() if a.valid_from else "",
        "valid_to": a.valid_to.isoformat() if a.valid_to else "",
        "version": a.version,
    }


def _field_errors(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in exc.errors:
        out.setdefault(e.field, e.message)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    departments = selectors.writable_departments(principal)
    if not departments:
        raise PermissionDenied("您没有编写知识库条目的角色。")
    values: dict[str, Any] = {"department": departments[0][0] if len(departments) == 1 else ""}
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        values = request.POST.dict()
        try:
            a = services.article_create(principal=principal, data=_form_input(request.POST))
        except ValidationFailed as exc:
            errors, message = _field_errors(exc), exc.message
        except DomainError as exc:
            message = exc.message
        else:
            return redirect(reverse("knowledge:detail", args=[a.pk]) + "?done=create")
    ctx = _form_context(principal, values, errors)
    ctx.update({"article": None, "message": message})
    return render(
        request, "knowledge/edit.html", ctx, status=422 if request.method == "POST" else 200
    )


def _managed(principal: Principal, article_id: int) -> Article:
    try:
        a = selectors.article_for(principal, article_id)
    except NotFound:
        raise Http404("未找到该知识条目。") from None
    if not selectors.may_manage(principal, a):
        raise Http404("未找到该知识条目。")
    return a


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, article_id: int) -> HttpResponse:
    principal = _staff(request)
    a = _managed(principal, article_id)
    values = _values_of(a)
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if a.status != S.DRAFT:
        message = str(_("只有草稿可以修改；已发布或已下架的条目请先“修订”。"))
        status = 409
    elif request.method == "POST":
        values = request.POST.dict()
        try:
            version = int(request.POST.get("version", "") or 0) or None
            services.article_update(
                principal=principal,
                article_id=a.pk,
                data=_form_input(request.POST),
                version=version,
            )
        except ValidationFailed as exc:
            errors, message, status = _field_errors(exc), exc.message, 422
        except DomainError as exc:
            message, status = exc.message, exc.status
        except ValueError:
            message, status = "版本号不正确，请刷新后再改。", 422
        else:
            return redirect(reverse("knowledge:detail", args=[a.pk]) + "?done=edit")
    ctx = _form_context(principal, values, errors)
    ctx.update({"article": a, "message": message, "editable": a.status == S.DRAFT})
    return render(request, "knowledge/edit.html", ctx, status=status)


DONE = {
    "create": _("已保存为草稿。"),
    "edit": _("已保存修改。"),
    "submit": _("已提交审核。"),
    "publish": _("已发布，话务员现在可以检索到这条知识。"),
    "return": _("已退回修改。"),
    "retire": _("已下架。"),
    "revise": _("已转为草稿，可以修改；修改期间话务员检索不到这条知识。"),
}


@login_required
def detail(
    request: HttpRequest, article_id: int, *, message: str = "", status: int = 200
) -> HttpResponse:
    principal = _staff(request)
    a = _managed(principal, article_id)
    done = str(DONE.get(request.GET.get("done", ""), ""))
    return render(
        request,
        "knowledge/detail.html",
        {
            "a": a,
            "dept_name": selectors.department_name(a.department_code),
            "actions": _actions(principal, a),
            "done": done,
            "message": message,
            "reason_error": "",
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def act(request: HttpRequest, article_id: int, action: str) -> HttpResponse:
    principal = _staff(request)
    a = _managed(principal, article_id)
    back = request.POST.get("next", "")
    try:
        services.article_act(
            principal=principal,
            article_id=a.pk,
            action=action,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        return detail(request, article_id, message=exc.message, status=exc.status)
    except DomainError as exc:
        return detail(request, article_id, message=exc.message, status=exc.status)
    if back == "review":
        return redirect(reverse("knowledge:review") + f"?done={action}")
    return redirect(reverse("knowledge:detail", args=[a.pk]) + f"?done={action}")


@login_required
def review(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    rows = selectors.review_queue(principal)
    return render(
        request,
        "knowledge/review.html",
        {
            "rows": [
                {
                    "a": a,
                    "dept_name": selectors.department_name(a.department_code),
                    "actions": _actions(principal, a),
                }
                for a in rows
            ],
            "done": str(DONE.get(request.GET.get("done", ""), "")),
        },
    )


# --- 常见问题 (public) ------------------------------------------------------------------------


def faq(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    today = timezone.localdate()
    rows = selectors.public_faq(q=q, today=today)
    return render(request, "knowledge/faq.html", {"rows": rows, "q": q, "searched": bool(q)})


def faq_article(request: HttpRequest, article_id: int) -> HttpResponse:
    a = selectors.published(article_id)
    if a is None:
        raise Http404("未找到该问题。")
    return render(request, "knowledge/faq_article.html", {"a": a})
