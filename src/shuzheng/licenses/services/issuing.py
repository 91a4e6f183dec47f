"""Issuing a licence: check the request, take the serial, sign the canonical payload with the
department's seal (SM2-SM3 by default), render the PDF and PAdES-sign it, store the row with its
history event and audit record. A licence row never exists without its signature and document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import DepartmentInfo
from shuzheng.licenses import documents, identifiers, selectors
from shuzheng.licenses.models import (
    License,
    LicenseEvent,
    LicenseSerial,
    LicenseStatus,
    LicenseType,
)
from shuzheng.licenses.services.pdffiles import pdf_save
from shuzheng.seals import facade as seals

HOLDER_LABEL = {"person": "持证人", "enterprise": "持证主体"}


def _mask(holder_id: str) -> str:
    return holder_id[:6] + "********" + holder_id[-4:] if len(holder_id) == 18 else holder_id


@dataclass
class IssueRequest:
    license_type: LicenseType
    department: DepartmentInfo
    holder_kind: str
    holder_id: str
    holder_name: str
    data: dict[str, str]
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    license_no: str = ""
    source: str = "case"
    case_no: str = ""
    item_code: str = ""
    extra_errors: list[FieldError] = field(default_factory=list)


def _parse_date(value: Any, name: str, errors: list[FieldError]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(FieldError(name, "日期格式应为 YYYY-MM-DD。"))
        return None


def prepare_issue(
    *,
    license_type_name: str,
    holder_kind: str,
    holder_id: str,
    holder_name: str,
    department_code: str,
    data: Any,
    issued_on: Any = None,
    valid_from: Any = None,
    valid_until: Any = None,
    license_no: str = "",
    source: str = "case",
    case_no: str = "",
    item_code: str = "",
    prefix: str = "",
) -> tuple[IssueRequest | None, list[FieldError]]:
    """Check everything about a licence to issue; (request, []) or (None, errors)."""
    errors: list[FieldError] = []
    p = prefix
    t = selectors.license_type(str(license_type_name or "").strip())
    if t is None:
        errors.append(FieldError(f"{p}license_type", f"未登记的证照类型：{license_type_name}"))
    holder_kind = str(holder_kind or "").strip()
    holder_id = str(holder_id or "").strip().upper()
    holder_name = str(holder_name or "").strip()
    err = identifiers.check_holder(holder_kind, holder_id, field=f"{p}holder_id")
    if err:
        err.field = err.field if err.field.startswith(p) else p + err.field
        errors.append(err)
    elif t is not None and holder_kind not in t.holder_kinds:
        errors.append(FieldError(f"{p}holder_kind", f"{t.name}的持证主体不能是该类型。"))
    if not holder_name or len(holder_name) > 128:
        errors.append(FieldError(f"{p}holder_name", "请填写持证主体名称（不超过128字）。"))
    dept: DepartmentInfo | None = None
    try:
        dept = identity.department(str(department_code or ""))
    except NotFound:
        errors.append(FieldError(f"{p}department_code", f"未找到颁发部门：{department_code}"))
    clean: dict[str, str] = {}
    if t is not None:
        clean, data_errors = identifiers.clean_data(t.fields, data, prefix=f"{p}data")
        errors += data_errors
        if (
            holder_kind == "person"
            and clean.get("id_number")
            and clean["id_number"] != holder_id
            and t.name not in ("出生医学证明", "预防接种证")
        ):
            errors.append(FieldError(f"{p}data.id_number", "照面公民身份号码与持证人不一致。"))
        if holder_kind == "enterprise" and clean.get("uscc") and clean["uscc"] != holder_id:
            errors.append(FieldError(f"{p}data.uscc", "照面统一社会信用代码与持证主体不一致。"))
    today = timezone.localdate()
    issued = _parse_date(issued_on, f"{p}issued_on", errors) or today
    start = _parse_date(valid_from, f"{p}valid_from", errors) or issued
    until = _parse_date(valid_until, f"{p}valid_until", errors)
    if issued > today:
        errors.append(FieldError(f"{p}issued_on", "颁发日期不能晚于今天。"))
    if until is not None and until < start:
        errors.append(FieldError(f"{p}valid_until", "有效期截止不能早于起始日期。"))
    if len(license_no) > 64:
        errors.append(FieldError(f"{p}license_no", "证照编号不超过64个字符。"))
    if errors or t is None or dept is None:
        return None, errors
    if until is None and not valid_until:
        until = identifiers.valid_until(t.validity, start, clean, holder_id)
    return (
        IssueRequest(
            license_type=t,
            department=dept,
            holder_kind=holder_kind,
            holder_id=holder_id,
            holder_name=holder_name,
            data=clean,
            issued_on=issued,
            valid_from=start,
            valid_until=until,
            license_no=license_no.strip(),
            source=source,
            case_no=case_no,
            item_code=item_code,
        ),
        [],
    )


def _next_serial(type_code: str, department_code: str, year: int) -> str:
    row, _ = LicenseSerial.objects.select_for_update().get_or_create(
        type_code=type_code, department_code=department_code, year=year
    )
    LicenseSerial.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return f"{year}{row.last:08d}"


def sign_payload(
    dept_code: str, algorithm: str, build: Any, backend: str | None
) -> tuple[bytes, seals.SignatureRef]:
    """Sign ``build(key_id)``; the key id inside the payload must be the key that signs it."""
    for _ in range(3):
        kid = seals.seal_for(dept_code, algorithm).key_id
        message = build(kid)
        sig = seals.sign(dept_code, message, algorithm=algorithm, backend=backend)
        if sig.key_id == kid:
            return message, sig
    raise Conflict("印章正在轮换，请稍后重试。")


@dataclass(frozen=True)
class _Signed:
    """A licence signed and rendered, not yet stored."""

    serial: str
    license_id: str
    license_no: str
    payload: bytes
    sig: seals.SignatureRef
    pdf: bytes
    pdf_key_id: str


def issue_in_transaction(
    req: IssueRequest, *, actor: str, algorithm: str, backend: str | None = None
) -> License:
    """Issue one licence. Must run inside the caller's transaction."""
    serial = _next_serial(req.license_type.code, req.department.code, req.issued_on.year)
    return _store(req, _sign(req, serial, algorithm, backend), actor=actor, algorithm=algorithm)


def _sign(req: IssueRequest, serial: str, algorithm: str, backend: str | None) -> _Signed:
    """The CPU-heavy part of issuing (SM2 signature, PDF, PAdES): no database writes, so it can
    run outside any transaction."""
    t, dept = req.license_type, req.department
    lid = identifiers.license_id(t.code, dept.uscc, serial)
    number = req.license_no or identifiers.license_no(t.name, req.data, serial)

    def build(kid: str) -> bytes:
        return documents.payload(
            license_id=lid,
            license_no=number,
            version=1,
            type_code=t.code,
            type_name=t.name,
            holder_kind=req.holder_kind,
            holder_id=req.holder_id,
            holder_name=req.holder_name,
            department_code=dept.code,
            department_name=dept.name,
            department_uscc=dept.uscc,
            data=req.data,
            issued_on=req.issued_on,
            valid_from=req.valid_from,
            valid_until=req.valid_until,
            algorithm=algorithm,
            key_id=kid,
            signer_id="1234567812345678",
        )

    message, sig = sign_payload(dept.code, algorithm, build, backend)
    labels = t.labels()
    pdf = documents.render_pdf(
        license_id=lid,
        license_no=number,
        type_name=t.name,
        holder_name=req.holder_name,
        holder_label=HOLDER_LABEL[req.holder_kind],
        holder_id=req.holder_id,
        department_name=dept.name,
        fields=[(labels[k], v) for k, v in req.data.items() if k in labels],
        issued_on=req.issued_on,
        valid_from=req.valid_from,
        valid_until=req.valid_until,
        algorithm=algorithm,
        key_id=sig.key_id,
        verify_url=f"{documents.public_url()}/licenses/verify/?id={lid}",
    )
    signed_pdf, pdf_kid = seals.sign_pdf(
        dept.code, pdf, reason=f"{t.name}电子证照签发", location=dept.name
    )
    return _Signed(serial, lid, number, message, sig, signed_pdf, pdf_kid)


def _store(req: IssueRequest, signed: _Signed, *, actor: str, algorithm: str) -> License:
    """Store a signed licence with its history event and audit record (caller's transaction)."""
    t, dept = req.license_type, req.department
    lid, number, serial, sig = signed.license_id, signed.license_no, signed.serial, signed.sig
    message, signed_pdf, pdf_kid = signed.payload, signed.pdf, signed.pdf_key_id
    today = timezone.localdate()
    status = (
        LicenseStatus.EXPIRED
        if req.valid_until is not None and req.valid_until < today
        else LicenseStatus.VALID
    )
    pdf_sha256 = hashlib.sha256(signed_pdf).hexdigest()
    pdf_path = pdf_save(data=signed_pdf, sha256=pdf_sha256)
    lic = License.objects.create(
        license_id=lid,
        license_type=t,
        license_no=number,
        serial=serial,
        version=1,
        holder_kind=req.holder_kind,
        holder_id=req.holder_id,
        holder_name=req.holder_name,
        department_code=dept.code,
        department_name=dept.name,
        department_uscc=dept.uscc,
        data=req.data,
        issued_on=req.issued_on,
        valid_from=req.valid_from,
        valid_until=req.valid_until,
        status=status,
        source=req.source,
        case_no=req.case_no,
        item_code=req.item_code,
        sign_algorithm=algorithm,
        sign_key_id=sig.key_id,
        signed_payload=message,
        signature=sig.signature,
        pdf=b"",
        pdf_path=pdf_path,
        pdf_sha256=pdf_sha256,
        pdf_key_id=pdf_kid,
        issued_by=actor,
    )
    LicenseEvent.objects.create(
        license=lic,
        action="import" if req.source == "import" else "issue",
        from_status="",
        to_status=status,
        reason=f"办件 {req.case_no}" if req.case_no else "",
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="licenses.import" if req.source == "import" else "licenses.issue",
        object_type="licenses.license",
        object_id=lid,
        after={
            "type": t.name,
            "holder_kind": req.holder_kind,
            "holder_id": _mask(req.holder_id),
            "department": dept.code,
            "source": req.source,
            "case_no": req.case_no,
            "status": status,
            "algorithm": algorithm,
            "key_id": sig.key_id,
            "pdf_key_id": pdf_kid,
        },
    )
    return lic


def license_issue(
    *,
    actor: str,
    license_type_name: str,
    holder_kind: str,
    holder_id: str,
    holder_name: str,
    department_code: str,
    data: Any,
    source: str = "case",
    case_no: str = "",
    item_code: str = "",
    issued_on: Any = None,
    valid_from: Any = None,
    valid_until: Any = None,
    license_no: str = "",
    algorithm: str = seals.DEFAULT_ALGORITHM,
    backend: str | None = None,
) -> License:
    """Issue a licence (sign + PDF + PAdES). Bad input raises ValidationFailed, changes nothing."""
    if algorithm not in seals.ALGORITHMS:
        raise ValidationFailed.one("algorithm", "不支持的签名算法。")
    req, errors = prepare_issue(
        license_type_name=license_type_name,
        holder_kind=holder_kind,
        holder_id=holder_id,
        holder_name=holder_name,
        department_code=department_code,
        data=data,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        license_no=license_no,
        source=source,
        case_no=case_no,
        item_code=item_code,
    )
    if errors or req is None:
        raise ValidationFailed(errors)
    if connection.in_atomic_block:  # the caller's transaction: everything in it
        return issue_in_transaction(req, actor=actor, algorithm=algorithm, backend=backend)
    # On its own: take the serial in one short transaction, sign and render outside any (the
    # SQLite write lock and PostgreSQL's serial row lock are not held through ~100 ms of
    # signing), store in a second. A failure after the first leaves a gap in the serials.
    with transaction.atomic():
        serial = _next_serial(req.license_type.code, req.department.code, req.issued_on.year)
    signed = _sign(req, serial, algorithm, backend)
    with transaction.atomic():
        return _store(req, signed, actor=actor, algorithm=algorithm)


def license_issue_from_case(
    *,
    case_no: str,
    item_code: str,
    license_type_name: str,
    holder_kind: str,
    holder_id: str,
    holder_name: str,
    department_code: str,
    data: Any,
    actor: str = "system:cases",
) -> License:
    """Idempotent per (case, licence type): a retried call returns the licence already issued."""
    if not case_no:
        raise ValidationFailed.one("case_no", "请提供办件编号。")
    existing = (
        License.objects.select_related("license_type")
        .filter(case_no=case_no, license_type__name=license_type_name)
        .first()
    )
    if existing is not None:
        return existing
    return license_issue(
        actor=actor,
        license_type_name=license_type_name,
        holder_kind=holder_kind,
        holder_id=holder_id,
        holder_name=holder_name,
        department_code=department_code,
        data=data,
        source="case",
        case_no=case_no,
        item_code=item_code,
    )
