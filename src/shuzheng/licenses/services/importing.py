"""Bulk import of existing licences (存量证照) from CSV: all rows or none."""

from __future__ import annotations

import csv
import io

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core.errors import FieldError, Forbidden, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import identifiers, selectors
from shuzheng.licenses.models import License
from shuzheng.licenses.services.issuing import IssueRequest, issue_in_transaction, prepare_issue
from shuzheng.seals import facade as seals

MAX_IMPORT_ROWS = 5000

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
    # Refused outright without an issuing role anywhere (a 403, not a row error as if the file
    # were wrong); a role in another department than a row's is that row's error below.
    if not principal.is_platform_admin and (
        principal.kind != "staff"
        or not selectors.staff_departments(principal, selectors.IMPORT_ROLES)
    ):
        raise Forbidden("仅发证部门的窗口、审批人员或负责人可以导入存量证照。")
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
        number = req.license_no or identifiers.license_no(req.license_type.name, req.data, "")
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
            issue_in_transaction(r, actor=principal.actor, algorithm=seals.DEFAULT_ALGORITHM)
            for r in requests
        ]
        audit.record(
            actor=principal.actor,
            action="licenses.import_batch",
            object_type="licenses.import",
            object_id=issued[0].license_id if issued else "-",
            after={"rows": len(issued)},
        )
    return issued
