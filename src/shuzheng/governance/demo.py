"""Demo 城市运行体征指标 for 肇庆 with 90 days of history (``shuzheng seed_city``).

Every number here is **demo data**, generated with a fixed seed, shaped like the real thing:

- 西江水位（高要站）: the 警戒水位 of 11.0 m at 高要 is the figure commonly cited in flood news
  (not verified against the 广东省水文局's published table — treat as demo); the red line
  13.0 m is a demo choice. December is the dry season: levels of 3–7 m.
- AQI: HJ 633-2012 grades (101–150 轻度污染 → yellow, 151+ 中度污染 → red), per 区县.
- 交通拥堵指数: GB/T 33171-2016 style 0–10 scale (6–8 中度拥堵 → yellow, 8+ 严重拥堵 → red).
- 森林火险等级: 1–5 (4 高度危险 → yellow, 5 极度危险 → red).
- 供水管网压力: 0.20 / 0.16 MPa lower lines (demo; 0.14 MPa is a common minimum at the tap).
- 12345 来电量, 12345 满意率, 按期办结率, 数据共享调用量, 在办事件, 用电负荷, 食品安全抽检合格率:
  demo magnitudes (the computed ones are then kept up hourly by ``tasks.compute_indicators``).
- The 防汛 预案 of 西江水位 (``PLANS``): departments and steps shaped like a city's 防汛
  应急预案 Ⅳ级响应; the duty phones are made-up demo numbers.

Past alerts are what the thresholds would have raised over the history (same rule as the live
path: one per crossing, cleared when back within); the last ones may still be open.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.governance.models import (
    CITY,
    Alert,
    AlertStatus,
    Indicator,
    IndicatorState,
    Level,
    Plan,
    PlanDepartment,
    PlanStep,
    Reading,
)
from shuzheng.governance.services.levels import level_of, rank, threshold_of

DISTRICTS = ("441202", "441203", "441204", "441223", "441224", "441225", "441226", "441284")

INDICATORS: list[dict[str, Any]] = [
    dict(
        code="xijiang-level-gaoyao",
        name="西江水位（高要站）",
        unit="m",
        department="441200-SWUJ",
        function="social",
        source="push",
        frequency="hourly",
        direction="above",
        yellow=11.0,
        red=13.0,
        precision=2,
        formula="高要水文站实测水位（珠江基面）；黄色线取警戒水位",
    ),
    dict(
        code="aqi",
        name="空气质量指数（AQI）",
        unit="",
        department="441200-STHJJ",
        function="ecology",
        source="push",
        frequency="hourly",
        direction="above",
        yellow=101,
        red=151,
        per_district=True,
        precision=0,
        formula="HJ 633-2012 小时 AQI，各区县国控/省控站均值",
    ),
    dict(
        code="water-pressure",
        name="供水管网压力",
        unit="MPa",
        department="441200-SWUJ",
        function="public",
        source="push",
        frequency="hourly",
        direction="below",
        yellow=0.20,
        red=0.16,
        precision=2,
        formula="城区管网压力监测点最低值",
    ),
    dict(
        code="traffic-index",
        name="交通拥堵指数",
        unit="",
        department="441200-JTJ",
        function="social",
        source="push",
        frequency="hourly",
        direction="above",
        yellow=6.0,
        red=8.0,
        precision=1,
        formula="城区主干道 0–10 拥堵指数",
    ),
    dict(
        code="forest-fire-level",
        name="森林火险等级",
        unit="级",
        department="441200-ZYJ",
        function="ecology",
        source="push",
        frequency="daily",
        direction="above",
        yellow=4,
        red=5,
        precision=0,
        formula="森林火险气象等级（1–5 级）",
    ),
    dict(
        code="power-load",
        name="全社会用电负荷",
        unit="MW",
        department="441200-GDJ",
        function="economy",
        source="push",
        frequency="hourly",
        direction="above",
        yellow=2900,
        red=3200,
        precision=0,
        formula="全市统调最高负荷",
    ),
    dict(
        code="food-safety-pass-rate",
        name="食品安全抽检合格率",
        unit="%",
        department="441200-SCJGJ",
        function="market",
        source="push",
        frequency="monthly",
        direction="below",
        yellow=98.0,
        red=96.0,
        precision=1,
    ),
    dict(
        code="hotline-volume",
        name="12345 来电量",
        unit="件/日",
        department="441200-ZSJ",
        function="public",
        source="computed",
        computation="hotline.volume",
        frequency="hourly",
        direction="above",
        yellow=4000,
        red=5000,
        precision=0,
        formula="12345 热线当日累计受理量（电话、网络、小程序），每小时计算",
    ),
    dict(
        code="hotline-satisfaction",
        name="12345 满意率",
        unit="%",
        department="441200-ZSJ",
        function="public",
        source="computed",
        computation="hotline.satisfaction_rate",
        frequency="hourly",
        direction="below",
        yellow=90.0,
        red=85.0,
        precision=1,
        formula="近 30 日受理、已回访评价的诉求中满意和基本满意的比例",
    ),
    dict(
        code="open-events",
        name="在办城市管理事件",
        unit="件",
        department="441200-CGJ",
        function="social",
        source="computed",
        computation="governance.open_events",
        frequency="hourly",
        per_district=True,
        direction="above",
        yellow=30,
        red=60,
        precision=0,
        formula="各区县已上报、尚未结案的事件/部件问题数",
    ),
    dict(
        code="cases-on-time-rate",
        name="政务服务按期办结率",
        unit="%",
        department="441200-ZSJ",
        function="public",
        source="computed",
        computation="cases.on_time_rate",
        frequency="daily",
        direction="below",
        yellow=98.0,
        red=95.0,
        precision=1,
        formula="当日办结办件中按期办结的比例",
    ),
    dict(
        code="exchange-calls",
        name="数据共享调用量",
        unit="次/日",
        department="441200-ZWDSJZX",
        function="public",
        source="computed",
        computation="exchange.calls",
        frequency="daily",
        direction="above",
        precision=0,
        formula="当日数据共享接口调用次数",
    ),
]


PLANS: list[dict[str, Any]] = [
    dict(
        code="flood-xijiang-4",
        name="肇庆市防汛应急预案（西江洪水）",
        kind="flood",
        level=4,
        indicator="xijiang-level-gaoyao",
        description="西江高要站水位达到警戒水位（黄色）或红色预警线时启动Ⅳ级应急响应。",
        departments=[
            ("441200-YJGLJ", "13800758101", "组织防汛会商，发布Ⅳ级应急响应，调度抢险队伍"),
            ("441200-SWUJ", "13800758102", "加密水文监测，巡查西江堤防和水闸"),
            ("441200-ZYJ", "13800758103", "排查沿江地质灾害隐患点"),
            ("441200-CGJ", "13800758104", "检查城区排涝泵站，清理排水口"),
            ("441200-GAJ", "13800758105", "沿江低洼路段交通管制和人员疏散"),
        ],
        steps=[
            ("441200-YJGLJ", "召开防汛会商会，发布Ⅳ级应急响应"),
            ("441200-SWUJ", "高要站水位每小时报告一次，西江堤防全线巡查"),
            ("441200-ZYJ", "沿江地质灾害隐患点逐一排查并落实监测人"),
            ("441200-CGJ", "城区排涝泵站试运行，清理排水口"),
            ("441200-GAJ", "沿江低洼路段设置警示并准备交通管制"),
            ("441200-YJGLJ", "抢险队伍和物资到位情况报告"),
        ],
    ),
    dict(
        code="emergency-general-4",
        name="肇庆市突发事件总体应急预案",
        kind="emergency",
        level=4,
        indicator=None,
        description="重大城市管理事件（1–4 级）升级时启动，由城市运行管理中心统一调度。",
        departments=[
            ("441200-YJGLJ", "13800758101", "统一调度，信息报送"),
            ("441200-CGJ", "13800758104", "现场处置"),
        ],
        steps=[
            ("441200-CGJ", "现场核实事件规模并报告"),
            ("441200-YJGLJ", "组织相关部门现场处置"),
        ],
    ),
]


def seed_plans() -> int:
    """The demo 预案 (definitions updated in place; departments and steps replaced)."""
    n = 0
    for spec in PLANS:
        spec = dict(spec)
        depts, steps = spec.pop("departments"), spec.pop("steps")
        code = spec.pop("indicator")
        spec["indicator"] = Indicator.objects.filter(code=code).first() if code else None
        plan, _ = Plan.objects.update_or_create(
            code=spec.pop("code"), defaults={**spec, "is_demo": True}
        )
        plan.departments.all().delete()
        plan.steps.all().delete()
        PlanDepartment.objects.bulk_create(
            [PlanDepartment(plan=plan, department=d, duty_phone=p, duty=t) for d, p, t in depts]
        )
        PlanStep.objects.bulk_create(
            [
                PlanStep(plan=plan, order=i, title=t, department=d)
                for i, (d, t) in enumerate(steps, 1)
            ]
        )
        n += 1
    return n


def _hourly(rng: random.Random, code: str, t: dt.datetime, day: int, district: str) -> float:
    h = timezone.localtime(t).hour
    weekday = timezone.localtime(t).weekday()
    if code == "xijiang-level-gaoyao":
        base = 7.0 - 3.5 * day / 90 + (1.8 * math.exp(-((day - 35) ** 2) / 20))  # a rain in Oct
        return round(base + 0.08 * math.sin(h / 24 * 2 * math.pi) + rng.gauss(0, 0.03), 2)
    if code == "aqi":
        base = 42 + (int(district) % 7) * 4 + 12 * math.sin((h - 15) / 24 * 2 * math.pi)
        episode = 0.0
        if district in ("441202", "441204", "441284") and day in (58, 59, 60, 80, 81):
            episode = 85 if day in (59, 81) else 55  # haze: 轻度/中度污染
        return float(max(12, round(base + episode + rng.gauss(0, 6))))
    if code == "water-pressure":
        v = 0.31 + 0.03 * math.cos(h / 24 * 2 * math.pi) + rng.gauss(0, 0.006)
        if day == 47 and 9 <= h <= 14:
            v = 0.17 if h != 11 else 0.15  # a main burst on 环市路
        return round(v, 3)
    if code == "traffic-index":
        rush = (
            1.0
            if weekday < 5 and h in (8, 18)
            else 0.5
            if weekday < 5 and h in (7, 9, 17, 19)
            else 0
        )
        v = 1.6 + 3.6 * rush + rng.gauss(0, 0.25) + (0.8 if 10 <= h <= 21 else 0)
        if day in (4, 5) and 9 <= h <= 17:
            v += 3.5  # 国庆 holiday traffic at 鼎湖山 and 七星岩
        return round(max(0.5, min(10.0, v)), 1)
    if code == "power-load":
        v = 2050 + 420 * math.sin((h - 8) / 24 * 2 * math.pi) - 3 * day + rng.gauss(0, 30)
        return float(round(v))
    raise ValueError(code)


def _daily(rng: random.Random, code: str, day: int, d: dt.date) -> float:
    if code == "forest-fire-level":
        dry = 2 + int(day > 45) + int(day > 70)
        v = dry + rng.choice((-1, 0, 0, 1))
        return float(5 if day == 83 else max(1, min(5, v)))
    if code == "hotline-volume":
        calls = 2300 - (650 if d.weekday() >= 5 else 0) + rng.gauss(0, 180)
        return float(round(4350 if day == 35 else calls))  # the October rain day
    if code == "cases-on-time-rate":
        return round(min(100.0, 99.4 + rng.gauss(0, 0.25)), 1)
    if code == "hotline-satisfaction":
        return round(min(100.0, 95.5 + rng.gauss(0, 1.2)), 1)
    if code == "open-events":
        return float(max(0, round(12 + rng.gauss(0, 4))))
    if code == "exchange-calls":
        return float(round((18000 if d.weekday() < 5 else 6000) + rng.gauss(0, 1500)))
    raise ValueError(code)


def _series(now: dt.datetime, days: int) -> dict[tuple[str, str], list[tuple[dt.datetime, float]]]:
    rng = random.Random(20261207)  # noqa: S311 - demo numbers, not secrets
    start = now - dt.timedelta(days=days)
    out: dict[tuple[str, str], list[tuple[dt.datetime, float]]] = {}
    hourly = ("xijiang-level-gaoyao", "aqi", "water-pressure", "traffic-index", "power-load")
    for spec in INDICATORS:
        code = spec["code"]
        keys = DISTRICTS if spec.get("per_district") else (CITY,)
        for district in keys:
            rows: list[tuple[dt.datetime, float]] = []
            if code in hourly:
                for i in range(days * 24 + 1):
                    t = start + dt.timedelta(hours=i)
                    rows.append((t, _hourly(rng, code, t, i // 24, district)))
            elif code == "food-safety-pass-rate":
                for m, v in enumerate((98.6, 97.7, 98.4)):  # monthly, the middle one yellow
                    rows.append((now - dt.timedelta(days=75 - 30 * m), v))
            else:
                for day in range(days + 1):  # the day's figure, stamped 08:00 local time
                    t = timezone.localtime(start + dt.timedelta(days=day)).replace(hour=8)
                    if start <= t <= now:
                        rows.append((t, _daily(rng, code, day, t.date())))
            out[(code, district)] = rows
    return out


def seed_city(*, days: int = 90, now: dt.datetime | None = None) -> dict[str, int]:
    """Indicators (updated in place) and, the first time, their history with past alerts."""
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        inds = {}
        for spec in INDICATORS:
            ind, _ = Indicator.objects.update_or_create(
                code=spec["code"], defaults={**spec, "is_demo": True}
            )
            inds[ind.code] = ind
        seed_plans()
        if Reading.objects.filter(indicator__in=inds.values()).exists():
            return {"indicators": len(inds), "readings": 0, "alerts": 0}
        readings: list[Reading] = []
        alerts: list[Alert] = []
        states: list[IndicatorState] = []
        for (code, district), rows in _series(now, days).items():
            ind = inds[code]
            level: str = Level.NORMAL
            active: Alert | None = None
            for t, v in rows:
                readings.append(
                    Reading(indicator=ind, district=district, at=t, value=v, source="demo")
                )
                new = level_of(ind, v)
                if rank(new) > rank(level):
                    if active is not None:
                        active.status, active.cleared_at = AlertStatus.CLEARED, t
                        active.cleared_by, active.note = "system:seed_city", "升级为更高级别预警"
                    active = Alert(
                        indicator=ind,
                        district=district,
                        level=new,
                        at=t,
                        value=v,
                        threshold=threshold_of(ind, new),
                        department=ind.department,
                        status=AlertStatus.OPEN,
                        raised_at=t,
                        is_demo=True,
                    )
                    alerts.append(active)
                elif new == Level.NORMAL and active is not None:
                    active.status, active.cleared_at = AlertStatus.CLEARED, t
                    active.cleared_by, active.note = "system:seed_city", "读数回到阈值以内"
                    active = None
                level = new
            if rows:
                states.append(
                    IndicatorState(
                        indicator=ind,
                        district=district,
                        at=rows[-1][0],
                        value=rows[-1][1],
                        level=level,
                    )
                )
        Reading.objects.bulk_create(readings, batch_size=5000)
        # a few past alerts were confirmed by the center before they cleared
        for a in alerts[::3]:
            if a.status == AlertStatus.CLEARED:
                a.confirmed_at = a.raised_at + dt.timedelta(minutes=12)
                a.confirmed_by = "user:demo-hotline"
        Alert.objects.bulk_create(alerts, batch_size=1000)
        IndicatorState.objects.bulk_create(states)
        audit.record(
            actor="system:seed_city",
            action="city.demo_seeded",
            object_type="governance.indicator",
            object_id="demo",
            after={"indicators": len(inds), "readings": len(readings), "alerts": len(alerts)},
        )
    return {"indicators": len(inds), "readings": len(readings), "alerts": len(alerts)}
