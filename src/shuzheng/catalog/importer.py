"""Validate a catalog file (JSON or Excel) as a whole; every problem names its row and field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shuzheng.catalog.spec import BundleSpec, ItemSpec, RowError, parse_bundle, parse_item


@dataclass
class Report:
    items: list[ItemSpec] = field(default_factory=list)
    bundles: list[BundleSpec] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_document(path: Path) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The file as ``{"items": [...], "bundles": [...]}`` plus the row number of each entry."""
    if path.suffix.lower() == ".xlsx":
        from shuzheng.catalog.excel import read_workbook

        return read_workbook(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError('文件顶层应为对象 {"items": [...], "bundles": [...]}')
    rows = {k: list(range(1, len(doc.get(k) or []) + 1)) for k in ("items", "bundles")}
    return doc, rows


def validate(
    doc: dict[str, Any],
    *,
    departments: set[str],
    existing_items: dict[str, dict[str, Any]],
    rows: dict[str, list[int]] | None = None,
) -> Report:
    """Check every entry; cross-check departments, duplicates and bundle references.

    ``existing_items`` maps implementation codes already in the catalog to their situations
    (``{"situations": [...]}``) so bundles may reference them.
    """
    report = Report()
    rows = rows or {}
    unknown_keys = set(doc) - {"items", "bundles"}
    for key in sorted(unknown_keys):
        report.errors.append(RowError("file", 0, "-", key, "未知的顶层字段"))
    item_rows = rows.get("items") or list(range(1, len(doc.get("items") or []) + 1))
    seen: dict[str, int] = {}
    situations: dict[str, set[str]] = {
        code: {s["code"] for s in data.get("situations", [])}
        for code, data in existing_items.items()
    }
    for raw, row in zip(doc.get("items") or [], item_rows, strict=False):
        key = str(raw.get("name") or raw.get("basic_code") or "?") if isinstance(raw, dict) else "?"
        if not isinstance(raw, dict):
            report.errors.append(RowError("items", row, key, "(整体)", "应为对象"))
            continue
        spec, errs = parse_item(raw)
        for f, m in errs:
            report.errors.append(RowError("items", row, key, f, m))
        if spec is None:
            continue
        code = spec.implementation_code or ""
        if code in seen:
            report.errors.append(
                RowError(
                    "items", row, key, "implementation_code", f"与第{seen[code]}行的实施编码重复"
                )
            )
        seen[code] = row
        for f, dept in [("department", spec.department)] + [
            (f"co_departments.{i}", d) for i, d in enumerate(spec.co_departments)
        ]:
            if dept not in departments:
                report.errors.append(RowError("items", row, key, f, f"部门编码 {dept} 不存在"))
        situations[code] = {s.code for s in spec.situations}
        report.items.append(spec)
    bundle_rows = rows.get("bundles") or list(range(1, len(doc.get("bundles") or []) + 1))
    seen_b: dict[str, int] = {}
    for raw, row in zip(doc.get("bundles") or [], bundle_rows, strict=False):
        key = str(raw.get("name") or raw.get("code") or "?") if isinstance(raw, dict) else "?"
        if not isinstance(raw, dict):
            report.errors.append(RowError("bundles", row, key, "(整体)", "应为对象"))
            continue
        bundle, errs = parse_bundle(raw)
        for f, m in errs:
            report.errors.append(RowError("bundles", row, key, f, m))
        if bundle is None:
            continue
        if bundle.code in seen_b:
            report.errors.append(
                RowError("bundles", row, key, "code", f"与第{seen_b[bundle.code]}行重复")
            )
        seen_b[bundle.code] = row
        if bundle.lead_department not in departments:
            report.errors.append(
                RowError(
                    "bundles",
                    row,
                    key,
                    "lead_department",
                    f"部门编码 {bundle.lead_department} 不存在",
                )
            )
        for i, code in enumerate(bundle.items):
            if code not in situations:
                report.errors.append(
                    RowError("bundles", row, key, f"items.{i}", f"事项 {code} 不存在")
                )
        if len(set(bundle.items)) != len(bundle.items):
            report.errors.append(RowError("bundles", row, key, "items", "包含的事项重复"))
        for qi, q in enumerate(bundle.questions):
            for oi, o in enumerate(q.options):
                where = f"questions.{qi}.options.{oi}"
                for code in o.exclude_items:
                    if code not in bundle.items:
                        report.errors.append(
                            RowError(
                                "bundles",
                                row,
                                key,
                                where + ".exclude_items",
                                f"{code} 不是本一件事的事项",
                            )
                        )
                for ref in o.situations:
                    item_code, _, sit = ref.partition(":")
                    if item_code not in bundle.items or sit not in situations.get(item_code, set()):
                        report.errors.append(
                            RowError(
                                "bundles", row, key, where + ".situations", f"情形 {ref} 不存在"
                            )
                        )
        report.bundles.append(bundle)
    return report
