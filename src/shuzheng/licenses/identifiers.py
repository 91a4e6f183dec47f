"""Identifiers and data checks of e-licences (pure functions, no database): the 证照标识
(GB/T 36904) and its check character, the licence number, the holder code, the face data
checks and validity periods."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.iso7064 import mod_37_36

from shuzheng.core.codes import CodeError, validate_id_number, validate_uscc
from shuzheng.core.errors import FieldError

OID_ROOT = "1.2.156.3005.2"
_ID_RE = re.compile(
    r"^1\.2\.156\.3005\.2\.([0-9A-Z]{21})\.([0-9A-Z]{18})\.([0-9A-Z]{1,40})\.([0-9]{3})\.([0-9A-Z])$"
)
NUMBER_FIELDS = ("cert_no", "permit_no", "reg_no", "card_no", "file_no", "household_no")
MAX_VALUE = 500


def license_id(type_code: str, issuer_uscc: str, serial: str, version: int = 1) -> str:
    """电子证照标识: OID root . 类型代码 . 颁发机构代码 . 流水号 . 版本号 . 校验位 (MOD 37,36)."""
    ver = f"{version:03d}"
    check = mod_37_36.calc_check_digit(type_code + issuer_uscc + serial + ver)
    return ".".join([OID_ROOT, type_code, issuer_uscc, serial, ver, check])


def check_license_id(value: str) -> bool:
    m = _ID_RE.match(value or "")
    if not m:
        return False
    type_code, issuer, serial, ver, check = m.groups()
    return bool(mod_37_36.calc_check_digit(type_code + issuer + serial + ver) == check)


def check_holder(kind: str, holder_id: str, *, field: str = "holder_id") -> FieldError | None:
    try:
        if kind == "person":
            validate_id_number(holder_id)
        elif kind == "enterprise":
            validate_uscc(holder_id)
        else:
            return FieldError(
                "holder_kind", "持证主体类型应为 person（自然人）或 enterprise（法人）。"
            )
    except CodeError as e:
        return FieldError(field, e.message)
    return None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def clean_data(
    fields: list[dict[str, Any]], data: Any, *, prefix: str = "data"
) -> tuple[dict[str, str], list[FieldError]]:
    """Check the face data (照面信息) against the type's fields; values become strings."""
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        return {}, [FieldError(prefix, "照面信息应为对象（字段名 → 值）。")]
    known = {f["name"]: f for f in fields}
    out: dict[str, str] = {}
    for key in data:
        if key not in known:
            errors.append(FieldError(f"{prefix}.{key}", "该证照类型没有这个数据项。"))
    for name, f in known.items():
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.get("required"):
                errors.append(FieldError(f"{prefix}.{name}", f"请填写{f['label']}。"))
            continue
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            errors.append(FieldError(f"{prefix}.{name}", f"{f['label']}应为文字。"))
            continue
        value = str(raw).strip()
        if len(value) > MAX_VALUE:
            errors.append(FieldError(f"{prefix}.{name}", f"{f['label']}不超过{MAX_VALUE}字。"))
            continue
        kind = f.get("type", "string")
        if kind == "date" and _date(value) is None:
            errors.append(FieldError(f"{prefix}.{name}", f"{f['label']}应为日期 YYYY-MM-DD。"))
            continue
        if kind == "id_number":
            err = check_holder("person", value, field=f"{prefix}.{name}")
            if err:
                errors.append(err)
                continue
        if kind == "uscc":
            err = check_holder("enterprise", value, field=f"{prefix}.{name}")
            if err:
                errors.append(err)
                continue
        if kind == "enum" and value not in f.get("choices", []):
            errors.append(
                FieldError(f"{prefix}.{name}", f"{f['label']}应为{'、'.join(f['choices'])}之一。")
            )
            continue
        if kind == "decimal":
            try:
                Decimal(value)
            except InvalidOperation:
                errors.append(FieldError(f"{prefix}.{name}", f"{f['label']}应为数字。"))
                continue
        out[name] = value
    return out, errors


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def id_card_years(birth: dt.date, on: dt.date) -> int | None:
    """居民身份证法 §5: under 16 → 5 years; 16–25 → 10; 26–45 → 20; 46 and over → 长期."""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if age < 16:
        return 5
    if age <= 25:
        return 10
    if age <= 45:
        return 20
    return None


def valid_until(
    rule: dict[str, Any], valid_from: dt.date, data: dict[str, str], holder_id: str
) -> dt.date | None:
    kind = rule.get("kind", "permanent")
    if kind == "years":
        return add_years(valid_from, int(rule["years"])) - dt.timedelta(days=1)
    if kind == "id_card":
        birth = _date(data.get("birth_date", "")) or _date(
            f"{holder_id[6:10]}-{holder_id[10:12]}-{holder_id[12:14]}"
        )
        years = id_card_years(birth, valid_from) if birth else 20
        return add_years(valid_from, years) if years else None
    return None


def license_no(type_name: str, data: dict[str, str], serial: str) -> str:
    for name in NUMBER_FIELDS:
        if data.get(name):
            return data[name]
    if type_name == "居民身份证" and data.get("id_number"):
        return data["id_number"]
    return serial
