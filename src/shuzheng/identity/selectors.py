"""All reads of the identity module, scoped to the caller."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from shuzheng.core import cache, rawsql
from shuzheng.core.errors import Forbidden, NotFound
from shuzheng.identity.contracts import (
    ANONYMOUS,
    DepartmentInfo,
    EnterpriseInfo,
    PersonInfo,
    Principal,
    RegionInfo,
)
from shuzheng.identity.models import (
    ApiClient,
    ApiToken,
    Department,
    Enterprise,
    EnterpriseAgent,
    OtpChallenge,
    Person,
    Region,
    StaffRole,
    User,
)
from shuzheng.identity.services import token_hash

# Staff roles allowed to look a person up (e.g. a window clerk applying on someone's behalf).
PERSON_LOOKUP_ROLES = ("window_clerk", "reviewer", "department_head", "platform_admin")


def principal_for_user(user: User | None) -> Principal:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    person = Person.objects.filter(user=user).select_related("hukou_region").first()
    roles = tuple(
        StaffRole.objects.filter(user=user)
        .values_list("role", "department__code")
        .order_by("role", "department__code")
    )
    today = timezone.localdate()
    enterprises: tuple[str, ...] = ()
    if person is not None:
        enterprises = tuple(
            EnterpriseAgent.objects.filter(
                person=person,
                revoked_at__isnull=True,
                valid_from__lte=today,
                valid_until__gte=today,
            )
            .values_list("enterprise__uscc", flat=True)
            .order_by("enterprise__uscc")
        )
    if user.kind == User.Kind.STAFF or roles:
        kind = "staff"
    elif enterprises:
        kind = "agent"
    else:
        kind = "person"
    return Principal(
        kind=kind,
        username=user.username,
        name=user.display_name or (person.name if person else user.username),
        user_id=user.pk,
        person_id=person.pk if person else None,
        id_number=person.id_number if person else "",
        hukou_region=person.hukou_region.code if person and person.hukou_region else "",
        real_name_level=person.real_name_level if person else 0,
        enterprises=enterprises,
        staff_roles=roles,
        is_superuser=user.is_superuser,
    )


def principal_for_person(id_number: str) -> Principal:
    """A registered person as an applicant (no account, no roles): see ``facade.represented``."""
    person = Person.objects.select_related("hukou_region").filter(id_number=id_number).first()
    if person is None:
        raise NotFound("未找到该自然人。")
    return Principal(
        kind="person",
        name=person.name,
        person_id=person.pk,
        id_number=person.id_number,
        hukou_region=person.hukou_region.code if person.hukou_region else "",
        real_name_level=person.real_name_level,
    )


# Principals behind bearer tokens, cached per process: {token hash: (monotonic expiry, principal)}.
_principals: dict[str, tuple[float, Principal]] = {}
_principals_lock = threading.Lock()
_PRINCIPALS_MAX = 20_000
_clock = time.monotonic


def principal_cache_clear() -> None:
    with _principals_lock:
        _principals.clear()


def _token_state(key_hash: str) -> tuple[Any, ...] | None:
    """(user id, client id, user active, client active) of a live token, in one plain query.

    Run on every call, so revoking or expiring a token, or deactivating its user or client,
    takes effect at once in every process; only the principal built from it is cached.
    """
    t, u, c = rawsql.table(ApiToken), rawsql.table(User), rawsql.table(ApiClient)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    found = rawsql.rows(
        f"SELECT t.user_id, t.client_id, u.is_active, c.is_active FROM {t} t "  # noqa: S608
        f"LEFT JOIN {u} u ON u.id = t.user_id LEFT JOIN {c} c ON c.id = t.client_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s",
        [key_hash, now],
    )
    return found[0] if found else None


def principal_for_token(raw: str) -> Principal | None:
    """The principal behind a bearer token, or None when unknown, expired or revoked.

    The token's state is read on every call; the principal built from it (person, staff roles,
    enterprise authorisations: three more queries) is kept for
    ``IDENTITY_PRINCIPAL_CACHE_SECONDS`` (default 5), so a change of roles or of an agent's
    authorisation reaches API calls within that time. Revocation is immediate.
    """
    key_hash = token_hash(raw)
    state = _token_state(key_hash)
    if state is None:
        return None
    user_id, client_id, user_active, client_active = state
    if (client_id is not None and not client_active) or (
        client_id is None and (user_id is None or not user_active)
    ):
        return None
    ttl = float(getattr(settings, "IDENTITY_PRINCIPAL_CACHE_SECONDS", 0))
    if ttl > 0:
        hit = _principals.get(key_hash)
        if hit is not None and hit[0] > _clock():
            return hit[1]
    principal = _principal_for_live_token(key_hash)
    if principal is not None and ttl > 0:
        with _principals_lock:
            if len(_principals) >= _PRINCIPALS_MAX:
                _principals.clear()
            _principals[key_hash] = (_clock() + ttl, principal)
    return principal


def _principal_for_live_token(key_hash: str) -> Principal | None:
    token = (
        ApiToken.objects.select_related("user", "client", "client__department")
        .filter(key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None:
        return None
    if token.client is not None:
        c = token.client
        if not c.is_active:
            return None
        return Principal(
            kind="client",
            username=c.client_id,
            name=c.name,
            client_id=c.client_id,
            client_kind=c.kind,
            client_department=c.department.code if c.department else "",
            scopes=tuple(c.scopes or ()),
        )
    if token.user is None:
        return None
    principal = principal_for_user(token.user)
    return principal if principal.is_authenticated else None


def person_lookup(*, principal: Principal, id_number: str) -> PersonInfo:
    """A staff lookup of a person, masked by default. Citizens may look up only themselves."""
    if principal.kind in ("person", "agent"):
        if id_number != principal.id_number:
            raise NotFound("未找到该自然人。")
        return person_own(principal=principal)
    if principal.kind != "staff" or not any(principal.has_role(r) for r in PERSON_LOOKUP_ROLES):
        raise Forbidden("仅窗口、审批人员或平台管理员可以查询自然人。")
    person = Person.objects.select_related("hukou_region").filter(id_number=id_number).first()
    if person is None:
        raise NotFound("未找到该自然人。")
    return _person_info(person, masked=True)


def person_own(*, principal: Principal) -> PersonInfo:
    person = (
        Person.objects.select_related("hukou_region").filter(pk=principal.person_id).first()
        if principal.person_id
        else None
    )
    if person is None:
        raise NotFound("未找到实名信息。")
    return _person_info(person, masked=False)


def mask_id_number(value: str) -> str:
    return value[:6] + "********" + value[-4:] if len(value) == 18 else "****"


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(1, len(value) - 1) if value else ""


def _person_info(person: Person, *, masked: bool) -> PersonInfo:
    return PersonInfo(
        id_number=mask_id_number(person.id_number) if masked else person.id_number,
        name=mask_name(person.name) if masked else person.name,
        sex=person.sex,
        birth_date=person.birth_date.isoformat()[:4] + "-**-**"
        if masked
        else person.birth_date.isoformat(),
        phone=mask_phone(person.phone) if masked else person.phone,
        hukou_region=person.hukou_region.code if person.hukou_region else "",
        hukou_address="" if masked else person.hukou_address,
        real_name_level=person.real_name_level,
        is_demo=person.is_demo,
    )


def enterprise_exists(*, uscc: str) -> bool:
    return Enterprise.objects.filter(uscc=uscc).exists()


def enterprise(*, uscc: str) -> EnterpriseInfo:
    e = Enterprise.objects.select_related("region").filter(uscc=uscc).first()
    if e is None:
        raise NotFound("未找到该法人。")
    return EnterpriseInfo(
        uscc=e.uscc,
        name=e.name,
        legal_representative=e.legal_representative,
        region_code=e.region.code,
        industry=e.industry,
        registered_capital=str(e.registered_capital) if e.registered_capital is not None else None,
        founded_on=e.founded_on.isoformat() if e.founded_on else None,
        address=e.address,
    )


def person_phone(*, id_number: str) -> str:
    """The phone of the person with this ID number ("" when unknown)."""
    found = Person.objects.filter(id_number=id_number).values_list("phone", flat=True).first()
    return str(found or "")


def person_phones(*, id_numbers: list[str]) -> dict[str, str]:
    """{ID number: phone} of those people who have a phone on record (one query)."""
    if not id_numbers:
        return {}
    rows = Person.objects.filter(id_number__in=set(id_numbers)).exclude(phone="")
    return dict(rows.values_list("id_number", "phone"))


def person_by_id_number(*, id_number: str) -> PersonInfo | None:
    """Unmasked, for services acting for that person (a window clerk's application)."""
    person = Person.objects.select_related("hukou_region").filter(id_number=id_number).first()
    return _person_info(person, masked=False) if person else None


def _department_info(d: Department) -> DepartmentInfo:
    return DepartmentInfo(
        code=d.code,
        name=d.name,
        level=d.level,
        region_code=d.region.code,
        uscc=d.uscc,
        parent_code=d.parent.code if d.parent else None,
    )


# Every department, cached per process (``core.cache``): naming a department is on the path of
# every case. Whatever writes departments or regions (the admin, ``demo.seed_demo``) bumps it.
DEPARTMENTS_CACHE = "identity.departments"
_departments: cache.Memo[None, tuple[tuple[DepartmentInfo, ...], dict[str, str]]] = cache.Memo(
    DEPARTMENTS_CACHE, maxsize=1
)


def _load_departments() -> tuple[tuple[DepartmentInfo, ...], dict[str, str]]:
    infos = tuple(
        _department_info(d)
        for d in Department.objects.select_related("region", "parent").order_by("level", "code")
    )
    return infos, {d.code: d.name for d in infos}


def _all_departments() -> tuple[tuple[DepartmentInfo, ...], dict[str, str]]:
    return _departments.get(None, _load_departments)


def department_names() -> dict[str, str]:
    """{code: name} of every department (a shared, cached dict: do not modify)."""
    return _all_departments()[1]


def departments(*, q: str = "", region: str = "") -> list[DepartmentInfo]:
    if not q and not region:
        return list(_all_departments()[0])
    qs = Department.objects.select_related("region", "parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q))
    if region:
        qs = qs.filter(region__code__startswith=region.rstrip("0") or region)
    return [_department_info(d) for d in qs.order_by("level", "code")]


def department(*, code: str) -> DepartmentInfo:
    d = Department.objects.select_related("region", "parent").filter(code=code).first()
    if d is None:
        raise NotFound("未找到该部门。")
    return _department_info(d)


def regions(*, parent: str | None = None) -> list[RegionInfo]:
    qs = Region.objects.select_related("parent")
    qs = qs.filter(parent__code=parent) if parent else qs.filter(parent__isnull=True)
    return [
        RegionInfo(
            code=r.code, name=r.name, level=r.level, parent_code=r.parent.code if r.parent else None
        )
        for r in qs.order_by("code")
    ]


def otp_pending(*, user: User, purpose: str = "login") -> bool:
    """Whether the user holds a code for ``purpose`` that is still valid (unused, unexpired)."""
    return OtpChallenge.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


# --- the workbench's colleague picker and search (issue 17) -----------------------------------


def staff_of(*, department: str, roles: tuple[str, ...]) -> list[Any]:
    """The active staff holding one of ``roles`` in ``department`` (``StaffInfo``), by name
    (one query)."""
    from shuzheng.identity.contracts import StaffInfo

    rows = (
        StaffRole.objects.filter(department__code=department, role__in=roles, user__is_active=True)
        .order_by("user__display_name", "user__username", "role")
        .values_list("user__username", "user__display_name", "role")
    )
    found: dict[str, tuple[str, list[str]]] = {}
    for username, name, role in rows:
        found.setdefault(username, (name or username, []))[1].append(role)
    return [StaffInfo(username=u, name=n, roles=tuple(r)) for u, (n, r) in found.items()]


def id_numbers_by_phone(*, phone: str) -> list[str]:
    """The ID numbers of the people registered with this phone (at most a few)."""
    return list(Person.objects.filter(phone=phone).values_list("id_number", flat=True)[:20])


def persons_by_phone(*, phone: str) -> list[tuple[str, str]]:
    """(ID number, name) of the people registered with exactly this phone (at most 20)."""
    return list(
        Person.objects.filter(phone=phone).order_by("id").values_list("id_number", "name")[:20]
    )
