"""忘记密码 (a new password by a code texted to the registered phone) and 重发验证码 (a new
login or reset code, within the SMS cooldown), issue 17. Pages work without JavaScript."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import DomainError, RateLimited
from shuzheng.identity import services, throttle
from shuzheng.identity.forms import ResetForm, ResetRequestForm
from shuzheng.identity.models import User
from shuzheng.identity.views import (
    PENDING_KEY,
    PENDING_TTL,
    _apply_errors,
    _status,
    _with_retry_after,
)

RESET_KEY = "sz_pending_reset"
RESET_TTL = 900


def _cooldown_words() -> str:
    return throttle.wait_text(settings.SMS_COOLDOWN_SECONDS)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """忘记密码, step 1: the account (username or ID number). The same answer whether or not it
    exists; throttled like a login."""
    form = ResetRequestForm(request.POST or None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        try:
            services.password_reset_request(username=username, ip=throttle.client_ip(request))
        except DomainError as exc:
            error = exc
            _apply_errors(form, exc)
        else:
            request.session[RESET_KEY] = {"name": username, "at": int(time.time())}
            return redirect("identity:password_reset_code")
    response = render(
        request, "identity/password_reset.html", {"form": form}, status=_status(form, error)
    )
    return _with_retry_after(response, error)


def _reset_pending(request: HttpRequest) -> dict[str, object] | None:
    pending = request.session.get(RESET_KEY)
    if not pending or time.time() - float(pending.get("at", 0)) > RESET_TTL:
        request.session.pop(RESET_KEY, None)
        return None
    return dict(pending)


def _render_code(
    request: HttpRequest, form: ResetForm, *, notice: str = "", error: DomainError | None = None
) -> HttpResponse:
    response = render(
        request,
        "identity/password_reset_code.html",
        {
            "form": form,
            "notice": notice,
            "cooldown": _cooldown_words(),
            "show_outbox": settings.SHOW_OUTBOX,
        },
        status=_status(form, error) if error or form.errors else 200,
    )
    return _with_retry_after(response, error)


@require_http_methods(["GET", "POST"])
def password_reset_code(request: HttpRequest) -> HttpResponse:
    """忘记密码, step 2: the texted code and the new password (twice)."""
    pending = _reset_pending(request)
    if pending is None:
        return redirect("identity:password_reset")
    form = ResetForm(request.POST or None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                username=str(pending["name"]),
                code=form.cleaned_data["code"],
                password=form.cleaned_data["new_password"],
                password2=form.cleaned_data["new_password2"],
                ip=throttle.client_ip(request),
            )
        except DomainError as exc:
            error = exc
            _apply_errors(form, exc)
        else:
            request.session.pop(RESET_KEY, None)
            messages.success(request, _("密码已重置，请使用新密码登录。"))
            return redirect("identity:login")
    return _render_code(request, form, error=error)


@require_POST
def password_reset_resend(request: HttpRequest) -> HttpResponse:
    """重发验证码 of a reset: within the cooldown a 429 saying in words how long to wait."""
    pending = _reset_pending(request)
    if pending is None:
        return redirect("identity:password_reset")
    form = ResetForm()
    try:
        services.password_reset_resend(
            username=str(pending["name"]), ip=throttle.client_ip(request)
        )
    except RateLimited as exc:
        response = _render_code(request, form, notice=exc.message)
        response.status_code = 429
        return _with_retry_after(response, exc)
    request.session[RESET_KEY] = {**pending, "at": int(time.time())}
    return _render_code(
        request, form, notice=_("如果该账号存在并绑定了手机号码，新的验证码已发送。")
    )


@require_POST
def login_resend(request: HttpRequest) -> HttpResponse:
    """重发验证码 on the login code page (after the password step): a new code, or the page
    again saying in words how long to wait."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL:
        request.session.pop(PENDING_KEY, None)
        return redirect("identity:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        return redirect("identity:login")
    try:
        services.otp_resend(user=user)
    except RateLimited as exc:
        notice = exc.message
    except DomainError as exc:
        notice = exc.message
    else:
        notice = _("新的验证码已发送，之前的验证码作废。")
    request.session[PENDING_KEY] = {**pending, "notice": notice}
    return redirect("identity:login_otp")


def login_wait(user_id: int) -> str:
    """How long, in words, before the login code may be sent again ("" when it may now)."""
    seconds = throttle.sms_wait(f"user:{user_id}", now=timezone.now())
    return throttle.wait_text(seconds) if seconds else ""
