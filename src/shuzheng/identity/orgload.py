"""Load a city's regions, departments and staff from CSV or Excel files (``shuzheng load_org``).

The formats are documented in docs/deploy/data-files.md (examples in docs/deploy/examples/).
Every file is read and checked whole before anything is written: one wrong cell anywhere and
nothing changes, and every error names the file, the row (as a spreadsheet shows it: the header
is row 1) and the column, in Chinese. Loading again updates by code (regions, departments) and by
username (staff), so a corrected file is simply loaded again. One audit record
(``identity.org_loaded``) lists what was created and updated, in the same transaction.

Staff accounts are created without a usable password (the login texts a code to the phone
given here; the password is set with ``shuzheng changepassword`` or on the admin console). A
staff member's roles become exactly those the file lists for them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import translation

from shuzheng.audit import facade as audit
from shuzheng.core import cache
from shuzheng.core.codes import CodeError, validate_uscc
from shuzheng.identity.models import Department, Region, Role, StaffRole, User
from shuzheng.identity.selectors import DEPARTMENTS_CACHE

# column: (header in the file, the English alias also accepted, required)
REGION_COLUMNS = {
    "code": ("区划代码", "code", True),
    "name": ("名称", "name", True),
    "level": ("层级", "level", True),
    "parent": ("上级区划代码", "parent", False),
}
DEPARTMENT_COLUMNS = {
    "code": ("部门编码", "code", True),
    "name": ("名称", "name", True),
    "short_name": ("简称", "short_name", False),
    "level": ("层级", "level", True),
    "region": ("所在区划代码", "region", True),
    "parent": ("上级部门编码", "parent", False),
    "uscc": ("统一社会信用代码", "uscc", True),
    "phone": ("咨询电话", "phone", False),
}
STAFF_COLUMNS = {
    "username": ("用户名", "username", True),
    "name": ("姓名", "name", True),
    "phone": ("手机号码", "phone", True),
    "department": ("部门编码", "department", True),
    "role": ("角色", "role", True),
}

REGION_LEVELS = {
    "省": "province",
    "市": "city",
    "县": "county",
    "区": "county",
    "县/区": "county",
    "乡镇": "town",
    "街道": "town",
    "乡镇/街道": "town",
    **{v: v for v in ("province", "city", "county", "town")},
}
DEPARTMENT_LEVELS = {
    "国家级": 1,
    "省级": 2,
    "市级": 3,
    "县级": 4,
    "区级": 4,
    "镇(乡、街道)级": 5,
    "镇级": 5,
    "乡级": 5,
    "街道级": 5,
    "村级": 6,
    "社区级": 6,
    **{str(int(c.value)): int(c.value) for c in Department.Level},
}


def _role_labels() -> dict[str, str]:
    """Role label (in Chinese, whatever the active language) -> role code."""
    with translation.override("zh-hans"):
        return {str(r.label): str(r.value) for r in Role}


def _roles() -> dict[str, str]:
    return {**_role_labels(), **{str(r.value): str(r.value) for r in Role}}


_REGION_CODE = re.compile(r"\d{6}(\d{3}(\d{3})?)?")  # 6 (GB/T 2260), 9 or 12 (统计用区划代码)
_DEPT_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,31}")
_USERNAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.@+-]{1,149}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ROLE_SPLIT = re.compile(r"[;；、,，]")


@dataclass
class OrgLoadError(Exception):
    """Everything wrong with the files; ``lines`` are the Chinese messages, one per cell."""

    lines: list[str]

    def __str__(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]


@dataclass
class _Sheet:
    label: str  # "部门文件 departments.csv"
    headers: dict[str, str]  # key -> the header as written in the file
    rows: list[_Row]


@dataclass
class LoadResult:
    created: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        names = {"regions": "区划", "departments": "部门", "staff": "工作人员"}
        parts = [
            f"{label}新增 {len(self.created.get(k, []))} 个、更新 {len(self.updated.get(k, []))} 个"
            for k, label in names.items()
            if k in self.created
        ]
        return "；".join(parts) + "。"


# ---------------------------------------------------------------------------------------------
# Reading


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 440000 as 440000.0
    return str(value).strip()


def _read_table(path: Path) -> list[list[str]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # a CSV saved by Excel on a Chinese Windows
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _read(
    path: Path, label: str, columns: dict[str, tuple[str, str, bool]], errors: list[str]
) -> _Sheet | None:
    where = f"{label}（{path.name}）"
    if not path.exists():
        errors.append(f"{where}：文件不存在。")
        return None
    if path.suffix.lower() not in {".csv", ".xlsx", ".xlsm"}:
        errors.append(f"{where}：只支持 .csv 和 .xlsx 文件。")
        return None
    try:
        table = _read_table(path)
    except Exception:  # any unreadable file is one message, not a traceback
        errors.append(f"{where}：无法读取，请确认是 UTF-8 或 GB18030 编码的 CSV，或 .xlsx 文件。")
        return None
    if not table or not any(table[0]):
        errors.append(f"{where}：第1行应为表头。")
        return None
    header = table[0]
    by_name = {h: i for i, h in enumerate(header) if h}
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for key, (zh, en, required) in columns.items():
        for name in (zh, en):
            if name in by_name:
                index[key] = by_name[name]
                headers[key] = zh
                break
        else:
            if required:
                errors.append(f"{where}：第1行缺少「{zh}」列。")
            headers[key] = zh
    known = {n for zh, en, _ in columns.values() for n in (zh, en)}
    for h in header:
        if h and h not in known:
            errors.append(f"{where}：第1行的「{h}」列无法识别。")
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(raw):
            continue  # blank lines are skipped
        values = {k: (raw[i] if i < len(raw) else "") for k, i in index.items()}
        for k in columns:
            values.setdefault(k, "")
        rows.append(_Row(number, values))
    return _Sheet(where, headers, rows)


# ---------------------------------------------------------------------------------------------
# Checking


class _Errors:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def add(self, sheet: _Sheet, row: _Row, key: str, message: str) -> None:
        self.lines.append(f"{sheet.label}第{row.number}行「{sheet.headers[key]}」列：{message}")


def _required(sheet: _Sheet, errs: _Errors, columns: dict[str, tuple[str, str, bool]]) -> None:
    for row in sheet.rows:
        for key, (_, _, required) in columns.items():
            if required and not row.values[key]:
                errs.add(sheet, row, key, "不能为空。")


def _unique(sheet: _Sheet, errs: _Errors, key: str) -> None:
    seen: dict[str, int] = {}
    for row in sheet.rows:
        value = row.values[key]
        if value and value in seen:
            errs.add(sheet, row, key, f"「{value}」与第{seen[value]}行重复。")
        seen.setdefault(value, row.number)


def _parents_first(items: dict[str, str | None]) -> list[str] | None:
    """The codes ordered so that each comes after its parent among them; None on a cycle."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str) -> bool:
        if state.get(code) == 2:
            return True
        if state.get(code) == 1:
            return False
        state[code] = 1
        parent = items[code]
        if parent and parent in items and not visit(parent):
            return False
        state[code] = 2
        order.append(code)
        return True

    for code in items:
        if not visit(code):
            return None
    return order


def _check_regions(sheet: _Sheet, errs: _Errors) -> dict[str, dict[str, str]]:
    _required(sheet, errs, REGION_COLUMNS)
    _unique(sheet, errs, "code")
    existing = set(Region.objects.values_list("code", flat=True))
    in_file = {r.values["code"] for r in sheet.rows}
    good: dict[str, dict[str, str]] = {}
    for row in sheet.rows:
        v = row.values
        ok = True
        if v["code"] and not _REGION_CODE.fullmatch(v["code"]):
            errs.add(sheet, row, "code", "应为6位（县级及以上）或9位、12位（乡镇、村）数字。")
            ok = False
        if len(v["name"]) > 64:
            errs.add(sheet, row, "name", "不能超过64个字。")
            ok = False
        if v["level"] and v["level"] not in REGION_LEVELS:
            errs.add(sheet, row, "level", "应为 省、市、县/区 或 乡镇/街道 之一。")
            ok = False
        parent = v["parent"]
        if parent and parent == v["code"]:
            errs.add(sheet, row, "parent", "不能是本区划自己。")
            ok = False
        elif parent and parent not in in_file and parent not in existing:
            errs.add(sheet, row, "parent", f"上级区划「{parent}」既不在本文件中，也未导入过。")
            ok = False
        if ok and v["code"] and v["name"] and v["level"]:
            good[v["code"]] = {**v, "level": REGION_LEVELS[v["level"]]}
    if _parents_first({c: g["parent"] or None for c, g in good.items()}) is None:
        errs.lines.append(f"{sheet.label}：「上级区划代码」列构成了循环。")
    return good


def _check_departments(
    sheet: _Sheet, errs: _Errors, region_codes: set[str]
) -> dict[str, dict[str, str]]:
    _required(sheet, errs, DEPARTMENT_COLUMNS)
    _unique(sheet, errs, "code")
    _unique(sheet, errs, "uscc")
    existing = dict(Department.objects.values_list("code", "uscc"))
    uscc_owner = {u: c for c, u in existing.items()}
    in_file = {r.values["code"] for r in sheet.rows}
    good: dict[str, dict[str, str]] = {}
    for row in sheet.rows:
        v = dict(row.values)
        ok = True
        if v["code"] and not _DEPT_CODE.fullmatch(v["code"]):
            errs.add(sheet, row, "code", "只能由字母、数字、- _ . 组成，不超过32位。")
            ok = False
        if len(v["name"]) > 128:
            errs.add(sheet, row, "name", "不能超过128个字。")
            ok = False
        if len(v["short_name"]) > 64:
            errs.add(sheet, row, "short_name", "不能超过64个字。")
            ok = False
        if v["level"] and v["level"] not in DEPARTMENT_LEVELS:
            errs.add(
                sheet, row, "level", "应为 国家级、省级、市级、县级、镇级、村级 之一（或1至6）。"
            )
            ok = False
        if v["region"] and v["region"] not in region_codes:
            errs.add(sheet, row, "region", f"区划「{v['region']}」既不在区划文件中，也未导入过。")
            ok = False
        parent = v["parent"]
        if parent and parent == v["code"]:
            errs.add(sheet, row, "parent", "不能是本部门自己。")
            ok = False
        elif parent and parent not in in_file and parent not in existing:
            errs.add(sheet, row, "parent", f"上级部门「{parent}」既不在本文件中，也未导入过。")
            ok = False
        if v["uscc"]:
            try:
                v["uscc"] = validate_uscc(v["uscc"]).uscc
            except CodeError as exc:
                errs.add(sheet, row, "uscc", f"{exc.message}。")
                ok = False
            else:
                owner = uscc_owner.get(v["uscc"])
                if owner and owner != v["code"]:
                    errs.add(sheet, row, "uscc", f"已被部门「{owner}」使用。")
                    ok = False
        if len(v["phone"]) > 32:
            errs.add(sheet, row, "phone", "不能超过32个字符。")
            ok = False
        if ok and all(v[k] for k in ("code", "name", "level", "region", "uscc")):
            good[v["code"]] = v
    if _parents_first({c: g["parent"] or None for c, g in good.items()}) is None:
        errs.lines.append(f"{sheet.label}：「上级部门编码」列构成了循环。")
    return good


def _check_staff(
    sheet: _Sheet, errs: _Errors, department_codes: set[str]
) -> dict[str, dict[str, object]]:
    _required(sheet, errs, STAFF_COLUMNS)
    people = {
        u.username: u.kind
        for u in User.objects.filter(username__in={r.values["username"] for r in sheet.rows})
    }
    role_codes = _roles()
    good: dict[str, dict[str, object]] = {}
    first_row: dict[str, _Row] = {}
    for row in sheet.rows:
        v = row.values
        ok = True
        name = v["username"]
        if name and not _USERNAME.fullmatch(name):
            errs.add(sheet, row, "username", "只能由字母、数字和 _ . @ + - 组成，2至150位。")
            ok = False
        elif name and people.get(name, User.Kind.STAFF) != User.Kind.STAFF:
            errs.add(sheet, row, "username", f"「{name}」已是公众账号，不能用作工作人员账号。")
            ok = False
        if len(v["name"]) > 64:
            errs.add(sheet, row, "name", "不能超过64个字。")
            ok = False
        if v["phone"] and not _MOBILE.fullmatch(v["phone"]):
            errs.add(sheet, row, "phone", "应为11位手机号码（登录验证码发到这个号码）。")
            ok = False
        if v["department"] and v["department"] not in department_codes:
            dept = v["department"]
            errs.add(sheet, row, "department", f"部门「{dept}」既不在部门文件中，也未导入过。")
            ok = False
        roles = [r.strip() for r in _ROLE_SPLIT.split(v["role"]) if r.strip()]
        unknown = [r for r in roles if r not in role_codes]
        if unknown:
            errs.add(
                sheet,
                row,
                "role",
                f"无法识别的角色「{'、'.join(unknown)}」；可用："
                + "、".join(_role_labels())
                + "。",
            )
            ok = False
        if name in first_row:
            first = good.get(name)
            if first is not None and (first["name"], first["phone"]) != (v["name"], v["phone"]):
                errs.add(
                    sheet,
                    row,
                    "name",
                    f"同一用户名的姓名和手机号码应与第{first_row[name].number}行一致。",
                )
                ok = False
        if not ok or not all(v[k] for k in STAFF_COLUMNS):
            continue
        first_row.setdefault(name, row)
        entry = good.setdefault(name, {"name": v["name"], "phone": v["phone"], "roles": set()})
        roles_set = entry["roles"]
        assert isinstance(roles_set, set)
        roles_set.update((v["department"], role_codes[r]) for r in roles)
    return good


# ---------------------------------------------------------------------------------------------
# Writing


def _write_regions(good: dict[str, dict[str, str]], result: LoadResult) -> None:
    order = _parents_first({c: g["parent"] or None for c, g in good.items()}) or []
    by_code = {r.code: r for r in Region.objects.filter(code__in=set(good) | _parents(good))}
    created, updated = [], []
    for code in order:
        g = good[code]
        parent = by_code[g["parent"]] if g["parent"] else None
        found = by_code.get(code)
        if found is None:
            by_code[code] = Region.objects.create(
                code=code, name=g["name"], level=g["level"], parent=parent
            )
            created.append(code)
        elif (found.name, found.level, found.parent_id) != (
            g["name"],
            g["level"],
            parent.pk if parent else None,
        ):
            found.name, found.level, found.parent = g["name"], g["level"], parent
            found.save(update_fields=["name", "level", "parent"])
            updated.append(code)
    result.created["regions"], result.updated["regions"] = created, updated


def _parents(good: dict[str, dict[str, str]]) -> set[str]:
    return {g["parent"] for g in good.values() if g.get("parent")}


def _write_departments(good: dict[str, dict[str, str]], result: LoadResult) -> None:
    order = _parents_first({c: g["parent"] or None for c, g in good.items()}) or []
    by_code = {d.code: d for d in Department.objects.filter(code__in=set(good) | _parents(good))}
    regions = {
        r.code: r for r in Region.objects.filter(code__in={g["region"] for g in good.values()})
    }
    created, updated = [], []
    fields = ["name", "short_name", "level", "region", "parent", "uscc", "phone"]
    for code in order:
        g = good[code]
        values = {
            "name": g["name"],
            "short_name": g["short_name"],
            "level": DEPARTMENT_LEVELS[g["level"]],
            "region": regions[g["region"]],
            "parent": by_code[g["parent"]] if g["parent"] else None,
            "uscc": g["uscc"],
            "phone": g["phone"],
        }
        found = by_code.get(code)
        if found is None:
            by_code[code] = Department.objects.create(code=code, **values)
            created.append(code)
        elif any(getattr(found, f) != values[f] for f in fields):
            for f in fields:
                setattr(found, f, values[f])
            found.save(update_fields=[*fields, "updated_at"])
            updated.append(code)
    result.created["departments"], result.updated["departments"] = created, updated


def _write_staff(good: dict[str, dict[str, object]], result: LoadResult) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=set(good))}
    departments = {d.code: d for d in Department.objects.all()}
    created, updated = [], []
    for username, g in good.items():
        wanted = g["roles"]
        assert isinstance(wanted, set)
        user = users.get(username)
        changed = False
        if user is None:
            user = User(username=username, kind=User.Kind.STAFF)
            user.set_unusable_password()
            user.display_name, user.phone = str(g["name"]), str(g["phone"])
            user.save()
            created.append(username)
        elif (user.display_name, user.phone) != (g["name"], g["phone"]):
            user.display_name, user.phone = str(g["name"]), str(g["phone"])
            user.save(update_fields=["display_name", "phone"])
            changed = True
        have = {
            (sr.department.code, sr.role): sr
            for sr in user.staff_roles.select_related("department")
        }
        for key in set(have) - wanted:
            have[key].delete()
            changed = True
        for dept, role in sorted(wanted - set(have)):
            StaffRole.objects.create(user=user, department=departments[dept], role=role)
            changed = changed or username not in created
        if changed:
            updated.append(username)
    result.created["staff"], result.updated["staff"] = created, updated


def load_org(
    *,
    regions: Path | None = None,
    departments: Path | None = None,
    staff: Path | None = None,
    actor: str = "system:load_org",
) -> LoadResult:
    """Check the given files whole, then write them in one transaction (module docstring).

    Raises ``OrgLoadError`` with every problem found, having written nothing."""
    lines: list[str] = []
    errs = _Errors(lines)
    sheets: dict[str, _Sheet | None] = {}
    for key, path, label, columns in (
        ("regions", regions, "区划文件", REGION_COLUMNS),
        ("departments", departments, "部门文件", DEPARTMENT_COLUMNS),
        ("staff", staff, "工作人员文件", STAFF_COLUMNS),
    ):
        if path is not None:
            sheets[key] = _read(Path(path), label, columns, lines)
    if not sheets:
        raise OrgLoadError(["请至少给出一个文件：--regions、--departments 或 --staff。"])
    if lines:
        raise OrgLoadError(lines)
    region_good: dict[str, dict[str, str]] = {}
    dept_good: dict[str, dict[str, str]] = {}
    staff_good: dict[str, dict[str, object]] = {}
    if (s := sheets.get("regions")) is not None:
        region_good = _check_regions(s, errs)
    region_codes = set(Region.objects.values_list("code", flat=True)) | {
        r.values["code"] for r in (s.rows if s else [])
    }
    if (d := sheets.get("departments")) is not None:
        dept_good = _check_departments(d, errs, region_codes)
    department_codes = set(Department.objects.values_list("code", flat=True)) | {
        r.values["code"] for r in (d.rows if d else [])
    }
    if (st := sheets.get("staff")) is not None:
        staff_good = _check_staff(st, errs, department_codes)
    if lines:
        raise OrgLoadError(lines)
    result = LoadResult()
    with transaction.atomic():
        if s is not None:
            _write_regions(region_good, result)
        if d is not None:
            _write_departments(dept_good, result)
        if st is not None:
            _write_staff(staff_good, result)
        if any(result.created.values()) or any(result.updated.values()):
            audit.record(
                actor=actor,
                action="identity.org_loaded",
                object_type="identity.org",
                object_id="org",
                after={"created": result.created, "updated": result.updated},
            )
            cache.bump(DEPARTMENTS_CACHE)
    return result
