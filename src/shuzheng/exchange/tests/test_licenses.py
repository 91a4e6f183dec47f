"""电子证照 (105001/000001) comes from the licences module: a licence issued there is what the
data API, the holder's data space and ``facts`` show, at once and with its current status."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from shuzheng.core import cache
from shuzheng.exchange import facade, fastpath, selectors
from shuzheng.exchange.models import RegistryRecord, Resource
from shuzheng.licenses import facade as licenses

from .conftest import AGENT_ID, CITIZEN_ID, ELDER_ID

pytestmark = pytest.mark.django_db

LICENSES = "105001/000001"
FIELDS = ["licence.count", "licence.types", "licence.numbers"]
CERT_NO = "J441202-2026-000123"


def issue_marriage_certificate():
    return licenses.issue_from_case(
        case_no="BJ4412022026000001",
        item_code="441202-JHDJ",
        license_type_name="结婚证",
        holder_kind="person",
        holder_id=CITIZEN_ID,
        holder_name="李明",
        department_code="441202-MZJ",
        data={
            "name": "李明",
            "id_number": CITIZEN_ID,
            "spouse_name": "王芳",
            "spouse_id_number": AGENT_ID,
            "registered_on": "2026-05-20",
            "cert_no": CERT_NO,
        },
    )


@pytest.fixture
def granted(api):
    """demo-mz-system holds an approved grant for the licence fields (政务服务, 免证办)."""
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="client:demo-mz-system",
        json_body={
            "resource": LICENSES,
            "fields": FIELDS,
            "purpose": "service",
            "scenario": "免证办：核验申请人持有的结婚证",
            "legal_basis": "《广东省政务数据资源共享管理办法》第十四条",
            "days": 365,
        },
    )
    assert r.status_code == 201, r.content
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{r.json()['id']}/decision",
        who="demo-dataofficer",  # data officer of 441200-ZSJ, the source department
        json_body={"decision": "approve", "note": "同意，用于免证办"},
    )
    assert r.status_code == 200 and r.json()["grant"]["fields"] == FIELDS, r.content


def read(api, subject=CITIZEN_ID):
    return api.call(
        "GET", f"/api/v1/exchange/data/{LICENSES}?subject={subject}", who="client:demo-mz-system"
    )


def test_the_demo_resource_reads_the_licenses_module_and_holds_no_copy():
    info = facade.resource(LICENSES)
    assert info.provider == "licences_module" and info.source_department == "441200-ZSJ"
    assert not RegistryRecord.objects.filter(resource__code=LICENSES).exists()


def test_issued_license_is_shared_to_a_granted_client_masked_by_grade(api, granted):
    r = read(api)
    assert r.status_code == 404 and "没有该数据主体的记录" in r.json()["message"]  # none yet
    ref = issue_marriage_certificate()
    r = read(api)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["fields"]["licence.count"] == 1
    assert body["fields"]["licence.types"] == ["结婚证"]
    assert body["fields"]["licence.numbers"] == ["J4" + "*" * 15 + "23"]  # 重要 personal: masked
    assert body["masked"] == ["licence.numbers"] and body["basis"].startswith("grant:GX")
    # revoked in the licences module: gone from the very next call
    r = api.call(
        "POST",
        f"/api/v1/licenses/{ref.license_id}/status",
        who="demo-admin",
        json_body={"action": "revoke", "reason": "测试：吊销后不再共享"},
    )
    assert r.status_code == 200, r.content
    body = read(api).json()
    assert body["fields"]["licence.count"] == 0 and body["fields"]["licence.numbers"] == []


def test_issued_license_is_in_the_holders_data_space_and_facts(api, client):
    from shuzheng.identity.models import User

    def space_block():
        items = api.call("GET", "/api/v1/dataspace/data", who="demo-citizen").json()["items"]
        return next((i for i in items if i["resource"] == LICENSES), None)

    assert space_block() is None
    issue_marriage_certificate()
    block = space_block()
    assert block is not None and block["department_name"] == "肇庆市政务服务和数据管理局"
    values = {f["name"]: f["value"] for f in block["fields"]}
    assert values == {
        "licence.count": 1,
        "licence.types": ["结婚证"],
        "licence.numbers": [CERT_NO],  # their own data: not masked
    }
    client.force_login(User.objects.get(username="demo-citizen"))
    page = client.get("/dataspace/").content.decode()
    assert 'data-testid="source-105001/000001"' in page and CERT_NO in page
    got = facade.facts("person", CITIZEN_ID, ["licence.types", "licence.count"])
    assert got == {"licence.types": ["结婚证"], "licence.count": 1}
    assert facade.facts("person", ELDER_ID, ["licence.count"]) == {"licence.count": None}
    # someone else's data space does not show it
    items = api.call("GET", "/api/v1/dataspace/data", who="demo-elder").json()["items"]
    assert LICENSES not in {i["resource"] for i in items}


def test_migration_switches_a_database_seeded_before(api):
    """A database seeded with the old demo (provider ``licences`` + a registry copy)."""
    migration = importlib.import_module(
        "shuzheng.exchange.migrations.0002_licences_from_licences_module"
    )
    old = migration.OLD_SUMMARY
    Resource.objects.filter(code=LICENSES).update(provider="licences", summary=old)
    cache.bump(fastpath.CATALOG)
    resource = Resource.objects.get(code=LICENSES)
    RegistryRecord.objects.create(
        resource=resource,
        subject_kind="person",
        subject_id=CITIZEN_ID,
        data={"licence.count": 1, "licence.types": ["机动车驾驶证"], "licence.numbers": ["x"]},
        updated_at=timezone.now(),
        is_demo=True,
    )
    assert selectors.resource_info(LICENSES).provider == "licences"
    migration.forwards(apps, None)
    resource.refresh_from_db()
    assert (resource.provider, resource.summary) == ("licences_module", migration.NEW_SUMMARY)
    assert not RegistryRecord.objects.filter(resource=resource).exists()
    # the cached catalog follows at once
    assert selectors.resource_info(LICENSES).provider == "licences_module"
    issue_marriage_certificate()
    items = api.call("GET", "/api/v1/dataspace/data", who="demo-citizen").json()["items"]
    block = next(i for i in items if i["resource"] == LICENSES)
    assert {f["name"]: f["value"] for f in block["fields"]}["licence.types"] == ["结婚证"]
    # a resource switched by hand to another provider is left alone
    Resource.objects.filter(code=LICENSES).update(provider="registry")
    migration.forwards(apps, None)
    assert Resource.objects.get(code=LICENSES).provider == "registry"
