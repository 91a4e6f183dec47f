"""The clerk's desk (issue 17): finding a case by the applicant's 身份证号 or phone across every
queue, the 预审 checklist of a case's materials, and who a case may be assigned to.

- ``case_search_person``: a search by a person's ID number or mobile phone is a read of
  personal data — scoped to the departments where the caller handles cases
  (``selectors.visible_cases``), audited (``cases.search_person``: who searched for whom and
  how many cases were found) in its own transaction.
- ``material_checks_save``: per material 合格 / 不合格 with a note, by a handling role of the
  case's department while the case is open; a timeline event (``material_check``, 材料预审)
  holds the checklist and the audit record its before and after, one transaction. The latest
  event is the checklist (``material_checks``); its 不合格 rows prefill a 补正 request.
- ``check_assignee``: 分派/转交 only to an active colleague holding a handling role in the
  case's department (``identity.facade.colleagues``).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Q

from shuzheng.audit import facade as audit
from shuzheng.cases import selectors
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import records
from shuzheng.cases.services.actions import roles_on
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import CASE_ROLES, Principal

ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")
MOBILE = re.compile(r"1\d{10}")
# form fields that hold the applicant's phone (the catalog's forms use applicant_phone)
PHONE_FIELDS = ("applicant_phone", "contact_phone", "phone")


def personal_query(q: str) -> tuple[str, str] | None:
    """("id_number" | "phone", the normalised value) when ``q`` is a 身份证号 or a mobile phone
    number, else None (an ordinary search by case number, item or name)."""
    value = re.sub(r"[\s-]", "", q).upper()
    if ID_NUMBER.fullmatch(value):
        return "id_number", value
    if MOBILE.fullmatch(value):
        return "phone", value
    return None


def case_search_person(
    principal: Principal, *, kind: str, value: str, limit: int = 20, offset: int = 0
) -> tuple[list[Case], int]:
    """The cases, in every queue, of the person with this ID number or phone among those the
    caller may see (newest first), and how many; the search is audited."""
    qs = selectors.visible_cases(principal)
    if kind == "id_number":
        match = Q(applicant_id=value)
    else:
        match = Q(applicant_id__in=identity.id_numbers_by_phone(value))
        for name in PHONE_FIELDS:
            match |= Q(**{f"form__{name}": value})
    qs = qs.filter(match)
    with transaction.atomic():
        total = qs.count()
        rows = list(qs.order_by("-id")[offset : offset + max(1, min(limit, 100))])
        audit.record(
            actor=principal.actor,
            action="cases.search_person",
            object_type="person",
            object_id=value,
            after={
                "by": kind,
                "found": total,
                "departments": principal.departments_for(CASE_ROLES),
            },
        )
    return rows, total


# --- 预审: a checklist per material -------------------------------------------------------------

VERDICTS = ("ok", "bad")  # 合格 | 不合格
CHECKABLE = (S.SUBMITTED, S.IN_PROGRESS, S.SUSPENDED, S.CORRECTION)
CHECK_EVENT = "material_check"


def material_keys(case: Case) -> list[str]:
    """The materials a checklist names: each material code of the case, in order."""
    keys: list[str] = []
    for m in case.materials:
        key = str(m.get("material_code") or "")
        if key and key not in keys:
            keys.append(key)
    return keys


def material_checks(case: Case) -> dict[str, dict[str, Any]]:
    """The case's checklist: {material code: {verdict, note, by, at}} from the latest 预审."""
    event = (
        CaseEvent.objects.filter(case_id=case.pk, action=CHECK_EVENT)
        .order_by("-id")
        .only("data", "actor", "at")
        .first()
    )
    if event is None:
        return {}
    return {
        key: {**row, "by": event.actor.removeprefix("user:"), "at": event.at.isoformat()}
        for key, row in (event.data.get("checks") or {}).items()
    }


def material_checks_save(
    *, principal: Principal, case_no: str, checks: dict[str, tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    """Record the 预审 of the case's materials: ``checks`` maps a material code to (verdict,
    note). Every material must be judged; a 不合格 needs a note (it becomes the 补正 reason).
    NotFound for a case the caller may not see; 403 without a handling role; 409 once the
    case is decided; 422 naming ``checks.<code>`` for a bad row, nothing changed."""
    selectors.case_for(principal, case_no)  # scope: a case the caller may see
    with transaction.atomic():
        case = records.lock(case_no)
        if case is None:
            raise NotFound("未找到该办件。")
        if not roles_on(principal, case) & set(CASE_ROLES):
            raise Forbidden("只有本部门的办件人员可以预审材料。")
        if case.status not in CHECKABLE:
            raise Conflict("办件已作出决定，不能再预审材料。")
        keys = material_keys(case)
        errors: list[tuple[str, str]] = []
        clean: dict[str, dict[str, str]] = {}
        for key in keys:
            verdict, note = checks.get(key, ("", ""))
            note = note.strip()[:200]
            if verdict not in VERDICTS:
                errors.append((f"checks.{key}", "请为每份材料选择“合格”或“不合格”。"))
            elif verdict == "bad" and not note:
                errors.append((f"checks.{key}", "不合格的材料请写明原因（将用于补正告知）。"))
            else:
                clean[key] = {"verdict": verdict, "note": note}
        unknown = [k for k in checks if k not in keys]
        errors += [(f"checks.{k}", "该办件没有这份材料。") for k in unknown]
        if errors:
            raise ValidationFailed(
                [FieldError(f, m) for f, m in errors], message="预审未保存：请检查标出的材料。"
            )
        if not keys:
            raise ValidationFailed.one("checks", "该办件没有需要预审的材料。")
        before = {
            k: {"verdict": v["verdict"], "note": v["note"]}
            for k, v in material_checks(case).items()
        }
        records.add_event(
            case,
            actor=principal.actor,
            action=CHECK_EVENT,
            before=case.status,
            data={"checks": clean},
        )
        audit.record(
            actor=principal.actor,
            action="cases.material_check",
            object_type="case",
            object_id=case.case_no,
            before=before or None,
            after=clean,
        )
    return material_checks(case)


# --- 分派/转交 ------------------------------------------------------------------------------------


def check_assignee(case: Case, assignee: str) -> None:
    """422 on ``assignee`` unless it names an active colleague with a handling role in the
    case's department."""
    if not assignee:
        raise ValidationFailed.one("assignee", "请选择承办人。")
    if assignee not in {s.username for s in identity.colleagues(case.department_code, CASE_ROLES)}:
        raise ValidationFailed.one("assignee", "承办人须是本部门的窗口受理、审批人员或负责人。")
