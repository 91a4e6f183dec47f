"""Excel (.xlsx) form of the catalog exchange format (openpyxl). See docs/catalog-format.md.

Sheets: 事项 (one row per item), 材料 (one row per material), 一件事 (one row per bundle).
Row 1 holds the keys. Lists are joined with "；"; nested values are JSON text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

SEP = "；"
ITEM_SCALARS = [
    "implementation_code",
    "basic_code",
    "region_code",
    "exercise_level",
    "serial",
    "name",
    "item_type",
    "department",
    "legal_basis",
    "conditions",
    "handling_type",
    "statutory_days",
    "promised_days",
    "online_depth",
    "visits",
    "instant_approval",
    "phone",
    "location",
    "hours",
]
ITEM_LISTS = ["aliases", "co_departments", "applicant_types", "themes", "channels", "steps"]
ITEM_JSON = ["fee", "result", "situations", "questions", "form"]
MATERIAL_COLUMNS = [
    "implementation_code",
    "code",
    "name",
    "form_kind",
    "required",
    "count",
    "notes",
    "source",
    "license_type",
]
BUNDLE_SCALARS = ["code", "name", "description", "lead_department"]
BUNDLE_LISTS = ["aliases", "themes", "applicant_types", "items"]
BUNDLE_JSON = ["questions"]
INT_KEYS = {
    "exercise_level",
    "serial",
    "statutory_days",
    "promised_days",
    "online_depth",
    "visits",
    "count",
}
BOOL_KEYS = {"instant_approval", "required"}


def write_workbook(doc: dict[str, Any], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "事项"
    ws.append(ITEM_SCALARS + ITEM_LISTS + ITEM_JSON)
    mat = wb.create_sheet("材料")
    mat.append(MATERIAL_COLUMNS)
    for item in doc.get("items", []):
        row: list[Any] = [item.get(k) for k in ITEM_SCALARS]
        row += [SEP.join(str(x) for x in item.get(k, [])) for k in ITEM_LISTS]
        row += [json.dumps(item.get(k), ensure_ascii=False) for k in ITEM_JSON]
        ws.append(row)
        for m in item.get("materials", []):
            mat.append([item.get("implementation_code")] + [m.get(k) for k in MATERIAL_COLUMNS[1:]])
    bs = wb.create_sheet("一件事")
    bs.append(BUNDLE_SCALARS + BUNDLE_LISTS + BUNDLE_JSON)
    for b in doc.get("bundles", []):
        bs.append(
            [b.get(k) for k in BUNDLE_SCALARS]
            + [SEP.join(b.get(k, [])) for k in BUNDLE_LISTS]
            + [json.dumps(b.get(k), ensure_ascii=False) for k in BUNDLE_JSON]
        )
    wb.save(path)


def _value(key: str, raw: Any, lists: list[str], jsons: list[str]) -> Any:
    if raw is None or raw == "":
        if key in lists:
            return []
        return None
    if key in lists:
        return [p.strip() for p in str(raw).replace(";", SEP).split(SEP) if p.strip()]
    if key in jsons:
        try:
            return json.loads(str(raw))
        except json.JSONDecodeError:
            return str(raw)  # left as text: the validator reports the field
    if key in INT_KEYS:
        try:
            return int(raw)
        except (TypeError, ValueError):
            return raw
    if key in BOOL_KEYS:
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in ("true", "1", "是", "yes")
    return str(raw) if not isinstance(raw, int | float) else raw


def _rows(ws: Any) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    body = [(i + 2, list(r)) for i, r in enumerate(rows[1:]) if any(v not in (None, "") for v in r)]
    return header, body


def read_workbook(path: Path) -> tuple[dict[str, Any], dict[str, list[int]]]:
    wb = load_workbook(path, read_only=True, data_only=True)
    if "事项" not in wb.sheetnames and "一件事" not in wb.sheetnames:
        raise ValueError("工作簿缺少“事项”或“一件事”工作表")
    doc: dict[str, Any] = {"items": [], "bundles": []}
    rows: dict[str, list[int]] = {"items": [], "bundles": []}
    materials: dict[str, list[dict[str, Any]]] = {}
    if "材料" in wb.sheetnames:
        header, body = _rows(wb["材料"])
        for _, r in body:
            rec = {k: _value(k, v, [], []) for k, v in zip(header, r, strict=False) if k}
            code = str(rec.pop("implementation_code", "") or "")
            materials.setdefault(code, []).append({k: v for k, v in rec.items() if v is not None})
    if "事项" in wb.sheetnames:
        header, body = _rows(wb["事项"])
        for rownum, r in body:
            rec = {
                k: _value(k, v, ITEM_LISTS, ITEM_JSON) for k, v in zip(header, r, strict=False) if k
            }
            rec = {k: v for k, v in rec.items() if v is not None}
            rec["materials"] = materials.get(str(rec.get("implementation_code", "")), [])
            doc["items"].append(rec)
            rows["items"].append(rownum)
    if "一件事" in wb.sheetnames:
        header, body = _rows(wb["一件事"])
        for rownum, r in body:
            rec = {
                k: _value(k, v, BUNDLE_LISTS, BUNDLE_JSON)
                for k, v in zip(header, r, strict=False)
                if k
            }
            doc["bundles"].append({k: v for k, v in rec.items() if v is not None})
            rows["bundles"].append(rownum)
    return doc, rows
