"""The demo lives in data files (data/demo_catalog.json, data/demo.json): ``seed_exchange``
makes from them exactly the rows it made when the demo was written in Python."""

import datetime as dt
import random

import pytest

from shuzheng.exchange import demo
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
from shuzheng.exchange.services.resources import _field_specs

from .conftest import CITIZEN_ID, DEMO_USCC

pytestmark = pytest.mark.django_db

CODES = [
    "101001/000001",
    "102001/000001",
    "103001/000001",
    "104001/000001",
    "105001/000001",
    "201001/000001",
    "203001/000001",
    "203002/000001",
    "208001/000001",
]
# fields per resource, and which of them are copies of another resource's item (source: false)
FIELDS = {
    "101001/000001": (7, []),
    "102001/000001": (8, []),
    "103001/000001": (4, []),
    "104001/000001": (4, []),
    "105001/000001": (3, []),
    "201001/000001": (7, ["person.name"]),
    "203001/000001": (5, []),
    "203002/000001": (4, []),
    "208001/000001": (4, []),
}


def test_the_seeded_catalog_is_the_data_files():
    assert sorted(Resource.objects.values_list("code", flat=True)) == CODES
    assert [r["code"] for r in demo.RESOURCES] == CODES
    for code, (count, copies) in FIELDS.items():
        fields = ResourceField.objects.filter(resource__code=code).order_by("position")
        assert fields.count() == count, code
        assert [f.name for f in fields if f.item.source_resource.code != code] == copies, code
    assert ResourceField.objects.count() == 46 and DataItem.objects.count() == 45
    assert Resource.objects.get(code="201001/000001").owner_officer == "demo-dataofficer"
    assert Resource.objects.get(code="203001/000001").owner_officer == ""


def test_the_demo_fields_pass_the_checks_of_a_registration():
    """Every personal field has a masking rule, grades and types are known (as
    ``resource_register`` checks a department's registration)."""
    for spec in demo.RESOURCES:
        assert len(_field_specs(spec["fields"])) == len(spec["fields"])


def test_consumers_history_and_consents():
    assert sorted(Consumer.objects.values_list("client_id", "kind", "department_code")) == [
        ("demo-bank", "outside", ""),
        ("demo-mz-system", "government", "441200-MZJ"),
    ]
    history = ShareRequest.objects.filter(requested_by__startswith="demo:")
    assert sorted(history.values_list("resource__code", "consumer_department", "status")) == [
        ("101001/000001", "441200-RSJ", "approved"),
        ("102001/000001", "441200-SWJ", "approved"),
        ("103001/000001", "441200-GJJ", "pending"),
        ("203002/000001", "441200-MZJ", "approved"),
    ]
    assert ShareGrant.objects.filter(request__in=history).count() == 3
    assert history.get(resource__code="102001/000001").decided_by == "system:秒享"
    assert sorted(
        Consent.objects.filter(requester="demo-bank").values_list(
            "subject_id", "resource__code", "granted_by"
        )
    ) == sorted(
        [(CITIZEN_ID, "203001/000001", "demo-citizen"), (DEMO_USCC, "208001/000001", "demo-agent")]
    )


def test_the_generated_registries_are_unchanged():
    """The name pools in data/demo.json feed the same seeded generator: the same records."""
    records = demo._records(random.Random(20261207), dt.date(2026, 12, 1))
    assert {code: len(rows) for code, rows in records.items()} == {
        "101001/000001": 153,
        "102001/000001": 13,
        "103001/000001": 61,
        "104001/000001": 13,
        "105001/000001": 0,
        "201001/000001": 153,
        "203001/000001": 153,
        "203002/000001": 7,
        "208001/000001": 13,
    }
    people = records["101001/000001"]
    assert people[3] == (  # the first generated person, as the Python demo generated them
        "44120219531127800X",
        {
            "person.id_number": "44120219531127800X",
            "person.name": "黄洋",
            "person.sex": "女",
            "person.birth_date": "1953-11-27",
            "person.ethnicity": "瑶族",
            "person.hukou_region": "441202",
            "person.hukou_address": "广东省肇庆市端州区康乐中路1号",
        },
    )
    assert people[-1][0] == "441225197312159495"
    assert people[-1][1]["person.hukou_address"] == "广东省肇庆市封开县星湖大道150号"
    assert dict(records["203001/000001"])["441284195503058073"] == {
        "social_insurance.status": "退休",
        "social_insurance.pension_months": 498,
        "social_insurance.employer": "",
        "social_insurance.base": None,
        "social_insurance.since": "1985-07-01",
    }
    assert RegistryRecord.objects.filter(resource__code="105001/000001").count() == 0
