"""The identity module's public face. Other modules import only this and ``contracts``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from shuzheng.core.errors import Forbidden, Unauthenticated
from shuzheng.identity import mandates, selectors, services, throttle
from shuzheng.identity.contracts import (
    ANONYMOUS,
    DepartmentInfo,
    EnterpriseInfo,
    MandateInfo,
    PersonInfo,
    PersonRef,
    Principal,
    RegionInfo,
)
from shuzheng.identity.models import Role

__all__ = [
    "ANONYMOUS",
    "DEPARTMENTS_CACHE",
    "ROLE_NAMES",
    "BearerAuth",
    "OptionalBearerAuth",
    "Principal",
    "department",
    "department_names",
    "departments",
    "enterprise",
    "lookup_allow",
    "mandate_check",
    "mandate_ids_usable",
    "mandates_of",
    "mandates_usable",
    "person_by_id_number",
    "person_lookup",
    "person_own",
    "person_phone",
    "person_phones",
    "persons_by_phone",
    "principal_for_request",
    "regions",
    "represented",
    "require_role",
    "require_staff",
]


def principal_for_request(request: HttpRequest) -> Principal:
    """The caller of a page (session login) or of an API call (bearer token)."""
    cached = getattr(request, "principal", None)
    if isinstance(cached, Principal):
        return cached
    principal = selectors.principal_for_user(getattr(request, "user", None))
    request.principal = principal  # type: ignore[attr-defined]
    return principal


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for people (password tokens) and client credentials."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = selectors.principal_for_token(token)
        if principal is not None:
            request.principal = principal  # type: ignore[attr-defined]
        return principal


class OptionalBearerAuth(BearerAuth):
    """Bearer when given; anonymous otherwise (for public endpoints that personalise)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get("Authorization"):
            request.principal = ANONYMOUS  # type: ignore[attr-defined]
            return ANONYMOUS
        return super().__call__(request)


def require_staff(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff":
        raise Forbidden("仅工作人员可以访问。")


def require_role(principal: Principal, *roles: str, department: str | None = None) -> None:
    """Refuse unless the caller holds one of ``roles`` (in ``department`` when given)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not any(principal.has_role(r, department) for r in roles):
        raise Forbidden(
            "无权执行此操作：需要角色 " + "、".join(str(ROLE_NAMES.get(r, r)) for r in roles) + "。"
        )


ROLE_NAMES = dict(Role.choices)


def person_lookup(principal: Principal, id_number: str) -> PersonInfo:
    return selectors.person_lookup(principal=principal, id_number=id_number)


def person_own(principal: Principal) -> PersonInfo:
    return selectors.person_own(principal=principal)


def person_phone(id_number: str) -> str:
    """Where to text a person (for notifications); "" when unknown."""
    return selectors.person_phone(id_number=id_number)


def person_phones(id_numbers: list[str]) -> dict[str, str]:
    """{ID number: phone} for many people at once (the deferred SMS dispatch)."""
    return selectors.person_phones(id_numbers=id_numbers)


def enterprise(uscc: str) -> EnterpriseInfo:
    return selectors.enterprise(uscc=uscc)


def person_by_id_number(id_number: str) -> PersonInfo | None:
    """Unmasked person data, for a service acting for that person; callers check the right."""
    return selectors.person_by_id_number(id_number=id_number)


def departments(q: str = "", region: str = "") -> list[DepartmentInfo]:
    return selectors.departments(q=q, region=region)


def department_names() -> dict[str, str]:
    """{code: name} of every department, cached per process (do not modify the dict)."""
    return selectors.department_names()


# The ``core.cache`` name of the departments: a module whose cached values carry department
# data lists it among its memo's names (``cache.Memo(MINE, identity.DEPARTMENTS_CACHE)``).
DEPARTMENTS_CACHE = selectors.DEPARTMENTS_CACHE


def department(code: str) -> DepartmentInfo:
    return selectors.department(code=code)


def regions(parent: str | None = None) -> list[RegionInfo]:
    return selectors.regions(parent=parent)


def register_enterprise(
    *,
    uscc: str,
    name: str,
    legal_representative: str,
    region_code: str,
    address: str,
    founded_on: dt.date,
    operator_id_number: str,
    actor: str,
) -> None:
    """Record a market entity a 设立登记 case established, its founder as 经办人 (idempotent)."""
    services.enterprise_register(
        uscc=uscc,
        name=name,
        legal_representative=legal_representative,
        region_code=region_code,
        address=address,
        founded_on=founded_on,
        operator_id_number=operator_id_number,
        actor=actor,
    )


def uscc_taken(uscc: str) -> bool:
    return selectors.enterprise_exists(uscc=uscc)


# --- throttling anonymous lookups (issue 17) -----------------------------------------------------

# scopes of identity's own counters (throttle.py): a lookup may not count against them
_OWN_SCOPES = frozenset({"ip", "account", "client", "register", "sms", "reset", "resetname"})


def lookup_allow(
    request: HttpRequest, *, scope: str, limit: int, window_seconds: int, message: str
) -> None:
    """Count one lookup anyone may make without logging in (办件进度查询 …) against the caller's
    address — the client IP as the login throttle sees it (an IPv6 client by its /64, behind
    ``SHUZHENG_TRUSTED_PROXIES`` the forwarded address) — in identity's throttle rows, shared by
    every web worker; or raise ``RateLimited`` (429; ``message`` with ``{wait}``, and
    ``retry_after`` in seconds) counting nothing when the address made ``limit`` lookups within
    ``window_seconds``. Every lookup counts, found or not, so the count tells nothing. Call it
    before the lookup and outside its transaction: the address's row is locked while it is
    counted (requests in flight at once cannot together pass the limit) and a lookup that
    fails still counts."""
    if scope in _OWN_SCOPES or not 0 < len(scope) <= 16:
        raise ValueError(f"not a lookup scope: {scope!r}")
    rule = throttle.Rule(scope, limit, window_seconds, window_seconds)
    slot = throttle.Slot(rule, throttle.client_ip(request))
    throttle.reserve([slot], now=timezone.now(), message=message)


# --- SMS codes to a phone with no account behind it (an anonymous 12345 caller) -----------------

# phone_code_send(phone=, purpose=, message="…{code}…", ttl_seconds=None): text a code, kept in
# the database (every web node checks it), throttled per phone (RateLimited), audited;
# phone_code_verify(phone=, purpose=, code=): ValidationFailed naming ``code`` unless it matches.
phone_code_send = services.phone_code_send
phone_code_verify = services.phone_code_verify


# --- masking personal data by level (issue 16 item 3) -------------------------------------------

mask_id_number = selectors.mask_id_number
mask_name = selectors.mask_name
mask_phone = selectors.mask_phone


def mask_text(value: object) -> str:
    """Any other personal value shown to a caller whose purpose does not need it: an ID number
    or phone keeps its ends, other text its first character."""
    text = str(value or "")
    if len(text) == 18 and text[:17].isdigit():
        return mask_id_number(text)
    if len(text) == 11 and text.isdigit():
        return mask_phone(text)
    return mask_name(text)


# --- 帮办代办: applying for someone under their 代办授权 (issue 17) -------------------------------


def mandates_usable(principal: Principal) -> list[MandateInfo]:
    """The mandates that let the caller apply for someone today (active, within their dates)."""
    return mandates.usable(principal)


def mandate_check(principal: Principal, id_number: str, item_codes: list[str]) -> MandateInfo:
    """The caller's usable mandate of the person ``id_number`` covering every item code, or
    ``Forbidden`` (403)."""
    return mandates.mandate_check(principal, id_number, item_codes)


def mandate_ids_usable(principal: Principal) -> list[int]:
    """Ids of the caller's usable mandates (one query): cases filed under them stay visible to
    the agent; a revoked or expired mandate hides them."""
    return mandates.usable_ids(principal)


def represented(mandate: MandateInfo) -> Principal:
    """The person a mandate lets the agent apply for, as an applicant (kind ``person``): for
    reading that person's own data (prefill, the e-licences that replace materials). Never an
    actor: audit and ``submitted_by`` stay the agent's."""
    return selectors.principal_for_person(mandate.principal_id_number)


def mandates_of(principal: Principal) -> tuple[list[MandateInfo], list[MandateInfo]]:
    """(given, held): the 代办授权 the caller gave (as 委托人) and holds (as 代办人), newest
    first."""
    return mandates.mandates_of(principal)


# --- the workbench: colleagues to assign a case to, people found by phone (issue 17) ------------


def colleagues(department: str, roles: tuple[str, ...]) -> list[StaffInfo]:
    """The active staff of ``department`` holding one of ``roles`` (分派/转交 picks one), by
    name."""
    return selectors.staff_of(department=department, roles=roles)


def id_numbers_by_phone(phone: str) -> list[str]:
    """The ID numbers of the people registered with this mobile phone (the workbench's search
    by phone; the caller scopes what it finds and audits the search)."""
    return selectors.id_numbers_by_phone(phone=phone)


def persons_by_phone(phone: str) -> list[PersonRef]:
    """The people registered with exactly this mobile phone, as minimal refs (ID number and
    name), for the 12345 operator's "who is calling" (purpose ``HOTLINE_CALLER_LOOKUP_ROLES``;
    the caller checks the role). An empty or malformed phone finds nobody."""
    phone = (phone or "").strip()
    if not (len(phone) == 11 and phone.isdigit()):
        return []
    return [PersonRef(id_number=i, name=n) for i, n in selectors.persons_by_phone(phone=phone)]


from shuzheng.identity.contracts import StaffInfo  # noqa: E402  (the colleague picker's rows)
