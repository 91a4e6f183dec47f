"""The named facts a rule may use: name, Chinese label, type, unit, who it describes.

Rule expressions refer to facts by these names (``age``, ``hukou_region``,
``enterprise.employees``, ``tax_credit_grade``, ``licenses`` …); the console rejects any other
name (``form.<field>`` is also allowed in rule sets that decide a service item). Providers
(``providers.py``) deliver values for exactly these names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shuzheng.core.codes import historical_region_name

PERSON = "person"
ENTERPRISE = "enterprise"
KINDS = (PERSON, ENTERPRISE)
KIND_NAMES = {PERSON: "个人", ENTERPRISE: "企业"}


@dataclass(frozen=True)
class FactDef:
    name: str
    label: str
    type: str  # number | str | bool | list
    kinds: tuple[str, ...]
    unit: str = ""
    source: str = ""  # which register delivers it (shown to the policy officer)
    example: Any = None  # a typical value, used to fill test cases that leave it out
    choices: tuple[str, ...] = ()


P, E, PE = (PERSON,), (ENTERPRISE,), (PERSON, ENTERPRISE)
POP = "人口基础信息（公安户籍）"
CIVIL = "民政、残联业务数据"
SI = "社会保险数据（人社）"
MARKET = "法人基础信息（市场监管）"
TAX = "纳税信息（税务）"
LIC = "电子证照库"
GOV = "政务服务办件库、惠民惠企政策兑现记录"

FACTS: tuple[FactDef, ...] = (
    # --- people -------------------------------------------------------------------------------
    FactDef("age", "年龄", "number", P, "周岁", POP, 36),
    FactDef("sex", "性别", "str", P, "", POP, "M", ("M", "F")),
    FactDef("hukou_region", "户籍地", "str", P, "", POP, "441202"),
    FactDef(
        "marital_status", "婚姻状况", "str", P, "", CIVIL, "已婚", ("未婚", "已婚", "离婚", "丧偶")
    ),
    FactDef("alive", "健在（未注销户籍）", "bool", P, "", POP, True),
    FactDef("disability_level", "残疾等级（0 为无）", "number", P, "级", CIVIL, 0),
    FactDef(
        "disability_category",
        "残疾类别",
        "str",
        P,
        "",
        CIVIL,
        "",
        ("", "视力", "听力", "言语", "肢体", "智力", "精神", "多重"),
    ),
    FactDef("low_income", "低保对象", "bool", P, "", CIVIL, False),
    FactDef("hardship", "低保边缘等困难家庭", "bool", P, "", CIVIL, False),
    FactDef("long_term_care", "需长期照护", "bool", P, "", CIVIL, False),
    FactDef(
        "employment_status",
        "就业状态",
        "str",
        P,
        "",
        SI,
        "在职",
        ("在职", "灵活就业", "失业", "退休", "无"),
    ),
    FactDef("si_pension_months", "养老保险累计缴费", "number", P, "个月", SI, 120),
    FactDef("si_unemployment_months", "失业保险累计缴费", "number", P, "个月", SI, 60),
    FactDef("pension_receiving", "已领取基本养老金", "bool", P, "", SI, False),
    FactDef("credit_blacklisted", "列入严重失信主体名单", "bool", PE, "", "信用信息平台", False),
    # --- enterprises --------------------------------------------------------------------------
    FactDef("enterprise.industry_code", "国民经济行业代码", "str", E, "", MARKET, "H6210"),
    FactDef("enterprise.industry", "行业", "str", E, "", MARKET, "正餐服务"),
    FactDef(
        "enterprise.size",
        "企业规模",
        "str",
        E,
        "",
        MARKET,
        "小型",
        ("大型", "中型", "小型", "微型"),
    ),
    FactDef("enterprise.employees", "从业人数", "number", E, "人", MARKET, 20),
    FactDef("enterprise.registered_capital", "注册资本", "number", E, "万元", MARKET, 100),
    FactDef("enterprise.age_months", "成立时长", "number", E, "个月", MARKET, 60),
    FactDef("enterprise.region", "登记地", "str", E, "", MARKET, "441202"),
    FactDef(
        "enterprise.status", "登记状态", "str", E, "", MARKET, "存续", ("存续", "注销", "吊销")
    ),
    FactDef("si_insured_employees", "参保职工人数", "number", E, "人", SI, 18),
    FactDef("si_unemployment_paid", "上年度实缴失业保险费", "number", E, "元", SI, 12000),
    FactDef("si_layoff_rate", "上年度裁员率", "number", E, "%", SI, 0),
    FactDef("si_arrears", "欠缴社会保险费", "bool", E, "", SI, False),
    FactDef("tax_credit_grade", "纳税信用等级", "str", E, "", TAX, "B", ("A", "B", "M", "C", "D")),
    FactDef("tax_revenue_last_year", "上年度营业收入", "number", E, "万元", TAX, 500),
    # --- both ---------------------------------------------------------------------------------
    FactDef("licenses", "持有的电子证照", "list", PE, "", LIC, []),
    FactDef("benefits", "已享受的补贴和待遇", "list", PE, "", GOV, []),
    FactDef("applied_items", "近一年申办过的事项", "list", PE, "", GOV, []),
)

BY_NAME: dict[str, FactDef] = {f.name: f for f in FACTS}


def for_kind(kind: str) -> dict[str, FactDef]:
    return {f.name: f for f in FACTS if kind in f.kinds}


def types_for(kind: str) -> dict[str, str]:
    return {name: f.type for name, f in for_kind(kind).items()}


def example_facts(kind: str) -> dict[str, Any]:
    """A typical subject of this kind (flat names), the base of every rule-set test case."""
    return {name: f.example for name, f in for_kind(kind).items()}


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"enterprise.employees": 3}`` → ``{"enterprise": {"employees": 3}}`` (zen-engine input)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        cur = out
        *parents, last = key.split(".")
        for p in parents:
            cur = cur.setdefault(p, {})
        cur[last] = value
    return out


def display(name: str, value: Any) -> str:
    """A fact's value as a citizen reads it: ``441202（端州区）``, ``70 周岁``, ``是``."""
    f = BY_NAME.get(name)
    if value is None:
        return "（无数据）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) if value else "无"
    if name == "sex":
        return {"M": "男", "F": "女"}.get(str(value), str(value))
    if name in ("hukou_region", "enterprise.region") and isinstance(value, str):
        region = historical_region_name(value)
        return f"{region}（{value}）" if region else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    unit = f.unit if f else ""
    return f"{value} {unit}".strip() if unit and unit not in ("%",) else f"{value}{unit}"


def label(name: str) -> str:
    if name.startswith("form."):
        return f"申请表“{name[5:]}”"
    f = BY_NAME.get(name)
    return f.label if f else name
