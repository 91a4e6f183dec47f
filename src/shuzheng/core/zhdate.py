"""How a date is written in Chinese text: 2026年1月5日.

月 and 日 carry no leading zero (不编虚位), as GB/T 9704 7.3.5.3 writes a 公文's 成文日期 and as
the pages write dates (``date:"Y年n月j日"``); messages, PDFs and errors use the same form.
"""

from __future__ import annotations

import datetime as dt


def zh_date(day: dt.date | None, *, year: bool = True) -> str:
    """``2026年1月5日`` (``1月5日`` with ``year=False``); "" for None."""
    if day is None:
        return ""
    month_day = f"{day.month}月{day.day}日"
    return f"{day.year}年{month_day}" if year else month_day
