"""Demo catalog, consumers, base registries, share history and consents. Idempotent.

The registries are built from identity's demo people and enterprises, read through
``identity.facade`` only:

- the three demo account holders (demo-citizen, demo-elder, demo-agent) are looked up by their
  ID numbers, which are computed here from the published demo constants (region 441202, birth
  date, sequence code) — identity's facade has no "list all persons";
- identity's demo enterprises have deterministic credit codes (``91441202MA0000001…``), so they
  are enumerated through ``identity.facade.enterprise`` until one is missing;
- on top, a deterministic generator adds registry-only people (sequence codes 800–949, which
  identity never uses), as a population registry holds many people without a platform account.

Every ID number and credit code is valid in format and marked as demo data.

电子证照 (``105001/000001``) has no registry here: its provider is ``licences_module``, so the
data API, the data spaces and ``facade.facts`` read the subject's licences from the licences
module (``shuzheng seed_licenses`` issues the demo ones). Migration 0002 switches databases
seeded before that.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache, calendar
from shuzheng.core.codes import make_id_number, make_uscc, region_name
from shuzheng.core.errors import NotFound
from shuzheng.exchange import fastpath, providers
from shuzheng.exchange.models import (
    Consent,
    Consumer,
    DataItem,
    RegistryRecord,
    Resource,
    ResourceField,
    ShareGrant,
    ShareRequest,
)
from shuzheng.identity import facade as identity

SEED_ACTOR = "system:seed_exchange"
DUANZHOU = "441202"
COUNTIES = ["441202", "441203", "441204", "441223", "441224", "441225", "441226", "441284"]
# identity's demo account holders: (username, birth date, sequence code) — see identity/demo.py
ACCOUNT_PEOPLE = [
    ("demo-citizen", dt.date(1990, 5, 12), 31),
    ("demo-elder", dt.date(1944, 3, 8), 42),
    ("demo-agent", dt.date(1986, 11, 20), 64),
]
DEMO_ENTERPRISE_USCC = make_uscc("9", "1", DUANZHOU, "MA5XH0001")
LICENCES = "105001/000001"  # 电子证照: served by the licences module, no registry copy
SUMMARY_LICENCES = "持证人持有的有效电子证照（证照类型、证照编号），由电子证照库实时提供。"
REGISTRY_PEOPLE = 150
SURNAMES = "陈李张黄王林梁刘吴何罗郑周谢冯邓曾彭苏卢蔡潘杨叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文辉"
STREETS = ["天宁北路", "端州一路", "星湖大道", "宋城二路", "建设三路", "康乐中路", "信安大道"]
EMPLOYERS = [
    "肇庆市星湖味道餐饮管理有限公司（演示）",
    "肇庆市演示软件开发有限公司",
    "肇庆市演示百货零售有限公司",
    "肇庆市第一演示中学",
    "肇庆市演示道路货物运输有限公司",
]

CONSUMERS = [
    ("demo-mz-system", "肇庆市民政业务系统（演示）", "government", "441200-MZJ"),
    ("demo-bank", "肇庆农商银行普惠金融系统（演示）", "outside", ""),
]


def _f(
    name: str,
    title: str,
    grade: str = "general",
    personal: bool = True,
    masking: str = "hidden",
    data_type: str = "string",
    source: bool = True,
) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "classification": grade,
        "personal": personal,
        "masking": masking if personal or grade != "general" else "none",
        "data_type": data_type,
        "source": source,
    }


# code, name, department, subject, share, open, frequency, consent, provider, age (hours), fields
RESOURCES: list[dict[str, Any]] = [
    {
        "code": "101001/000001",
        "name": "人口基础信息",
        "summary": "常住人口的身份、出生、户籍信息（公安户籍管理系统）。",
        "source_department": "441200-GAJ",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于政务服务办理、监管执法，须写明法律依据；统计分析只提供脱敏数据。",
        "open_level": "closed",
        "update_frequency": "realtime",
        "consent_scope": "outside",
        "provider": "population",
        "age_hours": 2,
        "fields": [
            _f("person.id_number", "公民身份号码", "important", masking="id_number"),
            _f("person.name", "姓名", masking="name"),
            _f("person.sex", "性别"),
            _f("person.birth_date", "出生日期", masking="date", data_type="date"),
            _f("person.ethnicity", "民族", "important"),
            _f("person.hukou_region", "户籍地区划代码", masking="partial"),
            _f("person.hukou_address", "户籍地址", masking="address"),
        ],
    },
    {
        "code": "102001/000001",
        "name": "法人基础信息",
        "summary": "市场主体登记信息（名称、统一社会信用代码、法定代表人、住所、注册资本）。",
        "source_department": "441200-SCJGJ",
        "subject_kind": "enterprise",
        "share_level": "unconditional",
        "open_level": "open",
        "update_frequency": "daily",
        "consent_scope": "outside",
        "provider": "legal_entity",
        "age_hours": 6,
        "fields": [
            _f("enterprise.uscc", "统一社会信用代码", personal=False),
            _f("enterprise.name", "名称", personal=False),
            _f("enterprise.legal_representative", "法定代表人", masking="name"),
            _f("enterprise.address", "住所", personal=False),
            _f("enterprise.region", "登记机关区划", personal=False),
            _f("enterprise.industry", "行业", personal=False),
            _f(
                "enterprise.registered_capital",
                "注册资本（万元）",
                personal=False,
                data_type="decimal",
            ),
            _f("enterprise.founded_on", "成立日期", personal=False, data_type="date"),
        ],
    },
    {
        "code": "103001/000001",
        "name": "不动产登记",
        "summary": "不动产权利人、权证号、坐落和抵押状态。",
        "source_department": "441200-BDCDJZX",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于住房保障、公积金、司法协助等法定事项。",
        "open_level": "closed",
        "update_frequency": "daily",
        "consent_scope": "outside",
        "provider": "registry",
        "age_hours": 24 * 5,  # stale on purpose: the quality page shows it
        "fields": [
            _f("property.count", "不动产数量", data_type="integer"),
            _f(
                "property.certificates",
                "不动产权证号",
                "important",
                masking="partial",
                data_type="list",
            ),
            _f(
                "property.locations", "不动产坐落", "important", masking="address", data_type="list"
            ),
            _f("property.mortgaged", "是否存在抵押", "important", data_type="boolean"),
        ],
    },
    {
        "code": "104001/000001",
        "name": "社会信用",
        "summary": "公共信用综合评价、失信被执行人、行政处罚与表彰（信用肇庆）。",
        "source_department": "441200-ZSJ",
        "subject_kind": "enterprise",
        "share_level": "unconditional",
        "open_level": "conditional",
        "update_frequency": "daily",
        "consent_scope": "outside",
        "provider": "registry",
        "age_hours": 20,
        "fields": [
            _f("credit.rating", "公共信用综合评价", personal=False),
            _f("credit.dishonest", "失信被执行人", personal=False, data_type="boolean"),
            _f("credit.penalties", "近三年行政处罚（次）", personal=False, data_type="integer"),
            _f("credit.commendations", "表彰奖励（次）", personal=False, data_type="integer"),
        ],
    },
    {
        "code": LICENCES,
        "name": "电子证照",
        "summary": SUMMARY_LICENCES,
        "source_department": "441200-ZSJ",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于免证办：办事时核验申请人持有的证照。",
        "open_level": "closed",
        "update_frequency": "realtime",
        "consent_scope": "outside",
        "provider": "licences_module",
        "age_hours": 1,
        "fields": [
            _f("licence.count", "持有证照数量", data_type="integer"),
            _f("licence.types", "证照类型", data_type="list"),
            _f("licence.numbers", "证照编号", "important", masking="partial", data_type="list"),
        ],
    },
    {
        "code": "201001/000001",
        "name": "婚姻登记",
        "summary": "结婚、离婚登记信息（民政婚姻登记系统）。",
        "source_department": "441200-MZJ",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于民政、公安、住房、公积金等政务服务中的婚姻状况核验。",
        "open_level": "closed",
        "update_frequency": "realtime",
        "consent_scope": "none",
        "provider": "registry",
        "age_hours": 3,
        "fields": [
            _f("person.marital_status", "婚姻状况"),
            _f("marriage.registered_on", "登记日期", masking="date", data_type="date"),
            _f("marriage.spouse_name", "配偶姓名", "important", masking="name"),
            _f("marriage.spouse_id_number", "配偶公民身份号码", "important", masking="id_number"),
            _f("marriage.certificate_no", "结婚证字号", "important", masking="partial"),
            _f("marriage.registry_office", "登记机关", personal=False),
            _f("person.name", "姓名", masking="name", source=False),
        ],
    },
    {
        "code": "203001/000001",
        "name": "社保参保",
        "summary": "基本养老、医疗、失业保险参保与缴费信息。",
        "source_department": "441200-RSJ",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "政务服务中核验参保状态；外部机构须取得本人授权。",
        "open_level": "closed",
        "update_frequency": "monthly",
        "consent_scope": "outside",
        "provider": "registry",
        "age_hours": 24 * 10,
        "fields": [
            _f("social_insurance.status", "参保状态"),
            _f(
                "social_insurance.pension_months",
                "养老保险累计缴费月数",
                "important",
                data_type="integer",
            ),
            _f("social_insurance.employer", "参保单位", masking="partial"),
            _f(
                "social_insurance.base",
                "月缴费基数（元）",
                "important",
                masking="amount",
                data_type="decimal",
            ),
            _f("social_insurance.since", "首次参保日期", masking="date", data_type="date"),
        ],
    },
    {
        "code": "203002/000001",
        "name": "残疾人信息",
        "summary": "第二代残疾人证信息（类别、等级、发证日期）。",
        "source_department": "441200-CL",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于残疾人两项补贴、社会救助等法定事项。",
        "open_level": "closed",
        "update_frequency": "monthly",
        "consent_scope": "none",
        "provider": "registry",
        "age_hours": 24 * 45,  # stale on purpose
        "fields": [
            _f("disability.category", "残疾类别", "important"),
            _f("disability.level", "残疾等级", "important"),
            _f("disability.certificate_no", "残疾人证号", "important", masking="partial"),
            _f("disability.issued_on", "发证日期", masking="date", data_type="date"),
        ],
    },
    {
        "code": "208001/000001",
        "name": "纳税信用",
        "summary": "纳税人纳税信用等级评价结果（A/B/M/C/D）与欠税情况。",
        "source_department": "441200-SWJ",
        "subject_kind": "enterprise",
        "share_level": "conditional",
        "share_condition": "政务服务与监管中使用；银行等外部机构须取得纳税人授权（银税互动）。",
        "open_level": "closed",
        "update_frequency": "yearly",
        "consent_scope": "outside",
        "provider": "registry",
        "age_hours": 24 * 120,
        "fields": [
            _f("tax_credit.grade", "纳税信用等级", personal=False),
            _f("tax_credit.year", "评价年度", personal=False, data_type="integer"),
            _f(
                "tax_credit.paid_last_year",
                "上年度纳税总额（万元）",
                "important",
                personal=False,
                data_type="decimal",
            ),
            _f("tax_credit.overdue", "是否欠税", "important", personal=False, data_type="boolean"),
        ],
    },
]

OFFICERS = {"441200-GAJ": "demo-dataofficer", "441200-MZJ": "demo-dataofficer"}


# --- people and enterprises ----------------------------------------------------------------------


def _person_rows(rng: random.Random) -> list[dict[str, Any]]:
    """Everyone in the demo population registry: account holders first, then generated people."""
    people: list[dict[str, Any]] = []
    for username, birth, seq in ACCOUNT_PEOPLE:
        info = identity.person_by_id_number(make_id_number(DUANZHOU, birth, seq))
        if info is None:
            continue
        people.append(
            {
                "username": username,
                "id_number": info.id_number,
                "name": info.name,
                "sex": "男" if info.sex == "M" else "女",
                "birth_date": info.birth_date,
                "hukou_region": info.hukou_region,
                "hukou_address": info.hukou_address,
            }
        )
    for n in range(REGISTRY_PEOPLE):
        county = COUNTIES[n % len(COUNTIES)]
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 65))
        seq = 800 + n
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        street = rng.choice(STREETS)
        people.append(
            {
                "username": "",
                "id_number": make_id_number(county, birth, seq),
                "name": name,
                "sex": "男" if seq % 2 else "女",
                "birth_date": birth.isoformat(),
                "hukou_region": county,
                "hukou_address": f"广东省肇庆市{region_name(county)}{street}{n + 1}号",
            }
        )
    return people


def _enterprise_rows() -> list[dict[str, Any]]:
    rows = []
    usccs = [DEMO_ENTERPRISE_USCC] + [
        make_uscc("9", "1", "441202" if n % 2 else "441203", f"MA{n + 1:07d}") for n in range(200)
    ]
    for uscc in usccs:
        try:
            e = identity.enterprise(uscc)
        except NotFound:
            if uscc == DEMO_ENTERPRISE_USCC:
                continue
            break
        rows.append(providers.enterprise_data(e))
    return rows


def _age(birth: str, today: dt.date) -> int:
    b = dt.date.fromisoformat(birth)
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def _records(rng: random.Random, today: dt.date) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """resource code -> [(subject id, data)] for the whole demo."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {r["code"]: [] for r in RESOURCES}
    people = _person_rows(rng)
    by_user = {p["username"]: p for p in people if p["username"]}
    ethnicities = ["汉族"] * 18 + ["壮族", "瑶族"]
    for i, p in enumerate(people):
        pid, age = p["id_number"], _age(p["birth_date"], today)
        out["101001/000001"].append(
            (
                pid,
                {
                    "person.id_number": pid,
                    "person.name": p["name"],
                    "person.sex": p["sex"],
                    "person.birth_date": p["birth_date"],
                    "person.ethnicity": rng.choice(ethnicities),
                    "person.hukou_region": p["hukou_region"],
                    "person.hukou_address": p["hukou_address"],
                },
            )
        )
        # 婚姻登记 (adults)
        if age >= 22:
            roll = rng.random()
            status = (
                "已婚"
                if roll < 0.6
                else "未婚"
                if roll < 0.85
                else "离婚"
                if roll < 0.95
                else "丧偶"
            )
            if p["username"] == "demo-citizen" or p["username"] == "demo-agent":
                status = "已婚"
            if p["username"] == "demo-elder":
                status = "丧偶"
            marriage: dict[str, Any] = {
                "person.marital_status": status,
                "person.name": p["name"],
                "marriage.registered_on": None,
                "marriage.spouse_name": None,
                "marriage.spouse_id_number": None,
                "marriage.certificate_no": None,
                "marriage.registry_office": None,
            }
            if status != "未婚":
                year = min(today.year - 1, dt.date.fromisoformat(p["birth_date"]).year + 25)
                reg = dt.date(year, 1 + i % 12, 1 + i % 27)
                if p["username"] in ("demo-citizen", "demo-agent"):
                    other = by_user[
                        "demo-agent" if p["username"] == "demo-citizen" else "demo-citizen"
                    ]
                    spouse_name, spouse_id = other["name"], other["id_number"]
                    reg = dt.date(2018, 10, 8)
                else:
                    spouse_name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                    spouse_birth = dt.date.fromisoformat(p["birth_date"]) + dt.timedelta(
                        days=rng.randrange(-900, 900)
                    )
                    spouse_id = make_id_number(
                        p["hukou_region"], spouse_birth, 950 + (i % 49) + (0 if i % 2 else 1)
                    )
                marriage.update(
                    {
                        "marriage.registered_on": reg.isoformat(),
                        "marriage.spouse_name": spouse_name,
                        "marriage.spouse_id_number": spouse_id,
                        "marriage.certificate_no": f"J{p['hukou_region']}-{reg.year}-{i + 1:06d}",
                        "marriage.registry_office": f"肇庆市{region_name(p['hukou_region'])}民政局",
                    }
                )
            if i == 7:  # a copy that disagrees with its source: shows up in the consistency check
                marriage["person.name"] = p["name"][:1] + "晓" + p["name"][1:]
            out["201001/000001"].append((pid, marriage))
        # 社保参保
        if age >= 18:
            retired = age >= 60
            employer = "" if retired else rng.choice(EMPLOYERS)
            months = min(12 * (age - 18), 12 * 42) - rng.randrange(0, 60)
            out["203001/000001"].append(
                (
                    pid,
                    {
                        "social_insurance.status": "退休" if retired else "参保缴费",
                        "social_insurance.pension_months": max(0, months),
                        "social_insurance.employer": employer,
                        "social_insurance.base": None
                        if retired
                        else str(rng.choice((3500, 4800, 6200, 7500, 9800, 13500))),
                        "social_insurance.since": dt.date(
                            today.year - max(1, months // 12), 7, 1
                        ).isoformat(),
                    },
                )
            )
        # 残疾人信息
        if p["username"] == "demo-elder" or (not p["username"] and rng.random() < 0.08):
            cert = f"{pid}{rng.choice('12345')}{rng.choice('1234')}"
            out["203002/000001"].append(
                (
                    pid,
                    {
                        "disability.category": rng.choice(("肢体残疾", "视力残疾", "听力残疾")),
                        "disability.level": rng.choice(("二级", "三级", "四级")),
                        "disability.certificate_no": cert,
                        "disability.issued_on": dt.date(2019 + i % 5, 3, 15).isoformat(),
                    },
                )
            )
        # 不动产登记
        if p["username"] == "demo-citizen" or (age >= 25 and rng.random() < 0.5):
            n = 1 if p["username"] else rng.choice((1, 1, 2))
            certs = [
                f"粤（{2015 + (i + k) % 10}）肇庆市不动产权第{i * 7 + k + 1:07d}号"
                for k in range(n)
            ]
            out["103001/000001"].append(
                (
                    pid,
                    {
                        "property.count": n,
                        "property.certificates": certs,
                        "property.locations": [
                            f"广东省肇庆市{region_name(p['hukou_region'])}"
                            f"{rng.choice(STREETS)}{(i + k) % 90 + 1}号{k + 1}01房"
                            for k in range(n)
                        ],
                        "property.mortgaged": rng.random() < 0.4,
                    },
                )
            )
        # 电子证照 come from the licences module (provider ``licences_module``); this draw
        # once picked a demo licence and stays so that every generated value is unchanged.
        rng.random()
    grades = ["A", "A", "B", "B", "B", "M", "C", "D"]
    for j, e in enumerate(_enterprise_rows()):
        uscc = e["enterprise.uscc"]
        out["102001/000001"].append((uscc, e))
        grade = "A" if uscc == DEMO_ENTERPRISE_USCC else grades[j % len(grades)]
        out["208001/000001"].append(
            (
                uscc,
                {
                    "tax_credit.grade": grade,
                    "tax_credit.year": today.year - 1,
                    "tax_credit.paid_last_year": str(rng.choice((3.2, 12.5, 48.0, 96.4, 210.0))),
                    "tax_credit.overdue": grade == "D",
                },
            )
        )
        out["104001/000001"].append(
            (
                uscc,
                {
                    "credit.rating": {"A": "优", "B": "良", "M": "中", "C": "中", "D": "差"}[grade],
                    "credit.dishonest": grade == "D",
                    "credit.penalties": {"A": 0, "B": 0, "M": 1, "C": 2, "D": 4}[grade],
                    "credit.commendations": 1 if grade == "A" else 0,
                },
            )
        )
    return out


# --- catalog -------------------------------------------------------------------------------------


def _ensure_resources(now: dt.datetime, known_departments: set[str]) -> int:
    created = 0
    for spec in RESOURCES:
        if Resource.objects.filter(code=spec["code"]).exists():
            continue
        if spec["source_department"] not in known_departments:
            raise RuntimeError(f"demo department {spec['source_department']} is missing: seed_demo")
        resource = Resource.objects.create(
            code=spec["code"],
            name=spec["name"],
            summary=spec["summary"],
            source_department=spec["source_department"],
            subject_kind=spec["subject_kind"],
            share_level=spec["share_level"],
            share_condition=spec.get("share_condition", ""),
            open_level=spec["open_level"],
            update_frequency=spec["update_frequency"],
            last_updated_at=now - dt.timedelta(hours=spec["age_hours"]),
            owner_officer=OFFICERS.get(spec["source_department"], ""),
            consent_scope=spec["consent_scope"],
            provider=spec["provider"],
            published_on=dt.date(2025, 12, 1),
            is_demo=True,
        )
        for pos, f in enumerate(spec["fields"], start=1):
            if f["source"]:
                item = DataItem.objects.create(
                    key=f["name"], title=f["title"], source_resource=resource
                )
            else:
                item = DataItem.objects.get(key=f["name"])
            ResourceField.objects.create(
                resource=resource,
                name=f["name"],
                title=f["title"],
                data_type=f["data_type"],
                classification=f["classification"],
                personal=f["personal"],
                masking=f["masking"],
                position=pos,
                item=item,
            )
        created += 1
    return created


def _ensure_records(now: dt.datetime, today: dt.date) -> int:
    rng = random.Random(20261207)  # noqa: S311 - reproducible demo data, not security
    by_code = {r.code: r for r in Resource.objects.filter(code__in=[s["code"] for s in RESOURCES])}
    created = 0
    for code, rows in _records(rng, today).items():
        resource = by_code[code]
        have = set(
            RegistryRecord.objects.filter(resource=resource).values_list("subject_id", flat=True)
        )
        new = [
            RegistryRecord(
                resource=resource,
                subject_kind=resource.subject_kind,
                subject_id=sid,
                data=data,
                updated_at=resource.last_updated_at,
                is_demo=True,
            )
            for sid, data in rows
            if sid not in have
        ]
        RegistryRecord.objects.bulk_create(new, batch_size=500)
        created += len(new)
    return created


def _ensure_consumers() -> int:
    created = 0
    for client_id, name, kind, dept in CONSUMERS:
        _, made = Consumer.objects.get_or_create(
            client_id=client_id,
            defaults={"name": name, "kind": kind, "department_code": dept, "is_demo": True},
        )
        created += int(made)
    return created


def _ensure_history(now: dt.datetime) -> int:
    """A little share history so the dashboard has something to show on day one."""
    if ShareRequest.objects.filter(requested_by__startswith="demo:").exists():
        return 0
    cal_today = timezone.localdate(now)
    history = [
        # (resource, consumer dept, fields, purpose, scenario, submitted working days ago, taken)
        (
            "101001/000001",
            "441200-RSJ",
            ["person.name", "person.id_number", "person.hukou_address"],
            "service",
            "社保卡申领时核验户籍信息",
            12,
            2,
        ),
        (
            "102001/000001",
            "441200-SWJ",
            ["enterprise.uscc", "enterprise.name", "enterprise.legal_representative"],
            "service",
            "新办纳税人套餐核验市场主体登记信息",
            9,
            0,
        ),
        (
            "203002/000001",
            "441200-MZJ",
            ["disability.category", "disability.level"],
            "service",
            "困难残疾人生活补贴审核",
            8,
            4,
        ),
        (
            "103001/000001",
            "441200-GJJ",
            ["property.count", "property.certificates"],
            "service",
            "住房公积金提取核验房产",
            5,
            None,
        ),
    ]
    count = 0
    for code, dept, fields, purpose, scenario, ago, taken in history:
        resource = Resource.objects.get(code=code)
        submitted_on = calendar.add_working_days(cal_today, -ago)
        submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(10, 0)))
        req = ShareRequest.objects.create(
            resource=resource,
            consumer_department=dept,
            fields=fields,
            purpose=purpose,
            scenario=scenario,
            legal_basis="《广东省政务数据资源共享管理办法》第十四条",
            days=365,
            requested_by=f"demo:{dept} 数据管理员",
            submitted_at=submitted_at,
            submitted_on=submitted_on,
            due_date=calendar.add_working_days(submitted_on, 3),
            instant=resource.share_level == "unconditional",
        )
        if req.instant or taken is not None:
            decided_on = calendar.add_working_days(submitted_on, taken or 0)
            req.status = ShareRequest.Status.APPROVED
            req.decided_on = decided_on
            req.decided_at = (
                submitted_at
                if req.instant
                else timezone.make_aware(dt.datetime.combine(decided_on, dt.time(15, 0)))
            )
            req.decided_by = (
                "system:秒享" if req.instant else f"demo:{resource.source_department} 数据管理员"
            )
            req.save()
            ShareGrant.objects.create(
                code=f"GX{decided_on:%Y%m%d}{req.pk:06d}",
                request=req,
                resource=resource,
                consumer_department=dept,
                fields=fields,
                purpose=purpose,
                scenario=scenario,
                valid_from=decided_on,
                valid_until=decided_on + dt.timedelta(days=365),
            )
        count += 1
    return count


def _ensure_consents(now: dt.datetime) -> int:
    created = 0
    citizen = identity.person_by_id_number(make_id_number(DUANZHOU, dt.date(1990, 5, 12), 31))
    wanted = []
    if citizen is not None:
        wanted.append(
            (
                "person",
                citizen.id_number,
                "demo-citizen",
                "203001/000001",
                [
                    "social_insurance.status",
                    "social_insurance.pension_months",
                    "social_insurance.base",
                ],
                "个人经营贷款审批（政银数据融合）",
                180,
            )
        )
    if RegistryRecord.objects.filter(subject_id=DEMO_ENTERPRISE_USCC).exists():
        wanted.append(
            (
                "enterprise",
                DEMO_ENTERPRISE_USCC,
                "demo-agent",
                "208001/000001",
                ["tax_credit.grade", "tax_credit.year", "tax_credit.overdue"],
                "银税互动：小微企业信用贷款审批",
                365,
            )
        )
    for kind, sid, by, code, fields, purpose, days in wanted:
        if Consent.objects.filter(
            subject_id=sid, requester="demo-bank", resource__code=code
        ).exists():
            continue
        Consent.objects.create(
            subject_kind=kind,
            subject_id=sid,
            granted_by=by,
            requester="demo-bank",
            requester_name=dict((c[0], c[1]) for c in CONSUMERS)["demo-bank"],
            resource=Resource.objects.get(code=code),
            fields=fields,
            purpose=purpose,
            valid_from=now,
            valid_until=now + dt.timedelta(days=days),
        )
        created += 1
    return created


def seed_exchange() -> dict[str, int]:
    """Create (or complete) the exchange demo data. Returns what was created."""
    now = timezone.now()
    today = timezone.localdate(now)
    known = {d.code for d in identity.departments()}
    with transaction.atomic():
        counts = {
            "resources": _ensure_resources(now, known),
            "consumers": _ensure_consumers(),
            "records": _ensure_records(now, today),
            "requests": _ensure_history(now),
            "consents": _ensure_consents(now),
        }
        if counts["resources"]:
            cache.bump(fastpath.CATALOG)
        if any(counts.values()):
            audit.record(
                actor=SEED_ACTOR,
                action="exchange.demo_seeded",
                object_type="exchange.demo",
                object_id="demo",
                after=counts,
            )
    return counts
