"""All writes of the licenses module: types, issuing (from a case, by bulk import, demo),
status changes, presentations (亮证), verifications and uses (用证).

Every write runs in one transaction with its audit record. Issuing signs the canonical
payload with the department's seal (SM2-SM3 by default), renders the PDF and PAdES-signs it
inside that transaction, so a licence row never exists without its signature and document.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import DepartmentInfo, Principal
from shuzheng.licenses import documents, fastpath, rules, selectors, tokens
from shuzheng.licenses.contracts import PresentationVerdict
from shuzheng.licenses.models import (
    License,
    LicenseEvent,
    LicenseSerial,
    LicenseStatus,
    LicenseType,
    LicenseUse,
    Presentation,
)
from shuzheng.seals import facade as seals

TYPES_FILE = Path(__file__).resolve().parent / "data" / "license_types.json"
PRESENTATION_SECONDS = 300
PRESENTATION_MIN, PRESENTATION_MAX = 60, 600
MAX_IMPORT_ROWS = 5000
HOLDER_LABEL = {"person": "持证人", "enterprise": "持证主体"}

REASONS = {
    "ok": "证照有效：出示的信息经颁发部门电子印章签名，未被篡改。",
    "malformed": "不是有效的亮证码：格式错误或内容不完整。",
    "bad_signature": "签名校验失败：亮证码内容被篡改，或不是本平台签发。",
    "unknown_key": "签名密钥未知：不是本平台电子印章签发的亮证码。",
    "wrong_department": "签名印章与颁发部门不符。",
    "key_revoked": "签名所用的电子印章已吊销，亮证码不可信。",
    "token_expired": "亮证码已过期，请持证人重新亮证。",
    "not_found": "证照不存在。",
    "unknown_presentation": "平台上没有这次亮证的记录。",
    "license_revoked": "证照已注销或吊销。",
    "license_suspended": "证照已中止使用。",
    "license_expired": "证照已超过有效期。",
}


def _mask(holder_id: str) -> str:
    return holder_id[:6] + "********" + holder_id[-4:] if len(holder_id) == 18 else holder_id


# --- types ---------------------------------------------------------------------------------


def license_types_load(*, actor: str, path: Path = TYPES_FILE) -> dict[str, int]:
    """Create or update the licence types of ``data/license_types.json`` (idempotent).

    A type's code is its defining department's credit code (from identity) + 3-digit number.
    """
    doc = json.loads(path.read_text("utf-8"))
    created = updated = 0
    with transaction.atomic():
        for t in doc["types"]:
            definer = identity.department(t["definer_department"])
            values = {
                "code": definer.uscc + t["seq"],
                "definer_department": definer.code,
                "definer_uscc": definer.uscc,
                "issuer_department": t["issuer_department"],
                "holder_kinds": t["holder_kinds"],
                "fields": t["fields"],
                "validity": t["validity"],
                "replaces": t.get("replaces", []),
            }
            row = LicenseType.objects.filter(name=t["name"]).first()
            if row is None:
                LicenseType.objects.create(name=t["name"], **values)
                created += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                updated += 1
        total = LicenseType.objects.count()
        if created or updated:
            audit.record(
                actor=actor,
                action="licenses.types_loaded",
                object_type="licenses.type",
                object_id="catalog",
                after={"created": created, "updated": updated, "total": total},
            )
    return {"created": created, "updated": updated, "total": total}


# --- issuing -------------------------------------------------------------------------------


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
    err = rules.check_holder(holder_kind, holder_id, field=f"{p}holder_id")
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
        clean, data_errors = rules.clean_data(t.fields, data, prefix=f"{p}data")
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
        until = rules.valid_until(t.validity, start, clean, holder_id)
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


def _sign_payload(
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


def _issue(req: IssueRequest, *, actor: str, algorithm: str, backend: str | None = None) -> License:
    """Issue one licence. Must run inside the caller's transaction."""
    serial = _next_serial(req.license_type.code, req.department.code, req.issued_on.year)
    return _store(req, _sign(req, serial, algorithm, backend), actor=actor, algorithm=algorithm)


def _sign(req: IssueRequest, serial: str, algorithm: str, backend: str | None) -> _Signed:
    """The CPU-heavy part of issuing (SM2 signature, PDF, PAdES): no database writes, so it can
    run outside any transaction."""
    t, dept = req.license_type, req.department
    lid = rules.license_id(t.code, dept.uscc, serial)
    number = req.license_no or rules.license_no(t.name, req.data, serial)

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

    message, sig = _sign_payload(dept.code, algorithm, build, backend)
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
        pdf=signed_pdf,
        pdf_sha256=hashlib.sha256(signed_pdf).hexdigest(),
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
        return _issue(req, actor=actor, algorithm=algorithm, backend=backend)
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


# --- bulk import (存量证照) ------------------------------------------------------------------

COLUMNS = {
    "license_type": ("license_type", "证照类型"),
    "holder_kind": ("holder_kind", "持证主体类型"),
    "holder_id": ("holder_id", "持证主体代码"),
    "holder_name": ("holder_name", "持证主体名称", "持证主体"),
    "department_code": ("department_code", "颁发部门", "颁发部门编码"),
    "license_no": ("license_no", "证照编号"),
    "issued_on": ("issued_on", "颁发日期"),
    "valid_from": ("valid_from", "有效期起始"),
    "valid_until": ("valid_until", "有效期截止"),
}
KIND_WORDS = {"自然人": "person", "个人": "person", "法人": "enterprise", "企业": "enterprise"}
REQUIRED_COLUMNS = ("license_type", "holder_kind", "holder_id", "holder_name", "department_code")


def _decode(content: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed.one("file", "文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV。")


def license_import_csv(*, principal: Principal, content: bytes) -> list[License]:
    """Import existing licences (存量证照) from CSV. Any bad row rejects the whole file.

    Columns (Chinese or English names): 证照类型/license_type, 持证主体类型/holder_kind
    (person|enterprise|自然人|法人), 持证主体代码/holder_id, 持证主体名称/holder_name,
    颁发部门/department_code, optional 证照编号, 颁发日期, 有效期起始, 有效期截止 (YYYY-MM-DD,
    empty = by the type's rule), and one column per data item: ``data.<name>``, ``<name>`` or
    its Chinese label (e.g. 姓名).
    """
    if principal.kind != "staff" and not principal.is_platform_admin:
        raise Forbidden("仅发证部门的工作人员可以导入存量证照。")
    text = _decode(content)
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise ValidationFailed.one("file", "文件为空：第一行为表头，至少需要一行数据。")
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ValidationFailed.one("file", f"一次最多导入 {MAX_IMPORT_ROWS} 行。")
    header = [h.strip() for h in rows[0]]
    alias = {a: key for key, names in COLUMNS.items() for a in names}
    missing = [
        COLUMNS[k][1] for k in REQUIRED_COLUMNS if not any(alias.get(h) == k for h in header)
    ]
    if missing:
        raise ValidationFailed.one("file", f"缺少必需的列：{'、'.join(missing)}。")
    errors: list[FieldError] = []
    requests: list[IssueRequest] = []
    seen: set[tuple[str, str, str, str]] = set()
    for line, raw in enumerate(rows[1:], start=2):
        if len(raw) > len(header):
            errors.append(FieldError(f"rows.{line}", f"第 {line} 行的列数多于表头。"))
            continue
        cells = dict(zip(header, [c.strip() for c in raw], strict=False))
        std = {alias[h]: v for h, v in cells.items() if h in alias}
        t = selectors.license_type(std.get("license_type", ""))
        data: dict[str, str] = {}
        if t is not None:
            by_label = {f["label"]: f["name"] for f in t.fields}
            names = set(t.field_names())
            for h, v in cells.items():
                if h in alias or not v:
                    continue
                name = h[5:] if h.startswith("data.") else by_label.get(h, h)
                if name in names:
                    data[name] = v
                else:
                    errors.append(
                        FieldError(f"rows.{line}.{h}", f"第 {line} 行：{t.name}没有数据项“{h}”。")
                    )
        kind = std.get("holder_kind", "")
        kind = KIND_WORDS.get(kind, kind)
        dept_code = std.get("department_code", "")
        if not principal.is_platform_admin and not any(
            principal.has_role(r, dept_code) for r in selectors.IMPORT_ROLES
        ):
            errors.append(
                FieldError(
                    f"rows.{line}.department_code",
                    f"第 {line} 行：您无权以部门 {dept_code} 的名义导入证照。",
                )
            )
        req, row_errors = prepare_issue(
            license_type_name=std.get("license_type", ""),
            holder_kind=kind,
            holder_id=std.get("holder_id", ""),
            holder_name=std.get("holder_name", ""),
            department_code=dept_code,
            data=data,
            issued_on=std.get("issued_on"),
            valid_from=std.get("valid_from"),
            valid_until=std.get("valid_until"),
            license_no=std.get("license_no", ""),
            source="import",
            prefix=f"rows.{line}.",
        )
        for e in row_errors:
            errors.append(FieldError(e.field, f"第 {line} 行：{e.message}"))
        if req is None:
            continue
        number = req.license_no or rules.license_no(req.license_type.name, req.data, "")
        key = (req.license_type.code, req.holder_kind, req.holder_id, number)
        if number and (
            key in seen
            or License.objects.filter(
                license_type=req.license_type,
                holder_kind=req.holder_kind,
                holder_id=req.holder_id,
                license_no=number,
            ).exists()
        ):
            errors.append(
                FieldError(f"rows.{line}.license_no", f"第 {line} 行：该证照已存在（{number}）。")
            )
            continue
        seen.add(key)
        requests.append(req)
    if errors:
        raise ValidationFailed(
            errors, message=f"导入失败，共 {len(errors)} 处错误，未导入任何证照。"
        )
    with transaction.atomic():
        issued = [
            _issue(r, actor=principal.actor, algorithm=seals.DEFAULT_ALGORITHM) for r in requests
        ]
        audit.record(
            actor=principal.actor,
            action="licenses.import_batch",
            object_type="licenses.import",
            object_id=issued[0].license_id if issued else "-",
            after={"rows": len(issued)},
        )
    return issued


# --- status ---------------------------------------------------------------------------------

ACTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "suspend": (("valid",), "suspended", ""),
    "resume": (("suspended",), "valid", ""),
    "cancel": (("valid", "suspended", "expired"), "revoked", "cancel"),  # 注销
    "revoke": (("valid", "suspended"), "revoked", "revoke"),  # 吊销
}
ACTION_NAMES = {"suspend": "中止", "resume": "恢复", "cancel": "注销", "revoke": "吊销"}


def _set_status(
    lic: License, *, to: str, action: str, reason: str, actor: str, kind: str = ""
) -> None:
    before = {"status": lic.status, "revocation_kind": lic.revocation_kind}
    lic.status = to
    if kind:
        lic.revocation_kind = kind
    lic.save(update_fields=["status", "revocation_kind", "updated_at"])
    LicenseEvent.objects.create(
        license=lic,
        action=action,
        from_status=before["status"],
        to_status=to,
        reason=reason[:500],
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=f"licenses.{action}",
        object_type="licenses.license",
        object_id=lic.license_id,
        before=before,
        after={"status": to, "revocation_kind": lic.revocation_kind, "reason": reason[:500]},
    )


def license_change_status(
    *, principal: Principal, license_id: str, action: str, reason: str
) -> License:
    lic = selectors.license_for(principal, license_id)
    if not selectors.can_manage(principal, lic):
        raise Forbidden("仅发证部门的审批人员、负责人或平台管理员可以变更证照状态。")
    if action not in ACTIONS:
        raise ValidationFailed.one("action", "操作应为 suspend、resume、cancel 或 revoke。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.one("reason", f"请说明{ACTION_NAMES[action]}的原因和依据。")
    allowed, to, kind = ACTIONS[action]
    with transaction.atomic():
        lic = License.objects.select_for_update().select_related("license_type").get(pk=lic.pk)
        current = selectors.effective_status(lic)
        if current == "expired" and lic.status != "expired":
            _set_status(
                lic, to="expired", action="expire", reason="超过有效期", actor="system:licenses"
            )
        if current not in allowed:
            raise Conflict(
                f"证照当前状态为“{selectors.status_name(current)}”，不能{ACTION_NAMES[action]}。",
                extra={"status": current},
            )
        _set_status(lic, to=to, action=action, reason=reason, actor=principal.actor, kind=kind)
    return lic


def license_cancel_for_case(*, license_id: str, case_no: str, reason: str, actor: str) -> bool:
    """注销 a licence a case issued when the case no longer stands (the applicant withdrew it
    while its result was being issued). Only a licence issued for that case; returns whether
    it was cancelled (False when it is unknown, of another case, or already revoked)."""
    with transaction.atomic():
        lic = (
            License.objects.select_for_update()
            .filter(license_id=license_id, case_no=case_no)
            .first()
        )
        allowed, to, kind = ACTIONS["cancel"]
        if lic is None or lic.status not in allowed:
            return False
        _set_status(lic, to=to, action="cancel", reason=reason, actor=actor, kind=kind)
    return True


def licenses_expire(*, today: dt.date | None = None) -> int:
    """Mark valid licences past their end date as expired (with history). Idempotent."""
    today = today or timezone.localdate()
    n = 0
    with transaction.atomic():
        for lic in License.objects.select_for_update().filter(
            status=LicenseStatus.VALID, valid_until__lt=today
        ):
            _set_status(
                lic, to="expired", action="expire", reason="超过有效期", actor="system:licenses"
            )
            n += 1
    return n


# --- presentation (亮证) and verification -----------------------------------------------------


def presentation_create(
    *,
    principal: Principal,
    license_id: str,
    fields: list[str],
    ttl_seconds: int | None = None,
    backend: str | None = None,
) -> Presentation:
    lic = selectors.license_for(principal, license_id)
    if not selectors.is_holder(principal, lic):
        raise Forbidden("只有持证人本人（或企业经办人）可以亮证。")
    status = selectors.effective_status(lic)
    if status != LicenseStatus.VALID:
        raise Conflict(
            f"证照状态为“{selectors.status_name(status)}”，不能亮证。", extra={"status": status}
        )
    ttl = PRESENTATION_SECONDS if ttl_seconds is None else int(ttl_seconds)
    if not PRESENTATION_MIN <= ttl <= PRESENTATION_MAX:
        raise ValidationFailed.one(
            "ttl_seconds", f"亮证码有效期应在 {PRESENTATION_MIN} 到 {PRESENTATION_MAX} 秒之间。"
        )
    if not isinstance(fields, list) or len(set(fields)) != len(fields):
        raise ValidationFailed.one("fields", "请选择要出示的数据项（不重复）。")
    labels = lic.license_type.labels()
    errors = []
    for i, f in enumerate(fields):
        if f not in labels:
            errors.append(FieldError(f"fields.{i}", f"{lic.license_type.name}没有数据项“{f}”。"))
        elif not lic.data.get(f):
            errors.append(FieldError(f"fields.{i}", f"证照上没有填写“{labels[f]}”。"))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now().replace(microsecond=0)
    exp = now + dt.timedelta(seconds=ttl)
    nonce = secrets.token_hex(16)
    disclosed = {f: lic.data[f] for f in fields}

    def build(kid: str) -> bytes:
        return tokens.payload_bytes(_token_doc(lic, kid, disclosed, nonce, now, exp))

    with transaction.atomic():
        _message, sig = _sign_payload(lic.department_code, lic.sign_algorithm, build, backend)
        token = tokens.encode(
            _token_doc(lic, sig.key_id, disclosed, nonce, now, exp), sig.signature
        )
        p = Presentation.objects.create(
            license=lic,
            nonce=nonce,
            fields=fields,
            token=token,
            created_by=principal.actor,
            created_at=now,
            expires_at=exp,
        )
        LicenseUse.objects.create(
            license=lic,
            kind=LicenseUse.Kind.PRESENT,
            actor=principal.actor,
            actor_name=principal.name,
            purpose=f"亮证（{ttl // 60} 分钟内有效）",
            presentation=p,
            result="issued",
            fields=fields,
            at=now,
        )
        audit.record(
            actor=principal.actor,
            action="licenses.present",
            object_type="licenses.license",
            object_id=lic.license_id,
            after={"nonce": nonce, "fields": fields, "expires_at": exp.isoformat()},
        )
    return p


def _token_doc(
    lic: License,
    kid: str,
    disclosed: dict[str, str],
    nonce: str,
    now: dt.datetime,
    exp: dt.datetime,
) -> dict[str, Any]:
    return {
        "typ": tokens.PREFIX,
        "lid": lic.license_id,
        "tc": lic.license_type.code,
        "tn": lic.license_type.name,
        "iss": lic.department_code,
        "alg": lic.sign_algorithm,
        "kid": kid,
        "f": disclosed,
        "n": nonce,
        "iat": int(now.timestamp()),
        "exp": int(exp.timestamp()),
    }


def _verdict(reason: str, lic: License | None = None, **kw: Any) -> PresentationVerdict:
    if lic is None:
        return PresentationVerdict(
            valid=reason == "ok", reason=reason, message=REASONS[reason], **kw
        )
    return PresentationVerdict(
        valid=reason == "ok",
        reason=reason,
        message=REASONS[reason],
        license_id=lic.license_id,
        type_name=lic.license_type.name,
        department_code=lic.department_code,
        department_name=lic.department_name,
        status=selectors.effective_status(lic),
        **kw,
    )


def _status_reason(lic: License) -> str:
    status = selectors.effective_status(lic)
    return {
        "revoked": "license_revoked",
        "suspended": "license_suspended",
        "expired": "license_expired",
    }.get(status, "ok")


def presentation_verify(
    *,
    token: str,
    actor: str,
    actor_name: str = "",
    purpose: str = "",
    backend: str | None = None,
) -> PresentationVerdict:
    """Check a 亮证 token: form, seal signature, expiry, the presentation record and the
    licence's status. Returns the disclosed fields only when everything holds. Every check is
    audited; when the token is authentic it is also written to the licence's 用证记录."""
    now = timezone.now()
    parsed = tokens.parse(token)
    lic: License | None = None
    pres: Presentation | None = None
    if parsed is None:
        verdict = _verdict("malformed")
    else:
        doc = parsed.payload
        outcome = seals.verify(
            doc["kid"],
            parsed.payload_bytes,
            parsed.signature,
            algorithm=doc["alg"],
            department_code=doc["iss"],
            backend=backend,
        )
        if not outcome.valid:
            verdict = _verdict(outcome.reason)
        else:
            exp = dt.datetime.fromtimestamp(doc["exp"], tz=dt.UTC)
            # one query on the normal path: the presentation with its licence and type
            pres = fastpath.presentation_with_license(str(doc["n"]), str(doc["lid"]))
            lic = pres.license if pres is not None else selectors.by_license_id(doc["lid"])
            if lic is None:
                verdict = _verdict("not_found", expires_at=exp)
            else:
                if pres is None or int(pres.expires_at.timestamp()) != doc["exp"]:
                    verdict = _verdict("unknown_presentation", lic, expires_at=exp)
                elif now.timestamp() >= doc["exp"]:
                    verdict = _verdict("token_expired", lic, expires_at=exp)
                else:
                    reason = _status_reason(lic)
                    ok = reason == "ok"
                    labels = lic.license_type.labels()
                    verdict = _verdict(
                        reason,
                        lic,
                        expires_at=exp,
                        fields=dict(doc["f"]) if ok else {},
                        labels={k: labels.get(k, k) for k in doc["f"]} if ok else {},
                    )
    with transaction.atomic():
        if lic is not None:
            fastpath.record_verification(
                license_pk=lic.pk,
                presentation_pk=pres.pk if pres is not None else None,
                actor=actor,
                actor_name=(actor_name or "")[:128],
                purpose=(purpose or "扫码核验亮证码")[:200],
                result=verdict.reason,
                fields=list(verdict.fields),
                at=now,
            )
        audit.record(
            actor=actor,
            action="licenses.verify",
            object_type="licenses.license",
            object_id=lic.license_id if lic else "-",
            after={
                "reason": verdict.reason,
                "nonce": parsed.payload["n"] if parsed else "",
                "fields": list(verdict.fields),
                "verifier": (actor_name or "")[:128],
                "purpose": (purpose or "")[:200],
            },
        )
    return verdict


def license_check(
    *, license_id: str, actor: str, actor_name: str = "", purpose: str = ""
) -> PresentationVerdict:
    """The public status check behind the PDF's QR code: type, issuer and status only."""
    if not rules.check_license_id(license_id):
        verdict = _verdict("malformed")
        lic = None
    else:
        lic = selectors.by_license_id(license_id)
        verdict = _verdict(_status_reason(lic), lic) if lic else _verdict("not_found")
    with transaction.atomic():
        if lic is not None:
            LicenseUse.objects.create(
                license=lic,
                kind=LicenseUse.Kind.VERIFY,
                actor=actor,
                actor_name=(actor_name or "")[:128],
                purpose=(purpose or "扫码核验证照状态")[:200],
                result=verdict.reason,
                at=timezone.now(),
            )
        audit.record(
            actor=actor,
            action="licenses.check",
            object_type="licenses.license",
            object_id=lic.license_id if lic else "-",
            after={"reason": verdict.reason},
        )
    return verdict


def pdf_verify(*, pdf: bytes, actor: str, actor_name: str = "") -> PresentationVerdict:
    """Check an uploaded licence PDF: the PAdES seal signature, then the licence status."""
    outcome = seals.verify_pdf(pdf)
    lic = (
        License.objects.select_related("license_type")
        .filter(pdf_sha256=hashlib.sha256(pdf).hexdigest())
        .first()
        if outcome.valid
        else None
    )
    if not outcome.valid:
        reason = {
            "modified": "bad_signature",
            "bad_signature": "bad_signature",
            "untrusted": "unknown_key",
        }.get(outcome.reason, "malformed")
        verdict = _verdict(reason)
        verdict = PresentationVerdict(
            **{**verdict.__dict__, "message": _PDF_REASONS[outcome.reason]}
        )
    elif lic is None:
        verdict = _verdict("not_found")
    else:
        verdict = _verdict(_status_reason(lic), lic)
    with transaction.atomic():
        if lic is not None:
            LicenseUse.objects.create(
                license=lic,
                kind=LicenseUse.Kind.VERIFY,
                actor=actor,
                actor_name=actor_name[:128],
                purpose="PDF 版式文件验签",
                result=verdict.reason,
                at=timezone.now(),
            )
        audit.record(
            actor=actor,
            action="licenses.verify_pdf",
            object_type="licenses.license",
            object_id=lic.license_id if lic else "-",
            after={"reason": verdict.reason, "pdf": outcome.reason},
        )
    return verdict


_PDF_REASONS = {
    "ok": REASONS["ok"],
    "no_signature": "PDF 中没有电子签章。",
    "modified": "PDF 签章后被修改：文件内容与签名不符。",
    "bad_signature": "PDF 签名值无效：文件被篡改。",
    "untrusted": "PDF 签章证书不是本平台电子印章的证书。",
    "malformed": "不是有效的 PDF 文件。",
}


# --- use (免证办) ----------------------------------------------------------------------------


def license_record_use(*, license_id: str, case_no: str, purpose: str, actor: str) -> LicenseUse:
    """Record that a case used this licence instead of a paper material (用证记录)."""
    lic = selectors.by_license_id(license_id)
    if lic is None:
        raise NotFound("未找到该电子证照。")
    status = selectors.effective_status(lic)
    if status != LicenseStatus.VALID:
        raise Conflict(f"证照状态为“{selectors.status_name(status)}”，不能用于办事。")
    if not purpose.strip():
        raise ValidationFailed.one("purpose", "请说明用证事由。")
    with transaction.atomic():
        use = LicenseUse.objects.create(
            license=lic,
            kind=LicenseUse.Kind.USE,
            actor=actor,
            purpose=purpose[:200],
            case_no=case_no[:32],
            result="used",
            at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="licenses.use",
            object_type="licenses.license",
            object_id=lic.license_id,
            after={"case_no": case_no, "purpose": purpose[:200]},
        )
    return use


def license_read_audit(*, principal: Principal, lic: License, what: str) -> None:
    """Reads of a licence by someone other than its holder are audited."""
    if selectors.is_holder(principal, lic):
        return
    with transaction.atomic():
        audit.record(
            actor=principal.actor,
            action=f"licenses.read_{what}",
            object_type="licenses.license",
            object_id=lic.license_id,
        )
