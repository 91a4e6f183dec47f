"""Demo catalog, consumers, base registries, share history and consents. Idempotent.

What the demo holds is data: ``data/demo_catalog.json`` (the nine resources and their fields)
and ``data/demo.json`` (consumers, owner officers, share history, consents, the name pools of
the generated registries). This module loads them and generates the registry records.

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
import json
import random
from pathlib import Path
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
DATA = Path(__file__).resolve().parent / "data"
DUANZHOU = "441202"
DEMO_ENTERPRISE_USCC = make_uscc("9", "1", DUANZHOU, "MA5XH0001")  # as identity/demo.py


def _load(name: str) -> dict[str, Any]:
    return dict(json.loads((DATA / name).read_text(encoding="utf-8")))


# data/demo_catalog.json: the nine resources and their fields; data/demo.json: consumers, share
# history, consents and the name pools of the generated registries
RESOURCES: list[dict[str, Any]] = _load("demo_catalog.json")["resources"]
_DEMO = _load("demo.json")
# identity's demo account holders: (username, birth date, sequence code)
ACCOUNT_PEOPLE = [
    (p["username"], dt.date.fromisoformat(p["birth"]), int(p["seq"]))
    for p in _DEMO["account_people"]
]
CONSUMERS: list[dict[str, str]] = _DEMO["consumers"]
OFFICERS: dict[str, str] = _DEMO["owner_officers"]
_REGISTRY = _DEMO["registry"]
REGISTRY_PEOPLE: int = _REGISTRY["people"]
COUNTIES: list[str] = _REGISTRY["counties"]
SURNAMES: str = _REGISTRY["surnames"]
GIVEN: str = _REGISTRY["given_names"]
STREETS: list[str] = _REGISTRY["streets"]
EMPLOYERS: list[str] = _REGISTRY["employers"]


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
    for c in CONSUMERS:
        _, made = Consumer.objects.get_or_create(
            client_id=c["client_id"],
            defaults={
                "name": c["name"],
                "kind": c["kind"],
                "department_code": c["department"],
                "is_demo": True,
            },
        )
        created += int(made)
    return created


def _ensure_history(now: dt.datetime) -> int:
    """A little share history so the dashboard has something to show on day one."""
    if ShareRequest.objects.filter(requested_by__startswith="demo:").exists():
        return 0
    cal_today = timezone.localdate(now)
    count = 0
    for h in _DEMO["share_history"]:
        code, dept, fields = h["resource"], h["consumer_department"], h["fields"]
        purpose, scenario = h["purpose"], h["scenario"]
        ago, taken = h["submitted_working_days_ago"], h["decision_working_days"]
        resource = Resource.objects.get(code=code)
        submitted_on = calendar.add_working_days(cal_today, -ago)
        submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(10, 0)))
        req = ShareRequest.objects.create(
            resource=resource,
            consumer_department=dept,
            fields=fields,
            purpose=purpose,
            scenario=scenario,
            legal_basis=h["legal_basis"],
            days=h["days"],
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
                valid_until=decided_on + dt.timedelta(days=h["days"]),
            )
        count += 1
    return count


def _consent_subject(name: str) -> tuple[str, str] | None:
    """(kind, id) of a consent's subject: an account holder's username, or "demo-enterprise"
    (only once its registry records exist)."""
    if name == "demo-enterprise":
        if RegistryRecord.objects.filter(subject_id=DEMO_ENTERPRISE_USCC).exists():
            return "enterprise", DEMO_ENTERPRISE_USCC
        return None
    _, birth, seq = next(p for p in ACCOUNT_PEOPLE if p[0] == name)
    person = identity.person_by_id_number(make_id_number(DUANZHOU, birth, seq))
    return ("person", person.id_number) if person is not None else None


def _ensure_consents(now: dt.datetime) -> int:
    created = 0
    names = {c["client_id"]: c["name"] for c in CONSUMERS}
    for c in _DEMO["consents"]:
        subject = _consent_subject(c["subject"])
        if subject is None:
            continue
        kind, sid = subject
        if Consent.objects.filter(
            subject_id=sid, requester=c["requester"], resource__code=c["resource"]
        ).exists():
            continue
        Consent.objects.create(
            subject_kind=kind,
            subject_id=sid,
            granted_by=c["granted_by"],
            requester=c["requester"],
            requester_name=names[c["requester"]],
            resource=Resource.objects.get(code=c["resource"]),
            fields=c["fields"],
            purpose=c["purpose"],
            valid_from=now,
            valid_until=now + dt.timedelta(days=c["days"]),
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
