"""prefill() for application forms and facts() for the rules module."""

import pytest

from shuzheng.core.errors import ValidationFailed
from shuzheng.exchange import facade
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

from .conftest import CITIZEN_ID, DEMO_USCC, ELDER_ID

pytestmark = pytest.mark.django_db

# every x-prefill source the catalog accepts (docs/catalog-format.md)
CATALOG_SOURCES = [
    "person.name",
    "person.id_number",
    "person.phone",
    "person.sex",
    "person.birth_date",
    "person.hukou_region",
    "person.hukou_address",
    "person.marital_status",
    "enterprise.uscc",
    "enterprise.name",
    "enterprise.legal_representative",
    "enterprise.address",
    "enterprise.region",
    "enterprise.industry",
    "enterprise.registered_capital",
    "enterprise.founded_on",
]


def principal(username):
    from shuzheng.identity.models import User
    from shuzheng.identity.selectors import principal_for_user

    return principal_for_user(User.objects.get(username=username))


def test_prefill_name_and_household_address_from_the_population_registry():
    got = facade.prefill(principal("demo-citizen"), ["person.name", "person.hukou_address"])
    assert got == {
        "person.name": ("李明", "肇庆市公安局"),
        "person.hukou_address": ("广东省肇庆市端州区城东街道天宁北路12号", "肇庆市公安局"),
    }


def test_prefill_names_each_source_department():
    got = facade.prefill(principal("demo-citizen"), CATALOG_SOURCES)
    assert got["person.marital_status"] == ("已婚", "肇庆市民政局")
    assert got["person.id_number"] == (CITIZEN_ID, "肇庆市公安局")
    assert got["person.sex"] == ("男", "肇庆市公安局")
    assert got["person.phone"] == ("13800000001", "统一身份认证平台（实名手机号码）")
    assert not any(k.startswith("enterprise.") for k in got)  # not an agent of any enterprise


def test_prefill_enterprise_only_for_its_agent():
    agent = principal("demo-agent")
    got = facade.prefill(agent, CATALOG_SOURCES, enterprise_uscc=DEMO_USCC)
    assert set(CATALOG_SOURCES) - set(got) == set()  # every catalog source resolves
    assert got["enterprise.name"] == (
        "肇庆市星湖味道餐饮管理有限公司（演示）",
        "肇庆市市场监督管理局",
    )
    assert got["enterprise.registered_capital"][0] == "100.00"
    other = facade.prefill(
        principal("demo-citizen"), ["enterprise.name"], enterprise_uscc=DEMO_USCC
    )
    assert other == {}


def test_prefill_is_empty_for_staff_clients_and_anonymous():
    assert facade.prefill(principal("demo-clerk"), ["person.name"]) == {}
    client = Principal(kind="client", client_id="demo-bank", client_kind="outside")
    assert facade.prefill(client, ["person.name"]) == {}
    assert facade.prefill(identity.ANONYMOUS, ["person.name"]) == {}


def test_prefill_follows_a_correction():
    from shuzheng.exchange.models import RegistryRecord

    rec = RegistryRecord.objects.get(resource__code="101001/000001", subject_id=CITIZEN_ID)
    rec.data = {**rec.data, "person.hukou_address": "广东省肇庆市端州区新地址1号"}
    rec.save()
    got = facade.prefill(principal("demo-citizen"), ["person.hukou_address"])
    assert got["person.hukou_address"][0] == "广东省肇庆市端州区新地址1号"


def test_facts_for_rules():
    got = facade.facts(
        "person",
        ELDER_ID,
        ["person.age", "person.hukou_region", "disability.level", "person.marital_status"],
    )
    assert got["person.age"] >= 82
    assert got["person.hukou_region"] == "441202"
    assert got["disability.level"] in ("二级", "三级", "四级")
    assert got["person.marital_status"] == "丧偶"
    assert facade.facts("person", CITIZEN_ID, ["disability.level"]) == {"disability.level": None}
    ent = facade.facts("enterprise", DEMO_USCC, ["tax_credit.grade", "enterprise.age_years"])
    assert ent["tax_credit.grade"] == "A" and ent["enterprise.age_years"] >= 7


def test_facts_refuse_unknown_names():
    with pytest.raises(ValidationFailed) as exc:
        facade.facts("person", CITIZEN_ID, ["person.name", "person.horoscope"])
    assert exc.value.errors[0].field == "names.1"
    with pytest.raises(ValidationFailed):
        facade.facts("person", CITIZEN_ID, ["tax_credit.grade"])  # an enterprise fact


def test_catalog_reads_through_the_facade():
    infos = facade.resources("enterprise")
    assert [i.name for i in infos] == ["法人基础信息", "社会信用", "纳税信用"]
    licenses = facade.resource("105001/000001")
    assert licenses.provider == "licences_module" and licenses.source_department == "441200-ZSJ"
    assert facade.prefill_sources()["person.marital_status"] == "201001/000001"
