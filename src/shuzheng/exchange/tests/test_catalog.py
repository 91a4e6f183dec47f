"""政务数据目录: listing, detail, registration by the source data officer, 一数一源."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.exchange import codes
from shuzheng.exchange.demo import RESOURCES, seed_exchange
from shuzheng.exchange.models import DataItem, Resource, ResourceField

from .conftest import MARRIAGE, POPULATION

pytestmark = pytest.mark.django_db

ROLES = [
    None,
    "demo-citizen",
    "demo-elder",
    "demo-clerk",
    "demo-dataofficer",
    "rsj-dataofficer",
    "client:demo-mz-system",
    "client:demo-bank",
]


def new_resource(**extra):
    body = {
        "name": "居住证信息",
        "summary": "流动人口居住证办理信息。",
        "catalogue_class": "1",
        "item": "01",
        "catalogue": "002",
        "source_department": "441200-GAJ",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于政务服务办理。",
        "update_frequency": "daily",
        "fields": [
            {
                "name": "residence.permit_no",
                "title": "居住证号码",
                "classification": "important",
                "personal": True,
                "masking": "partial",
            },
            {
                "name": "person.name",
                "title": "姓名",
                "classification": "general",
                "personal": True,
                "masking": "name",
                "source": False,
            },
        ],
    }
    body.update(extra)
    return body


def test_catalog_lists_the_nine_base_resources_with_codes_per_the_2017_guide(api):
    r = api.call("GET", "/api/v1/exchange/resources")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["name"] for i in items] == [
        "人口基础信息",
        "法人基础信息",
        "不动产登记",
        "社会信用",
        "电子证照",
        "婚姻登记",
        "社保参保",
        "残疾人信息",
        "纳税信用",
    ]
    for item in items:
        codes.parse(item["code"])
    by_name = {i["name"]: i for i in items}
    assert by_name["婚姻登记"]["source_department"] == "441200-MZJ"
    assert by_name["婚姻登记"]["source_department_name"] == "肇庆市民政局"
    assert by_name["人口基础信息"]["source_department"] == "441200-GAJ"
    assert by_name["社保参保"]["source_department"] == "441200-RSJ"
    assert by_name["纳税信用"]["source_department"] == "441200-SWJ"
    assert by_name["法人基础信息"]["source_department"] == "441200-SCJGJ"
    assert by_name["法人基础信息"]["share_level"] == "unconditional"
    assert by_name["不动产登记"]["fresh"] is False  # 5 days old, updated daily
    assert set(items[0]) >= {
        "code",
        "name",
        "source_department",
        "share_level",
        "open_level",
        "update_frequency",
        "last_updated_at",
        "classification",
    }


def test_resource_detail_names_grades_masking_and_sources(api):
    r = api.call("GET", f"/api/v1/exchange/resources/{MARRIAGE}")
    assert r.status_code == 200
    body = r.json()
    assert body["update_frequency_name"] == "实时"
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["marriage.spouse_id_number"] == {
        "name": "marriage.spouse_id_number",
        "title": "配偶公民身份号码",
        "data_type": "string",
        "classification": "important",
        "personal": True,
        "masking": "id_number",
        "source_resource": MARRIAGE,
        "is_source": True,
    }
    # 婚姻登记 holds a copy of the name; its source is 人口基础信息 (一数一源)
    assert fields["person.name"]["source_resource"] == POPULATION
    assert fields["person.name"]["is_source"] is False
    assert body["classification"] == "important"


def test_unknown_resource_is_404(api):
    r = api.call("GET", "/api/v1/exchange/resources/101001/999999")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ROLES)
def test_catalog_is_public_metadata(api, officer_rsj, who):
    assert api.call("GET", "/api/v1/exchange/resources", who=who).status_code == 200
    assert api.call("GET", f"/api/v1/exchange/resources/{POPULATION}", who=who).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 403),
        ("demo-elder", 403),
        ("demo-clerk", 403),
        ("demo-dataofficer", 201),  # data officer of 441200-GAJ, the source
        ("rsj-dataofficer", 403),  # another department's data officer
        ("client:demo-mz-system", 403),
        ("client:demo-bank", 403),
    ],
)
def test_register_resource_permission_matrix(api, officer_rsj, last_seq, who, status):
    before = Resource.objects.count()
    r = api.call("POST", "/api/v1/exchange/resources", who=who, json_body=new_resource())
    assert r.status_code == status, r.content
    if status == 201:
        assert r.json()["code"] == "101002/000001"
        assert Resource.objects.count() == before + 1
        assert (
            DataItem.objects.get(key="residence.permit_no").source_resource.code == "101002/000001"
        )
        assert AuditRecord.objects.filter(action="exchange.resource_registered").count() == 1
    else:
        assert Resource.objects.count() == before


def test_serial_numbers_follow_the_front_code(api):
    first = api.call(
        "POST", "/api/v1/exchange/resources", who="demo-dataofficer", json_body=new_resource()
    ).json()
    second = api.call(
        "POST",
        "/api/v1/exchange/resources",
        who="demo-dataofficer",
        json_body=new_resource(
            name="居住证签注",
            fields=[
                {
                    "name": "residence.endorsed_on",
                    "title": "签注日期",
                    "classification": "general",
                    "personal": True,
                    "masking": "date",
                }
            ],
        ),
    ).json()
    assert (first["code"], second["code"]) == ("101002/000001", "101002/000002")


def test_one_source_per_data_item_second_claim_is_refused(api, last_seq, audit_actions):
    """一数一源: 婚姻状况 already has 婚姻登记 as its source; a second claim changes nothing."""
    api.token("demo-dataofficer")
    seq = last_seq()
    items_before = dict(DataItem.objects.values_list("key", "source_resource__code"))
    body = new_resource(
        name="户籍婚姻状况",
        fields=[
            {
                "name": "person.marital_status",
                "title": "婚姻状况",
                "classification": "general",
                "personal": True,
                "masking": "hidden",
                "source": True,
            },
            {
                "name": "residence.permit_no",
                "title": "居住证号码",
                "classification": "important",
                "personal": True,
                "masking": "partial",
            },
        ],
    )
    r = api.call("POST", "/api/v1/exchange/resources", who="demo-dataofficer", json_body=body)
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    assert "一数一源" in r.json()["message"] and "婚姻登记" in r.json()["message"]
    assert r.json()["errors"][0]["field"] == "fields.0.name"
    assert dict(DataItem.objects.values_list("key", "source_resource__code")) == items_before
    assert not Resource.objects.filter(name="户籍婚姻状况").exists()
    assert audit_actions(since=seq) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"catalogue_class": "4"}, "catalogue"),
        ({"item": "09"}, "catalogue"),
        ({"subject_kind": "robot"}, "subject_kind"),
        ({"share_level": "sometimes"}, "share_level"),
        ({"share_condition": ""}, "share_condition"),
        ({"fields": []}, "fields"),
        (
            {"fields": [{"name": "residence.xy", "title": "X", "classification": "secret"}]},
            "fields.0.classification",
        ),
        (
            {
                "fields": [
                    {
                        "name": "residence.xy",
                        "title": "X",
                        "classification": "general",
                        "personal": True,
                        "masking": "none",
                    }
                ]
            },
            "fields.0.masking",
        ),
        (
            {"fields": [{"name": "Bad Name", "title": "X", "classification": "general"}]},
            "fields.0.name",
        ),
        (
            {
                "fields": [
                    {
                        "name": "nobody.claimed",
                        "title": "X",
                        "classification": "general",
                        "source": False,
                    }
                ]
            },
            "fields.0.name",
        ),
    ],
)
def test_register_bad_input_names_the_field_and_creates_nothing(api, change, field):
    before = (Resource.objects.count(), ResourceField.objects.count(), DataItem.objects.count())
    r = api.call(
        "POST",
        "/api/v1/exchange/resources",
        who="demo-dataofficer",
        json_body=new_resource(**change),
    )
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field
    assert (
        Resource.objects.count(),
        ResourceField.objects.count(),
        DataItem.objects.count(),
    ) == before


def test_seed_is_idempotent_and_every_item_has_one_source():
    assert seed_exchange() == {
        "resources": 0,
        "consumers": 0,
        "records": 0,
        "requests": 0,
        "consents": 0,
    }
    assert Resource.objects.count() == len(RESOURCES)
    keys = list(DataItem.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # every field points at the item's one source; copies are fields of other resources
    for f in ResourceField.objects.select_related("item__source_resource", "resource"):
        assert f.item.key == f.name
        if f.item.source_resource_id != f.resource_id:
            assert f.name == "person.name" and f.resource.code == MARRIAGE
