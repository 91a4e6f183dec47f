"""The licenses module's public face: other modules import only this and ``contracts``.

For the cases module:

* ``issue_from_case`` — a case's result issued as a signed, sealed e-licence (idempotent per
  case and licence type, so a retried task issues once);
* ``issue_check`` — what would be wrong with issuing it now (nothing is written);
* ``satisfying`` — which of an applicant's valid licences can replace material X (免证办);
* ``license_of_holder`` — check a licence id submitted with an application;
* ``record_use`` — write the use, with the case number, to the licence's 用证记录.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from shuzheng.core.errors import FieldError
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import selectors, services
from shuzheng.licenses.contracts import (
    ExpiryReminder,
    LicenseFieldInfo,
    LicenseRef,
    LicenseTypeInfo,
    PresentationVerdict,
)

__all__ = [
    "ExpiryReminder",
    "LicenseFieldInfo",
    "LicenseRef",
    "LicenseTypeInfo",
    "PresentationVerdict",
    "cancel_for_case",
    "exchange_record",
    "issue_check",
    "issue_from_case",
    "license_of_holder",
    "license_types",
    "record_use",
    "remind_expiring",
    "satisfying",
    "satisfying_many",
    "verify_token",
]


def issue_from_case(
    *,
    case_no: str,
    item_code: str,
    license_type_name: str,
    holder_kind: str,
    holder_id: str,
    holder_name: str,
    department_code: str,
    data: dict[str, Any],
    actor: str = "system:cases",
) -> LicenseRef:
    """Issue the licence a case decided (sign SM2-SM3 + sealed PDF). Raises ValidationFailed
    naming the bad field (``data.<name>``, ``holder_id`` …) and changes nothing on bad input."""
    lic = services.license_issue_from_case(
        case_no=case_no,
        item_code=item_code,
        license_type_name=license_type_name,
        holder_kind=holder_kind,
        holder_id=holder_id,
        holder_name=holder_name,
        department_code=department_code,
        data=data,
        actor=actor,
    )
    return selectors.ref(lic)


def cancel_for_case(license_id: str, case_no: str, reason: str, actor: str) -> bool:
    """注销 the licence a case issued, when the case no longer stands (audited)."""
    return services.license_cancel_for_case(
        license_id=license_id, case_no=case_no, reason=reason, actor=actor
    )


def issue_check(
    *,
    license_type_name: str,
    holder_kind: str,
    holder_id: str,
    holder_name: str,
    department_code: str,
    data: dict[str, Any],
) -> list[FieldError]:
    """The problems ``issue_from_case`` would raise for this input (``data.<name>`` naming the
    data item, ``holder_id`` …), without issuing anything; an empty list when it would issue."""
    _req, errors = services.prepare_issue(
        license_type_name=license_type_name,
        holder_kind=holder_kind,
        holder_id=holder_id,
        holder_name=holder_name,
        department_code=department_code,
        data=data,
    )
    return errors


def satisfying(holder_kind: str, holder_id: str, license_type_name: str) -> list[LicenseRef]:
    """The holder's licences of ``license_type_name`` that are valid today."""
    return selectors.satisfying(holder_kind, holder_id, license_type_name)


def satisfying_many(
    holder_kind: str, holder_id: str, license_type_names: Sequence[str]
) -> dict[str, list[LicenseRef]]:
    """Type name → the holder's licences of that type valid today (one query for a form)."""
    return selectors.satisfying_many(holder_kind, holder_id, license_type_names)


def license_of_holder(license_id: str, holder_kind: str, holder_id: str) -> LicenseRef | None:
    """The licence when it exists and belongs to this holder (any status), else None."""
    lic = selectors.by_license_id(license_id)
    if lic is None or lic.holder_kind != holder_kind or lic.holder_id != holder_id:
        return None
    return selectors.ref(lic)


def record_use(license_id: str, case_no: str, purpose: str, actor: str) -> None:
    """Record a use of a valid licence (免证办) in its 用证记录, audited."""
    services.license_record_use(
        license_id=license_id, case_no=case_no, purpose=purpose, actor=actor
    )


def license_types() -> list[LicenseTypeInfo]:
    return selectors.types()


def verify_token(
    token: str, *, actor: str, actor_name: str = "", purpose: str = ""
) -> PresentationVerdict:
    """Check a 亮证 token, or the short link a 亮证 QR code carries (e.g. scanned at a service
    window); recorded and audited."""
    ref = services.presentation_ref_in(token)
    if ref:
        return services.presentation_verify_ref(
            ref=ref, actor=actor, actor_name=actor_name, purpose=purpose
        )
    return services.presentation_verify(
        token=token, actor=actor, actor_name=actor_name, purpose=purpose
    )


def remind_expiring(send: Callable[[ExpiryReminder], None], *, today: dt.date | None = None) -> int:
    """到期提醒: call ``send`` once per licence and threshold (90 and 30 days before its end),
    inside the transaction that records the reminder — deliver it there (notify.send)."""
    return services.licenses_remind_expiring(send=send, today=today)


def exchange_record(subject_kind: str, subject_id: str) -> dict[str, Any] | None:
    """Provider for the data-sharing exchange (``provider =
    "shuzheng.licenses.facade:exchange_record"``): the subject's licences without face data
    (type, number, status, issuer, dates), or None when it holds none."""
    rows = selectors.holder_licenses(subject_kind, subject_id)
    if not rows:
        return None
    return {
        "licences": [
            {
                "license_id": r.license_id,
                "type_name": r.type_name,
                "license_no": r.license_no,
                "status": r.status,
                "department_code": r.department_code,
                "issued_on": r.issued_on.isoformat(),
                "valid_until": r.valid_until.isoformat() if r.valid_until else None,
            }
            for r in rows
        ],
        "valid_types": sorted({r.type_name for r in rows if r.status == "valid"}),
    }


def wallet_refs(principal: Principal) -> list[LicenseRef]:
    """The caller's own licences (and those of enterprises they act for), for the personal home
    (portal's 我的: 我的证照)."""
    return [selectors.ref(lic) for lic in selectors.wallet(principal)]
