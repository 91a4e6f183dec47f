"""Pages of 免申即享: public policy pages, the policy officer's run button, '可享政策'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from shuzheng.core.errors import DomainError, Forbidden, NotFound, Unauthenticated
from shuzheng.identity.facade import principal_for_request
from shuzheng.proactive import selectors, services
from shuzheng.proactive.api import mask_id, mask_name
from shuzheng.proactive.models import MatchStatus
from shuzheng.rules import facade as rules


def _login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse('identity:login')}?next={request.path}")


def _sees_figures(request: HttpRequest) -> bool:
    """A policy's published text (name, summary, how it is confirmed, its legal basis) is
    public information; its figures (matched, granted, declined, the batch runs) and its
    eligibility rule set (the rules' internals) are for staff (issue 17, defect 10). A
    person's own matches are at ``mine/`` (login) and the masked match list is for the
    policy's department and the platform administrator (``can_view_matches``)."""
    return principal_for_request(request).kind == "staff"


def policy_list(request: HttpRequest) -> HttpResponse:
    staff = _sees_figures(request)
    rows = [(p, selectors.stats(p) if staff else None) for p in selectors.policies()]
    return render(request, "proactive/list.html", {"rows": rows, "staff": staff})


def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        policy = selectors.policy_get(code)
    except NotFound:
        raise Http404("未找到该政策") from None
    matches: list[dict[str, Any]] = []
    status = request.GET.get("status", "")
    if selectors.can_view_matches(principal, policy):
        for m in selectors.matches_for_staff(principal, policy, status)[:100]:
            matches.append(
                {
                    "name": mask_name(m.subject_name)
                    if m.subject_kind == "person"
                    else m.subject_name,
                    "id": mask_id(m.subject_id) if m.subject_kind == "person" else m.subject_id,
                    "status": MatchStatus(m.status).label,
                    "amount": m.amount,
                    "window_ends_on": m.window_ends_on,
                    "case_no": m.case_no,
                }
            )
    return render(
        request,
        "proactive/detail.html",
        {
            "policy": policy,
            "staff": _sees_figures(request),
            "s": selectors.stats(policy) if _sees_figures(request) else None,
            "rule": rules.rule_set_info(policy.rule_set_code),
            "can_run": principal.is_authenticated and principal.has_role(services.EDITOR_ROLE),
            "can_view": selectors.can_view_matches(principal, policy),
            "matches": matches,
            "status": status,
            "statuses": MatchStatus.choices,
            "runs": policy.runs.order_by("-id")[:5] if _sees_figures(request) else [],
        },
    )


@require_POST
def policy_run(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_for_request(request)
    if not principal.is_authenticated:
        return _login(request)
    try:
        summary = services.policy_run(code=code, actor=principal.actor, principal=principal)
    except NotFound:
        raise Http404("未找到该政策") from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("proactive:detail", args=[code]))
    messages.success(
        request,
        f"比对完成：{summary.evaluated} 个对象，符合 {summary.eligible} 个，"
        f"新告知 {summary.new_matches} 个，"
        f"本次发放 {summary.granted} 个（耗时 {summary.seconds:.3f} 秒）。",
    )
    return HttpResponseRedirect(reverse("proactive:detail", args=[code]))


def mine(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    if not principal.is_authenticated:
        return _login(request)
    matches = selectors.my_matches(principal)
    matched = {(m.policy_id, m.subject_id) for m in matches}
    hints = []
    if principal.kind in ("person", "agent") and principal.id_number:
        for p in selectors.policies().filter(subject_kind="person"):
            if (p.pk, principal.id_number) in matched:
                continue
            try:
                d = rules.preview(
                    rule_set_code=p.rule_set_code,
                    subject_kind="person",
                    subject_id=principal.id_number,
                )
            except (NotFound, DomainError):
                continue
            if d.outcome == "approve":
                hints.append({"policy": p, "d": d})
    return render(
        request,
        "proactive/mine.html",
        {"matches": matches, "hints": hints, "notified": MatchStatus.NOTIFIED},
    )


@require_POST
def respond(request: HttpRequest, match_id: int, action: str) -> HttpResponse:
    principal = principal_for_request(request)
    if not principal.is_authenticated:
        return _login(request)
    if action not in ("confirm", "decline"):
        raise Http404()
    try:
        m = services.match_respond(
            principal=principal, match_id=match_id, accept=action == "confirm"
        )
    except (NotFound, Unauthenticated):
        raise Http404("未找到该政策告知") from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if m.status == MatchStatus.GRANTED:
            messages.success(request, f"已确认，“{m.policy.name}”已发放。")
        elif m.status == MatchStatus.DECLINED:
            messages.success(request, f"已选择不享受“{m.policy.name}”。")
        elif m.note:  # the grant's re-check closed it (held / ineligible)
            messages.warning(request, m.note)
        else:
            messages.success(request, f"已确认“{m.policy.name}”，将尽快发放。")
    return HttpResponseRedirect(reverse("proactive:mine"))


def benefit_panel(request: HttpRequest, item_code: str) -> str:
    """What the guide and apply pages of a service item (catalog and cases, below this module;
    wired in ``shuzheng/urls.py``) tell a person who need not apply: they already qualify by a
    免申即享 notice (a link to it), or already receive the item's benefit (by either path)."""
    principal = principal_for_request(request)
    if not principal.is_authenticated or principal.kind not in ("person", "agent"):
        return ""
    match = selectors.my_match_for_item(principal, item_code)
    held = None
    if match is None:
        subjects = [("person", principal.id_number)] if principal.id_number else []
        subjects += [("enterprise", uscc) for uscc in principal.enterprises]
        for kind, subject_id in subjects:
            held = rules.entitlement_for_item(
                item_code=item_code, subject_kind=kind, subject_id=subject_id
            )
            if held is not None:
                break
        if held is None:
            return ""
    return render_to_string(
        "proactive/_benefit_notice.html",
        {"match": match, "held": held, "statuses": MatchStatus},
        request=request,
    )
