"""Plain data the identity module hands to other modules (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

# What each staff role is for (issue 16 item 3). A read of personal data is scoped to the
# caller's purpose in a department, not merely to the department: a data officer keeps the
# department's data catalogue and sharing and does not read case files; a 12345 operator
# answers calls; a platform administrator runs the platform. Neither reads applications.
CASE_ROLES = ("window_clerk", "reviewer", "department_head")  # handle applications (办件)
SUPERVISOR_ROLES = ("department_head",)  # see their departments' running metrics
RATING_ROLES = ("department_head", "reviewer", "window_clerk", "hotline_operator")  # 好差评整改
# 12345 (issue 18): the center's operators (话务员) and supervisors (班长: 争议裁定, 延期审批,
# 督办) see every ticket; a department's handlers see the tickets dispatched to it.
HOTLINE_CENTER_ROLES = ("hotline_operator", "hotline_supervisor")
HOTLINE_HANDLER_ROLES = ("hotline_handler",)
# 12345 (issue 18 item 1a) — purpose "the operator sees who is calling": the center may look a
# caller up by the phone they call from (``identity.facade.persons_by_phone``: name and ID
# number only) and read that person's OPEN 办件 (number, item, status in words; nothing of the
# form or the materials: ``cases.facade.open_cases_for_hotline``, audited as a read of personal
# data). For this purpose only: these roles still read no application (CASE_ROLES above).
HOTLINE_CALLER_LOOKUP_ROLES = HOTLINE_CENTER_ROLES


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person, an enterprise agent, a staff member or an API client."""

    kind: str  # "person" | "agent" | "staff" | "client" | "anonymous"
    username: str = ""
    name: str = ""
    user_id: int | None = None
    person_id: int | None = None
    id_number: str = ""
    hukou_region: str = ""
    real_name_level: int = 0
    enterprises: tuple[str, ...] = ()  # USCCs this agent may act for
    staff_roles: tuple[tuple[str, str], ...] = ()  # (role, department_code)
    client_id: str = ""
    client_kind: str = ""
    client_department: str = ""
    scopes: tuple[str, ...] = ()
    is_superuser: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def roles(self) -> list[str]:
        return sorted({r for r, _ in self.staff_roles})

    @property
    def departments(self) -> list[str]:
        return sorted({d for _, d in self.staff_roles})

    def departments_for(self, roles: tuple[str, ...]) -> list[str]:
        """The departments in which the caller holds one of ``roles`` (a purpose's roles)."""
        return sorted({d for r, d in self.staff_roles if r in roles})

    def supervised_departments(self) -> set[str] | None:
        """Departments whose metrics the caller may see: None = all (platform administrators),
        the departments they head for department heads, an empty set for anyone else. The
        workbench's metrics page and ``GET /api/v1/metrics`` both ask this."""
        if self.kind != "staff":
            return set()
        if self.is_platform_admin:
            return None
        return set(self.departments_for(SUPERVISOR_ROLES))

    @property
    def actor(self) -> str:
        """The actor string written to the audit log."""
        if self.kind == "client":
            return f"client:{self.client_id}"
        if self.kind == "anonymous":
            return "anonymous"
        return f"user:{self.username}"

    def has_role(self, role: str, department: str | None = None) -> bool:
        if self.is_superuser and role == "platform_admin":
            return True
        return any(
            r == role and (department is None or d == department) for r, d in self.staff_roles
        )

    @property
    def is_platform_admin(self) -> bool:
        return self.has_role("platform_admin")


ANONYMOUS = Principal(kind="anonymous")


@dataclass(frozen=True)
class DepartmentInfo:
    code: str
    name: str
    level: int
    region_code: str
    uscc: str
    parent_code: str | None = None


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    level: str
    parent_code: str | None = None


@dataclass(frozen=True)
class PersonInfo:
    id_number: str
    name: str
    sex: str
    birth_date: str
    phone: str
    hukou_region: str
    hukou_address: str
    real_name_level: int
    is_demo: bool = False


@dataclass(frozen=True)
class PersonRef:
    """The least that names a registered person (a caller found by phone): no phone, address,
    birth date or hukou."""

    id_number: str
    name: str


@dataclass(frozen=True)
class EnterpriseInfo:
    uscc: str
    name: str
    legal_representative: str
    region_code: str
    industry: str
    registered_capital: str | None
    founded_on: str | None
    address: str = ""
    agents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


@dataclass(frozen=True)
class MandateInfo:
    """A 代办授权 as other modules and pages see it: who lets whom apply for them, for what,
    how long, on what basis, and its state in words."""

    id: int
    principal_id_number: str
    principal_name: str
    agent_id_number: str
    agent_name: str
    basis: str  # relative | helper
    basis_name: str
    relation_name: str
    scope: str  # all | listed
    item_codes: tuple[str, ...]
    valid_from: str
    valid_until: str
    status: str  # pending | active | declined | revoked | expired
    status_name: str
    confirmed_via: str = ""
    paper_ref: str = ""

    @property
    def usable(self) -> bool:
        return self.status == "active"

    def covers(self, item_code: str) -> bool:
        return self.scope == "all" or item_code in self.item_codes


@dataclass(frozen=True)
class StaffInfo:
    """A staff member of a department, as a colleague picker lists them (issue 17)."""

    username: str
    name: str
    roles: tuple[str, ...]  # their roles in that department
