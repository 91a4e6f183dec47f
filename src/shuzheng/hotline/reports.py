"""The 12345 周报 (weekly report, issue 18 item 7) as Excel and as a sealed PDF.

One ISO week (``YYYY-Www``): the volume against the week before, by 诉求类型, the top 热点
categories, the 区县, 三率 and the other rates per lead department (``selectors.metrics``), and
the 弱信号 raised on any day of the week (``facade.signals`` as each day closed). Excel with
openpyxl (one sheet per part, numbers as numbers, rates as percentages); PDF with reportlab in
the CID font STSong-Light (as ``cases.documents``), PAdES-signed with the 12345 center's seal
(``seals.facade.sign_pdf``). Made when asked for; each download audited
(``hotline.weekly_report``). For the center only (callers check).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _t
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shuzheng.audit import facade as audit
from shuzheng.hotline import dashboard, facade, selectors
from shuzheng.hotline.services import records
from shuzheng.identity.contracts import Principal
from shuzheng.seals import facade as seals

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

RATES = list(selectors.METRIC_NAMES)


def weekly_data(principal: Principal, week: dashboard.Range) -> dict[str, Any]:
    """Everything the 周报 says, as plain values (also what the tests read)."""
    spots = dashboard.hotspots(
        principal, period="week", start=week.start, end=week.end, level=2, limit=10
    )
    m = selectors.metrics(principal, start=week.start, end=week.end, group="department")
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    day = week.start
    while day <= week.end:
        for s in facade.signals(principal, today=day):
            key = ((s["category"] or {}).get("code", ""), s["place"]["code"])
            seen.setdefault(key, {**s, "raised": day.isoformat()})
        day += dt.timedelta(days=1)
    return {
        "title": _t("12345 政务服务便民热线周报"),
        "week": week_label(week),
        "from": week.start.isoformat(),
        "to": week.end.isoformat(),
        "total": spots["total"],
        "types": spots["types"],
        "categories": spots["categories"],
        "districts": spots["districts"],
        "metric_names": selectors.METRIC_NAMES,
        "overall": m["overall"],
        "departments": m["groups"],
        "signals": list(seen.values()),
    }


def week_label(week: dashboard.Range) -> str:
    return dashboard.week_label(week)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _change(row: dict[str, Any]) -> str:
    if row["change_rate"] is None:
        return _t("新增") if row["count"] else "—"
    return f"{row['change_rate'] * 100:+.1f}%"


def tables(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of each part, shared by the Excel and the PDF."""
    names = data["metric_names"]
    t = data["total"]
    return [
        (
            _t("受理总量"),
            [_t("本周"), _t("上周"), _t("增减"), _t("环比")],
            [[t["count"], t["previous"], t["change"], _change(t)]],
        ),
        (
            _t("按诉求类型"),
            [_t("诉求类型"), _t("件数")],
            [[r["name"], r["count"]] for r in data["types"]],
        ),
        (
            _t("热点诉求（二级分类）"),
            [_t("排名"), _t("分类"), _t("本周"), _t("上周"), _t("环比"), _t("主要区县")],
            [
                [
                    i,
                    " / ".join(r["path"]),
                    r["count"],
                    r["previous"],
                    _change(r),
                    "、".join(d["name"] for d in r["districts"]),
                ]
                for i, r in enumerate(data["categories"], 1)
            ],
        ),
        (
            _t("按区县"),
            [_t("区县"), _t("本周"), _t("上周"), _t("环比")],
            [[r["name"], r["count"], r["previous"], _change(r)] for r in data["districts"]],
        ),
        (
            _t("承办单位三率及其他指标"),
            [_t("承办单位"), _t("工单"), *[names[k] for k in RATES]],
            [
                [r["name"], r["tickets"], *[r[k] for k in RATES]]
                for r in [*data["departments"], {"name": _t("合计"), **data["overall"]}]
            ],
        ),
        (
            _t("本周弱信号"),
            [_t("发现日"), _t("分类"), _t("地点"), _t("件数"), _t("预期"), _t("样例工单")],
            [
                [
                    s["raised"],
                    (s["category"] or {}).get("name", ""),
                    s["place"]["name"],
                    s["count"],
                    s["expected"],
                    "；".join(x["title"] for x in s["samples"][:3]),
                ]
                for s in data["signals"]
            ],
        ),
    ]


def xlsx(data: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws0 = wb.active
    ws0.title = _t("概况")
    ws0.append([data["title"]])
    ws0.append([data["week"]])
    ws0["A1"].font = Font(bold=True, size=14)
    rate_cols = {data["metric_names"][k] for k in RATES}
    for i, (title, header, rows) in enumerate(tables(data)):
        ws = ws0 if i == 0 else wb.create_sheet(title[:31])
        if i == 0:
            ws.append([])
            ws.append([title])
        ws.append(header)
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
            c.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(row)
            for col, c in zip(header, ws[ws.max_row], strict=False):
                if col in rate_cols and isinstance(c.value, float):
                    c.number_format = "0.0%"
        if not rows:
            ws.append([_t("本周无")])
        for j, col in enumerate(header, 1):
            ws.column_dimensions[get_column_letter(j)].width = max(10, min(48, 3 * len(col)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf(data: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=data["title"],
    )
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=18, leading=26, alignment=1)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=13, leading=20, spaceBefore=8)
    body = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11, wordWrap="CJK")
    story: list[Any] = [
        Paragraph(data["title"], h1),
        Paragraph(data["week"], ParagraphStyle("sub", parent=body, fontSize=11, alignment=1)),
        Spacer(1, 6 * mm),
    ]
    rate_cols = {data["metric_names"][k] for k in RATES}
    for title, header, rows in tables(data):
        story.append(Paragraph(title, h2))
        cells = [[Paragraph(str(h), body) for h in header]]
        for row in rows or [[_t("本周无")] + [""] * (len(header) - 1)]:
            cells.append(
                [
                    Paragraph(
                        _pct(v)
                        if col in rate_cols and (v is None or isinstance(v, float))
                        else str(v),
                        body,
                    )
                    for col, v in zip(header, row, strict=False)
                ]
            )
        table = Table(cells, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    center = records.department_name(records.CENTER_DEPARTMENT)

    def footer(c: Any, d: Any) -> None:
        c.saveState()
        c.setFont(FONT, 8)
        c.drawString(
            15 * mm,
            10 * mm,
            _t("%(c)s · 本报告加盖电子印章（PAdES 数字签名），内容被改动后签章失效。 第 %(p)s 页")
            % {"c": center, "p": d.page},
        )
        c.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def weekly_report(principal: Principal, week: str, fmt: str) -> tuple[bytes, str, str]:
    """(file, file name, content type) of the 周报 of ``week`` (``YYYY-Www``) as ``xlsx`` or
    ``pdf`` (sealed); the download audited."""
    r = dashboard.iso_week(week)
    data = weekly_data(principal, r)
    year, num, _ = r.start.isocalendar()
    name = f"12345周报-{year}年第{num:02d}周.{fmt}"
    with transaction.atomic():
        if fmt == "pdf":
            body, key_id = seals.sign_pdf(
                records.CENTER_DEPARTMENT,
                pdf(data),
                reason=f"12345 热线周报（{year}-W{num:02d}）",
                location="肇庆",
            )
            ctype = "application/pdf"
        else:
            body, key_id = xlsx(data), ""
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        audit.record(
            actor=principal.actor,
            action="hotline.weekly_report",
            object_type="hotline.report",
            object_id=f"{year}-W{num:02d}",
            after={"format": fmt, "seal": key_id, "tickets": data["total"]["count"]},
        )
    return body, name, ctype
