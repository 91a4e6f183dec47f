"""The command dashboard's 绩效 tables (GB/T 30428 绩效评价): per 区县 and per 处置部门, over the
events reported in the last ``PERFORMANCE_DAYS`` days, with names for people (never codes).
Read on the page's load only (not by the live part that refreshes every few seconds)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shuzheng.governance.selectors.access import city_districts
from shuzheng.governance.selectors.events import performance
from shuzheng.identity import facade as identity

PERFORMANCE_DAYS = 30


def performance_tables(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """{"days", "districts": [...], "departments": [...]}: each row has ``code``, ``name``,
    ``reported`` and the four rates (percent or None)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=PERFORMANCE_DAYS)
    districts = dict(city_districts())
    by_district = {r["key"]: r for r in performance(since, by="district")}
    names = identity.department_names()
    return {
        "days": PERFORMANCE_DAYS,
        "districts": [
            {"code": code, "name": name, **_rates(by_district.get(code))}
            for code, name in districts.items()
        ],
        "departments": [
            {"code": r["key"], "name": names.get(r["key"], r["key"]), **_rates(r)}
            for r in sorted(
                performance(since, by="department"), key=lambda r: (-r["reported"], r["key"])
            )
        ],
    }


def _rates(row: dict[str, Any] | None) -> dict[str, Any]:
    keys = ("filing_rate", "on_time_rate", "check_pass_rate", "rework_rate")
    if row is None:
        return {"reported": 0, "rates": [None] * len(keys)}
    return {"reported": row["reported"], "rates": [row[k] for k in keys]}
