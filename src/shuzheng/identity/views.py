"""Login (password + SMS code), registration, logout, and the demo SMS outbox."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import DomainError, ValidationFailed
from shuzheng.core.models import OutboxMessage
from shuzheng.identity import services
from shuzheng.identity.forms import LoginForm, OtpForm, RegisterForm
from shuzheng.identity.models import User

PENDING_KEY = "sz_pending_login"
PENDING_TTL = 300


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


def _apply_errors(form: object, exc: DomainError) -> None:
    f = form  # a django Form
    if isinstance(exc, ValidationFailed) and exc.errors:
        for e in exc.errors:
            field = e.field if e.field in f.fields else None  # type: ignore[attr-defined]
            f.add_error(field, e.message)  # type: ignore[attr-defined]
    else:
        f.add_error(None, exc.message)  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check_password(
                username=form.cleaned_data["username"].strip(),
                password=form.cleaned_data["password"],
            )
            services.otp_send(user=user)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "uid": user.pk,
                "at": int(time.time()),
                "next": next_url,
            }
            return redirect("identity:login_otp")
    return render(
        request,
        "identity/login.html",
        {"form": form, "next": next_url, "show_outbox": settings.SHOW_OUTBOX},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def login_otp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL:
        request.session.pop(PENDING_KEY, None)
        return redirect("identity:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        return redirect("identity:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.otp_verify(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend="shuzheng.identity.backends.LockoutAwareBackend")
            services.login_record_success(user=user, method="password+sms")
            return HttpResponseRedirect(_safe_next(request, pending.get("next")))
    masked = user.phone[:3] + "****" + user.phone[-4:] if user.phone else ""
    return render(
        request,
        "identity/login_otp.html",
        {"form": form, "masked_phone": masked, "show_outbox": settings.SHOW_OUTBOX},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_register(**form.cleaned_data)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            return render(
                request,
                "identity/register_done.html",
                {"username": form.cleaned_data["id_number"].upper()},
            )
    return render(
        request, "identity/register.html", {"form": form}, status=422 if form.errors else 200
    )


def outbox_view(request: HttpRequest) -> HttpResponse:
    """The demo SMS backend's outbox (only when the demo/debug outbox is enabled)."""
    if not settings.SHOW_OUTBOX:
        raise PermissionDenied(_("发件箱仅在演示环境开放。"))
    messages = OutboxMessage.objects.all()[:30]
    return render(request, "identity/outbox.html", {"messages": messages})
