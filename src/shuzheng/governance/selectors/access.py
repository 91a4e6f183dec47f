"""Who sees what in 一网统管.

- **center and leaders**: staff holding ``CENTER_ROLES`` in a department of
  ``settings.GOVERNANCE_CENTER_DEPARTMENTS`` (default the 市政数局 441200-ZSJ, which runs 12345
  and 一网统管 in 肇庆), and platform administrators → everything;
- **a 区县**: staff of a department whose region lies in a 区县 of the city (a 镇街's department
  counts for its 区县) → that district's readings and alerts, of every indicator;
- **a department**: staff of an indicator's owning department → that indicator, every district;
- **an API client** with the scope ``city.readings`` → the indicators of its department (all of
  them when its department is a center department); it may push their readings.

Anyone else: 403 on lists, 404 on an object they cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from shuzheng.core import codes
from shuzheng.core.errors import Forbidden, Unauthenticated
from shuzheng.governance.models import CITY
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

CENTER_ROLES = ("hotline_operator", "hotline_supervisor", "department_head", "platform_admin")
READINGS_SCOPE = "city.readings"


def center_departments() -> tuple[str, ...]:
    return tuple(getattr(settings, "GOVERNANCE_CENTER_DEPARTMENTS", ("441200-ZSJ",)))


def district_of(region_code: str) -> str | None:
    """The 区县 (under the city) a region lies in; None outside the city or for the city. A 镇街
    (9 digits) or 村/社区 (12) lies in the 区县 its first six digits name."""
    code = region_code[:6]
    for _ in range(4):
        if not code or code == CITY:
            return None
        parent = codes.region_parent(code) if len(code) >= 6 else None
        if parent == CITY:
            return code
        if parent is None:
            return None
        code = parent
    return None


def city_districts() -> list[tuple[str, str]]:
    """(code, name) of the city's 区县, code order."""
    out = []
    for r in identity.regions(parent=CITY):
        out.append((r.code, r.name))
    return sorted(out)


@dataclass(frozen=True)
class Scope:
    all: bool = False
    districts: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    may_push: bool = False

    @property
    def any(self) -> bool:
        return self.all or bool(self.districts) or bool(self.departments)

    def indicator_q(self, prefix: str = "") -> Q:
        """Rows (readings, alerts, states) the scope sees; ``prefix`` leads to the indicator."""
        if self.all:
            return Q()
        q = Q(pk__in=[])
        if self.departments:
            q |= Q(**{f"{prefix}department__in": sorted(self.departments)})
        return q

    def row_q(self, *, indicator: str = "indicator__", district: str = "district") -> Q:
        """Rows with an indicator and a district (readings, states, alerts)."""
        if self.all:
            return Q()
        q = Q(pk__in=[])
        if self.departments:
            q |= Q(**{f"{indicator}department__in": sorted(self.departments)})
        if self.districts:
            q |= Q(**{f"{district}__in": sorted(self.districts)})
        return q


def scope_of(principal: Principal) -> Scope:
    if not principal.is_authenticated:
        raise Unauthenticated()
    centers = center_departments()
    if principal.kind == "client":
        if READINGS_SCOPE not in principal.scopes:
            return Scope()
        dept = principal.client_department
        if dept and dept in centers:
            return Scope(all=True, may_push=True)
        return Scope(departments=frozenset({dept}) if dept else frozenset(), may_push=bool(dept))
    if principal.kind != "staff":
        return Scope()
    if principal.is_superuser or principal.is_platform_admin:
        return Scope(all=True, may_push=True)
    if any(principal.has_role(r, d) for r in CENTER_ROLES for d in centers):
        return Scope(all=True, may_push=True)
    departments = set(principal.departments)
    regions = {d.code: d.region_code for d in identity.departments()}  # cached per process
    districts = set()
    for code in departments:
        d = district_of(regions.get(code, ""))
        if d:
            districts.add(d)
    return Scope(districts=frozenset(districts), departments=frozenset(departments))


def require_scope(principal: Principal) -> Scope:
    scope = scope_of(principal)
    if not scope.any:
        raise Forbidden("无权查看城市运行体征指标。")
    return scope


def roles_on_alert(principal: Principal, *, department: str, district: str) -> list[str]:
    scope = scope_of(principal)
    if principal.kind == "client":
        return []
    roles = []
    if scope.all:
        roles.append("center")
    if department in scope.departments:
        roles.append("owner")
    if district in scope.districts:
        roles.append("district")
    return roles
