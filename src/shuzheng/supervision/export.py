"""The 挂图作战 board for meetings: an Excel workbook (openpyxl) of the tasks the caller
sees, filtered like the board — 编号, 任务, 工作计划, 牵头单位, 量化指标 (current against
target), 完成时限, 状态, 预警, 指标进度, 最新进展 (date, reporting department, note, review)
— and a sheet of the departments' completion and scores. A read: nothing audited."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shuzheng.identity.contracts import Principal
from shuzheng.supervision import selectors

COLUMNS = (
    ("编号", 10), ("任务", 40), ("工作计划", 24), ("牵头单位", 24), ("量化指标", 36),
    ("完成时限", 12), ("状态", 10), ("预警", 10), ("指标进度", 10), ("最新进展", 48),
)  # fmt: skip
FILLS = {"red": "F4CCCC", "yellow": "FFF2CC", "green": "D9EAD3"}
REVIEW = {"accepted": "已通过", "returned": "已退回"}


def _num(x: float) -> str:
    return f"{x:g}"


def targets_text(t: dict[str, Any]) -> str:
    return "\n".join(
        f"{g['text']}（{_num(g['current'] or 0)}/{_num(g['value'])}{g['unit']}）"
        for g in t["targets"]
    )


def report_text(r: Any, names: dict[str, str]) -> str:
    if r is None:
        return ""
    local = timezone.localtime(r.reported_at)
    review = REVIEW.get(r.review, "待审核" if not r.review else r.review)
    return f"{local:%Y-%m-%d} {names.get(r.department, r.department)}：{r.note}（{review}）"


def board_rows(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The board's tasks with their latest report (one query)."""
    latest = selectors.latest_reports([t["id"] for t in tasks])
    names = selectors.dept_names()
    return [
        {
            **t,
            "lead_names": "、".join(d["name"] for d in t["lead_departments"]),
            "targets_text": targets_text(t),
            "latest_report": report_text(latest.get(t["id"]), names),
        }
        for t in tasks
    ]


def board_xlsx(*, principal: Principal, department: str = "", level: str = "",
               plan: int | None = None) -> bytes:  # fmt: skip
    rows = board_rows(
        selectors.tasks_list(principal=principal, department=department, level=level, plan=plan)
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "督办任务"
    ws.append([c for c, _ in COLUMNS])
    for i, (_, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
        ws.cell(1, i).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for t in rows:
        ws.append([
            t["path_label"], t["title"], t["plan_title"], t["lead_names"], t["targets_text"],
            t["due_date"], t["status_label"], t["level_label"],
            None if t["progress"] is None else t["progress"], t["latest_report"],
        ])  # fmt: skip
        r = ws.max_row
        for cell in ws[r]:
            cell.alignment = wrap
        ws.cell(r, 6).number_format = "yyyy-mm-dd"
        ws.cell(r, 9).number_format = "0%"
        ws.cell(r, 8).fill = PatternFill("solid", fgColor=FILLS.get(t["level"], "FFFFFF"))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws2 = wb.create_sheet("各单位完成情况")
    ws2.append(["单位", "任务数", "已完成", "逾期", "完成率", "得分"])
    for s in selectors.scores(principal=principal):
        ws2.append([s["department_name"], s["tasks"], s["completed"], s["overdue"],
                    s["completion_rate"], s["score"]])  # fmt: skip
        ws2.cell(ws2.max_row, 5).number_format = "0%"
    ws2.column_dimensions["A"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
