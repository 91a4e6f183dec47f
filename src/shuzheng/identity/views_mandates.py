"""我的授权 (帮办代办, issue 17): the mandates a person gave and holds; asking a relative's
consent (the code texted to them, or their answer in their own session); revoking; a window
clerk recording a 帮办员's signed paper mandate. Plain HTML forms (no JavaScript)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import DomainError, NotFound
from shuzheng.identity import facade, mandates, throttle
from shuzheng.identity.contracts import MandateInfo, Principal
from shuzheng.identity.forms import MandateCodeForm, MandateRequestForm, PaperMandateForm
from shuzheng.identity.views import _apply_errors, _with_retry_after

SPLIT = re.compile(r"[\s,，、;；]+")


def _person(request: HttpRequest) -> Principal:
    principal = facade.principal_for_request(request)
    if principal.kind not in ("person", "agent") or not principal.person_id:
        raise PermissionDenied(_("“我的授权”面向实名用户；工作人员请在窗口登记书面委托。"))
    return principal


def _codes(text: str) -> list[str]:
    return [c for c in SPLIT.split(text or "") if c]


@login_required
def mandate_list(request: HttpRequest) -> HttpResponse:
    principal = _person(request)
    given, held = mandates.mandates_of(principal)
    return render(request, "identity/mandates.html", {"given": given, "held": held})


@login_required
@require_http_methods(["GET", "POST"])
def mandate_new(request: HttpRequest) -> HttpResponse:
    """A relative asks the person they will apply for (亲属代办)."""
    principal = _person(request)
    form = MandateRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                m = mandates.mandate_request(
                    principal=principal,
                    principal_name=data["principal_name"],
                    principal_id_number=data["principal_id_number"],
                    relation=data["relation"],
                    scope=data["scope"],
                    item_codes=_codes(data["item_codes"]),
                    valid_until=data["valid_until"],
                )
            except DomainError as exc:  # RateLimited too (429): asked too often, nothing filed
                _apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("代办授权申请已提交，请委托人确认。"))
                return redirect("identity:mandate_confirm", pk=m.pk)
    return render(request, "identity/mandate_new.html", {"form": form}, status=status)


def _held(principal: Principal, pk: int) -> MandateInfo:
    try:
        found = mandates.mandate_for(principal, pk)
    except NotFound:
        raise Http404(_("未找到该代办授权。")) from None
    if found.agent_id_number != principal.id_number:
        raise Http404(_("未找到该代办授权。"))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def mandate_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent types the code texted to the principal (or waits for the principal to agree in
    their own session); 重发验证码 within the cooldown says how long to wait."""
    principal = _person(request)
    found = _held(principal, pk)
    resend = request.POST.get("intent") == "resend"
    form = MandateCodeForm(None if resend or request.method != "POST" else request.POST)
    status = 200
    notice = ""
    error: DomainError | None = None
    if request.method == "POST" and resend:
        try:
            mandates.mandate_send_code(principal=principal, mandate_id=pk)
        except DomainError as exc:
            error = exc
            notice = exc.message
            status = exc.status
        else:
            notice = _("验证码已发送至委托人的手机。")
    elif request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                mandates.mandate_confirm_code(
                    principal=principal, mandate_id=pk, code=form.cleaned_data["code"]
                )
            except DomainError as exc:
                _apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("代办授权已生效，现在可以为委托人办理。"))
                return redirect("identity:mandates")
    wait = throttle.sms_wait(mandates.sms_key(found.principal_id_number), now=timezone.now())
    response = render(
        request,
        "identity/mandate_confirm.html",
        {
            "m": found,
            "form": form,
            "notice": notice,
            "texted": mandates.waiting_for_code(principal, pk),
            "resend_wait": throttle.wait_text(wait) if wait else "",
        },
        status=status,
    )
    return _with_retry_after(response, error)


@login_required
@require_POST
def mandate_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The principal, signed in, agrees (``accept=1``) or not."""
    principal = _person(request)
    accept = request.POST.get("accept") == "1"
    try:
        mandates.mandate_answer(principal=principal, mandate_id=pk, accept=accept)
    except NotFound:
        raise Http404(_("未找到该代办授权。")) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("identity:mandates")
    messages.success(request, _("已同意代办授权。") if accept else _("已拒绝代办授权。"))
    return redirect("identity:mandates")


@login_required
@require_POST
def mandate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _person(request)
    try:
        mandates.mandate_revoke(principal=principal, mandate_id=pk)
    except NotFound:
        raise Http404(_("未找到该代办授权。")) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("identity:mandates")
    messages.success(request, _("代办授权已撤销。"))
    return redirect("identity:mandates")


@login_required
@require_http_methods(["GET", "POST"])
def mandate_paper(request: HttpRequest) -> HttpResponse:
    """A window clerk records a 帮办员's signed paper mandate (书面委托)."""
    principal = facade.principal_for_request(request)
    if principal.kind != "staff" or not principal.has_role(mandates.CLERK):
        raise PermissionDenied(_("只有窗口工作人员可以登记书面委托。"))
    form = PaperMandateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                m = mandates.mandate_record_paper(
                    principal=principal,
                    principal_id_number=data["principal_id_number"],
                    agent_id_number=data["agent_id_number"],
                    scope=data["scope"],
                    item_codes=_codes(data["item_codes"]),
                    valid_until=data["valid_until"],
                    paper_ref=data["paper_ref"],
                    paper_seen=bool(data["paper_seen"]),
                )
            except DomainError as exc:
                _apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("书面委托已登记：%(agent)s 可为 %(name)s 办理，至 %(until)s。")
                    % {
                        "agent": m.agent.name,
                        "name": m.principal.name,
                        "until": m.valid_until.isoformat(),
                    },
                )
                return redirect("identity:mandate_paper")
    return render(request, "identity/mandate_paper.html", {"form": form}, status=status)
