"""Login (password + SMS code), registration, logout, and the demo SMS outbox."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import DomainError, RateLimited, ValidationFailed
from shuzheng.core.models import OutboxMessage
from shuzheng.identity import selectors, services, throttle
from shuzheng.identity.forms import LoginForm, OtpForm, RegisterForm
from shuzheng.identity.models import User

PENDING_KEY = "sz_pending_login"
PENDING_TTL = 300


def _safe_next(request: HttpRequest, value: str | None, user: User | None = None) -> str:
    """Where a login goes: a same-site ``next`` when one was asked for, else the user's desk
    (``landing``)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return landing(user)


# A staff member's desk by role, first match wins: a platform administrator's console (the
# admin site), a handler's workbench (queues), a data officer's desk (共享审批). Staff holding
# none of these (a 12345 operator) work from the workbench too (差评整改).
DESKS = (
    (("platform_admin",), "admin:index"),
    (("window_clerk", "reviewer", "department_head"), "workbench:home"),
    (("data_officer",), "dataofficer:home"),
)


def landing(user: User | None) -> str:
    """The page a user lands on after logging in without a ``next``: staff on their desk
    (``DESKS``), citizens and enterprise agents on the home page (``LOGIN_REDIRECT_URL``)."""
    principal = selectors.principal_for_user(user)
    if principal.kind != "staff":
        return reverse(settings.LOGIN_REDIRECT_URL)
    for roles, name in DESKS:
        if any(principal.has_role(role) for role in roles):
            if name == "admin:index" and not (user and user.is_staff):
                continue  # the admin site needs is_staff as well
            return reverse(name)
    return reverse("workbench:home")


def _apply_errors(form: object, exc: DomainError) -> None:
    f = form  # a django Form
    if isinstance(exc, ValidationFailed) and exc.errors:
        for e in exc.errors:
            field = e.field if e.field in f.fields else None  # type: ignore[attr-defined]
            f.add_error(field, e.message)  # type: ignore[attr-defined]
    else:
        f.add_error(None, exc.message)  # type: ignore[attr-defined]


def _status(form: object, exc: DomainError | None) -> int:
    """422 for a form with errors, 429 when the error was a rate limit."""
    if isinstance(exc, RateLimited):
        return 429
    return 422 if form.errors else 200  # type: ignore[attr-defined]


def _with_retry_after(response: HttpResponse, exc: DomainError | None) -> HttpResponse:
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return response


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Password step: throttled per client IP and per username (a 429 page saying when to try
    again); on success a login code is texted, at most one per ``SMS_COOLDOWN_SECONDS``. When
    a code was texted moments ago and is still valid, the code page opens without a new SMS and
    says when another may be asked for."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = LoginForm(request.POST or None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        notice = ""
        try:
            user = services.login_check_password(
                username=form.cleaned_data["username"].strip(),
                password=form.cleaned_data["password"],
                ip=throttle.client_ip(request),
            )
            try:
                services.otp_send(user=user)
            except RateLimited as exc:
                if not selectors.otp_pending(user=user):
                    raise
                notice = exc.message  # the code sent before is still valid
        except DomainError as exc:
            error = exc
            _apply_errors(form, exc)
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "uid": user.pk,
                "at": int(time.time()),
                "next": next_url,
                "notice": notice,
            }
            return redirect("identity:login_otp")
    response = render(
        request,
        "identity/login.html",
        {"form": form, "next": next_url, "show_outbox": settings.SHOW_OUTBOX},
        status=_status(form, error),
    )
    return _with_retry_after(response, error)


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
            return HttpResponseRedirect(_safe_next(request, pending.get("next"), user))
    masked = user.phone[:3] + "****" + user.phone[-4:] if user.phone else ""
    wait = throttle.sms_wait(f"user:{user.pk}", now=timezone.now())  # 重发验证码, in words
    return render(
        request,
        "identity/login_otp.html",
        {
            "form": form,
            "masked_phone": masked,
            "resend_wait": throttle.wait_text(wait) if wait else "",
            "notice": pending.get("notice", ""),
            "show_outbox": settings.SHOW_OUTBOX,
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Ends the session and revokes the user's API tokens (a token got with this account's
    password must not outlive the logout)."""
    user = request.user
    if user.is_authenticated:
        services.tokens_revoke_all(actor=f"user:{user.get_username()}", user_id=user.pk)
    logout(request)
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """Registration. A new ID number gets its account; one already registered gets the same
    page (nothing is made, its holder is told by SMS), so the page does not tell who is
    registered. Limited per client IP."""
    form = RegisterForm(request.POST or None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            done = services.account_register(**form.cleaned_data, ip=throttle.client_ip(request))
        except DomainError as exc:
            error = exc
            _apply_errors(form, exc)
        else:
            return render(request, "identity/register_done.html", {"username": done.username})
    response = render(
        request, "identity/register.html", {"form": form}, status=_status(form, error)
    )
    return _with_retry_after(response, error)


def outbox_view(request: HttpRequest) -> HttpResponse:
    """The demo SMS backend's outbox (only when the demo/debug outbox is enabled)."""
    if not settings.SHOW_OUTBOX:
        raise PermissionDenied(_("发件箱仅在演示环境开放。"))
    messages = OutboxMessage.objects.all()[:30]
    return render(request, "identity/outbox.html", {"messages": messages})
