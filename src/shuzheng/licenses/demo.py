"""Demo licences for the demo people of identity (consistent with identity/demo.py and the
Person rows): 李明 (demo-citizen) and 陈桂英 (demo-elder) hold 居民身份证 and 居民户口簿;
王芳 (demo-agent) holds a 居民身份证, and her enterprise holds 营业执照 and 食品经营许可证.
Idempotent: a holder's demo licence of a type is issued once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shuzheng.core.codes import make_id_number, make_uscc
from shuzheng.core.errors import NotFound
from shuzheng.identity import facade as identity
from shuzheng.licenses import services
from shuzheng.licenses.models import License

DUANZHOU = "441202"
ACTOR = "system:seed_licenses"
# Same construction as identity/demo.py (ID numbers and the demo enterprise's credit code).
CITIZEN_ID = make_id_number(DUANZHOU, dt.date(1990, 5, 12), 31)
ELDER_ID = make_id_number(DUANZHOU, dt.date(1944, 3, 8), 42)
AGENT_ID = make_id_number(DUANZHOU, dt.date(1986, 11, 20), 64)
ENTERPRISE_USCC = make_uscc("9", "1", DUANZHOU, "MA5XH0001")
AUTHORITY = "肇庆市公安局端州分局"


def _person_licenses(
    id_number: str, issued: str, household_no: str, head: str, relation: str, registered_on: str
) -> list[dict[str, Any]]:
    p = identity.person_by_id_number(id_number)
    if p is None:
        return []
    sex = "男" if p.sex == "M" else "女"
    holder = {"holder_kind": "person", "holder_id": p.id_number, "holder_name": p.name}
    return [
        {
            **holder,
            "license_type_name": "居民身份证",
            "department_code": "441200-GAJ",
            "issued_on": issued,
            "data": {
                "name": p.name,
                "sex": sex,
                "ethnicity": "汉",
                "birth_date": p.birth_date,
                "address": p.hukou_address,
                "id_number": p.id_number,
                "authority": AUTHORITY,
            },
        },
        {
            **holder,
            "license_type_name": "居民户口簿",
            "department_code": "441200-GAJ",
            "issued_on": registered_on,
            "data": {
                "name": p.name,
                "id_number": p.id_number,
                "household_no": household_no,
                "household_head": head,
                "relation": relation,
                "household_type": "家庭户",
                "address": p.hukou_address,
                "registered_on": registered_on,
            },
        },
    ]


def demo_requests() -> list[dict[str, Any]]:
    out = _person_licenses(CITIZEN_ID, "2021-06-15", "441202010012", "李明", "户主", "2016-09-01")
    out += _person_licenses(ELDER_ID, "2010-08-20", "441202020008", "陈桂英", "户主", "2008-03-12")
    agent = [
        r
        for r in _person_licenses(
            AGENT_ID, "2015-01-10", "441202030003", "王芳", "户主", "2012-05-06"
        )
        if r["license_type_name"] == "居民身份证"
    ]
    out += agent
    try:
        ent = identity.enterprise(ENTERPRISE_USCC)
    except NotFound:  # the demo enterprise is optional
        return out
    holder = {"holder_kind": "enterprise", "holder_id": ent.uscc, "holder_name": ent.name}
    out += [
        {
            **holder,
            "license_type_name": "营业执照",
            "department_code": "441200-SCJGJ",
            "issued_on": ent.founded_on or "2019-06-18",
            "data": {
                "name": ent.name,
                "uscc": ent.uscc,
                "entity_type": "有限责任公司（自然人投资或控股）",
                "legal_representative": ent.legal_representative,
                "registered_capital": "人民币壹佰万元整",
                "founded_on": ent.founded_on or "2019-06-18",
                "address": ent.address,
                "business_scope": "餐饮服务；餐饮管理；食品销售（仅销售预包装食品）。"
                "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
            },
        },
        {
            **holder,
            "license_type_name": "食品经营许可证",
            "department_code": "441200-SCJGJ",
            "issued_on": "2024-07-01",
            "data": {
                "name": ent.name,
                "uscc": ent.uscc,
                "legal_representative": ent.legal_representative,
                "address": ent.address,
                "main_business": "餐饮服务经营者（中型餐馆）",
                "business_items": "热食类食品制售；冷食类食品制售",
                "permit_no": "JY24412020012345",
            },
        },
    ]
    return out


def seed_licenses() -> dict[str, int]:
    types = services.license_types_load(actor=ACTOR)
    issued = 0
    for req in demo_requests():
        exists = License.objects.filter(
            source="seed",
            holder_kind=req["holder_kind"],
            holder_id=req["holder_id"],
            license_type__name=req["license_type_name"],
        ).exists()
        if exists:
            continue
        services.license_issue(actor=ACTOR, source="seed", **req)
        issued += 1
    return {"types": types["total"], "issued": issued, "licenses": License.objects.count()}
