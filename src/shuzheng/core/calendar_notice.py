"""Read a year's holiday notice (国务院办公厅关于节假日安排的通知) as an administrator pastes or
uploads it, into the days of ``CalendarDay``; every problem names its line.

Pasted text, one entry a line (blank lines and lines starting with ``#`` are skipped)::

    2027-01-01 元旦
    2027-02-06 至 2027-02-12 春节
    2027-02-14 上班

A date is ``2027-01-01``, ``2027/1/1``, ``2027年1月1日`` or ``1月1日`` (the notice's year); a
range is two dates joined by 至, 到, ~ or ～ (the second may leave out the year, or the year and
the month: ``2月6日至12日``); a line saying 上班 or 补班 is a 调休 workday, any other names a
holiday. A CSV file has the columns 日期, 类型 (放假/上班, holiday/workday), 名称, one day or
range a row; a JSON file is a list of ``{"date", "kind", "name"}`` (or ``"start"``/``"end"``).
A notice may list days at the end of the previous December (元旦 of 2019 began on 2018-12-30).
The parsed days replace the year's days when saved (the console's ``calendar_notice_import``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from shuzheng.core.errors import FieldError, ValidationFailed

HOLIDAY, WORKDAY = "holiday", "workday"
MAX_RANGE_DAYS = 15  # the longest holiday of a notice is 8–9 days; more is a typing error
WEEKDAYS = "一二三四五六日"
_WORK_WORDS = ("调休上班", "上班", "补班", "workday")
_HOLIDAY_WORDS = ("放假", "休息", "holiday")

_DATE = (
    r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"  # 2027-02-06, 2027年2月6日
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日?"  # 2月6日
    r"|\d{1,2}\s*日)"  # 12日 (the end of a range)
)
_LINE = re.compile(
    rf"^\s*(?P<start>{_DATE})(?:\s*(?:至|到|~|～|—|–)\s*(?P<end>{_DATE}))?\s*(?P<rest>.*)$"
)
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_DAY = re.compile(r"^(\d{1,2})\s*日$")
_NOT_AN_OBJECT = "\x00"
_WEEKDAY_NOTE = re.compile(r"[（(](?:周|星期|农历)[^）)]*[）)]")


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    kind: str  # holiday / workday
    name: str
    line: int  # where it was written (1-based)

    @property
    def weekday(self) -> str:
        return "周" + WEEKDAYS[self.date.weekday()]


class _LineError(Exception):
    pass


def _date(text: str, year: int, base: dt.date | None = None) -> dt.date:
    text = text.strip()
    try:
        if m := _FULL.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH_DAY.match(text):
            return dt.date(base.year if base else year, int(m[1]), int(m[2]))
        if (m := _DAY.match(text)) and base is not None:
            return dt.date(base.year, base.month, int(m[1]))
    except ValueError:
        raise _LineError(f"日期“{text}”不存在。") from None
    raise _LineError(f"无法识别日期“{text}”。")


def _kind_and_name(rest: str) -> tuple[str, str]:
    """A workday when the words say 上班/补班; the name is what is left (the notice's notes in
    brackets, such as （周日）, dropped)."""
    rest = _WEEKDAY_NOTE.sub("", rest).strip(" \t，,；;：:。")
    for word in _WORK_WORDS:
        if word in rest:
            name = rest.replace(word, "").strip(" \t，,；;：:。")
            return WORKDAY, name
    for word in _HOLIDAY_WORDS:
        rest = rest.replace(word, "")
    return HOLIDAY, rest.strip(" \t，,；;：:。")


def _range(start: dt.date, end: dt.date | None) -> list[dt.date]:
    if end is None:
        return [start]
    if end < start:
        raise _LineError(f"结束日期 {end} 早于开始日期 {start}。")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise _LineError(f"一段假期不超过 {MAX_RANGE_DAYS} 天，请检查日期。")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _entry(
    year: int, line_no: int, start_text: str, end_text: str | None, kind: str, name: str
) -> list[NoticeDay]:
    start = _date(start_text, year)
    end = _date(end_text, year, base=start) if end_text else None
    days = _range(start, end)
    for day in days:
        if not (day.year == year or (day.year == year - 1 and day.month == 12)):
            raise _LineError(f"{day} 不属于 {year} 年（可含上一年 12 月）。")
    if kind == HOLIDAY and not name:
        raise _LineError("请写明节日名称，例如“2027-01-01 元旦”。")
    if kind == WORKDAY:
        weekday = [d for d in days if d.weekday() < 5]
        if weekday:
            raise _LineError(
                f"{weekday[0]} 是{'周' + WEEKDAYS[weekday[0].weekday()]}，本来就是工作日，"
                "调休上班日应是周六或周日。"
            )
    name = name[:64]
    return [NoticeDay(date=d, kind=kind, name=name, line=line_no) for d in days]


def _check(
    year: int, days: list[NoticeDay], errors: list[FieldError], field: str, unit: str = "行"
) -> None:
    seen: dict[dt.date, NoticeDay] = {}
    for d in days:
        first = seen.get(d.date)
        if first is not None:
            errors.append(
                FieldError(
                    field,
                    f"第 {d.line} {unit}：{d.date} 已在第 {first.line} {unit}写过，"
                    "同一天只能出现一次。",
                )
            )
        else:
            seen[d.date] = d
    if not days and not errors:
        errors.append(FieldError(field, f"没有读到 {year} 年的任何放假或调休上班日期。"))


def _name_workdays(days: list[NoticeDay]) -> list[NoticeDay]:
    """A 调休 workday without a name takes the nearest holiday's: 春节调休上班."""
    holidays = [d for d in days if d.kind == HOLIDAY]
    out = []
    for d in days:
        if d.kind == WORKDAY:
            base = d.name
            if not base and holidays:
                base = min(holidays, key=lambda h: (abs((h.date - d.date).days), h.date)).name
            name = base if base.endswith("上班") else f"{base}调休上班"
            d = NoticeDay(date=d.date, kind=d.kind, name=name[:64], line=d.line)
        out.append(d)
    return sorted(out, key=lambda x: x.date)


def parse_text(text: str, year: int, *, field: str = "text") -> list[NoticeDay]:
    """The pasted notice's days; ``ValidationFailed`` listing every bad line."""
    days: list[NoticeDay] = []
    errors: list[FieldError] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            errors.append(
                FieldError(
                    field,
                    f"第 {n} 行：无法识别“{line[:40]}”。请写作“2027-01-01 元旦”、"
                    "“2027-02-06 至 2027-02-12 春节”或“2027-02-14 上班”。",
                )
            )
            continue
        kind, name = _kind_and_name(m["rest"])
        try:
            days += _entry(year, n, m["start"], m["end"], kind, name)
        except _LineError as exc:
            errors.append(FieldError(field, f"第 {n} 行：{exc}"))
    _check(year, days, errors, field)
    return _done(days, errors)


def _done(days: list[NoticeDay], errors: list[FieldError]) -> list[NoticeDay]:
    if errors:
        raise ValidationFailed(errors, message="；".join(e.message for e in errors[:5]))
    return _name_workdays(days)


def _kind_word(value: str) -> str | None:
    value = value.strip().lower()
    if value in ("holiday", "放假", "休息", "假日", "节假日"):
        return HOLIDAY
    if value in ("workday", "上班", "补班", "调休上班"):
        return WORKDAY
    return None


def _rows_from_json(data: Any) -> list[tuple[str, str, str, str]]:
    if isinstance(data, dict):
        data = data.get("days")
    if not isinstance(data, list):
        raise _LineError("JSON 应是日期列表，或含 days 列表的对象。")
    rows = []
    for item in data:
        if not isinstance(item, dict):
            rows.append(("", "", _NOT_AN_OBJECT, ""))
            continue
        start = str(item.get("date") or item.get("start") or "")
        rows.append(
            (
                start,
                str(item.get("end") or ""),
                str(item.get("kind", "")),
                str(item.get("name", "")),
            )
        )
    return rows


def _rows_from_csv(text: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for cells in csv.reader(io.StringIO(text)):
        cells = [c.strip() for c in cells]
        if not any(cells):
            rows.append(("", "", "#", ""))  # a blank row keeps the numbering
            continue
        if len(cells) == 3:
            start, kind, name = cells
            end = ""
        elif len(cells) >= 4:
            start, end, kind, name = cells[:4]
        else:
            start, end, kind, name = [*cells, "", "", ""][:4]
        rows.append((start, end, kind, name))
    return rows


def parse_file(name: str, content: bytes, year: int, *, field: str = "file") -> list[NoticeDay]:
    """An uploaded CSV or JSON file's days (UTF-8, with or without BOM); the problems name the
    row (CSV, the header row counted) or the item (JSON)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.one(field, "文件应为 UTF-8 编码的 CSV 或 JSON。") from None
    is_json = name.lower().endswith(".json") or text.lstrip().startswith(("[", "{"))
    unit = "项" if is_json else "行"
    try:
        rows = _rows_from_json(json.loads(text)) if is_json else _rows_from_csv(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed.one(field, f"JSON 格式有误（第 {exc.lineno} 行）。") from None
    except _LineError as exc:
        raise ValidationFailed.one(field, str(exc)) from None
    days: list[NoticeDay] = []
    errors: list[FieldError] = []
    for n, (start, end, kind_text, name) in enumerate(rows, start=1):
        if kind_text == "#" or (start.startswith("#")):
            continue
        if n == 1 and not is_json and _kind_word(kind_text) is None and not _FULL.match(start):
            continue  # a header row
        kind = _kind_word(kind_text)
        if kind_text == _NOT_AN_OBJECT:
            errors.append(FieldError(field, f"第 {n} 项：应是含 date、kind、name 的对象。"))
            continue
        if kind is None:
            errors.append(
                FieldError(field, f"第 {n} {unit}：类型“{kind_text}”应为“放假”或“上班”。")
            )
            continue
        try:
            days += _entry(year, n, start, end or None, kind, name.strip())
        except _LineError as exc:
            errors.append(FieldError(field, f"第 {n} {unit}：{exc}"))
    _check(year, days, errors, field, unit)
    return _done(days, errors)
