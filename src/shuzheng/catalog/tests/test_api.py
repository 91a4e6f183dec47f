"""Catalog API: public reads, administrator writes, one error format; permission matrix."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.catalog import services
from shuzheng.catalog.models import ServiceItem
from shuzheng.catalog.tests import fixtures

pytestmark = pytest.mark.django_db

MARRIAGE = fixtures.code_of(fixtures.marriage())


@pytest.fixture
def catalog():
    services.catalog_import(actor="user:demo-admin", doc=fixtures.document(), publish=True)


def test_item_detail_has_all_elements(api, catalog):
    body = api.call("GET", f"/api/v1/catalog/items/{MARRIAGE}").json()
    assert body["code"] == MARRIAGE and body["name"] == "结婚登记"
    assert (body["promised_days"], body["statutory_days"]) == (0, 0)
    assert body["materials"][0] == {
        "material_code": "M1",
        "name": "居民身份证",
        "form_kind": "original",
        "required": True,
        "count": 1,
        "notes": "",
        "source": "申请人自备",
        "license_type": "居民身份证",
        "items": [],
    }
    assert body["form_schema"]["properties"]["applicant_name"]["x-prefill"] == "person.name"
    assert body["department_name"] == "肇庆市民政局"


def test_list_filters(api, catalog):
    body = api.call("GET", "/api/v1/catalog/items?department=441200-SCJGJ").json()
    assert body["total"] == 2 and {i["name"] for i in body["items"]} == {
        "营业执照（设立登记）",
        "食品经营许可",
    }
    body = api.call("GET", "/api/v1/catalog/items?applicant_type=enterprise&theme=经营").json()
    assert [i["name"] for i in body["items"]] == ["食品经营许可"]


def test_bundles_and_guides(api, catalog):
    listing = api.call("GET", "/api/v1/catalog/bundles").json()
    assert listing["total"] == 1 and listing["items"][0]["code"] == "YJS441200002"
    b = api.call("GET", "/api/v1/catalog/bundles/YJS441200002").json()
    assert b["promised_days"] == 5 and len(b["items"]) == 2
    g = api.call(
        "POST", "/api/v1/catalog/bundles/YJS441200002/guide", json_body={"answers": {"Q1": "yes"}}
    ).json()
    assert len(g["excluded_items"]) == 1 and len(g["materials"]) < len(b["materials"])
    g = api.call(
        "POST", f"/api/v1/catalog/items/{MARRIAGE}/guide", json_body={"answers": {}}
    ).json()
    assert g["unanswered"] == ["Q1"]


def test_unknown_codes_404(api, catalog):
    r = api.call("GET", "/api/v1/catalog/items/44120030799999000000X")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api.call("GET", "/api/v1/catalog/bundles/YJS441200999").status_code == 404


def test_drafts_are_not_public(api):
    services.catalog_import(actor="user:demo-admin", doc=fixtures.document(), publish=False)
    assert api.call("GET", f"/api/v1/catalog/items/{MARRIAGE}").status_code == 404
    assert api.call("GET", f"/api/v1/catalog/items/{MARRIAGE}?version=1").status_code == 404


WRITERS = {
    "anonymous": (None, 401),
    "citizen": ("demo-citizen", 403),
    "agent": ("demo-agent", 403),
    "clerk": ("demo-clerk", 403),
    "dataofficer": ("demo-dataofficer", 403),
    "client": ("client:demo-mz-system", 403),
    "admin": ("demo-admin", None),
}


@pytest.mark.parametrize("caller", list(WRITERS))
def test_import_matrix(api, caller):
    who, refused = WRITERS[caller]
    if who:
        api.token(who)
    before = (ServiceItem.objects.count(), AuditRecord.objects.count())
    r = api.call(
        "POST",
        "/api/v1/catalog/import",
        who=who,
        json_body={**fixtures.document(), "publish": True},
    )
    if refused:
        assert r.status_code == refused
        assert (ServiceItem.objects.count(), AuditRecord.objects.count()) == before
    else:
        assert r.status_code == 201 and r.json() == {"items": 3, "bundles": 1, "published": True}


@pytest.mark.parametrize("caller", list(WRITERS))
def test_transition_matrix(api, caller):
    services.catalog_import(actor="user:demo-admin", doc=fixtures.document(), publish=False)
    who, refused = WRITERS[caller]
    if who:
        api.token(who)
    before = AuditRecord.objects.count()
    r = api.call(
        "POST", f"/api/v1/catalog/items/{MARRIAGE}/versions/1/submit", who=who, json_body={}
    )
    if refused:
        assert r.status_code == refused
        assert ServiceItem.objects.get(code=MARRIAGE).status == "draft"
        assert AuditRecord.objects.count() == before
    else:
        assert r.status_code == 200 and r.json()["status"] == "in_review"


def test_illegal_transition_is_409_with_allowed_actions(api, catalog):
    r = api.call(
        "POST",
        f"/api/v1/catalog/items/{MARRIAGE}/versions/1/submit",
        who="demo-admin",
        json_body={},
    )
    assert r.status_code == 409
    assert r.json()["allowed_actions"] == ["retire"]


def test_bad_import_is_422_naming_row_and_field(api):
    doc = fixtures.document()
    doc["items"][0]["phone"] = ""
    r = api.call("POST", "/api/v1/catalog/import", who="demo-admin", json_body=doc)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "import_rejected"
    assert body["errors"][0]["field"] == "items[1].phone"
    assert "第1行（结婚登记）字段 phone（咨询电话）" in body["errors"][0]["message"]
    assert ServiceItem.objects.count() == 0
