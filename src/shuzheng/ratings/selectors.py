"""Reads of 好差评: public statistics; rectification tasks scoped to the caller's departments."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from shuzheng.identity.contracts import RATING_ROLES, Principal
from shuzheng.ratings.models import Rating, Rectification


def stats(*, department: str | None = None) -> list[dict[str, Any]]:
    qs = Rating.objects.all()
    if department:
        qs = qs.filter(department_code=department)
    rows = qs.values("department_code").annotate(
        total=Count("id"),
        good=Count("id", filter=Q(level__lte=2)),
        bad=Count("id", filter=Q(level__gte=4)),
        **{f"level_{n}": Count("id", filter=Q(level=n)) for n in range(1, 6)},
    )
    out = []
    for r in rows.order_by("department_code"):
        rect = Rectification.objects.filter(department_code=r["department_code"])
        out.append(
            {
                **r,
                "good_rate": round(r["good"] / r["total"], 4) if r["total"] else None,
                "rectifications_open": rect.exclude(status="closed").count(),
                "rectifications_closed": rect.filter(status="closed").count(),
            }
        )
    return out


def rectifications(principal: Principal, *, status: str | None = None) -> list[Rectification]:
    if principal.kind != "staff":
        return []
    qs = Rectification.objects.select_related("rating").filter(
        department_code__in=principal.departments_for(RATING_ROLES)
    )
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("status", "due_date")[:200])
