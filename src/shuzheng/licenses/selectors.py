"""All reads of the licenses module, scoped to the caller.

Who sees a licence:

* its holder — a person (their ID number) or an agent acting for the enterprise holder;
* staff with a role in the issuing department (window, review, head, data officer), and
  platform administrators;
* a government API client of the issuing department.

Everyone else gets 404, as if the licence did not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuzheng.core import rawsql
from shuzheng.core.errors import NotFound
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import CASE_ROLES, Principal
from shuzheng.licenses.contracts import LicenseFieldInfo, LicenseRef, LicenseTypeInfo
from shuzheng.licenses.models import (
    License,
    LicenseEvent,
    LicenseStatus,
    LicenseType,
    LicenseUse,
    Presentation,
)

VIEW_ROLES = ("window_clerk", "reviewer", "department_head", "data_officer")
MANAGE_ROLES = ("reviewer", "department_head")
IMPORT_ROLES = ("window_clerk", "reviewer", "department_head")


def status_on(status: str, valid_until: dt.date | None, today: dt.date) -> str:
    """A licence's status as of ``today``: a valid one past its end date has expired."""
    if status == LicenseStatus.VALID and valid_until and valid_until < today:
        return LicenseStatus.EXPIRED.value
    return str(status)


def effective_status(lic: License, today: dt.date | None = None) -> str:
    return status_on(lic.status, lic.valid_until, today or timezone.localdate())


def status_name(status: str) -> str:
    return str(LicenseStatus(status).label)


def holder_q(principal: Principal) -> Q | None:
    q = None
    if principal.kind in ("person", "agent", "staff") and principal.id_number:
        q = Q(holder_kind="person", holder_id=principal.id_number)
    if principal.enterprises:
        eq = Q(holder_kind="enterprise", holder_id__in=list(principal.enterprises))
        q = eq if q is None else q | eq
    return q


def staff_departments(principal: Principal, roles: tuple[str, ...]) -> list[str]:
    return sorted({d for r, d in principal.staff_roles if r in roles})


def visible(principal: Principal) -> QuerySet[License]:
    qs = License.objects.select_related("license_type")
    if not principal.is_authenticated:
        return qs.none()
    if principal.kind == "client":
        if principal.client_kind == "government" and principal.client_department:
            return qs.filter(department_code=principal.client_department)
        return qs.none()
    if principal.is_platform_admin:
        return qs
    q = holder_q(principal)
    depts = staff_departments(principal, VIEW_ROLES)
    if depts:
        dq = Q(department_code__in=depts)
        q = dq if q is None else q | dq
    return qs.filter(q) if q is not None else qs.none()


def wallet(principal: Principal) -> list[License]:
    """The caller's own licences (a person's, and those of enterprises they act for)."""
    q = holder_q(principal)
    if q is None:
        return []
    return list(License.objects.select_related("license_type").filter(q))


def license_for(principal: Principal, license_id: str) -> License:
    lic = visible(principal).filter(license_id=license_id).first()
    if lic is None:
        raise NotFound("未找到该电子证照。")
    return lic


def is_holder(principal: Principal, lic: License) -> bool:
    if lic.holder_kind == "person":
        return bool(principal.id_number) and principal.id_number == lic.holder_id
    return lic.holder_id in principal.enterprises


def personal_data_visible(principal: Principal, lic: License) -> bool:
    """Whether the caller sees a person's licence unmasked (issue 16 item 3): its holder, the
    issuing department's handling staff and the department's own system do; a data officer or a
    platform administrator, whose purpose is the register and not the person, sees it masked."""
    if lic.holder_kind != "person" or is_holder(principal, lic):
        return True
    if principal.kind == "client":
        return principal.client_department == lic.department_code
    return any(principal.has_role(r, lic.department_code) for r in CASE_ROLES)


def license_no_seen(lic: License, masked: bool) -> str:
    """The licence number as shown: a 居民身份证's number is the person's ID number, masked
    with the rest of the person's data."""
    if masked and lic.license_no == lic.holder_id:
        return identity.mask_text(lic.license_no)
    return str(lic.license_no)


def can_manage(principal: Principal, lic: License) -> bool:
    return principal.is_platform_admin or any(
        principal.has_role(r, lic.department_code) for r in MANAGE_ROLES
    )


def events(lic: License) -> list[LicenseEvent]:
    return list(lic.events.all())


def uses(lic: License, limit: int = 200) -> list[LicenseUse]:
    return list(lic.uses.select_related("presentation")[:limit])


def uses_seen(principal: Principal, lic: License, limit: int = 200) -> list[LicenseUse]:
    """The 用证记录 as the caller may see them. A caller who sees the licence masked
    (``personal_data_visible``) sees its uses masked too: who used it (the holder's own uses
    carry his name and account), for what and in which case tell of the holder and his affairs.
    The rows are shaped for reading, never saved."""
    rows = uses(lic, limit)
    if personal_data_visible(principal, lic):
        return rows
    for u in rows:
        u.actor_name = identity.mask_name(u.actor_name)
        if u.actor.startswith("user:"):
            u.actor = "user:" + identity.mask_name(u.actor.removeprefix("user:"))
        u.purpose = identity.mask_text(u.purpose)
        u.case_no = ""
    return rows


def presentation_for(principal: Principal, nonce: str) -> Presentation:
    p = (
        Presentation.objects.select_related("license", "license__license_type")
        .filter(nonce=nonce)
        .first()
    )
    if p is None or not is_holder(principal, p.license):
        raise NotFound("未找到该亮证记录。")
    return p


def license_type(name: str) -> LicenseType | None:
    return LicenseType.objects.filter(name=name, is_active=True).first()


def type_info(t: LicenseType) -> LicenseTypeInfo:
    return LicenseTypeInfo(
        code=t.code,
        name=t.name,
        issuer_department=t.issuer_department,
        holder_kinds=tuple(t.holder_kinds),
        fields=tuple((f["name"], f["label"]) for f in t.fields),
        replaces=tuple(t.replaces),
        field_specs=tuple(
            LicenseFieldInfo(
                name=f["name"],
                label=f["label"],
                type=f.get("type", "string"),
                required=bool(f.get("required")),
                choices=tuple(f.get("choices", ())),
                age_bands=tuple((int(low), str(words)) for low, words in f.get("age_bands", ())),
            )
            for f in t.fields
        ),
    )


def types() -> list[LicenseTypeInfo]:
    return [type_info(t) for t in LicenseType.objects.filter(is_active=True)]


def ref(lic: License, today: dt.date | None = None) -> LicenseRef:
    return LicenseRef(
        license_id=lic.license_id,
        type_code=lic.license_type.code,
        type_name=lic.license_type.name,
        license_no=lic.license_no,
        holder_kind=lic.holder_kind,
        holder_id=lic.holder_id,
        holder_name=lic.holder_name,
        department_code=lic.department_code,
        department_name=lic.department_name,
        status=effective_status(lic, today),
        issued_on=lic.issued_on,
        valid_until=lic.valid_until,
    )


def satisfying(holder_kind: str, holder_id: str, license_type_name: str) -> list[LicenseRef]:
    """The holder's licences of this type that are valid today (免证办)."""
    return satisfying_many(holder_kind, holder_id, [license_type_name])[license_type_name]


def satisfying_many(
    holder_kind: str, holder_id: str, license_type_names: Sequence[str]
) -> dict[str, list[LicenseRef]]:
    """Type name → the holder's licences of that type valid today, for several types in one
    query (an application form offers 免证办 for each of its materials). Only the columns a
    reference needs are read: a licence row also carries its data and signature.

    Plain SQL: every application form asks, and the ORM's query costs about ten times as much
    (building and compiling it, not running it). ``tests/test_satisfying.py`` checks it
    returns what the ORM query returns."""
    names = list(dict.fromkeys(license_type_names))
    out: dict[str, list[LicenseRef]] = {n: [] for n in names}
    if not names:
        return out
    today = timezone.localdate()
    lic, typ = rawsql.table(License), rawsql.table(LicenseType)
    marks = ", ".join(["%s"] * len(names))
    rows = rawsql.rows(
        "SELECT l.license_id, t.code, t.name, l.license_no, l.holder_kind, l.holder_id, "  # noqa: S608
        "l.holder_name, l.department_code, l.department_name, l.issued_on, l.valid_until "
        f"FROM {lic} l JOIN {typ} t ON t.id = l.license_type_id "
        "WHERE l.holder_kind = %s AND l.holder_id = %s AND l.status = %s "
        f"AND t.name IN ({marks}) ORDER BY l.issued_on DESC, l.id DESC",
        [holder_kind, holder_id, LicenseStatus.VALID.value, *names],
        read_of=License,
    )
    for lid, code, name, no, kind, hid, hname, dcode, dname, issued, until in rows:
        valid_until = rawsql.as_date(until)
        if status_on(LicenseStatus.VALID, valid_until, today) != LicenseStatus.VALID:
            continue
        issued_on = rawsql.as_date(issued)
        assert issued_on is not None
        out[name].append(
            LicenseRef(
                license_id=lid,
                type_code=code,
                type_name=name,
                license_no=no,
                holder_kind=kind,
                holder_id=hid,
                holder_name=hname,
                department_code=dcode,
                department_name=dname,
                status=LicenseStatus.VALID.value,
                issued_on=issued_on,
                valid_until=valid_until,
            )
        )
    return out


def holder_licenses(holder_kind: str, holder_id: str) -> list[LicenseRef]:
    today = timezone.localdate()
    rows = License.objects.select_related("license_type").filter(
        holder_kind=holder_kind, holder_id=holder_id
    )
    return [ref(r, today) for r in rows]


def by_license_id(license_id: str) -> License | None:
    """Unscoped: for the public status check and the services' own lookups."""
    return License.objects.select_related("license_type").filter(license_id=license_id).first()
