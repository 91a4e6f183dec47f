"""All reads of the rules module, scoped to the caller where they concern people."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuzheng.core import cache
from shuzheng.core.errors import NotFound, Unauthenticated
from shuzheng.identity.contracts import CASE_ROLES, Principal
from shuzheng.rules.models import (
    LIVE,
    Decision,
    Entitlement,
    EntitlementStatus,
    Period,
    RuleSet,
    RuleVersion,
    VersionStatus,
)

EDITOR_ROLE = "platform_admin"


def is_editor(principal: Principal) -> bool:
    return principal.is_authenticated and principal.has_role(EDITOR_ROLE)


def version_in_force(rule_set: RuleSet, on: dt.date) -> RuleVersion | None:
    return (
        RuleVersion.objects.filter(
            rule_set=rule_set, status=VersionStatus.PUBLISHED, effective_from__lte=on
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-version")
        .first()
    )


# {(item code, day): (rule set, version) or None}, cached per process behind the rules' cache
# version (``core.cache``), which rule set creation, publishing and the seed bump in their
# transactions. Published versions are immutable.
IN_FORCE = "rules.in_force"
_in_force: cache.Memo[tuple[str, dt.date], tuple[RuleSet, RuleVersion] | None] = cache.Memo(
    IN_FORCE, maxsize=10_000
)


def rule_set_for_item(item_code: str, on: dt.date) -> tuple[RuleSet, RuleVersion] | None:
    """The rule set deciding a service item and its version in force, cached per process (秒批
    runs this on every instant submission). Do not modify the result."""
    return _in_force.get((item_code, on), lambda: _rule_set_for_item(item_code, on))


def _rule_set_for_item(item_code: str, on: dt.date) -> tuple[RuleSet, RuleVersion] | None:
    version = (
        RuleVersion.objects.select_related("rule_set")
        .filter(
            rule_set__item_code=item_code,
            status=VersionStatus.PUBLISHED,
            effective_from__lte=on,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("rule_set__code", "-effective_from", "-version")
        .first()
    )
    return (version.rule_set, version) if version is not None else None


def rule_set_get(code: str) -> RuleSet:
    rule_set = RuleSet.objects.filter(code=code).first()
    if rule_set is None:
        raise NotFound("未找到该规则集。")
    return rule_set


def rule_sets() -> QuerySet[RuleSet]:
    return RuleSet.objects.all().order_by("subject_kind", "code")


def versions(principal: Principal, rule_set: RuleSet) -> list[RuleVersion]:
    """Published versions for everyone; drafts only for the policy officer."""
    qs = rule_set.versions.all().order_by("-version")
    if not is_editor(principal):
        qs = qs.filter(status=VersionStatus.PUBLISHED)
    return list(qs)


def version_get(principal: Principal, code: str, version: int) -> RuleVersion:
    rule_set = rule_set_get(code)
    row = rule_set.versions.filter(version=version).first()
    if row is None or (row.status != VersionStatus.PUBLISHED and not is_editor(principal)):
        raise NotFound("未找到该规则版本。")
    return row


def draft(rule_set: RuleSet) -> RuleVersion | None:
    return rule_set.versions.filter(status=VersionStatus.DRAFT).order_by("-version").first()


def latest_published(rule_set: RuleSet) -> RuleVersion | None:
    return (
        rule_set.versions.filter(status=VersionStatus.PUBLISHED)
        .order_by("-effective_from", "-version")
        .first()
    )


def decision_visible(principal: Principal, decision: Decision) -> bool:
    if principal.kind in ("person", "agent"):
        if decision.subject_kind == "person":
            return bool(principal.id_number) and decision.subject_id == principal.id_number
        return decision.subject_id in principal.enterprises
    if principal.kind == "staff":
        if principal.has_role(EDITOR_ROLE):
            return True
        return bool(decision.department_code) and (
            decision.department_code in principal.departments_for(CASE_ROLES)
        )
    return False


def decision_for(principal: Principal, decision_id: str) -> Decision:
    """A decision the caller may read: its subject (or the enterprise's agent), staff of the
    rule set's department, or the policy officer. Anyone else gets 404."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    row = Decision.objects.filter(decision_id=decision_id).first()
    if row is None or not decision_visible(principal, row):
        raise NotFound("未找到该决定。")
    return row


def decisions_of(principal: Principal, limit: int = 50) -> list[Decision]:
    """The caller's own decisions (a person's, or those of the enterprises an agent acts for)."""
    if principal.kind not in ("person", "agent"):
        return []
    q = Q(subject_kind="person", subject_id=principal.id_number) if principal.id_number else Q()
    if principal.enterprises:
        q |= Q(subject_kind="enterprise", subject_id__in=list(principal.enterprises))
    if not q:
        return []
    return list(Decision.objects.filter(q).order_by("-id")[:limit])


# --- entitlements (one person, one benefit) -------------------------------------------------


def registered(rule_set: RuleSet) -> bool:
    """Whether the rule set's benefit is one a subject receives once per period (recorded in
    the entitlement register), not one that may be received again and again."""
    return bool(rule_set.benefit) and rule_set.period != Period.REPEAT


def entitlement_period(period: str, on: dt.date) -> str:
    """The period key of a benefit granted on ``on``: ``once``, or the year."""
    return str(on.year) if period == Period.YEAR else "once"


def _current_periods(on: dt.date | None = None) -> tuple[str, str]:
    return ("once", str((on or timezone.localdate()).year))


def live_entitlement(
    benefit: str, subject_kind: str, subject_id: str, period: str
) -> Entitlement | None:
    """The live (offered or held) entitlement of a benefit, subject and period, if any."""
    return Entitlement.objects.filter(
        benefit=benefit,
        subject_kind=subject_kind,
        subject_id=subject_id,
        period_key=period,
        status__in=LIVE,
    ).first()


def live_entitlement_for(
    rule_set: RuleSet, subject_kind: str, subject_id: str, on: dt.date
) -> Entitlement | None:
    """The live entitlement of the rule set's benefit for the period of ``on``."""
    if not registered(rule_set):
        return None
    period = entitlement_period(rule_set.period, on)
    return live_entitlement(rule_set.benefit, subject_kind, subject_id, period)


def live_entitlement_for_item(
    item_code: str, subject_kind: str, subject_id: str, on: dt.date | None = None
) -> Entitlement | None:
    """The live entitlement of the benefit a service item's rule sets grant, for the periods
    of ``on`` (today) — one statement, run before every application is filed."""
    benefits = (
        RuleSet.objects.filter(item_code=item_code)
        .exclude(benefit="")
        .exclude(period=Period.REPEAT)
        .values("benefit")
    )
    return (
        Entitlement.objects.filter(
            benefit__in=benefits,
            subject_kind=subject_kind,
            subject_id=subject_id,
            status__in=LIVE,
            period_key__in=_current_periods(on),
        )
        .order_by("id")
        .first()
    )


def held_benefits(kind: str, subject_id: str) -> list[str]:
    """The benefits a subject receives in the current period (added to the ``benefits`` fact
    by this module's contributor), whichever path granted them."""
    return list(
        Entitlement.objects.filter(
            subject_kind=kind,
            subject_id=subject_id,
            status=EntitlementStatus.HELD,
            period_key__in=_current_periods(),
        )
        .values_list("benefit", flat=True)
        .distinct()
    )


def held_benefits_all(kind: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    rows = (
        Entitlement.objects.filter(
            subject_kind=kind, status=EntitlementStatus.HELD, period_key__in=_current_periods()
        )
        .values_list("subject_id", "benefit")
        .distinct()
    )
    for sid, benefit in rows:
        out.setdefault(sid, []).append(benefit)
    return out
