"""A report's form: scalar fields and tables with repeating rows, formulas and cross-field
checks, validated through the catalog's JSON-Schema validation (Chinese messages naming the
field).

``spec`` = ``{"fields": [...], "tables": [...], "checks": [...]}``:

- field: ``{"name", "title", "entry", "type": integer|number|string, "min", "max",
  "formula"}``; ``formula`` is ``sum:a+b`` (scalar fields), ``sum:<table>.<column>`` or
  ``rows:<table>`` and makes the field computed, never typed;
- table: ``{"name", "title", "max_rows", "columns": [{"name", "title", "type", ...}]}``; a
  cell is the value ``<table>.<row>.<column>`` (rows from 1);
- check: ``{"left", "op": "<=" | "==" | ">=", "right", "message"}`` between fields.
"""

from __future__ import annotations

from typing import Any

from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import FieldError, ValidationFailed

MAX_ROWS = 500


def fields(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("fields", []))


def tables(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("tables", []))


def field_titles(spec: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f.get("title", f["name"]) for f in fields(spec)}


def _prop(f: dict[str, Any], title: str) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": f.get("type", "integer"), "title": title}
    if "min" in f:
        prop["minimum"] = f["min"]
    if "max" in f:
        prop["maximum"] = f["max"]
    if prop["type"] == "string":
        prop["maxLength"] = int(f.get("max_length", 100))
    return prop


def row_count(spec: dict[str, Any], raw: dict[str, Any], table: str) -> int:
    """Rows posted for a table: the highest row number that has any cell."""
    prefix = f"{table}."
    rows = 0
    for key in raw:
        if key.startswith(prefix):
            parts = key.split(".")
            if len(parts) == 3 and parts[1].isdigit():
                rows = max(rows, int(parts[1]))
    return rows


def json_schema(spec: dict[str, Any], raw: dict[str, Any], *, required: bool) -> dict[str, Any]:
    """The form as one flat JSON Schema the catalog validates: every scalar field that is not
    computed, and every cell of the posted rows."""
    props: dict[str, Any] = {}
    req: list[str] = []
    for f in fields(spec):
        if f.get("formula"):
            continue
        props[f["name"]] = _prop(f, f.get("title", f["name"]))
        if required:
            req.append(f["name"])
    for t in tables(spec):
        for i in range(1, min(row_count(spec, raw, t["name"]), MAX_ROWS) + 1):
            for c in t["columns"]:
                name = f"{t['name']}.{i}.{c['name']}"
                title = f"{t['title']}第{i}行“{c['title']}”"
                props[name] = _prop(c, title)
                req.append(name)
    return {"type": "object", "properties": props, "required": req}


def computed(spec: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Values of the computed fields from the others (formulas in table order)."""
    out: dict[str, Any] = {}
    for f in fields(spec):
        formula = str(f.get("formula") or "")
        if not formula:
            continue
        kind, _sep, arg = formula.partition(":")
        value: Any = None
        if kind == "rows":
            value = row_count(spec, data, arg)
        elif kind == "sum" and "." in arg:
            table, column = arg.split(".", 1)
            n = row_count(spec, data, table)
            cells = [data.get(f"{table}.{i}.{column}") for i in range(1, n + 1)]
            value = sum(c for c in cells if isinstance(c, int | float))
        elif kind == "sum":
            parts = [{**data, **out}.get(p) for p in arg.split("+")]
            value = sum(p for p in parts if isinstance(p, int | float))
        if isinstance(value, float) and value.is_integer() and f.get("type") == "integer":
            value = int(value)
        out[f["name"]] = value
    return out


def validate(spec: dict[str, Any], raw: dict[str, Any], *, required: bool) -> dict[str, Any]:
    """Typed values of ``raw`` (strings from a form, or JSON values), computed fields filled
    in. Raises ValidationFailed naming every bad field in Chinese (nothing is stored)."""
    errors: list[FieldError] = []
    for t in tables(spec):
        limit = int(t.get("max_rows", MAX_ROWS))
        n = row_count(spec, raw, t["name"])
        if n > limit:
            errors.append(
                FieldError(t["name"], f"{t['title']}：最多{limit}行，现有{n}行，请分表报送。")
            )
    if errors:
        raise ValidationFailed(errors)
    schema = json_schema(spec, raw, required=required)
    data, problems = catalog.validate_form(schema, raw)
    if problems:
        raise ValidationFailed([FieldError(k, v) for k, v in problems.items()])
    titles = field_titles(spec)
    calc = computed(spec, data)
    for f in fields(spec):
        name = f["name"]
        given = raw.get(name)
        if f.get("formula") and given not in (None, "") and calc.get(name) is not None:
            try:
                same = float(given) == float(calc[name])
            except (TypeError, ValueError):
                same = False
            if not same:
                errors.append(
                    FieldError(
                        name,
                        f"{titles[name]}：应为{calc[name]}（由明细自动计算），与填写的{given}不符。",
                    )
                )
    data.update(calc)
    for check in spec.get("checks", []):
        left, right = data.get(check["left"]), data.get(check["right"])
        if not isinstance(left, int | float) or not isinstance(right, int | float):
            continue
        ok = {"<=": left <= right, "==": left == right, ">=": left >= right}[check["op"]]
        if not ok:
            errors.append(FieldError(check["left"], check["message"]))
    if errors:
        raise ValidationFailed(errors)
    return data


def table_import(spec: dict[str, Any], table: str, content: bytes) -> dict[str, str]:
    """A long table's rows from an Excel file (.xlsx): the first row must be the table's
    column titles; any bad cell rejects the whole file, naming its Excel row and column.
    Returns the cells as a form posts them (``table.row.column`` → text)."""
    from io import BytesIO
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    t = next((x for x in tables(spec) if x["name"] == table), None)
    if t is None:
        raise ValidationFailed.one("table", "没有这张明细表。")
    title = t["title"]
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, OSError, ValueError, KeyError) as exc:
        raise ValidationFailed.one(table, f"{title}：文件不是有效的 Excel（.xlsx）文件。") from exc
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True)) if ws is not None else []
    want = [c["title"] for c in t["columns"]]
    header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else ())]
    if header[: len(want)] != want:
        got = "、".join(h for h in header if h) or "空"
        raise ValidationFailed.one(
            table, f"{title}：第1行表头应为“{'、'.join(want)}”，文件中为“{got}”，未导入。"
        )
    raw: dict[str, str] = {}
    props: dict[str, Any] = {}
    n = 0
    for excel_row, row in enumerate(rows[1:], start=2):
        if not any(c not in (None, "") for c in row):
            continue
        n += 1
        for j, c in enumerate(t["columns"]):
            value = row[j] if j < len(row) else None
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            name = f"{table}.{n}.{c['name']}"
            raw[name] = "" if value is None else str(value).strip()
            props[name] = _prop(c, f"{title}第{excel_row}行“{c['title']}”")
    limit = int(t.get("max_rows", MAX_ROWS))
    if n > limit:
        raise ValidationFailed.one(table, f"{title}：最多{limit}行，文件中有{n}行，未导入。")
    _data, problems = catalog.validate_form(
        {"type": "object", "properties": props, "required": list(props)}, raw
    )
    if problems:
        errors = [FieldError(k, v) for k, v in problems.items()]
        raise ValidationFailed(
            errors, message="文件未导入：" + "；".join(e.message for e in errors[:5])
        )
    return raw
