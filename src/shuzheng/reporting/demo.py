"""Demo data (``shuzheng seed_reporting``, idempotent): the villages and communities of
端州区's four 街道, the shared field dictionary, ten overlapping reports of the issue's
domains, registry figures for three months, two months already filled and approved.

Accounts (identity's demo): demo-village (天宁社区, 城东街道), demo-town (城东街道's
reviewer), demo-head (head of 市民政局 and 市政数局: issues 民政's reports, keeps the 清单).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.exchange import facade as exchange
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.reporting import schema, services
from shuzheng.reporting import transitions as tr
from shuzheng.reporting.models import (
    DictEntry,
    ReportDefinition,
    ReportTask,
    Unit,
    UnitMember,
)

COUNTY = "441202"  # 端州区
CITY = "441200"
TOWN_CD = "441202001"  # 城东街道
VILLAGE_USER, TOWN_USER, ISSUER_USER = "demo-village", "demo-town", "demo-head"
VILLAGES = {
    "441202001": ["天宁社区", "宝月社区", "康乐社区", "江滨社区", "正东社区"],
    "441202003": ["城西社区", "宋城社区", "阅江社区", "古塔社区", "厂排社区"],
    "441202005": ["黄岗社区", "东岗村", "白石村", "沙湖村", "塔脚村"],
    "441202006": ["睦岗社区", "贝水村", "羚羊峡村", "岗美村", "宋隆村"],
}
MONTHS = ["2026-09", "2026-10", "2026-11"]
QUARTERS = ["2026Q2", "2026Q3", "2026Q4"]
OPEN_MONTH, OPEN_QUARTER = MONTHS[-1], QUARTERS[-1]

# key: meaning, measure, period kind, owner, registry source ("" = only a person knows)
DICTIONARY: dict[str, tuple[str, str, str, str, str]] = {
    "pop.registered": ("户籍人口", "人", "stock", "441200-GAJ", "人口"),
    "pop.households": ("户籍户数", "户", "stock", "441200-GAJ", "人口"),
    "pop.over60": ("60周岁以上老年人", "人", "stock", "441200-GAJ", "人口"),
    "pop.over80": ("80周岁以上高龄老人", "人", "stock", "441200-MZJ", "高龄"),
    "pop.over100": ("百岁老人", "人", "stock", "441200-MZJ", "高龄"),
    "gaoling.paid": ("高龄津贴发放人数", "人", "flow", "441200-MZJ", "高龄"),
    "gaoling.amount": ("高龄津贴发放金额", "元", "flow", "441200-MZJ", "高龄"),
    "gaoling.new": ("本月新增发放对象", "人", "flow", "441200-MZJ", ""),
    "gaoling.stopped": ("本月停发人数（死亡、迁出等）", "人", "flow", "441200-MZJ", ""),
    "dibao.households": ("低保户数", "户", "stock", "441200-MZJ", "低保/特困"),
    "dibao.persons": ("低保人数", "人", "stock", "441200-MZJ", "低保/特困"),
    "tekun.persons": ("特困供养人员", "人", "stock", "441200-MZJ", "低保/特困"),
    "dibao.applied": ("本月新申请低保户数", "户", "flow", "441200-MZJ", ""),
    "elder.alone": ("独居老人", "人", "stock", "441200-MZJ", ""),
    "elder.visits": ("本月探访人次", "人次", "flow", "441200-MZJ", ""),
    "elder.problems": ("探访发现需帮扶问题", "件", "flow", "441200-MZJ", ""),
    "disabled.total": ("持证残疾人", "人", "stock", "441200-CL", "残疾人"),
    "disabled.severe": ("一、二级重度残疾人", "人", "stock", "441200-CL", "残疾人"),
    "disabled.living": ("困难残疾人生活补贴对象", "人", "stock", "441200-CL", "残疾人"),
    "disabled.care": ("重度残疾人护理补贴对象", "人", "stock", "441200-CL", "残疾人"),
    "flood.points": ("山洪地质灾害危险点", "个", "stock", "441200-SWUJ", ""),
    "flood.transferred": ("本期转移人员", "人", "flow", "441200-SWUJ", ""),
    "farm.total": ("耕地面积", "亩", "stock", "441200-NYNCJ", ""),
    "farm.abandoned": ("撂荒耕地面积", "亩", "stock", "441200-NYNCJ", ""),
    "farm.recovered": ("本期复耕面积", "亩", "flow", "441200-NYNCJ", ""),
    "safety.units": ("辖区生产经营单位", "家", "stock", "441200-YJGLJ", "法人"),
    "safety.checked": ("本月检查单位", "家", "flow", "441200-YJGLJ", ""),
    "safety.hazards": ("发现隐患", "处", "flow", "441200-YJGLJ", ""),
    "safety.fixed": ("已整改隐患", "处", "flow", "441200-YJGLJ", ""),
    "vaccine.done": ("本月接种人次", "人次", "flow", "441200-WJJ", ""),
    "vaccine.elder_done": ("其中60周岁以上接种人次", "人次", "flow", "441200-WJJ", ""),
    "veteran.total": ("退役军人", "人", "stock", "441200-TYJRJ", ""),
    "veteran.needy": ("生活困难退役军人", "人", "stock", "441200-TYJRJ", ""),
    "veteran.updated": ("本月信息更新人数", "人", "flow", "441200-TYJRJ", ""),
    "house.dangerous": ("农村危房户数", "户", "stock", "441200-ZJJ", ""),
    "house.renovated": ("本期完成改造户数", "户", "flow", "441200-ZJJ", ""),
}

# dictionary entry → the data exchange's per-village item it is read from (分村统计)
ITEMS: dict[str, str] = {
    "pop.registered": "village.population",
    "pop.households": "village.households",
    "pop.over60": "village.over60",
    "pop.over80": "village.over80",
    "pop.over100": "village.over100",
    "gaoling.paid": "village.gaoling_paid",
    "gaoling.amount": "village.gaoling_amount",
    "dibao.households": "village.dibao_households",
    "dibao.persons": "village.dibao_persons",
    "tekun.persons": "village.tekun_persons",
    "disabled.total": "village.disabled_total",
    "disabled.severe": "village.disabled_severe",
    "disabled.living": "village.disabled_living",
    "disabled.care": "village.disabled_care",
    "safety.units": "village.business_units",
}


def _f(name: str, entry: str, title: str = "", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "entry": entry,
        "title": title or DICTIONARY[entry][0],
        "type": "integer",
        "min": 0,
        **more,
    }


VILLAGE_TOWN = ["village", "town", "county"]
REPORTS: list[dict[str, Any]] = [
    {
        "code": "GLJT",
        "name": "高龄津贴发放对象月报",
        "owner": "441200-MZJ",
        "frequency": "monthly",
        "fields": [
            _f("over80", "pop.over80"),
            _f("over100", "pop.over100"),
            _f("paid", "gaoling.paid"),
            _f("amount", "gaoling.amount"),
            _f("alone", "elder.alone", "其中独居高龄老人"),
            _f("new", "gaoling.new"),
            _f("stopped", "gaoling.stopped"),
        ],
        "checks": [
            {
                "left": "paid",
                "op": "<=",
                "right": "over80",
                "message": "高龄津贴发放人数不能多于80周岁以上高龄老人数。",
            }
        ],
    },
    {
        "code": "DBYB",
        "name": "低保户月报",
        "owner": "441200-MZJ",
        "frequency": "monthly",
        "fields": [
            _f("households", "pop.households"),
            _f("db_households", "dibao.households"),
            _f("db_persons", "dibao.persons"),
            _f("tekun", "tekun.persons"),
            _f("applied", "dibao.applied"),
        ],
        "checks": [
            {
                "left": "db_households",
                "op": "<=",
                "right": "households",
                "message": "低保户数不能多于户籍户数。",
            }
        ],
    },
    {
        "code": "DJTF",
        "name": "独居老人探访月报",
        "owner": "441200-MZJ",
        "frequency": "monthly",
        "fields": [
            _f("over60", "pop.over60"),
            _f("over80", "pop.over80"),
            _f("alone", "elder.alone"),
            _f("visits", "elder.visits"),
            _f("problems", "elder.problems"),
        ],
    },
    {
        "code": "FXZY",
        "name": "防汛转移人员统计",
        "owner": "441200-SWUJ",
        "frequency": "monthly",
        "fields": [
            _f("population", "pop.registered"),
            _f("points", "flood.points"),
            _f("transferred", "flood.transferred", formula="rows:persons"),
            _f("elder", "pop.over60", "其中60周岁以上老年人（辖区）"),
        ],
        "tables": [
            {
                "name": "persons",
                "title": "转移人员",
                "max_rows": 200,
                "columns": [
                    {"name": "name", "title": "姓名", "type": "string", "max_length": 20},
                    {"name": "age", "title": "年龄", "type": "integer", "min": 0, "max": 120},
                    {"name": "place", "title": "安置点", "type": "string", "max_length": 40},
                ],
            }
        ],
    },
    {
        "code": "GDLH",
        "name": "耕地撂荒情况季报",
        "owner": "441200-NYNCJ",
        "frequency": "quarterly",
        "fields": [
            _f("households", "pop.households"),
            _f("farm", "farm.total"),
            _f("abandoned", "farm.abandoned"),
            _f("recovered", "farm.recovered"),
        ],
        "checks": [
            {
                "left": "abandoned",
                "op": "<=",
                "right": "farm",
                "message": "撂荒耕地面积不能大于耕地面积。",
            }
        ],
    },
    {
        "code": "AQSC",
        "name": "安全生产检查月报",
        "owner": "441200-YJGLJ",
        "frequency": "monthly",
        "fields": [
            _f("units", "safety.units"),
            _f("checked", "safety.checked"),
            _f("hazards", "safety.hazards"),
            _f("fixed", "safety.fixed"),
            _f("population", "pop.registered"),
        ],
        "checks": [
            {
                "left": "fixed",
                "op": "<=",
                "right": "hazards",
                "message": "已整改隐患不能多于发现隐患。",
            },
            {
                "left": "checked",
                "op": "<=",
                "right": "units",
                "message": "本月检查单位不能多于辖区生产经营单位。",
            },
        ],
    },
    {
        "code": "YMJZ",
        "name": "疫苗接种进度月报",
        "owner": "441200-WJJ",
        "frequency": "monthly",
        "fields": [
            _f("population", "pop.registered"),
            _f("over60", "pop.over60"),
            _f("done", "vaccine.done"),
            _f("elder_done", "vaccine.elder_done"),
        ],
        "checks": [
            {
                "left": "elder_done",
                "op": "<=",
                "right": "done",
                "message": "60周岁以上接种人次不能多于本月接种人次。",
            }
        ],
    },
    {
        "code": "CJRBT",
        "name": "残疾人两项补贴月报",
        "owner": "441200-CL",
        "frequency": "monthly",
        "fields": [
            _f("total", "disabled.total"),
            _f("severe", "disabled.severe"),
            _f("living", "disabled.living"),
            _f("care", "disabled.care"),
            _f("dibao", "dibao.persons", "其中低保对象（辖区低保人数）"),
        ],
    },
    {
        "code": "TYJR",
        "name": "退役军人信息采集月报",
        "owner": "441200-TYJRJ",
        "frequency": "monthly",
        "fields": [
            _f("population", "pop.registered"),
            _f("total", "veteran.total"),
            _f("needy", "veteran.needy"),
            _f("updated", "veteran.updated"),
        ],
    },
    {
        "code": "NCWF",
        "name": "农村危房排查季报",
        "owner": "441200-ZJJ",
        "frequency": "quarterly",
        "fields": [
            _f("households", "pop.households"),
            _f("dangerous", "house.dangerous"),
            _f("renovated", "house.renovated"),
            _f("dibao", "dibao.households"),
            _f("tekun", "tekun.persons"),
            _f("severe", "disabled.severe"),
        ],
    },
]


def periods(frequency: str) -> list[str]:
    return MONTHS if frequency == "monthly" else QUARTERS


def _principal(username: str) -> Principal:
    return Principal(kind="staff", username=username, name=username)


def registry_value(key: str, base: dict[str, int], period_index: int) -> int:
    """A registry figure of a village (drifting a little month by month)."""
    size = base["size"]
    drift = period_index * base["drift"]
    return {
        "pop.registered": size + drift,
        "pop.households": size // 3 + drift // 3,
        "pop.over60": size // 6 + drift // 4,
        "pop.over80": size // 30 + period_index,
        "pop.over100": base["centenarians"],
        "gaoling.paid": size // 30 + period_index - 1,
        "gaoling.amount": (size // 30 + period_index - 1) * 100,
        "dibao.households": size // 90 + base["poor"],
        "dibao.persons": (size // 90 + base["poor"]) * 2,
        "tekun.persons": base["poor"],
        "disabled.total": size // 50,
        "disabled.severe": size // 150,
        "disabled.living": size // 200,
        "disabled.care": size // 160,
        "safety.units": size // 40,
    }[key]


def typed_value(key: str, size: int, rng: random.Random) -> int:
    """What a cadre would type for a figure no registry holds."""
    base = {
        "farm.total": size // 4,
        "farm.abandoned": size // 80,
        "house.dangerous": size // 300,
        "flood.points": 2,
        "veteran.total": size // 70,
        "veteran.needy": 2,
        "elder.alone": size // 60,
    }
    if key in base:
        return base[key]
    return rng.randint(0, 5)


@transaction.atomic
def _structure() -> dict[str, Unit]:
    regions = {
        r.code: r for parent in ("440000", CITY, COUNTY) for r in identity.regions(parent=parent)
    }
    units: dict[str, Unit] = {}

    def unit(code: str, name: str, level: str, parent: Unit | None) -> Unit:
        u, _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
        units[code] = u
        return u

    city = unit(CITY, regions[CITY].name if CITY in regions else "肇庆市", "city", None)
    county = unit(COUNTY, regions[COUNTY].name if COUNTY in regions else "端州区", "county", city)
    for town_code, names in VILLAGES.items():
        town = unit(
            town_code,
            regions[town_code].name if town_code in regions else town_code,
            "town",
            county,
        )
        for i, name in enumerate(names, start=1):
            unit(f"{town_code}{i:03d}", name, "village", town)
    for key, (meaning, measure, kind, owner, source) in DICTIONARY.items():
        DictEntry.objects.update_or_create(
            key=key,
            defaults={
                "meaning": meaning,
                "measure": measure,
                "period_kind": kind,
                "owner_department": owner,
                "source": source,
                "item": ITEMS.get(key, ""),
            },
        )
    for village in [u for u in units.values() if u.level == "village"]:
        UnitMember.objects.get_or_create(
            username=f"cadre-{village.code}", unit=village, role="filler"
        )
    for town in [u for u in units.values() if u.level == "town"]:
        UnitMember.objects.get_or_create(
            username=f"reviewer-{town.code}", unit=town, role="reviewer"
        )
    UnitMember.objects.get_or_create(
        username=VILLAGE_USER, unit=units[f"{TOWN_CD}001"], role="filler"
    )
    UnitMember.objects.get_or_create(username=TOWN_USER, unit=units[TOWN_CD], role="reviewer")
    UnitMember.objects.get_or_create(username=f"reviewer-{COUNTY}", unit=county, role="reviewer")
    return units


def _figures(units: dict[str, Unit]) -> None:
    """The registries' per-village figures for every demo period, published by their source
    departments' systems to the data exchange (分村统计), where prefill reads them."""
    exchange.region_catalog_seed()
    catalog = exchange.region_items()
    by_resource: dict[str, list[tuple[str, str]]] = {}
    for key, item in ITEMS.items():
        if item in catalog:
            by_resource.setdefault(catalog[item].resource_code, []).append((key, item))
    villages = [(code, village_base(code)) for code, u in units.items() if u.level == "village"]
    for plist in (MONTHS, QUARTERS):
        for i, period in enumerate(plist):
            for resource_code, pairs in by_resource.items():
                exchange.region_figures_publish(
                    actor="system:seed_reporting",
                    resource_code=resource_code,
                    period=period,
                    rows={
                        code: {item: registry_value(key, base, i) for key, item in pairs}
                        for code, base in villages
                    },
                )


def village_base(code: str) -> dict[str, int]:
    rng = random.Random(code)  # noqa: S311 (demo data)
    return {
        "size": rng.randint(1800, 6000),
        "drift": rng.randint(0, 12),
        "centenarians": rng.randint(0, 2),
        "poor": rng.randint(1, 8),
    }


def fill(task: ReportTask, rng: random.Random, *, username: str) -> dict[str, Any]:
    """A cadre's submission: every suggested value confirmed, the rest typed."""
    hints = services.suggestions(task, actor=f"user:{username}")
    size = village_base(task.unit.code)["size"]
    raw: dict[str, Any] = {}
    for f in schema.fields(task.definition.spec):
        if f.get("formula"):
            continue
        raw[f["name"]] = (
            hints[f["name"]].value
            if f["name"] in hints
            else typed_value(f.get("entry", ""), size, rng)
        )
    # cross-field checks a cadre would keep: lower sides never exceed upper sides
    for c in task.definition.spec.get("checks", []):
        if c["op"] == "<=" and raw.get(c["left"], 0) > raw.get(c["right"], 0):
            raw[c["left"]] = raw[c["right"]]
    for t in schema.tables(task.definition.spec):
        for i in range(1, rng.randint(0, 3) + 1):
            raw[f"{t['name']}.{i}.name"] = f"转移群众{i}"
            raw[f"{t['name']}.{i}.age"] = rng.randint(20, 90)
            raw[f"{t['name']}.{i}.place"] = "村委会避险点"
    at = timezone.make_aware(dt.datetime.combine(task.deadline - dt.timedelta(days=3), dt.time(9)))
    services.task_save(principal=_principal(username), task_id=task.pk, raw=raw, submit=True, at=at)
    return raw


def seed_reporting(*, history: bool = True) -> dict[str, int]:
    units = _structure()
    _figures(units)
    issuer = Principal(kind="system", username="seed_reporting")
    for r in REPORTS:
        spec = {"fields": r["fields"], "tables": r.get("tables", []), "checks": r.get("checks", [])}
        d = ReportDefinition.objects.filter(code=r["code"]).first()
        if d is None:
            d = ReportDefinition.objects.create(
                code=r["code"],
                name=r["name"],
                owner_department=r["owner"],
                frequency=r["frequency"],
                levels=VILLAGE_TOWN,
                spec=spec,
                status=ReportDefinition.Status.IN_FORCE,
                created_by="system:seed_reporting",
            )
        for period in periods(d.frequency):
            services.definition_issue(
                principal=issuer, code=d.code, period=period, actor="system:seed_reporting"
            )
    if history:
        fill_history()
    return {
        "units": Unit.objects.count(),
        "reports": ReportDefinition.objects.count(),
        "tasks": ReportTask.objects.count(),
    }


def fill_history(
    *, open_too: bool = False, skip_user_village: bool = True, codes: tuple[str, ...] = ()
) -> int:
    """Fill and approve the closed periods (and, with ``open_too``, the open one), then let
    the towns summarise. Report by report in dictionary-friendly order, as cadres do."""
    rng = random.Random(20261207)  # noqa: S311 (demo data)
    done = 0
    for plist in (MONTHS, QUARTERS):
        wanted = plist if open_too else plist[:-1]
        for period in wanted:
            qs = ReportTask.objects.filter(
                period=period, unit__level="village", state=tr.ISSUED
            ).select_related("definition", "unit")
            if codes:
                qs = qs.filter(definition__code__in=codes)
            for task in qs.order_by("definition__code", "unit__code"):
                if (
                    skip_user_village
                    and period in (OPEN_MONTH, OPEN_QUARTER)
                    and task.unit.code == f"{TOWN_CD}001"
                ):
                    continue
                fill(task, rng, username=f"cadre-{task.unit.code}")
                parent = task.unit.parent
                assert parent is not None  # a village is always under a town
                services.task_act(
                    principal=_principal(f"reviewer-{parent.code}"),
                    task_id=task.pk,
                    action="approve",
                )
                done += 1
    return done
