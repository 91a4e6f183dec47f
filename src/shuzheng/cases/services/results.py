"""Results of approved cases: the result licence issued from the case (for a 设立登记, to the
new market entity it registers, with its 统一社会信用代码), or left pending for a reviewer to
complete when the case does not hold every data item the licence type needs."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from shuzheng.cases.contracts import PendingField, PendingLicense
from shuzheng.cases.models import Case
from shuzheng.cases.services.records import filed_item, next_serial
from shuzheng.core.codes import (
    MARKET_ENTITY_CATEGORIES,
    gb11714_check_char,
    make_uscc,
    validate_id_number,
)
from shuzheng.core.errors import Conflict, FieldError, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.licenses import facade as licenses


def _establishes(case: Case, t: licenses.LicenseTypeInfo | None) -> bool:
    """设立登记: a person applies and the result licence can only be held by a market entity
    (营业执照) — the licence belongs to the entity the case establishes, not to the applicant."""
    return (
        t is not None
        and case.applicant_kind == "person"
        and "person" not in t.holder_kinds
        and "enterprise" in t.holder_kinds
    )


def _new_entity(case: Case, entity_type: str | None = None) -> tuple[str, str]:
    """(GB 32100 机构类别代码, 类型) of the entity a 设立登记 case creates, as its item's result
    says (``entity_type``, given or read from the case's result or its item): an enterprise
    (企业, of the type its form names) unless it says a 个体工商户 or 农民专业合作社."""
    entity_type = entity_type or _entity_type(case)
    category = MARKET_ENTITY_CATEGORIES[entity_type]
    if entity_type == "企业":
        return category, str(case.form.get("enterprise_type") or "")
    return category, entity_type


def _entity_type(case: Case) -> str:
    """The ``entity_type`` the case's result recorded, else its item version's (a case closed
    before results recorded it)."""
    recorded = (case.result or {}).get("entity_type")
    if recorded:
        return str(recorded)
    item = filed_item(case)
    return str(((item.spec if item else {}).get("result") or {}).get("entity_type") or "企业")


def _assign_uscc(case: Case, entity_type: str | None = None) -> str:
    """The 统一社会信用代码 the registration gives the new entity (GB 32100: 9 工商, the entity
    category, the registering department's region, a 主体标识码 with its GB 11714 check
    character, the check character), from a serial per region and category."""
    category, _type = _new_entity(case, entity_type)
    region = case.department_code.split("-", 1)[0]
    while True:
        # its own (short) transaction, or a savepoint of the closing action's: 秒批 issues the
        # result outside any transaction
        with transaction.atomic():
            serial = next_serial(f"USCC9{category}{region}")
        body8 = f"MD{serial:06d}"
        uscc = make_uscc("9", category, region, body8 + gb11714_check_char(body8))
        if not identity.uscc_taken(uscc):
            return uscc


def _license_holder(
    case: Case, t: licenses.LicenseTypeInfo | None, data: dict[str, Any]
) -> tuple[str, str, str]:
    """(kind, id, name) of the result licence's holder: the applicant, or for a 设立登记 the
    new entity (its code and name from the licence data)."""
    if _establishes(case, t):
        return "enterprise", str(data.get("uscc") or ""), str(data.get("name") or "")
    return case.applicant_kind, case.applicant_id, case.applicant_name


def _license_data(
    case: Case,
    today: dt.date,
    t: licenses.LicenseTypeInfo | None = None,
    uscc: str = "",
    entity_type: str | None = None,
) -> dict[str, Any]:
    """What the result licence says, from the case: the holder, the form (``applicant_x`` and
    ``enterprise_x`` answer field ``x``), the rules' amount, and a few derived fields. For a
    设立登记 the holder is the new entity: its name, type, representative, address, capital and
    founding date come from the form and the registration (``uscc``)."""
    data: dict[str, Any] = {}
    for key, value in case.form.items():
        if isinstance(value, str | int | float | bool):
            data[key] = value
            for prefix in ("applicant_", "enterprise_"):
                if key.startswith(prefix):
                    data.setdefault(key[len(prefix) :], value)
    data["name"] = case.applicant_name
    if case.applicant_kind == "person":
        data["id_number"] = case.applicant_id
        birth = validate_id_number(case.applicant_id).birth_date
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        for f in t.field_specs if t is not None else ():
            bands = [words for low, words in f.age_bands if age >= low]
            if bands:  # the licence type says which age band an item holds
                data.setdefault(f.name, bands[-1])
    else:
        data["uscc"] = case.applicant_id
    amount = case.rule_decision.get("amount") if case.rule_decision else None
    if amount:
        data.setdefault("monthly_amount", amount)
        data.setdefault("amount", amount)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    data.setdefault("start_month", f"{next_month:%Y-%m}")
    if _establishes(case, t):
        form = case.form
        _category, entity_type = _new_entity(case, entity_type)
        data["name"] = str(form.get("enterprise_name") or "")
        if uscc:
            data["uscc"] = uscc
        if entity_type:
            data["entity_type"] = entity_type
        data["legal_representative"] = str(form.get("legal_representative") or case.applicant_name)
        data.setdefault("address", str(form.get("business_address") or ""))
        capital = form.get("registered_capital_wan")
        if capital not in (None, ""):
            data.setdefault("registered_capital", f"{capital}万元")
        data.setdefault("founded_on", today.isoformat())
    return data


def _license_type(name: str | None) -> licenses.LicenseTypeInfo | None:
    return next((t for t in licenses.license_types() if t.name == name), None) if name else None


def _issue_case_license(
    case: Case,
    type_name: str,
    t: licenses.LicenseTypeInfo | None,
    data: dict[str, Any],
    actor: str,
) -> licenses.LicenseRef:
    """The case's result licence for its applicant (for a 设立登记: for the new entity, which is
    then registered with the applicant as its 经办人), issued by the case's department
    (idempotent per case and licence type)."""
    kind, holder_id, holder_name = _license_holder(case, t, data)
    ref = licenses.issue_from_case(
        case_no=case.case_no,
        item_code=case.item_code,
        license_type_name=type_name,
        holder_kind=kind,
        holder_id=holder_id,
        holder_name=holder_name,
        department_code=case.department_code,
        data=data,
        actor=actor,
    )
    if _establishes(case, t):
        identity.register_enterprise(
            uscc=holder_id,
            name=holder_name,
            legal_representative=str(data.get("legal_representative") or case.applicant_name),
            region_code=case.department_code.split("-", 1)[0],
            address=str(data.get("address") or ""),
            founded_on=ref.issued_on,
            operator_id_number=case.applicant_id,
            actor=actor,
        )
    return ref


def issue_result(case: Case, spec: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """The result of an approved case; a licence result is issued and signed now.

    When the case does not hold every field the licence type needs, the result records which
    are missing (``license_pending``: the messages, ``license_pending_fields``: the data items)
    instead of failing the decision: a reviewer of the department completes and issues it
    (action ``issue_license``, see ``pending_license`` and ``_issue_pending``).
    """
    result: dict[str, Any] = {
        "name": spec["result"]["name"],
        "kind": spec["result"]["kind"],
        "license_type": spec["result"].get("license_type"),
    }
    entity_type = str(spec["result"].get("entity_type") or "企业")
    if result["kind"] == "license" and result["license_type"]:
        t = _license_type(result["license_type"])
        names = {n for n, _label in (t.fields if t is not None else ())}
        uscc = ""
        if _establishes(case, t):
            result["entity_type"] = entity_type  # what the registration registered
            uscc = result["uscc"] = _assign_uscc(case, entity_type)  # 赋码 at registration
        data = {
            k: v
            for k, v in _license_data(case, timezone.localdate(), t, uscc, entity_type).items()
            if k in names
        }
        try:
            # a savepoint inside a caller's transaction; on its own the licences module signs
            # outside its short transactions
            with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
                ref = _issue_case_license(case, result["license_type"], t, data, actor)
        except ValidationFailed as exc:
            result["license_pending"] = [e.message for e in exc.errors]
            result["license_pending_fields"] = sorted(
                {e.field.removeprefix("data.") for e in exc.errors if e.field.startswith("data.")}
            )
        else:
            result.update(license_id=ref.license_id, license_no=ref.license_no)
    return result


def _result_type(case: Case) -> licenses.LicenseTypeInfo | None:
    return _license_type((case.result or {}).get("license_type"))


def _case_license_values(case: Case, t: licenses.LicenseTypeInfo) -> dict[str, Any]:
    names = {f.name for f in t.field_specs}
    uscc = str((case.result or {}).get("uscc") or "")
    data = _license_data(case, timezone.localdate(), t, uscc)
    return {k: v for k, v in data.items() if k in names}


def pending_license(case: Case) -> PendingLicense | None:
    """The result licence left pending (``result.license_pending``): every data item of its
    type with the value the case gives, and which ones the department has to fill in (those
    the case does not give or gives in a form the licence type refuses)."""
    if case.decision != "approve" or not (case.result or {}).get("license_pending"):
        return None
    t = _result_type(case)
    if t is None:
        return None
    values = _case_license_values(case, t)
    holder_kind, holder_id, holder_name = _license_holder(case, t, values)
    errors = licenses.issue_check(
        license_type_name=t.name,
        holder_kind=holder_kind,
        holder_id=holder_id,
        holder_name=holder_name or case.applicant_name,
        department_code=case.department_code,
        data=values,
    )
    bad = {e.field.removeprefix("data."): e.message for e in errors if e.field.startswith("data.")}
    return PendingLicense(
        case_no=case.case_no,
        license_type=t.name,
        fields=tuple(
            PendingField(
                name=f.name,
                label=f.label,
                type=f.type,
                required=f.required,
                choices=f.choices,
                value="" if f.name in bad else str(values.get(f.name, "")),
                missing=f.name in bad or f.name not in values,
                problem=bad.get(f.name, ""),
            )
            for f in t.field_specs
        ),
        problems=tuple(e.message for e in errors if not e.field.startswith("data.")),
    )


def issue_pending(
    case: Case, given: dict[str, Any], *, actor: str
) -> tuple[dict[str, Any], list[str]]:
    """Issue the pending result licence with the data items the reviewer filled in (only the
    missing ones; the others come from the case). Bad input raises ValidationFailed naming
    ``license_data.<item>`` in Chinese; nothing is written then."""
    pending = pending_license(case)
    if pending is None:
        raise Conflict("该办件没有待签发的证照。")
    labels = {f.name: f.label for f in pending.fields}
    fillable = {f.name for f in pending.missing}
    errors: list[FieldError] = []
    filled: dict[str, Any] = {}
    for key, value in given.items():
        if key not in labels:
            errors.append(
                FieldError(f"license_data.{key}", f"{pending.license_type}没有数据项“{key}”。")
            )
        elif key not in fillable:
            errors.append(
                FieldError(f"license_data.{key}", f"{labels[key]}已由办件信息确定，不能在此修改。")
            )
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            filled[key] = value.strip() if isinstance(value, str) else value
    if errors:
        raise ValidationFailed(errors)
    t = _result_type(case)
    assert t is not None  # pending_license found it
    if _establishes(case, t) and not case.result.get("uscc"):
        # closed before registrations were given their code here
        case.result = {**case.result, "uscc": _assign_uscc(case)}
    data = {**_case_license_values(case, t), **filled}
    for name in fillable - set(filled):
        data.pop(name, None)  # a refused case value is not sent again
    try:
        ref = _issue_case_license(case, t.name, t, data, actor)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [
                FieldError(
                    "license_data." + e.field.removeprefix("data.")
                    if e.field.startswith("data.")
                    else e.field,
                    e.message,
                )
                for e in exc.errors
            ]
        ) from None
    result = {
        k: v
        for k, v in case.result.items()
        if k not in ("license_pending", "license_pending_fields")
    }
    result.update(license_id=ref.license_id, license_no=ref.license_no)
    return result, sorted(filled)


# --- acting on a case ----------------------------------------------------------------------------
