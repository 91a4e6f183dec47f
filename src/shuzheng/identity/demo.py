"""Demo data: Guangdong regions, provincial and Zhaoqing departments, demo people, enterprises,
staff for every role and API clients. Idempotent: running it twice changes nothing.

Every demo person, enterprise, department and account is marked ``is_demo``; ID numbers and
credit codes are valid in format (check characters computed) but belong to nobody.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache
from shuzheng.core.codes import make_id_number, make_uscc, region_name
from shuzheng.identity.models import (
    ApiClient,
    Department,
    Enterprise,
    EnterpriseAgent,
    Mandate,
    Person,
    Region,
    Role,
    StaffRole,
    User,
)
from shuzheng.identity.selectors import DEPARTMENTS_CACHE

DEMO_PASSWORD = "Demo@12345"
CORE_DATA = Path(__file__).resolve().parent.parent / "core" / "data"

GUANGDONG = "440000"
ZHAOQING = "441200"
DUANZHOU = "441202"


@dataclass(frozen=True)
class Dept:
    code: str
    name: str
    short: str
    region: str
    level: int
    parent: str | None = None
    phone: str = ""


# Provincial departments (省政府组成部门和直属机构) named in the seeds.
PROVINCIAL = [
    Dept("440000-ZSJ", "广东省政务服务和数据管理局", "省政数局", GUANGDONG, 2, phone="020-12345"),
    Dept("440000-GAT", "广东省公安厅", "省公安厅", GUANGDONG, 2),
    Dept("440000-MZT", "广东省民政厅", "省民政厅", GUANGDONG, 2),
    Dept("440000-RST", "广东省人力资源和社会保障厅", "省人社厅", GUANGDONG, 2),
    Dept("440000-SCJGJ", "广东省市场监督管理局", "省市场监管局", GUANGDONG, 2),
    Dept("440000-WJW", "广东省卫生健康委员会", "省卫生健康委", GUANGDONG, 2),
    Dept("440000-YBJ", "广东省医疗保障局", "省医保局", GUANGDONG, 2),
    Dept("440000-ZRZYT", "广东省自然资源厅", "省自然资源厅", GUANGDONG, 2),
    Dept("440000-ZJT", "广东省住房和城乡建设厅", "省住房城乡建设厅", GUANGDONG, 2),
    Dept("440000-JYT", "广东省教育厅", "省教育厅", GUANGDONG, 2),
    Dept("440000-CL", "广东省残疾人联合会", "省残联", GUANGDONG, 2),
    Dept("440000-SWJ", "国家税务总局广东省税务局", "省税务局", GUANGDONG, 2),
]

# Zhaoqing city departments named in the Zhaoqing 2022 work plan.
ZHAOQING_DEPTS = [
    Dept(
        "441200-ZSJ",
        "肇庆市政务服务和数据管理局",
        "市政务服务数据管理局",
        ZHAOQING,
        3,
        "440000-ZSJ",
        "0758-12345",
    ),
    Dept("441200-ZWDSJZX", "肇庆市政务大数据中心", "市政务大数据中心", ZHAOQING, 3, "441200-ZSJ"),
    Dept("441200-GAJ", "肇庆市公安局", "市公安局", ZHAOQING, 3, "440000-GAT", "0758-2981110"),
    Dept("441200-MZJ", "肇庆市民政局", "市民政局", ZHAOQING, 3, "440000-MZT", "0758-2228710"),
    Dept(
        "441200-RSJ",
        "肇庆市人力资源和社会保障局",
        "市人力资源社会保障局",
        ZHAOQING,
        3,
        "440000-RST",
        "0758-12333",
    ),
    Dept(
        "441200-SCJGJ",
        "肇庆市市场监督管理局",
        "市市场监督管理局",
        ZHAOQING,
        3,
        "440000-SCJGJ",
        "0758-12315",
    ),
    Dept("441200-WJJ", "肇庆市卫生健康局", "市卫生健康局", ZHAOQING, 3, "440000-WJW"),
    Dept("441200-YBJ", "肇庆市医疗保障局", "市医疗保障局", ZHAOQING, 3, "440000-YBJ"),
    Dept("441200-ZYJ", "肇庆市自然资源局", "市自然资源局", ZHAOQING, 3, "440000-ZRZYT"),
    Dept("441200-BDCDJZX", "肇庆市不动产登记中心", "市不动产登记中心", ZHAOQING, 3, "441200-ZYJ"),
    Dept("441200-ZJJ", "肇庆市住房和城乡建设局", "市住房城乡建设局", ZHAOQING, 3, "440000-ZJT"),
    Dept(
        "441200-GJJ",
        "肇庆市住房公积金管理中心",
        "市住房公积金管理中心",
        ZHAOQING,
        3,
        None,
        "0758-12329",
    ),
    Dept("441200-JYJ", "肇庆市教育局", "市教育局", ZHAOQING, 3, "440000-JYT"),
    Dept("441200-CL", "肇庆市残疾人联合会", "市残联", ZHAOQING, 3, "440000-CL"),
    Dept(
        "441200-SWJ",
        "国家税务总局肇庆市税务局",
        "市税务局",
        ZHAOQING,
        3,
        "440000-SWJ",
        "0758-12366",
    ),
    Dept("441200-TYJRJ", "肇庆市退役军人事务局", "市退役军人事务局", ZHAOQING, 3),
    Dept("441200-XFJ", "肇庆市信访局", "市信访局", ZHAOQING, 3),
    Dept(
        "441202-ZSJ", "肇庆市端州区政务服务和数据管理局", "端州区政数局", DUANZHOU, 4, "441200-ZSJ"
    ),
    Dept("441202-MZJ", "肇庆市端州区民政局", "端州区民政局", DUANZHOU, 4, "441200-MZJ"),
    Dept("441202001-BSC", "端州区城东街道办事处", "城东街道", "441202001", 5, "441202-ZSJ"),
]

# The other departments 12345 dispatches to (issue 18: the short names are the contract, as
# ``hotline/suggest/data/departments.json`` keys them). Not window departments: the demo clerk
# and reviewer get no role in them.
HOTLINE_DEPTS = [
    Dept("441200-STHJJ", "肇庆市生态环境局", "市生态环境局", ZHAOQING, 3, None, "0758-12369"),
    Dept("441200-CGJ", "肇庆市城市管理和综合执法局", "市城市管理和综合执法局", ZHAOQING, 3),
    Dept("441200-JTJ", "肇庆市交通运输局", "市交通运输局", ZHAOQING, 3),
    Dept("441200-SWUJ", "肇庆市水务局", "市水务局", ZHAOQING, 3),
    Dept("441200-NYNCJ", "肇庆市农业农村局", "市农业农村局", ZHAOQING, 3),
    Dept("441200-SWJJ", "肇庆市商务局", "市商务局", ZHAOQING, 3),
    Dept("441200-WGLTJ", "肇庆市文化广电旅游体育局", "市文化广电旅游体育局", ZHAOQING, 3),
    Dept("441200-YJGLJ", "肇庆市应急管理局", "市应急管理局", ZHAOQING, 3),
    Dept("441200-GDJ", "广东电网有限责任公司肇庆供电局", "供电局", ZHAOQING, 3, None, "95598"),
]
# 12345's departments by short name (issue 18), each the code above
HOTLINE_SHORT_NAMES = (
    "市政务服务数据管理局",
    "市公安局",
    "市民政局",
    "市人力资源社会保障局",
    "市自然资源局",
    "市生态环境局",
    "市住房城乡建设局",
    "市城市管理和综合执法局",
    "市交通运输局",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化广电旅游体育局",
    "市卫生健康局",
    "市应急管理局",
    "市市场监督管理局",
    "市医疗保障局",
    "市教育局",
    "市税务局",
    "市住房公积金管理中心",
    "市残联",
    "供电局",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    phone: str
    kind: str
    birth: dt.date | None = None
    sex_seq: int = 0
    hukou_address: str = ""
    roles: tuple[tuple[str, str], ...] = ()
    superuser: bool = False


ACCOUNTS = [
    DemoAccount(
        "demo-citizen",
        "李明",
        "13800000001",
        "person",
        dt.date(1990, 5, 12),
        31,
        "广东省肇庆市端州区城东街道天宁北路12号",
    ),
    DemoAccount(
        "demo-elder",
        "陈桂英",
        "13800000002",
        "person",
        dt.date(1944, 3, 8),
        42,
        "广东省肇庆市端州区城西街道宋城一路8号",
    ),
    DemoAccount(
        "demo-agent",
        "王芳",
        "13800000003",
        "person",
        dt.date(1986, 11, 20),
        64,
        "广东省肇庆市端州区黄岗街道端州五路3号",
    ),
    DemoAccount(
        "demo-clerk",
        "张丽（窗口）",
        "13800000011",
        "staff",
        roles=tuple((Role.WINDOW_CLERK.value, d.code) for d in ZHAOQING_DEPTS if d.level == 3),
    ),
    DemoAccount(
        "demo-reviewer",
        "刘强（审批）",
        "13800000012",
        "staff",
        roles=tuple((Role.REVIEWER.value, d.code) for d in ZHAOQING_DEPTS if d.level == 3),
    ),
    DemoAccount(
        "demo-head",
        "黄志刚（科长）",
        "13800000013",
        "staff",
        roles=(
            (Role.DEPARTMENT_HEAD.value, "441200-MZJ"),
            (Role.DEPARTMENT_HEAD.value, "441200-ZSJ"),
        ),
    ),
    DemoAccount(
        "demo-dataofficer",
        "周敏（数据）",
        "13800000014",
        "staff",
        roles=(
            (Role.DATA_OFFICER.value, "441200-ZSJ"),
            (Role.DATA_OFFICER.value, "441200-GAJ"),
            (Role.DATA_OFFICER.value, "441200-MZJ"),
        ),
    ),
    DemoAccount(
        "demo-hotline",
        "吴佳（12345）",
        "13800000015",
        "staff",
        roles=((Role.HOTLINE_OPERATOR.value, "441200-ZSJ"),),
    ),
    DemoAccount(
        "demo-hotline-lead",
        "梁志华（12345班长）",
        "13800000016",
        "staff",
        roles=((Role.HOTLINE_SUPERVISOR.value, "441200-ZSJ"),),
    ),
    # 12345 工单处置人员 in departments (issue 18)
    DemoAccount(
        "demo-handler-cg",
        "何伟（城管）",
        "13800000021",
        "staff",
        roles=((Role.HOTLINE_HANDLER.value, "441200-CGJ"),),
    ),
    DemoAccount(
        "demo-handler-sw",
        "罗敏（水务）",
        "13800000022",
        "staff",
        roles=((Role.HOTLINE_HANDLER.value, "441200-SWUJ"),),
    ),
    DemoAccount(
        "demo-handler-hb",
        "郑洁（生态环境）",
        "13800000023",
        "staff",
        roles=((Role.HOTLINE_HANDLER.value, "441200-STHJJ"),),
    ),
    DemoAccount(
        "demo-handler-ga",
        "彭军（公安）",
        "13800000024",
        "staff",
        roles=((Role.HOTLINE_HANDLER.value, "441200-GAJ"),),
    ),
    DemoAccount(
        "demo-handler-sj",
        "苏丽（市场监管）",
        "13800000025",
        "staff",
        roles=((Role.HOTLINE_HANDLER.value, "441200-SCJGJ"),),
    ),
    DemoAccount(
        "demo-admin",
        "平台管理员",
        "13800000019",
        "staff",
        roles=(
            (Role.PLATFORM_ADMIN.value, "440000-ZSJ"),
            (Role.PLATFORM_ADMIN.value, "441200-ZSJ"),
        ),
        superuser=True,
    ),
]

# 帮办代办 (issue 17): 陈桂英's daughter, appended last (other demo data counts the first ones)
ACCOUNTS.append(
    DemoAccount(
        "demo-daughter",
        "林晓红",
        "13800000004",
        "person",
        dt.date(1972, 6, 15),
        52,
        "广东省肇庆市端州区城西街道宋城一路8号",
    )
)

# 填表报数 (issue 21): a 村/社区 cadre (天宁社区) and a 镇街 reviewer (城东街道); their units are
# reporting's (shuzheng seed_reporting), not staff roles
ACCOUNTS.append(DemoAccount("demo-village", "梁秀英（天宁社区）", "13800000031", "staff"))
ACCOUNTS.append(DemoAccount("demo-town", "陈国栋（城东街道）", "13800000032", "staff"))
# 一网统管 (issue 19): two 网格员 of 端州区; their grid cells are governance's (shuzheng seed_city)
ACCOUNTS.append(DemoAccount("demo-grid", "李网格（城东街道网格员）", "13800000041", "staff"))
ACCOUNTS.append(DemoAccount("demo-grid2", "赵巡查（城西街道网格员）", "13800000042", "staff"))

DEMO_ENTERPRISE = {
    "name": "肇庆市星湖味道餐饮管理有限公司（演示）",
    "legal_representative": "王芳",
    "region": DUANZHOU,
    "address": "广东省肇庆市端州区星湖大道28号",
    "industry_code": "H6210",
    "industry": "正餐服务",
    "registered_capital": Decimal("100.00"),
    "founded_on": dt.date(2019, 6, 18),
}

DEMO_ENTERPRISE_USCC = make_uscc("9", "1", DUANZHOU, "MA5XH0001")

CLIENTS = [
    ("demo-mz-system", "肇庆市民政业务系统（演示）", ApiClient.Kind.GOVERNMENT, "441200-MZJ", ""),
    ("demo-bank", "肇庆农商银行普惠金融系统（演示）", ApiClient.Kind.OUTSIDE, None, "bank"),
    # an Open311 app submitting 12345 requests (its Open311 api_key is issued by hotline)
    ("demo-open311", "肇庆随手拍 Open311 应用（演示）", ApiClient.Kind.OUTSIDE, None, "open311"),
    # 一网统管: the sensing platform pushing city vital-sign readings (POST /city/readings)
    (
        "demo-city-sensors",
        "肇庆市城市运行感知平台（演示）",
        ApiClient.Kind.GOVERNMENT,
        "441200-ZSJ",
        "city.readings",
    ),
]

SURNAMES = "陈李张黄王林梁刘吴何罗郑周谢冯邓曾彭苏卢蔡潘杨叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文辉"
INDUSTRIES = [
    ("C1391", "谷物磨制"),
    ("F5211", "百货零售"),
    ("H6210", "正餐服务"),
    ("I6510", "软件开发"),
    ("E4790", "房屋建筑"),
    ("C3311", "金属结构制造"),
    ("G5430", "道路货物运输"),
    ("O8010", "家庭服务"),
]


def _dept_uscc(index: int, region: str) -> str:
    # 1 (机构编制) + 1 (机关) + region + 9-char organisation code (demo serial)
    return make_uscc("1", "1", region[:6], f"MB{index:07d}")


def _ensure_regions() -> dict[str, Region]:
    """Guangdong, its 21 prefecture cities, Zhaoqing's counties and their towns."""
    snapshot: dict[str, str] = json.loads((CORE_DATA / "gbt2260.json").read_text("utf-8"))["codes"]
    towns_doc: dict[str, Any] = json.loads((CORE_DATA / "zhaoqing_towns.json").read_text("utf-8"))
    wanted: list[tuple[str, str, str, str | None]] = [
        (GUANGDONG, snapshot[GUANGDONG], "province", None)
    ]
    for code, name in sorted(snapshot.items()):
        if code.startswith("44") and code.endswith("00") and code != GUANGDONG:
            wanted.append((code, name, "city", GUANGDONG))
    for code, name in sorted(snapshot.items()):
        if code.startswith("4412") and not code.endswith("00"):
            wanted.append((code, name, "county", ZHAOQING))
    for county, info in sorted(towns_doc["counties"].items()):
        for town_code, town_name in sorted(info["towns"].items()):
            wanted.append((town_code, town_name, "town", county))
    by_code = {r.code: r for r in Region.objects.all()}
    for code, name, level, parent in wanted:
        if code in by_code:
            continue
        by_code[code] = Region.objects.create(
            code=code, name=name, level=level, parent=by_code.get(parent) if parent else None
        )
    return by_code


def _ensure_departments(regions: dict[str, Region]) -> dict[str, Department]:
    by_code = {d.code: d for d in Department.objects.all()}
    for i, d in enumerate(PROVINCIAL + ZHAOQING_DEPTS + HOTLINE_DEPTS, start=1):
        if d.code in by_code:
            found = by_code[d.code]
            if found.is_demo and found.short_name != d.short:  # short names aligned (issue 18)
                found.short_name = d.short
                found.save(update_fields=["short_name"])
            continue
        by_code[d.code] = Department.objects.create(
            code=d.code,
            name=d.name,
            short_name=d.short,
            level=d.level,
            region=regions[d.region],
            parent=by_code.get(d.parent) if d.parent else None,
            uscc=_dept_uscc(i, d.region),
            phone=d.phone,
            is_demo=True,
        )
    return by_code


def _ensure_people(rng: random.Random, regions: dict[str, Region], count: int) -> int:
    created = 0
    zq_counties = sorted(
        c for c in regions if len(c) == 6 and c.startswith("4412") and c != ZHAOQING
    )
    for n in range(count):
        county = zq_counties[n % len(zq_counties)]
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 70))
        id_number = make_id_number(county, birth, 500 + n)
        # draw every random value before deciding to skip, so re-runs see the same sequence
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if Person.objects.filter(id_number=id_number).exists():
            continue
        Person.objects.create(
            name=name,
            id_number=id_number,
            phone=f"139{n:08d}",
            sex="M" if (500 + n) % 2 else "F",
            birth_date=birth,
            hukou_region=regions[county],
            hukou_address=f"广东省肇庆市{regions[county].name}演示路{n + 1}号",
            real_name_level=Person.RealNameLevel.L2,
            is_demo=True,
        )
        created += 1
    return created


def _ensure_enterprises(rng: random.Random, regions: dict[str, Region], count: int) -> int:
    created = 0
    for n in range(count):
        code, industry = INDUSTRIES[n % len(INDUSTRIES)]
        uscc = make_uscc("9", "1", "441202" if n % 2 else "441203", f"MA{n + 1:07d}")
        legal_rep = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        capital = Decimal(rng.choice((10, 50, 100, 200, 500, 1000)))
        founded = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 14))
        if Enterprise.objects.filter(uscc=uscc).exists():
            continue
        Enterprise.objects.create(
            uscc=uscc,
            name=f"肇庆市演示{industry}有限公司{n + 1:02d}",
            legal_representative=legal_rep,
            region=regions["441202" if n % 2 else "441203"],
            address=f"广东省肇庆市演示大道{n + 10}号",
            industry_code=code,
            industry=industry,
            registered_capital=capital,
            founded_on=founded,
            is_demo=True,
        )
        created += 1
    return created


def seed_demo(*, people: int = 40, enterprises: int = 12) -> dict[str, int]:
    """Create (or complete) the demo data set. Returns counts of what exists afterwards."""
    rng = random.Random(20261123)  # noqa: S311 - reproducible demo data, not security
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        regions = _ensure_regions()
        depts = _ensure_departments(regions)
        cache.bump(DEPARTMENTS_CACHE)
        new_people = _ensure_people(rng, regions, people)
        new_ents = _ensure_enterprises(rng, regions, enterprises)
        demo_ent, _ = Enterprise.objects.get_or_create(
            uscc=DEMO_ENTERPRISE_USCC,
            defaults={
                **{k: v for k, v in DEMO_ENTERPRISE.items() if k != "region"},
                "region": regions[DUANZHOU],
                "is_demo": True,
            },
        )
        new_accounts = 0
        for acc in ACCOUNTS:
            user = User.objects.filter(username=acc.username).first()
            if user is None:
                user = User.objects.create(
                    username=acc.username,
                    kind=acc.kind,
                    display_name=acc.name,
                    phone=acc.phone,
                    password=password_hash,
                    is_staff=acc.superuser,
                    is_superuser=acc.superuser,
                    is_demo=True,
                )
                new_accounts += 1
            if acc.kind == "person" and acc.birth is not None:
                id_number = make_id_number(DUANZHOU, acc.birth, acc.sex_seq)
                Person.objects.get_or_create(
                    id_number=id_number,
                    defaults={
                        "user": user,
                        "name": acc.name,
                        "phone": acc.phone,
                        "sex": "M" if acc.sex_seq % 2 else "F",
                        "birth_date": acc.birth,
                        "hukou_region": regions[DUANZHOU],
                        "hukou_address": acc.hukou_address,
                        "real_name_level": Person.RealNameLevel.L2,
                        "is_demo": True,
                    },
                )
            for role, dept in acc.roles:
                StaffRole.objects.get_or_create(user=user, department=depts[dept], role=role)
        agent_person = Person.objects.get(user__username="demo-agent")
        EnterpriseAgent.objects.get_or_create(
            enterprise=demo_ent,
            person=agent_person,
            defaults={
                "scope": EnterpriseAgent.Scope.ALL,
                "valid_from": dt.date(2024, 1, 1),
                "valid_until": dt.date(2029, 12, 31),
            },
        )
        # 帮办代办: the daughter may apply for her mother (all items; relation declared and
        # confirmed by the code texted to the mother)
        Mandate.objects.get_or_create(
            principal=Person.objects.get(user__username="demo-elder"),
            agent=Person.objects.get(user__username="demo-daughter"),
            basis=Mandate.Basis.RELATIVE,
            defaults={
                "relation": Mandate.Relation.CHILD,
                "scope": Mandate.Scope.ALL,
                "valid_from": dt.date(2024, 1, 1),
                "valid_until": dt.date(2029, 12, 31),
                "status": Mandate.Status.ACTIVE,
                "confirmed_via": "sms",
                "confirmed_at": timezone.now(),
                "created_by": "system:seed_demo",
            },
        )
        for client_id, name, kind, dept_code, scope in CLIENTS:
            if not ApiClient.objects.filter(client_id=client_id).exists():
                ApiClient.objects.create(
                    client_id=client_id,
                    name=name,
                    kind=kind,
                    department=depts[dept_code] if dept_code else None,
                    organisation_uscc=make_uscc("9", "1", ZHAOQING, "MA5BANK01")
                    if not dept_code
                    else "",
                    secret_hash=password_hash,
                    scopes=[scope] if scope else [],
                    is_demo=True,
                )
        counts = {
            "regions": Region.objects.count(),
            "departments": Department.objects.count(),
            "persons": Person.objects.count(),
            "enterprises": Enterprise.objects.count(),
            "accounts": User.objects.filter(is_demo=True).count(),
            "clients": ApiClient.objects.count(),
        }
        if new_people or new_ents or new_accounts:
            audit.record(
                actor="system:seed_demo",
                action="identity.demo_seeded",
                object_type="identity.demo",
                object_id="demo",
                after={
                    **counts,
                    "new_people": new_people,
                    "new_enterprises": new_ents,
                    "new_accounts": new_accounts,
                },
            )
    assert region_name(DUANZHOU) == "端州区"
    return counts
