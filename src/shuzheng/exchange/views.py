"""Pages: the personal / enterprise data space (/dataspace/) and the data officers' desk
(/data/). Plain forms and links; everything works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import DomainError, Forbidden, NotFound, Unauthenticated
from shuzheng.exchange import selectors, services
from shuzheng.exchange.contracts import ResourceInfo
from shuzheng.exchange.models import (
    Classification,
    ConsentScope,
    Consumer,
    Frequency,
    Masking,
    ShareLevel,
    ShareRequest,
)
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request

PURPOSES = list(ShareRequest.Purpose.choices)
LABELS = {
    "share": dict(ShareLevel.choices),
    "grade": dict(Classification.choices),
    "masking": dict(Masking.choices),
    "frequency": dict(Frequency.choices),
    "consent": dict(ConsentScope.choices),
}


def display(value: Any) -> str:
    """A value as people read it: lists joined, booleans as 是/否, nothing as —."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(display(v) for v in value)
    return str(value)


def _principal(request: HttpRequest) -> Principal:
    return principal_for_request(request)


def _refuse(exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    if isinstance(exc, Forbidden | Unauthenticated):
        raise PermissionDenied(exc.message)


def _refused_post(
    request: HttpRequest,
    principal: Principal,
    exc: DomainError,
    *,
    action: str,
    object_type: str,
    object_id: Any,
) -> None:
    """A form sent by a caller the page refuses (before the service is reached) is a refused
    attempt: audited like the service audits it. Showing the page (GET) is not an attempt."""
    if request.method == "POST":
        services.refusal_record(
            principal, exc, action=action, object_type=object_type, object_id=object_id
        )


def _errors(exc: DomainError) -> dict[str, str]:
    out = {e.field.split(".")[0]: e.message for e in exc.errors}
    if not out:
        out["__all__"] = exc.message
    return out


def _titles(info: ResourceInfo) -> dict[str, str]:
    return {f.name: f.title for f in info.fields}


# --- data space ----------------------------------------------------------------------------------


def _space_context(principal: Principal, enterprise: str | None) -> dict[str, Any]:
    data = selectors.my_data(principal, enterprise)
    for block in data:
        for f in block["fields"]:
            f["display"] = display(f["value"])
    all_resources = {r.code: r for r in selectors.resources()}
    consents = selectors.consents_for(principal, enterprise)
    usage = selectors.usage_for(principal, enterprise, limit=100)
    kind = "enterprise" if enterprise else "person"
    consumers = {c.client_id: c.name for c in selectors.consumers()}
    return {
        "principal": principal,
        "enterprise": enterprise,
        "data": data,
        "consents": [
            {
                "c": c,
                "state": selectors.consent_state(c),
                "fields": "、".join(
                    _titles(all_resources[c.resource.code]).get(f, f) for f in c.fields
                )
                if c.resource.code in all_resources
                else "、".join(c.fields),
            }
            for c in consents
        ],
        "usage": [
            {
                "call": u,
                "resource_name": all_resources[u.resource_code].name
                if u.resource_code in all_resources
                else u.resource_code,
                "consumer_name": consumers.get(u.consumer, u.consumer_name),
                "fields": "、".join(
                    _titles(all_resources[u.resource_code]).get(f, f) for f in u.fields
                )
                if u.resource_code in all_resources
                else "、".join(u.fields),
                "purpose": dict(PURPOSES).get(u.purpose, u.purpose),
            }
            for u in usage
        ],
        "consentable": [
            r
            for r in all_resources.values()
            if r.subject_kind == kind and r.consent_scope != ConsentScope.NONE
        ],
        "issues": [  # each with its field's title (户籍地址), never its path (person.hukou_address)
            {
                "i": i,
                "title": _titles(all_resources[i.resource.code]).get(i.field_name, i.field_name)
                if i.resource.code in all_resources
                else i.field_name,
            }
            for i in selectors.issues_of_subject(principal, enterprise)
        ],
    }


@login_required
def space(request: HttpRequest) -> HttpResponse:
    """个人数字空间: my data, who used it, my consents, my corrections."""
    principal = _principal(request)
    try:
        context = _space_context(principal, None)
    except DomainError as exc:
        _refuse(exc)
        raise
    return render(request, "exchange/space.html", context)


@login_required
def enterprise_space(request: HttpRequest, uscc: str) -> HttpResponse:
    """法人数字空间 for an enterprise the caller is a valid agent of."""
    principal = _principal(request)
    try:
        context = _space_context(principal, uscc)
    except DomainError as exc:
        _refuse(exc)
        raise
    return render(request, "exchange/space.html", context)


def _space_url(enterprise: str | None) -> str:
    if enterprise:
        return reverse("dataspace:enterprise", args=[enterprise])
    return reverse("dataspace:home")


@login_required
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    source = request.POST if request.method == "POST" else request.GET
    enterprise = source.get("enterprise") or None
    try:
        kind, _ = selectors.own_subject(principal, enterprise)
    except DomainError as exc:
        _refused_post(
            request,
            principal,
            exc,
            action="exchange.consent_grant_refused",
            object_type="exchange.resource",
            object_id=source.get("resource", "")[:40],
        )
        _refuse(exc)
        raise Http404(exc.message) from None
    try:
        info = selectors.resource_info(source.get("resource", ""))
    except DomainError as exc:
        raise Http404(exc.message) from None
    if info.subject_kind != kind or info.consent_scope == ConsentScope.NONE:
        raise Http404("该资源不能由您授权。")
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "requester": str(source.get("requester", "")),
        "purpose": str(source.get("purpose", "")),
        "days": str(source.get("days", "90")),
        "fields": source.getlist("fields") if request.method == "POST" else info.field_names,
    }
    if request.method == "POST":
        try:
            services.consent_grant(
                principal=principal,
                requester=values["requester"],
                resource_code=info.code,
                purpose=values["purpose"],
                days=values["days"],
                fields=values["fields"] or [],
                enterprise_uscc=enterprise,
            )
        except DomainError as exc:
            errors = _errors(exc)
            if "fields" in errors and not values["fields"]:
                errors["fields"] = "请至少选择一个信息项。"
        else:
            messages.success(request, f"已授权：{info.name}。您可以随时撤销，撤销立即生效。")
            return HttpResponseRedirect(_space_url(enterprise) + "#consents")
    return render(
        request,
        "exchange/consent_new.html",
        {
            "resource": info,
            "enterprise": enterprise,
            "consumers": selectors.consumers(kind=Consumer.Kind.OUTSIDE)
            if info.consent_scope == ConsentScope.OUTSIDE
            else selectors.consumers(),
            "values": values,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request)
    try:
        consent = services.consent_revoke(principal=principal, consent_id=pk)
    except DomainError as exc:
        _refuse(exc)
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("dataspace:home") + "#consents")
    messages.success(
        request, f"已撤销对{consent.requester_name}的授权（{consent.resource.name}），立即生效。"
    )
    enterprise = consent.subject_id if consent.subject_kind == "enterprise" else None
    return HttpResponseRedirect(_space_url(enterprise) + "#consents")


@login_required
@require_http_methods(["GET", "POST"])
def correction_new(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    source = request.POST if request.method == "POST" else request.GET
    enterprise = source.get("enterprise") or None
    try:
        kind, _sid = selectors.own_subject(principal, enterprise)
    except DomainError as exc:
        _refused_post(
            request,
            principal,
            exc,
            action="exchange.correction_report_refused",
            object_type="exchange.resource",
            object_id=source.get("resource", "")[:40],
        )
        _refuse(exc)
        raise Http404(exc.message) from None
    try:
        info = selectors.resource_info(source.get("resource", ""))
    except DomainError as exc:
        raise Http404(exc.message) from None
    field = info.field(source.get("field", ""))
    if field is None or info.subject_kind != kind:
        raise Http404("没有这个信息项。")
    current = next(
        (
            f["value"]
            for block in selectors.my_data(principal, enterprise)
            if block["resource"].code == info.code
            for f in block["fields"]
            if f["name"] == field.name
        ),
        None,
    )
    errors: dict[str, str] = {}
    values = {
        "proposed_value": source.get("proposed_value", ""),
        "reason": source.get("reason", ""),
    }
    if request.method == "POST":
        try:
            issue = services.correction_report(
                principal=principal,
                resource_code=info.code,
                field=field.name,
                proposed_value=values["proposed_value"],
                reason=values["reason"],
                enterprise_uscc=enterprise,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                f"已提交纠错，{selectors.department_names().get(issue.department, '')}"
                f"将在 {issue.due_date:%Y-%m-%d} 前处理。",
            )
            return HttpResponseRedirect(_space_url(enterprise) + "#corrections")
    return render(
        request,
        "exchange/correction_new.html",
        {
            "resource": info,
            "field": field,
            "current": display(current),
            "enterprise": enterprise,
            "values": values,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


# --- data officers' desk -------------------------------------------------------------------------


def _officer(request: HttpRequest, attempt: tuple[str, str, Any] | None = None) -> Principal:
    """The data officer (or platform admin) using the desk; others get 403. ``attempt`` —
    (action, object type, object id) — names what a refused form would have done (audited)."""
    principal = _principal(request)
    try:
        selectors.visible_departments(principal)
    except DomainError as exc:
        if attempt is not None:
            action, object_type, object_id = attempt
            _refused_post(
                request,
                principal,
                exc,
                action=action,
                object_type=object_type,
                object_id=object_id,
            )
        raise PermissionDenied(exc.message) from None
    return principal


@login_required
def officer_home(request: HttpRequest) -> HttpResponse:
    principal = _officer(request)
    figures = selectors.dashboard(principal)
    peak = max((d["calls"] for d in figures["calls_per_day"]), default=0) or 1
    for d in figures["calls_per_day"]:
        d["width"] = round(100 * d["calls"] / peak)
    return render(
        request,
        "exchange/officer_home.html",
        {
            "principal": principal,
            "f": figures,
            "pending": selectors.requests_for(principal, box="incoming", status="pending")[:10],
            "names": selectors.department_names(),
            "today": timezone.localdate(),
        },
    )


@login_required
def officer_resources(request: HttpRequest) -> HttpResponse:
    _officer(request)
    names = selectors.department_names()
    reports = {r.resource: r for r in selectors.quality()}
    rows = [
        {"r": r, "q": reports.get(r.code), "dept": names.get(r.source_department, "")}
        for r in selectors.resources()
    ]
    return render(request, "exchange/officer_resources.html", {"rows": rows, "labels": LABELS})


@login_required
def officer_resource(request: HttpRequest, code: str) -> HttpResponse:
    _officer(request)
    try:
        info = selectors.resource_info(code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "exchange/officer_resource.html",
        {
            "r": info,
            "q": selectors.quality(info.code)[0],
            "dept": selectors.department_names().get(info.source_department, ""),
            "labels": LABELS,
        },
    )


@login_required
def officer_requests(request: HttpRequest) -> HttpResponse:
    principal = _officer(request)
    names = selectors.department_names()

    def rows(box: str) -> list[dict[str, Any]]:
        return [
            {"r": r, "t": selectors.request_timing(r), "consumer": names.get(r.consumer_department)}
            for r in selectors.requests_for(principal, box=box)
        ]

    return render(
        request,
        "exchange/officer_requests.html",
        {"incoming": rows("incoming"), "outgoing": rows("outgoing")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_request(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = ("exchange.request_decision_refused", "exchange.request", pk)
    principal = _officer(request, attempt)
    try:
        req = selectors.request_for(principal, pk)
    except NotFound as exc:
        _refused_post(
            request,
            principal,
            exc,
            action=attempt[0],
            object_type=attempt[1],
            object_id=pk,
        )
        raise Http404(exc.message) from None
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.request_decide(
                principal=principal,
                request_id=pk,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
                fields=request.POST.getlist("fields") or None,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"共享申请 #{pk} 已审批。")
            return HttpResponseRedirect(reverse("dataofficer:request", args=[pk]))
        req = selectors.request_for(principal, pk)
    info = selectors.resource_info(req.resource.code)
    titles = _titles(info)
    can_decide = (
        req.status == ShareRequest.Status.PENDING
        and principal.has_role(selectors.DATA_OFFICER, req.resource.source_department)
        and req.requested_by != principal.actor
    )
    grant = getattr(req, "grant", None)
    names = selectors.department_names()
    return render(
        request,
        "exchange/officer_request.html",
        {
            "req": req,
            "t": selectors.request_timing(req),
            "fields": [(f, titles.get(f, f)) for f in req.fields],
            "grant_fields": "、".join(titles.get(f, f) for f in grant.fields) if grant else "",
            "grant": grant,
            "names": names,
            "requested_by": actor_words(req.requested_by, names),
            "decided_by": actor_words(req.decided_by, names),
            "can_decide": can_decide,
            "errors": errors,
            "values": request.POST,
        },
        status=422 if errors else 200,
    )


def actor_words(actor: str, names: dict[str, str]) -> str:
    """Who acted on a share request, in words (issue 17): a department code in it becomes the
    department's name (``demo:441200-RSJ 数据管理员`` → 肇庆市人力资源和社会保障局 数据管理员), a
    staff account its login name, a system its name; never the actor id as recorded."""
    kind, _, rest = (actor or "").partition(":")
    if not rest:
        return actor or ""
    if kind == "system":
        return f"系统（{rest}）"
    if kind == "client":
        return f"接口调用方 {rest}"
    if kind == "demo":
        code, _, role = rest.partition(" ")
        return f"{names.get(code, code)} {role}".strip()
    return rest  # user:<login name>


@login_required
@require_http_methods(["GET", "POST"])
def officer_request_new(request: HttpRequest) -> HttpResponse:
    principal = _officer(
        request,
        ("exchange.request_refused", "exchange.resource", request.POST.get("resource", "")[:40]),
    )
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("resource", "")
    info = None
    if code:
        try:
            info = selectors.resource_info(code)
        except NotFound:
            info = None
    mine = selectors.officer_departments(principal)
    names = selectors.department_names()
    errors: dict[str, str] = {}
    values = {
        "consumer_department": source.get("consumer_department", mine[0] if mine else ""),
        "consumer_client": source.get("consumer_client", ""),
        "purpose": source.get("purpose", "service"),
        "scenario": source.get("scenario", ""),
        "legal_basis": source.get("legal_basis", ""),
        "days": source.get("days", "365"),
        "fields": source.getlist("fields"),
    }
    if request.method == "POST" and info is not None:
        try:
            req = services.request_submit(
                principal=principal,
                resource_code=info.code,
                fields=values["fields"],  # type: ignore[arg-type]
                purpose=str(values["purpose"]),
                scenario=str(values["scenario"]),
                legal_basis=str(values["legal_basis"]),
                days=values["days"],  # type: ignore[arg-type]
                consumer_department=str(values["consumer_department"]),
                consumer_client=str(values["consumer_client"]),
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                "已即时获得授权（秒享）。"
                if req.instant
                else f"已提交，数据提供部门将在 {req.due_date:%Y-%m-%d} 前审批。",
            )
            return HttpResponseRedirect(reverse("dataofficer:request", args=[req.pk]))
    return render(
        request,
        "exchange/officer_request_new.html",
        {
            "resources": [r for r in selectors.resources() if r.share_level != ShareLevel.NONE],
            "r": info,
            "departments": [(d, names.get(d, d)) for d in mine],
            "systems": [
                c
                for c in selectors.consumers(kind=Consumer.Kind.GOVERNMENT)
                if c.department_code in mine
            ],
            "purposes": PURPOSES,
            "values": values,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_quality(request: HttpRequest) -> HttpResponse:
    principal = _officer(
        request,
        ("exchange.correction_resolve_refused", "exchange.issue", request.POST.get("issue", "")),
    )
    errors: dict[str, str] = {}
    failed: int | None = None
    if request.method == "POST":
        try:
            pk = int(request.POST.get("issue", "0"))
        except ValueError:
            pk = 0
        try:
            services.correction_resolve(
                principal=principal,
                issue_id=pk,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
                value=request.POST.get("value") or None,
            )
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            errors, failed = _errors(exc), pk
        else:
            messages.success(request, f"纠错工单 #{pk} 已处理。")
            return HttpResponseRedirect(reverse("dataofficer:quality"))
    titles: dict[str, str] = {}
    for r in selectors.resources():
        titles.update({f"{r.code}|{f.name}": f.title for f in r.fields})
    today = timezone.localdate()
    issues = [
        {
            "i": i,
            "title": titles.get(f"{i.resource.code}|{i.field_name}", i.field_name),
            "current": display(i.current_value),
            "overdue": i.status == "open" and today > i.due_date,
            "mine": principal.has_role(selectors.DATA_OFFICER, i.department),
        }
        for i in selectors.issues_for(principal)
    ]
    return render(
        request,
        "exchange/officer_quality.html",
        {
            "issues": issues,
            "reports": selectors.quality(),
            "names": selectors.department_names(),
            "errors": errors,
            "failed": failed,
        },
        status=422 if errors else 200,
    )
