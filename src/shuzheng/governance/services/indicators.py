"""Indicator definitions: the checks an administrator's edit must pass (the Django admin's
form calls them; the seed writes valid rows)."""

from __future__ import annotations

from typing import Any

from shuzheng.governance.models import Direction, Source
from shuzheng.governance.selectors.access import district_of
from shuzheng.identity import facade as identity

COMPUTATIONS = ("cases.on_time_rate", "exchange.calls")
"""Keys of the indicators the platform computes itself (``services.computed.REGISTRY``); the
full list, with what other modules registered in ``core.metrics_registry``, is
``services.computed.computation_keys()``."""


def indicator_problems(data: dict[str, Any]) -> dict[str, str]:
    """{field: Chinese message} of what is wrong with an indicator's fields."""
    out: dict[str, str] = {}
    yellow, red = data.get("yellow"), data.get("red")
    if yellow is not None and red is not None:
        if data.get("direction") == Direction.ABOVE and not yellow < red:
            out["red"] = "高于阈值预警的指标，红色阈值应大于黄色阈值"
        if data.get("direction") == Direction.BELOW and not yellow > red:
            out["red"] = "低于阈值预警的指标，红色阈值应小于黄色阈值"
    dept = data.get("department") or ""
    if dept and dept not in identity.department_names():
        out["department"] = "没有这个部门编码"
    from shuzheng.governance.services.computed import computation_keys

    known = computation_keys()
    if data.get("source") == Source.COMPUTED and data.get("computation") not in known:
        out["computation"] = "平台计算的指标须选择计算方法：" + "、".join(known)
    region = data.get("region") or ""
    if region and district_of(region) != region:
        out["region"] = "所属区县应为肇庆市的区县行政区划代码，全市指标留空"
    if region and data.get("per_district"):
        out["per_district"] = "只属于一个区县的指标不能再分区县上报"
    return out
