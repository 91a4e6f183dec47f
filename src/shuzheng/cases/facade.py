"""The cases module's public face."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import IO, Any

from shuzheng.cases import hooks, selectors, services, transitions
from shuzheng.cases.contracts import (
    CaseLink,
    CaseRef,
    CorrectionTarget,
    PendingField,
    PendingLicense,
)
from shuzheng.cases.models import Case, CaseStatus, WarningLevel
from shuzheng.cases.services import roles_on
from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import NotFound
from shuzheng.files import facade as files
from shuzheng.identity.contracts import Principal

__all__ = [
    "QUEUES",
    "CaseLink",
    "CaseRef",
    "CaseSummary",
    "CorrectionTarget",
    "PendingField",
    "PendingLicense",
    "action_label",
    "case_act",
    "case_detail",
    "case_for_applicant",
    "case_list",
    "case_ref",
    "close_held",
    "close_paid_instant",
    "correction_options",
    "due_dates_recompute",
    "file_read_grant",
    "hotline_case_link",
    "hotline_open_cases",
    "material_file",
    "metrics_rows",
    "notice_links",
    "overdue",
    "pending_license",
    "queue_counts",
    "queue_name",
    "ref_of",
    "register_action_listener",
    "register_close_gate",
]


def _ref(case: Case) -> CaseRef:
    return CaseRef(
        case_no=case.case_no,
        item_code=case.item_code or case.bundle_code,
        item_name=case.item_name,
        department_code=case.department_code,
        applicant_kind=case.applicant_kind,
        applicant_id=case.applicant_id,
        submitted_by=case.submitted_by,
        status=case.status,
        channel=case.channel,
        assignee=case.assignee or case.accepted_by,
        closed=case.status in transitions.TERMINAL,
        decision=case.decision,
    )


def ref_of(case: Case) -> CaseRef:
    """The plain data of a case row for ``hooks`` (inside this module), with the applicant's
    name and the item version in ``extra``."""
    return replace(
        _ref(case),
        extra={"applicant_name": case.applicant_name, "item_version": case.item_version},
    )


# modules above cases (payments): told of each action in its transaction; may hold back 办结
register_action_listener = hooks.register_action_listener
register_close_gate = hooks.register_close_gate


def case_ref(principal: Principal, case_no: str) -> CaseRef:
    """A case the caller may see (raises NotFound otherwise)."""
    return _ref(selectors.case_for(principal, case_no))


def case_for_applicant(principal: Principal, case_no: str) -> CaseRef | None:
    """The case when the caller is its applicant (the only one who may rate it)."""
    case = services.case_by_no(case_no)  # being its applicant is what makes it visible
    if case is None or transitions.APPLICANT not in roles_on(principal, case):
        return None
    return _ref(case)


def create_proactive_case(
    *,
    item_code: str | None,
    title: str,
    department_code: str,
    applicant_kind: str,
    applicant_id: str,
    applicant_name: str,
    decision: dict[str, Any],
) -> CaseRef:
    """免申即享: record a granted benefit as a closed case (channel ``proactive``)."""
    from shuzheng.cases.services import case_create_proactive

    return _ref(
        case_create_proactive(
            item_code=item_code,
            title=title,
            department_code=department_code,
            applicant_kind=applicant_kind,
            applicant_id=applicant_id,
            applicant_name=applicant_name,
            decision=decision,
        )
    )


def metrics_rows() -> list[dict[str, object]]:
    return selectors.metrics_rows()


def due_dates_recompute(*, actor: str, year: int) -> int:
    """Recount the due dates of unfinished cases whose count crosses ``year`` (its holiday
    notice was just entered; call it in that transaction). Each change is audited
    (``cases.due_date_recomputed``); returns how many cases changed."""
    from shuzheng.cases.services import deadlines

    return deadlines.due_dates_recompute(actor=actor, year=year)


# --- for the staff workbench (L4): summaries and details as plain data ---------------------------


@dataclass(frozen=True)
class CaseSummary:
    """One row of a queue or list."""

    case_no: str
    item_name: str
    department_code: str
    status: str
    status_name: str
    applicant_name: str
    channel: str
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    warning: str
    warning_name: str
    assignee: str


def _summary(case: Case) -> CaseSummary:
    return CaseSummary(
        case_no=case.case_no,
        item_name=case.item_name,
        department_code=case.department_code,
        status=case.status,
        status_name=str(CaseStatus(case.status).label),
        applicant_name=case.applicant_name,
        channel=case.channel,
        submitted_at=case.submitted_at,
        due_date=case.due_date,
        warning=case.warning,
        warning_name=str(WarningLevel(case.warning).label),
        assignee=case.assignee,
    )


QUEUES: tuple[str, ...] = tuple(selectors.QUEUES)


def queue_name(queue: str) -> Any:
    """The Chinese name of a workbench queue (``QUEUES``)."""
    return selectors.QUEUES[queue][0]


def action_label(action: str, *, staff: bool = False) -> Any:
    """What an action is called on its button (``staff``: at a staff desk, where staff act on
    the applicant's behalf), from the transition table."""
    return transitions.CASE.label(action, staff=staff)


def queue_counts(principal: Principal) -> dict[str, int]:
    return selectors.queue_counts(principal)


def case_list(
    principal: Principal,
    *,
    queue: str | None = None,
    department: str | None = None,
    q: str = "",
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[CaseSummary], int]:
    rows, total = selectors.case_list(
        principal, queue=queue, department=department, q=q, limit=limit, offset=offset
    )
    return [_summary(c) for c in rows], total


def case_detail(principal: Principal, case_no: str) -> dict[str, Any]:
    """The case as the API shows it (``selectors.detail``) plus the applicant's id number."""
    case = selectors.case_for(principal, case_no)
    return {**selectors.detail(principal, case), "applicant_id": case.applicant_id}


def case_act(*, principal: Principal, case_no: str, action: str, **kwargs: Any) -> dict[str, Any]:
    """Perform one action (``services.case_act``) and return the case as ``case_detail``."""
    case = services.case_act(principal=principal, case_no=case_no, action=action, **kwargs)
    return {**selectors.detail(principal, case), "applicant_id": case.applicant_id}


def correction_options(detail: dict[str, Any]) -> list[CorrectionTarget]:
    """What a 补正 of the case (``case_detail``'s answer) may ask for: each material of the
    item version it was filed under, then each form field the applicant can change."""
    code, version = detail.get("item_code"), detail.get("item_version")
    if not code:
        return []
    try:
        item = catalog.item_version(code, version or 1)
    except NotFound:
        return []
    return services.correction_options(item)


def material_file(
    principal: Principal, case_no: str, file_id: str
) -> tuple[files.FileInfo, IO[bytes]]:
    """A material file of a case the caller may see (its applicant; the handling roles of its
    department: ``selectors.visible_cases``), opened for reading; the read is audited
    (``files.read``, purpose ``case:<case_no>``). NotFound for anyone else and for a file the
    case does not use."""
    selectors.case_material(principal, case_no, file_id)
    return files.file_read(file_id=file_id, actor=principal.actor, purpose=f"case:{case_no}")


def file_read_grant(principal: Principal, info: files.FileInfo) -> str | None:
    """The read grant cases gives the files module (registered in ``apps.ready``; files sits
    below cases and cannot ask it): whoever may see a case that uses a file may read the file
    (``GET /api/v1/files/{file_id}``). The reason, written to the read's audit record, names
    the case."""
    case_no = selectors.case_using_file(principal, info.file_id, info.owner)
    return f"case:{case_no}" if case_no else None


def close_held(principal: Principal, case_no: str) -> str:
    """Why a case the caller sees may not be closed (办结/出证) yet — a module above holds it
    back (payments: an unpaid fee) — or "" (NotFound like ``case_detail``)."""
    return hooks.close_blocked(selectors.case_for(principal, case_no)) or ""


def close_paid_instant(case_no: str) -> CaseRef | None:
    """A 秒批 case approved by the rules and held back only by its fee: once the fee is paid
    (payments calls this after its payment commits), it is closed through the ``close`` row
    as ``system:秒批`` — 电子送达, the result licence issued, audited. Any other case, or one a
    gate still holds, is left as it is. Returns the case as it is then (None: no such case)."""
    from shuzheng.cases.services import instant

    case = instant.close_paid(case_no)
    return _ref(case) if case is not None else None


def pending_license(principal: Principal, case_no: str) -> PendingLicense | None:
    """The result licence of a case the caller may see that is left pending (the data items the
    department has to fill in before issuing it), or None. Raises NotFound like ``case_detail``."""
    return services.pending_license(selectors.case_for(principal, case_no))


def overdue(principal: Principal) -> list[CaseSummary]:
    return [_summary(c) for c in selectors.overdue(principal)]


def notice_links(detail: dict[str, Any]) -> list[dict[str, str]]:
    """The printed notices a case has (受理通知书, 一次性告知书, 不予受理通知书: kind, title and
    the page serving its sealed PDF), from ``case_detail``'s answer."""
    from shuzheng.cases import documents

    return [{"kind": n.kind, "title": n.title, "url": n.url} for n in documents.links(detail)]


# --- the clerk's desk (issue 17): search by 身份证号 or phone, 预审, colleagues -------------------


def personal_query(q: str) -> tuple[str, str] | None:
    """("id_number" | "phone", value) when a search text is a 身份证号 or mobile number."""
    from shuzheng.cases.services import desk

    return desk.personal_query(q)


def case_search_person(
    principal: Principal, *, kind: str, value: str, limit: int = 20, offset: int = 0
) -> tuple[list[CaseSummary], int]:
    """The cases, across every queue, of the person with this ID number or phone that the
    caller may see, newest first, and how many (``services.desk``: audited as a search of
    personal data)."""
    from shuzheng.cases.services import desk

    rows, total = desk.case_search_person(
        principal, kind=kind, value=value, limit=limit, offset=offset
    )
    return [_summary(c) for c in rows], total


def material_checks(principal: Principal, case_no: str) -> dict[str, dict[str, Any]]:
    """The 预审 checklist of a case the caller may see: {material code: {verdict (ok | bad),
    note, by, at}}."""
    from shuzheng.cases.services import desk

    return desk.material_checks(selectors.case_for(principal, case_no))


def material_checks_save(
    *, principal: Principal, case_no: str, checks: dict[str, tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    """Save the 预审 of every material (``services.desk.material_checks_save``)."""
    from shuzheng.cases.services import desk

    return desk.material_checks_save(principal=principal, case_no=case_no, checks=checks)


def assignees(principal: Principal, case_no: str) -> list[Any]:
    """The colleagues a case the caller may see can be assigned to (分派/转交): active staff
    with a handling role in its department (``identity.contracts.StaffInfo``)."""
    from shuzheng.identity import facade as identity
    from shuzheng.identity.contracts import CASE_ROLES

    case = selectors.case_for(principal, case_no)
    return identity.colleagues(case.department_code, CASE_ROLES)


# --- 12345 (issue 18): a complaint about a case, and the caller's open cases ---------------------


def _link(case: Case) -> CaseLink:
    return CaseLink(
        case_no=case.case_no,
        item_name=case.item_name,
        department_code=case.department_code,
        status=case.status,
        status_name=str(CaseStatus(case.status).label) if case.status in CaseStatus.values else "",
        closed=case.status in transitions.TERMINAL,
        submitted_at=case.submitted_at.isoformat() if case.submitted_at else None,
    )


def hotline_case_link(principal: Principal, case_no: str) -> CaseLink | None:
    """The case a 12345 ticket is about (``linked_case_no``), or None. A person or agent
    names only a case they may see (their own); the 12345 center, a department's
    ``hotline_handler`` and API clients any case that exists (a caller tells the operator its
    number; a department reads the status of the case a complaint is about; the hotline shows
    an API client no more than that the number exists).
    Only the number, item, department and status in words (``CaseLink``)."""
    from shuzheng.identity.contracts import HOTLINE_CENTER_ROLES, HOTLINE_HANDLER_ROLES

    case_no = (case_no or "").strip()
    if not case_no:
        return None
    if principal.kind in ("person", "agent"):
        case = selectors.visible_cases(principal).filter(case_no=case_no).first()
    elif principal.kind == "client" or (
        principal.kind == "staff"
        and principal.departments_for(HOTLINE_CENTER_ROLES + HOTLINE_HANDLER_ROLES)
    ):
        case = services.case_by_no(case_no)
    else:
        case = None
    return _link(case) if case is not None and case.status != CaseStatus.DRAFT else None


def hotline_open_cases(principal: Principal, id_number: str, *, limit: int = 20) -> list[CaseLink]:
    """The OPEN 办件 (filed, not finished) a person applied for, newest first, for the 12345
    operator who has them on the phone (purpose ``identity.contracts.HOTLINE_CALLER_LOOKUP_ROLES``;
    anyone else: ``Forbidden``). Number, item and status in words only; the read is audited as
    a read of personal data (``cases.hotline_open_cases``)."""
    from django.db import transaction

    from shuzheng.audit import facade as audit
    from shuzheng.core.errors import Forbidden
    from shuzheng.identity.contracts import HOTLINE_CALLER_LOOKUP_ROLES

    if principal.kind != "staff" or not principal.departments_for(HOTLINE_CALLER_LOOKUP_ROLES):
        raise Forbidden("仅 12345 热线中心可以查看来电人的在办办件。")
    id_number = (id_number or "").strip()
    if not id_number:
        return []
    open_statuses = [s for s in CaseStatus.values if s not in transitions.TERMINAL]
    with transaction.atomic():
        rows = list(
            Case.objects.filter(
                applicant_kind="person",
                applicant_id=id_number,
                kind="item",
                status__in=[s for s in open_statuses if s != CaseStatus.DRAFT],
            ).order_by("-id")[: max(1, min(limit, 50))]
        )
        audit.record(
            actor=principal.actor,
            action="cases.hotline_open_cases",
            object_type="person",
            object_id=id_number,
            after={"purpose": "hotline_caller", "found": len(rows)},
        )
    return [_link(c) for c in rows]
