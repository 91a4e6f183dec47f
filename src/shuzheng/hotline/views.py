"""Pages of the 12345 center and the departments (issue 18 items 1a, 4, 5, 6 as pages): the
operator console (话务员: who is calling, one form typed once, live 知识库 hits, 直接答复办结),
the ticket queue, a ticket's page with the actions the caller's role allows (派单 with the
suggestion and one key to confirm, 签收, 退单, 转办, 延期, 答复, 回访, 重办, 办结, 催办, 督办,
合并),
the 回访 queue and the supervisor's 争议/延期 list. Thin: parse, call ``facade``, render.
Citizen pages are in ``views_citizen``."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzheng.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from shuzheng.hotline import facade
from shuzheng.hotline.contracts import TicketInput
from shuzheng.hotline.services import actions
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import HOTLINE_HANDLER_ROLES, Principal
from shuzheng.knowledge import facade as knowledge

# The input each action asks for, in the order shown: (name, kind, label, required).
# kinds: department (all departments), assisting (several), text, textarea, number,
# satisfaction, master (a merge candidate's number).
ACTION_FIELDS: dict[str, list[tuple[str, str, Any, bool]]] = {
    "answer_direct": [("answer", "textarea", _("答复内容"), True)],
    "merge": [("master_no", "master", _("主工单编号"), True)],
    "dispatch": [
        ("department", "department", _("主办单位"), True),
        ("assisting", "assisting", _("协办单位（可多选）"), False),
    ],
    "sign": [],
    "return": [("reason", "textarea", _("退单理由"), True)],
    "decide": [
        ("department", "department", _("裁定承办单位"), True),
        ("reason", "text", _("裁定意见"), False),
    ],
    "transfer": [
        ("department", "department", _("转至承办单位"), True),
        ("reason", "text", _("转办理由"), True),
    ],
    "extend": [
        ("amount", "number", _("延期时长（按工单时限单位）"), True),
        ("reason", "text", _("延期理由"), True),
    ],
    "approve_extension": [("reason", "text", _("审批意见"), False)],
    "reject_extension": [("reason", "text", _("审批意见"), False)],
    "answer": [("answer", "textarea", _("答复内容"), True)],
    "callback": [
        ("satisfaction", "satisfaction", _("诉求人评价"), True),
        ("note", "text", _("回访记录"), False),
    ],
    "reopen": [("reason", "text", _("重办说明"), False)],
    "close": [("reason", "text", _("办结理由"), True)],
    "urge": [("note", "text", _("催办意见"), False)],
    "supervise": [("reason", "text", _("督办意见"), True)],
}
PARAMS = ("department", "reason", "note", "answer", "knowledge_ref", "master_no", "satisfaction")
FIELD_LABELS = {
    "content": _("诉求内容"),
    "type": _("诉求类型"),
    "category": _("诉求分类"),
    "address": _("地址"),
    "region_code": _("区县/镇街"),
    "urgency": _("紧急程度"),
    "caller_phone": _("来电号码"),
    "caller_name": _("来电人姓名"),
    "reporter_id_number": _("诉求人"),
    "linked_case_no": _("所涉办件编号"),
    "respondent": _("被反映单位/人"),
    "attachments": _("附件"),
}


def _principal(request: HttpRequest) -> Principal:
    return identity.principal_for_request(request)


def _center(request: HttpRequest) -> Principal:
    principal = _principal(request)
    if not actions.is_center(principal):
        raise PermissionDenied(_t("仅 12345 热线中心的话务员和班长可以访问。"))
    return principal


def _desk(request: HttpRequest) -> Principal:
    """The center or a department's 工单处置人员."""
    principal = _principal(request)
    if not (actions.is_center(principal) or principal.departments_for(HOTLINE_HANDLER_ROLES)):
        raise PermissionDenied(_t("仅 12345 热线中心和承办单位的工单处置人员可以访问。"))
    return principal


def field_messages(exc: ValidationFailed) -> dict[str, str]:
    """{field: Chinese message}; ``attachments[0]`` counts as ``attachments``."""
    out: dict[str, str] = {}
    for e in exc.errors:
        out.setdefault(e.field.split("[")[0], e.message)
    return out


DATE_KEYS = frozenset(
    {
        "created_at",
        "due_at",
        "dispatched_at",
        "sign_due_at",
        "signed_at",
        "answered_at",
        "closed_at",
        "at",
    }
)
WARNING_WORDS = {
    "yellow": _("黄牌预警：办理时限将到"),
    "red": _("红牌预警：办理时限即将届满或已超期"),
}


def readable(value: Any) -> Any:
    """The facade's JSON made for a template: ISO times as datetimes (shown with ``|date``),
    the 预警 level in words (``warning_name``)."""
    if isinstance(value, list):
        return [readable(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k in DATE_KEYS and isinstance(v, str):
            out[k] = dt.datetime.fromisoformat(v)
        else:
            out[k] = readable(v) if isinstance(v, (dict, list)) else v
    if "warning" in value:
        out["warning_name"] = WARNING_WORDS.get(value["warning"], "")
    if isinstance(out.get("due_at"), dt.datetime) and value.get("status") in AT_DEPARTMENT:
        out["due_words"] = time_left(out["due_at"])
    return out


AT_DEPARTMENT = ("dispatched", "handling")


def time_left(due: dt.datetime, now: dt.datetime | None = None) -> str:
    """剩余 2 天 3 小时 / 已超期 5 小时: the time limit in words (clock time)."""
    seconds = int((due - (now or timezone.now())).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    days, hours = divmod(hours, 24)
    if days:
        span = _t("%(d)d 天 %(h)d 小时") % {"d": days, "h": hours}
    elif hours:
        span = _t("%(h)d 小时 %(m)d 分钟") % {"h": hours, "m": minutes}
    else:
        span = _t("%(m)d 分钟") % {"m": minutes}
    return (_t("剩余 %(span)s") if seconds >= 0 else _t("已超期 %(span)s")) % {"span": span}


def _departments() -> list[tuple[str, str]]:
    return sorted(identity.department_names().items(), key=lambda kv: kv[0])


# --- the operator console ------------------------------------------------------------------


def _caller_info(principal: Principal, phone: str) -> dict[str, Any]:
    """Who is calling: the registered person(s) with this phone, their earlier tickets and their
    open 办件 (``facade.caller``; the cases facade audits that read of personal data)."""
    phone = phone.strip()
    if not phone:
        return {}
    known = facade.caller(principal, phone)
    people = [{**p, "registered": True} for p in known["people"]]
    if not people and (known["name"] or known["id_number"]):
        people.append(
            {
                "id_number": known["id_number"],
                "id_masked": identity.mask_id_number(known["id_number"])
                if known["id_number"]
                else "",
                "name": known["name"],
                "registered": False,
            }
        )
    return {
        "phone": phone,
        "people": people,
        "tickets": readable(known["tickets"]),
        "tickets_total": known["tickets_total"],
        "cases": known["open_cases"],
    }


def _kb_hits(text: str) -> list[Any]:
    text = text.strip()
    return knowledge.search(text=text, limit=5) if len(text) >= 2 else []


CONSOLE_FIELDS = (
    "caller_phone",
    "caller_name",
    "reporter_id_number",
    "type",
    "content",
    "address",
    "urgency",
    "linked_case_no",
    "respondent",
)


@login_required
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest) -> HttpResponse:
    """话务员工作台. GET ``?phone=`` is what a telephony system opens on an incoming call. The
    form's buttons: 识别来电 / 搜索知识库 (re-render with the caller or the hits, no JavaScript
    needed), 登记工单 (then the ticket page: 派单建议, 合并), 直接答复办结 from an article."""
    principal = _center(request)
    source = request.POST if request.method == "POST" else request.GET
    values: dict[str, Any] = {k: source.get(k, "").strip() for k in CONSOLE_FIELDS}
    values["caller_phone"] = values["caller_phone"] or request.GET.get("phone", "").strip()
    values["confidential"] = source.get("confidential", "") == "1"
    if not values["urgency"]:
        values["urgency"] = "normal"
    caller = _caller_info(principal, values["caller_phone"])
    if caller.get("people") and not values["reporter_id_number"]:
        values["reporter_id_number"] = caller["people"][0]["id_number"]
        values["caller_name"] = values["caller_name"] or caller["people"][0]["name"]
    errors: dict[str, str] = {}
    message = ""
    op = source.get("op", "")
    article_id = source.get("article", "")
    if request.method == "POST" and (op in ("create", "direct") or article_id):
        data = TicketInput(
            content=values["content"],
            type=values["type"],
            address=values["address"],
            urgency=values["urgency"],
            confidential=values["confidential"],
            caller_phone=values["caller_phone"],
            caller_name=values["caller_name"],
            reporter_id_number=values["reporter_id_number"],
            linked_case_no=values["linked_case_no"],
            respondent=values["respondent"],
        )
        found = knowledge.article(article_id=int(article_id)) if article_id.isdigit() else None
        if article_id and found is None:
            message = _t("该知识库条目已不在有效期内，请重新搜索。")
        else:
            try:
                ticket = facade.ticket_create(principal=principal, data=data, channel="phone")
            except ValidationFailed as exc:
                errors, message = field_messages(exc), exc.message
            except DomainError as exc:
                message = exc.message
            else:
                no = ticket["ticket_no"]
                if found is not None:
                    try:
                        facade.ticket_act(
                            principal=principal,
                            ticket_no=no,
                            action="answer_direct",
                            answer=found.answer,
                            knowledge_ref=str(found.id),
                        )
                        knowledge.record_use(
                            article_id=found.id, ticket_no=no, actor=principal.actor
                        )
                    except DomainError as exc:
                        message = exc.message
                    else:
                        return redirect(reverse("hotline:ticket", args=[no]) + "?done=direct")
                return redirect(reverse("hotline:ticket", args=[no]) + "?done=create")
    return render(
        request,
        "hotline/console.html",
        {
            "values": values,
            "errors": errors,
            "message": message,
            "caller": caller,
            "hits": _kb_hits(values["content"]),
            "types": facade.ticket_types(),
            "urgencies": facade.urgencies(),
            "labels": FIELD_LABELS,
        },
    )


@login_required
@require_GET
def kb_hits(request: HttpRequest) -> HttpResponse:
    """The console's live 知识库 hits (htmx, as the operator types the content)."""
    _center(request)
    text = request.GET.get("content", "")[:500]
    return render(request, "hotline/_kb_hits.html", {"hits": _kb_hits(text), "searched": True})


@login_required
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """The console's caller panel (htmx, when the number is typed)."""
    principal = _center(request)
    phone = request.GET.get("caller_phone", "")[:20]
    return render(request, "hotline/_caller.html", {"caller": _caller_info(principal, phone)})


# --- queue, ticket page, actions -------------------------------------------------------------

WARNINGS = (("yellow", _("黄牌预警")), ("red", _("红牌预警")))


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """工单列表: the center sees every ticket, a department its own (scoped by the selector)."""
    principal = _desk(request)
    center = actions.is_center(principal)
    statuses = {c.code for c in facade.statuses()}
    status = request.GET.get("status", "")
    status = status if status in statuses else ""
    department = request.GET.get("department", "") if center else ""
    region = request.GET.get("region", "")
    warning = request.GET.get("warning", "")
    warning = warning if warning in ("yellow", "red") else ""
    q = request.GET.get("q", "").strip()[:50]
    raw_page = request.GET.get("page", "1")[:6]
    page = max(1, int(raw_page)) if raw_page.isdigit() else 1  # at most 999999
    per = 30
    total, rows = facade.ticket_list(
        principal,
        status=status,
        department=department,
        region=region,
        q=q,
        warning=warning,
        limit=per,
        offset=(page - 1) * per,
    )
    query = {
        k: v
        for k, v in {
            "status": status,
            "department": department,
            "region": region,
            "warning": warning,
            "q": q,
        }.items()
        if v
    }
    return render(
        request,
        "hotline/queue.html",
        {
            "rows": readable(rows),
            "total": total,
            "center": center,
            "status": status,
            "department": department,
            "region": region,
            "warning": warning,
            "q": q,
            "statuses": facade.statuses(),
            "departments": _departments() if center else [],
            "counties": facade.counties(),
            "warnings": WARNINGS,
            "page": page,
            "prev_url": f"?{urlencode({**query, 'page': page - 1})}" if page > 1 else "",
            "next_url": f"?{urlencode({**query, 'page': page + 1})}" if page * per < total else "",
        },
    )


@login_required
@require_GET
def callbacks(request: HttpRequest) -> HttpResponse:
    """回访队列: answered tickets waiting for the center's callback, oldest first."""
    principal = _center(request)
    total, rows = facade.ticket_list(principal, status="answered", limit=200)
    rows.sort(key=lambda r: r["created_at"] or "")
    return render(
        request,
        "hotline/callbacks.html",
        {
            "rows": readable(rows),
            "total": total,
            "satisfactions": facade.satisfactions(),
            "done": DONE.get(request.GET.get("done", ""), ""),
        },
    )


@login_required
@require_GET
def supervisor(request: HttpRequest) -> HttpResponse:
    """班长: 争议工单 to decide and 延期申请 to approve or reject."""
    principal = _center(request)
    if not principal.has_role("hotline_supervisor"):
        raise PermissionDenied(_t("仅 12345 热线中心班长可以访问。"))
    _n, disputed = facade.ticket_list(principal, status="disputed", limit=200)
    _m, extensions = facade.ticket_list(principal, extension_pending=True, limit=200)
    return render(
        request,
        "hotline/supervisor.html",
        {"disputed": readable(disputed), "extensions": readable(extensions)},
    )


DONE = {
    "create": _("工单已登记。"),
    "direct": _("已依据知识库直接答复，工单已办结。"),
    "act": _("操作已完成。"),
}


def _action_forms(principal: Principal, detail: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name in detail["allowed_actions"]:
        if name == "escalate":
            continue
        out.append(
            {
                "action": name,
                "label": detail["action_labels"].get(name, facade.action_label(name)),
                "fields": [
                    {"name": f, "kind": k, "label": label, "required": req}
                    for f, k, label, req in ACTION_FIELDS.get(name, [])
                ],
            }
        )
    return out


def _ticket_context(request: HttpRequest, principal: Principal, ticket_no: str) -> dict[str, Any]:
    try:
        t = facade.ticket_detail(principal, ticket_no)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    center = actions.is_center(principal)
    forms = _action_forms(principal, t)
    names = {f["action"] for f in forms}
    suggestion: dict[str, Any] | None = None
    if names & {"dispatch", "decide", "transfer"} and center:
        suggestion = facade.suggest(text=t["content"], address=t["address"])
    supervision = [
        {"n": n, "url": reverse("hotline:supervision_pdf", args=[t["ticket_no"], n])}
        for n in range(1, t["supervise_count"] + 1)
    ]
    return {
        "t": readable(t),
        "center": center,
        "forms": forms,
        "suggestion": suggestion,
        "merge": facade.merge_candidates(principal, ticket_no) if "merge" in names else [],
        "hits": _kb_hits(t["content"]) if "answer_direct" in names else [],
        "departments": _departments(),
        "satisfactions": facade.satisfactions(),
        "supervision": supervision,
        "done": DONE.get(request.GET.get("done", ""), ""),
    }


@login_required
@require_GET
def ticket(request: HttpRequest, ticket_no: str) -> HttpResponse:
    principal = _desk(request)
    return render(request, "hotline/ticket.html", _ticket_context(request, principal, ticket_no))


@login_required
@require_POST
def act(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """One action from the ticket page's forms; refused input re-renders the page with the
    Chinese message (422 with the field named, 409 with the actions now allowed)."""
    principal = _desk(request)
    action = request.POST.get("action", "")[:40]
    params: dict[str, Any] = {k: request.POST.get(k, "") for k in PARAMS if k in request.POST}
    if "assisting" in request.POST:
        params["assisting"] = [c for c in request.POST.getlist("assisting") if c]
    if "amount" in request.POST:
        raw = request.POST.get("amount", "").strip()
        if not raw.isdigit():
            return _refused(
                request,
                principal,
                ticket_no,
                action,
                ValidationFailed.one("amount", _t("请填写延期时长（正整数）。")),
            )
        params["amount"] = int(raw)
    if action == "answer_direct" and params.get("knowledge_ref", "").isdigit():
        found = knowledge.article(article_id=int(params["knowledge_ref"]))
        if found is not None and not params.get("answer"):
            params["answer"] = found.answer
    try:
        facade.ticket_act(principal=principal, ticket_no=ticket_no, action=action, **params)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        return _refused(request, principal, ticket_no, action, exc)
    if action == "answer_direct" and params.get("knowledge_ref", "").isdigit():
        with contextlib.suppress(DomainError):  # the answer stands; the count is a statistic
            knowledge.record_use(
                article_id=int(params["knowledge_ref"]), ticket_no=ticket_no, actor=principal.actor
            )
    nxt = request.POST.get("next", "")
    if nxt == "callbacks":
        return redirect(reverse("hotline:callbacks") + "?done=act")
    try:
        facade.ticket_detail(principal, ticket_no)
    except NotFound:  # e.g. a department that 退单: the ticket left its desk
        return redirect(reverse("hotline:queue") + "?done=act")
    return redirect(reverse("hotline:ticket", args=[ticket_no]) + "?done=act")


def _refused(
    request: HttpRequest, principal: Principal, ticket_no: str, action: str, exc: DomainError
) -> HttpResponse:
    ctx = _ticket_context(request, principal, ticket_no)
    ctx["error"] = exc.message
    ctx["error_action"] = action
    ctx["errors"] = field_messages(exc) if isinstance(exc, ValidationFailed) else {}
    ctx["posted"] = request.POST
    status = 409 if isinstance(exc, Conflict) else exc.status if exc.status >= 400 else 400
    return render(request, "hotline/ticket.html", ctx, status=status)


@login_required
@require_GET
def supervision_pdf(request: HttpRequest, ticket_no: str, n: int) -> HttpResponse:
    principal = _desk(request)
    try:
        pdf, name = facade.supervision_pdf(principal, ticket_no, n)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    from urllib.parse import quote

    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
