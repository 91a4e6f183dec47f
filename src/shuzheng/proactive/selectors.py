"""All reads of 免申即享, scoped to the caller where they concern people."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from shuzheng.core.errors import Forbidden, NotFound, Unauthenticated
from shuzheng.identity.contracts import CASE_ROLES, Principal
from shuzheng.proactive.models import Match, MatchStatus, Policy

EDITOR_ROLE = "platform_admin"


def policy_get(code: str) -> Policy:
    policy = Policy.objects.filter(code=code).first()
    if policy is None:
        raise NotFound("未找到该政策。")
    return policy


def policies() -> QuerySet[Policy]:
    return Policy.objects.filter(active=True).order_by("subject_kind", "code")


def stats(policy: Policy) -> dict[str, Any]:
    """Counts by status and the amounts matched and granted (public: no personal data)."""
    rows = (
        Match.objects.filter(policy=policy)
        .values("status")
        .annotate(n=Count("id"), amount=Sum("amount"))
    )
    by = {r["status"]: (r["n"], r["amount"] or Decimal(0)) for r in rows}
    total = sum(n for n, _ in by.values())
    return {
        "matched": total,
        "pending": by.get(MatchStatus.NOTIFIED, (0, 0))[0]
        + by.get(MatchStatus.CONFIRMED, (0, 0))[0],
        "granted": by.get(MatchStatus.GRANTED, (0, 0))[0],
        "declined": by.get(MatchStatus.DECLINED, (0, 0))[0],
        "expired": by.get(MatchStatus.EXPIRED, (0, 0))[0],
        "held": by.get(MatchStatus.HELD, (0, 0))[0],
        "ineligible": by.get(MatchStatus.INELIGIBLE, (0, 0))[0],
        "amount_matched": sum((a for _, a in by.values()), Decimal(0)),
        "amount_granted": by.get(MatchStatus.GRANTED, (0, Decimal(0)))[1],
        "runs": policy.runs.count(),
        "last_run": policy.runs.order_by("-id").first(),
    }


def can_view_matches(principal: Principal, policy: Policy) -> bool:
    if principal.kind != "staff":
        return False
    # the matched people are personal data: the handling staff of the granting department
    return principal.has_role(EDITOR_ROLE) or policy.department_code in principal.departments_for(
        CASE_ROLES
    )


def matches_for_staff(principal: Principal, policy: Policy, status: str = "") -> QuerySet[Match]:
    """The policy's matches, for the policy officer and the staff of its department."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not can_view_matches(principal, policy):
        raise Forbidden("仅政策兑现部门的工作人员和政策管理员可以查看名单。")
    qs = Match.objects.filter(policy=policy).order_by("-id")
    if status in MatchStatus.values:
        qs = qs.filter(status=status)
    return qs


def _own(principal: Principal) -> Q | None:
    if principal.kind not in ("person", "agent"):
        return None
    q = Q(subject_kind="person", subject_id=principal.id_number) if principal.id_number else None
    if principal.enterprises:
        ent = Q(subject_kind="enterprise", subject_id__in=list(principal.enterprises))
        q = ent if q is None else q | ent
    return q


def my_matches(principal: Principal) -> list[Match]:
    """'可享政策': the caller's own matches (and those of enterprises an agent acts for)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    q = _own(principal)
    if q is None:
        return []
    return list(Match.objects.filter(q).select_related("policy").order_by("-id"))


OPEN_OR_GRANTED = (MatchStatus.NOTIFIED, MatchStatus.CONFIRMED, MatchStatus.GRANTED)


def my_match_for_item(principal: Principal, item_code: str) -> Match | None:
    """The caller's own 免申即享 match of a policy filed under the service item, still open or
    granted (the newest), for the item's guide and apply pages."""
    q = _own(principal) if principal.is_authenticated else None
    if q is None or not item_code:
        return None
    return (
        Match.objects.filter(q, policy__item_code=item_code, status__in=OPEN_OR_GRANTED)
        .select_related("policy")
        .order_by("-id")
        .first()
    )


def match_for(principal: Principal, match_id: int) -> Match:
    """One of the caller's own matches; 404 for anyone else's."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    q = _own(principal)
    row = Match.objects.filter(q, pk=match_id).first() if q is not None else None
    if row is None:
        raise NotFound("未找到该政策告知。")
    return row
