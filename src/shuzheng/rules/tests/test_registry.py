"""The demo registries agree with identity's demo data and are deterministic."""

import datetime as dt

import pytest

from shuzheng.identity.demo import ACCOUNTS, DEMO_ENTERPRISE, DEMO_ENTERPRISE_USCC, INDUSTRIES
from shuzheng.identity.models import Enterprise, Person
from shuzheng.rules import providers, registry

from .conftest import id_of

pytestmark = pytest.mark.django_db


def test_sizes_and_unique_ids():
    people, ents = registry.people(), registry.enterprises()
    assert people.height == 2000 and ents.height == 500
    assert people["subject_id"].n_unique() == 2000
    assert ents["subject_id"].n_unique() == 500


def test_the_demo_accounts_open_the_person_registry_with_their_real_id_numbers():
    ids = registry.people()["subject_id"].head(3).to_list()
    assert ids == [id_of("demo-citizen"), id_of("demo-elder"), id_of("demo-agent")]
    for acc, row in zip(ACCOUNTS[:3], registry.people().head(3).to_dicts(), strict=True):
        assert row["name"] == acc.name and row["birth_date"] == acc.birth


def test_identity_enterprises_open_the_enterprise_registry():
    rows = registry.enterprises().head(13).to_dicts()
    for n, row in enumerate(rows[:12]):
        ent = Enterprise.objects.get(uscc=row["subject_id"])
        assert (
            row["enterprise.industry_code"]
            == INDUSTRIES[n % len(INDUSTRIES)][0]
            == ent.industry_code
        )
        assert row["enterprise.region"] == ent.region.code
    assert rows[12]["subject_id"] == DEMO_ENTERPRISE_USCC
    assert rows[12]["enterprise.industry"] == DEMO_ENTERPRISE["industry"]


def test_facts_on_a_date_and_identity_overlay():
    day = dt.date(2026, 11, 23)
    elder = providers.subject_facts(
        "person", id_of("demo-elder"), ["age", "hukou_region", "benefits"], day
    )
    assert elder == {"age": 82, "hukou_region": "441202", "benefits": []}
    citizen = providers.subject_facts("person", id_of("demo-citizen"), ["age"], day)
    assert citizen["age"] == 36
    ent = providers.subject_facts(
        "enterprise",
        DEMO_ENTERPRISE_USCC,
        ["enterprise.age_months", "enterprise.registered_capital"],
        day,
    )
    assert ent == {"enterprise.age_months": 89, "enterprise.registered_capital": 100.0}


def test_a_person_outside_the_registry_gets_facts_from_the_id_number_and_identity():
    # identity's generated demo people are not in the registry; their facts still resolve
    person = Person.objects.filter(is_demo=True, user__isnull=True).first()
    facts = providers.subject_facts(
        "person", person.id_number, ["age", "hukou_region", "licenses"], dt.date(2026, 11, 23)
    )
    born = person.birth_date
    assert facts["age"] == 2026 - born.year - ((born.month, born.day) > (11, 23))
    assert facts["hukou_region"] == person.hukou_region.code
    assert "居民身份证" in facts["licenses"]


def test_frames_and_per_subject_facts_agree():
    day = dt.date(2026, 11, 23)
    frame = providers.subjects_frame("person", ["age", "hukou_region", "licenses", "benefits"], day)
    for row in frame.head(50).to_dicts():
        one = providers.subject_facts(
            "person", row["subject_id"], ["age", "hukou_region", "licenses", "benefits"], day
        )
        assert one == {k: row[k] for k in one}


def test_the_exchange_source_delegates_and_falls_back_to_the_registries(settings):
    settings.SHUZHENG_RULES_FACT_SOURCE = "exchange"
    source = providers.source()
    assert source.name == "exchange"
    names = ["age", "hukou_region", "benefits", "alive"]
    facts = providers.subject_facts("person", id_of("demo-elder"), names, dt.date(2026, 11, 23))
    assert set(facts) == set(names) and all(v is not None for v in facts.values())
    assert facts["age"] == 82
