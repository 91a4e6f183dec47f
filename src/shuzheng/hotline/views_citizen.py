"""The citizen's 12345 pages on the portal (issue 18 items 1b, 1e, 8): the 12345 page, a 诉求
form (logged in, or anonymous with a phone verified by an SMS code), photos allowed; 我的诉求
with the progress timeline and the 评价 (the citizen's own 回访); progress by ticket number and
phone without logging in. Mobile first, no JavaScript needed."""

from __future__ import annotations

import re
import time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzheng.core.errors import DomainError, NotFound, RateLimited, ValidationFailed
from shuzheng.files import facade as files
from shuzheng.hotline import facade
from shuzheng.hotline.contracts import TicketInput
from shuzheng.hotline.services import rating_link, records
from shuzheng.hotline.views import FIELD_LABELS, field_messages, readable
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

CITIZEN_TYPES = ("consult", "help", "complaint", "report", "suggest", "praise")
MAX_PHOTOS = 5
CODE_TTL = 600  # seconds a texted code stays valid
CODE_PURPOSE = "hotline"  # identity's phone codes: one purpose never stands in for another
VERIFIED_KEY = "hotline_phone_verified"
MOBILE_RE = re.compile(r"^1\d{10}$")


def _principal(request: HttpRequest) -> Principal:
    return identity.principal_for_request(request)


def _person(principal: Principal) -> bool:
    return principal.kind in ("person", "agent") and bool(principal.id_number)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """12345 政务服务便民热线: what it is, and the ways in."""
    principal = _principal(request)
    return render(request, "hotline/home.html", {"person": _person(principal)})


def _verified_phone(request: HttpRequest) -> str:
    found = request.session.get(VERIFIED_KEY) or {}
    if found.get("until", 0) > time.time():
        return str(found.get("phone", ""))
    return ""


@require_POST
def send_code(request: HttpRequest) -> HttpResponse:
    """Text a 6-digit code to the phone an anonymous caller gives (identity's phone codes: kept
    in the database for any web node, one a minute per phone; here also 10 an hour per
    address); the form then asks for it."""
    phone = re.sub(r"[\s\-]", "", request.POST.get("phone", ""))[:20]
    values = {k: request.POST.get(k, "") for k in ("type", "content", "address")}
    values["phone"] = phone
    errors: dict[str, str] = {}
    message = ""
    if not MOBILE_RE.match(phone):
        errors["phone"] = _t("请填写11位手机号码，用于接收验证码和办理结果。")
    else:
        try:
            identity.lookup_allow(
                request,
                scope="hotline_sms",
                limit=10,
                window_seconds=3600,
                message=_t("获取验证码次数过多，请 {wait}后再试。"),
            )
            identity.phone_code_send(
                phone=phone,
                purpose=CODE_PURPOSE,
                message=_t("【12345】您反映诉求的验证码为 {code}，10分钟内有效。"),
                ttl_seconds=CODE_TTL,
            )
        except RateLimited as exc:
            message = exc.message
        else:
            message = _t("验证码已发送至 %(phone)s。") % {"phone": identity.mask_phone(phone)}
    return _render_new(request, _principal(request), values, errors, message, code_sent=not errors)


def _check_code(request: HttpRequest, phone: str, code: str) -> str:
    """The verified phone, or a Chinese message why not; a verified phone is remembered in
    the session for 30 minutes (more 诉求 without another code)."""
    try:
        identity.phone_code_verify(phone=phone, purpose=CODE_PURPOSE, code=code)
    except ValidationFailed as exc:
        return exc.errors[0].message if exc.errors else exc.message
    request.session[VERIFIED_KEY] = {"phone": phone, "until": time.time() + 1800}
    return ""


def _render_new(
    request: HttpRequest,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    message: str,
    *,
    code_sent: bool = False,
    status: int = 200,
) -> HttpResponse:
    types = [c for c in facade.ticket_types() if c.code in CITIZEN_TYPES]
    return render(
        request,
        "hotline/new.html",
        {
            "person": _person(principal),
            "values": values,
            "errors": errors,
            "message": message,
            "types": types,
            "verified": _verified_phone(request),
            "code_sent": code_sent,
            "labels": FIELD_LABELS,
            "max_photos": MAX_PHOTOS,
        },
        status=status,
    )


def _photos(request: HttpRequest, principal: Principal, errors: dict[str, str]) -> list[str]:
    uploads = [f for f in request.FILES.getlist("photos") if f.size]
    if len(uploads) > MAX_PHOTOS:
        errors["attachments"] = _t("附件最多 %(n)d 个。") % {"n": MAX_PHOTOS}
        return []
    ids = []
    for upload in uploads:
        if (upload.size or 0) > files.MAX_BYTES:
            errors["attachments"] = _t("文件不能超过10MB。")
            return []
        try:
            info = files.file_store(
                actor=principal.actor, name=upload.name or "", data=upload.read()
            )
        except DomainError as exc:
            errors["attachments"] = _t("附件“%(name)s”不是图片或 PDF 文件：%(why)s") % {
                "name": (upload.name or "")[:60],
                "why": exc.message,
            }
            return []
        ids.append(info.file_id)
    return ids


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """反映诉求: logged in (the account's name and phone), or anonymous with a verified phone."""
    principal = _principal(request)
    if request.method == "GET":
        return _render_new(request, principal, {"type": request.GET.get("type", "")}, {}, "")
    values: dict[str, Any] = {
        k: request.POST.get(k, "").strip()
        for k in ("type", "content", "address", "phone", "code", "linked_case_no", "respondent")
    }
    values["confidential"] = request.POST.get("confidential") == "1"
    errors: dict[str, str] = {}
    phone = ""
    if not _person(principal):
        phone = re.sub(r"[\s\-]", "", values["phone"])
        if _verified_phone(request) != phone or not phone:
            if not MOBILE_RE.match(phone):
                errors["phone"] = _t("请填写11位手机号码，用于接收验证码和办理结果。")
            else:
                why = _check_code(request, phone, values["code"])
                if why:
                    errors["code"] = why
        if errors:
            return _render_new(
                request,
                principal,
                values,
                errors,
                _t("请先验证手机号码。"),
                code_sent=True,
                status=422,
            )
    attachments = _photos(request, principal, errors)
    if errors:
        return _render_new(request, principal, values, errors, errors["attachments"], status=422)
    data = TicketInput(
        content=values["content"],
        type=values["type"],
        address=values["address"],
        caller_phone=phone,
        confidential=values["confidential"],
        linked_case_no=values["linked_case_no"],
        respondent=values["respondent"],
        attachments=tuple(attachments),
    )
    try:
        found = facade.ticket_create(
            principal=principal, data=data, channel="web", phone_verified=bool(phone)
        )
    except ValidationFailed as exc:
        return _render_new(request, principal, values, field_messages(exc), exc.message, status=422)
    except DomainError as exc:
        return _render_new(request, principal, values, {}, exc.message, status=exc.status)
    no = found["ticket_no"]
    if _person(principal):
        return redirect(reverse("hotline:mine_detail", args=[no]) + "?done=1")
    return render(
        request,
        "hotline/submitted.html",
        {"ticket_no": no, "phone": identity.mask_phone(phone)},
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: the tickets the person filed (by any channel with their 实名 identity)."""
    principal = _principal(request)
    if not _person(principal):
        return render(request, "hotline/mine.html", {"rows": [], "total": 0, "staff": True})
    total, rows = facade.ticket_list(principal, limit=100)
    return render(request, "hotline/mine.html", {"rows": readable(rows), "total": total})


def _mine_context(request: HttpRequest, principal: Principal, ticket_no: str) -> dict[str, Any]:
    if not _person(principal):
        raise Http404(_t("未找到该工单。"))
    try:
        t = facade.ticket_detail(principal, ticket_no)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return {
        "t": readable(t),
        "can_rate": "callback" in t["allowed_actions"],
        "satisfactions": [c for c in facade.satisfactions() if c.code != "unreachable"],
        "done": request.GET.get("done", ""),
    }


@login_required
@require_GET
def mine_detail(request: HttpRequest, ticket_no: str) -> HttpResponse:
    principal = _principal(request)
    return render(request, "hotline/mine_detail.html", _mine_context(request, principal, ticket_no))


@login_required
@require_POST
def rate(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """评价: the citizen's own 回访 (满意/基本满意/不满意) once the department answered."""
    principal = _principal(request)
    ctx = _mine_context(request, principal, ticket_no)
    satisfaction = request.POST.get("satisfaction", "")
    if satisfaction not in {c.code for c in ctx["satisfactions"]}:
        ctx["error"] = _t("请选择您对办理结果的评价。")
        return render(request, "hotline/mine_detail.html", ctx, status=422)
    try:
        facade.ticket_act(
            principal=principal,
            ticket_no=ticket_no,
            action="callback",
            satisfaction=satisfaction,
            note=request.POST.get("note", "")[:500],
        )
    except DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "hotline/mine_detail.html", ctx, status=exc.status)
    return redirect(reverse("hotline:mine_detail", args=[ticket_no]) + "?done=rated")


@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, ref: str) -> HttpResponse:
    """评价 by the link the 答复 SMS carries, without logging in: the ticket's number, title and
    answer (nothing of the caller), and 满意/基本满意/不满意 (``rating_link``)."""
    try:
        ticket = rating_link.ticket_for_ref(ref)
    except NotFound as exc:
        response = render(request, "hotline/rate_link.html", {"gone": exc.message}, status=404)
        response["Cache-Control"] = "no-store"
        return response
    ctx: dict[str, Any] = {
        "ticket": ticket,
        "department": records.department_name(ticket.lead_department),
        "satisfactions": [c for c in facade.satisfactions() if c.code != "unreachable"],
        "can_rate": ticket.status == "answered",
        "rated": ticket.satisfaction if ticket.status != "answered" else "",
    }
    status = 200
    if request.method == "POST":
        satisfaction = request.POST.get("satisfaction", "")
        if satisfaction not in {c.code for c in ctx["satisfactions"]}:
            ctx["error"], status = _t("请选择您对办理结果的评价。"), 422
        else:
            try:
                rating_link.ticket_rate_by_link(
                    ref=ref, satisfaction=satisfaction, note=request.POST.get("note", "")
                )
            except DomainError as exc:
                ctx["error"], status = exc.message, exc.status
            else:
                ctx.update(can_rate=False, done=True)
    response = render(request, "hotline/rate_link.html", ctx, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """诉求进度查询 without logging in: ticket number + the phone given (throttled, audited)."""
    ticket_no = request.GET.get("ticket_no", "").strip()[:64]
    phone = request.GET.get("phone", "").strip()[:32]
    ctx: dict[str, Any] = {"ticket_no": ticket_no, "phone": phone, "errors": {}}
    status = 200
    if ticket_no or phone:
        try:
            ctx["found"] = readable(
                facade.progress(request=request, ticket_no=ticket_no, phone=phone, via="web")
            )
        except ValidationFailed as exc:
            ctx["errors"], ctx["message"], status = field_messages(exc), exc.message, 422
        except DomainError as exc:
            ctx["message"], status = exc.message, exc.status
    response = render(request, "hotline/progress.html", ctx, status=status)
    response["Cache-Control"] = "no-store"
    return response
