"""Editing a field of the catalog in place (its masking rule, grade, personal flag): the very
next data call and catalog read apply the new rule, in this process and in any other."""

import pytest
from django.db import transaction

from shuzheng.audit.models import AuditRecord
from shuzheng.core import cache
from shuzheng.exchange import fastpath, selectors, services
from shuzheng.exchange.models import ResourceField
from shuzheng.identity.models import User
from shuzheng.identity.selectors import principal_for_user

from .conftest import AGENT_ID, CITIZEN_ID, MARRIAGE
from .test_data_api import get, grant

pytestmark = pytest.mark.django_db

SPOUSE = "marriage.spouse_name"


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


@pytest.fixture
def spouse_grant(api):
    return grant(api, fields=["person.marital_status", SPOUSE, "marriage.spouse_id_number"])


def principal(username):
    return principal_for_user(User.objects.get(username=username))


def officer():
    return principal("demo-dataofficer")


def spouse_value(api):
    r = get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID)
    assert r.status_code == 200, r.content
    return r.json()["fields"][SPOUSE], r.json()["masked"]


def test_a_changed_masking_rule_applies_to_the_next_call(api, spouse_grant):
    """The catalog is cached per process: the edit must invalidate it (it did not while the
    cache was keyed on the number of fields and the highest field id)."""
    assert spouse_value(api) == ("王*", [SPOUSE, "marriage.spouse_id_number"])  # rule "name"
    assert selectors.resource_info(MARRIAGE).field(SPOUSE).masking == "name"

    services.resource_field_update(
        principal=officer(), resource_code=MARRIAGE, field=SPOUSE, masking="hidden"
    )

    assert spouse_value(api) == ("******", [SPOUSE, "marriage.spouse_id_number"])
    assert selectors.resource_info(MARRIAGE).field(SPOUSE).masking == "hidden"
    rec = AuditRecord.objects.order_by("-id").filter(action="exchange.field_updated").first()
    assert rec.actor == "user:demo-dataofficer" and rec.object_id == MARRIAGE
    assert (rec.before["masking"], rec.after["masking"]) == ("name", "hidden")


def test_a_field_made_general_and_not_personal_is_served_plain(api, spouse_grant):
    assert spouse_value(api)[0] == "王*"
    services.resource_field_update(
        principal=officer(),
        resource_code=MARRIAGE,
        field="marriage.spouse_id_number",
        classification="general",
        personal=False,
    )
    r = get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID)
    assert r.json()["fields"]["marriage.spouse_id_number"] == AGENT_ID
    assert r.json()["masked"] == [SPOUSE]


def test_only_the_source_departments_officer_edits_a_field(api, officer_rsj):
    """市人社局's officer may not edit 民政局's resource: 403, audited, nothing changed."""
    for username in ("demo-citizen", "demo-clerk", officer_rsj):
        with pytest.raises(services.Forbidden):
            services.resource_field_update(
                principal=principal(username),
                resource_code=MARRIAGE,
                field=SPOUSE,
                masking="none",
            )
    assert ResourceField.objects.get(resource__code=MARRIAGE, name=SPOUSE).masking == "name"
    refused = AuditRecord.objects.filter(action="exchange.field_update_refused")
    assert refused.count() == 3


def test_a_personal_field_keeps_a_masking_rule(api):
    with pytest.raises(services.ValidationFailed) as exc:
        services.resource_field_update(
            principal=officer(), resource_code=MARRIAGE, field=SPOUSE, masking="none"
        )
    assert exc.value.errors[0].field == "masking"
    with pytest.raises(services.ValidationFailed):
        services.resource_field_update(
            principal=officer(), resource_code=MARRIAGE, field=SPOUSE, masking="blur"
        )
    with pytest.raises(services.NotFound):
        services.resource_field_update(
            principal=officer(), resource_code=MARRIAGE, field="marriage.nothing", masking="name"
        )
    assert ResourceField.objects.get(resource__code=MARRIAGE, name=SPOUSE).masking == "name"


def test_an_edit_committed_by_another_process_applies_here(api, spouse_grant):
    """Another process's service changed the rule and bumped the catalog's version; this
    process's cached catalog, which it never told, is reloaded on the next call."""
    assert spouse_value(api)[0] == "王*"
    ResourceField.objects.filter(resource__code=MARRIAGE, name=SPOUSE).update(masking="hidden")
    cache.bump(fastpath.CATALOG)  # by the other process's service: this one is not told
    assert spouse_value(api)[0] == "******"


def test_the_edit_and_its_version_roll_back_together(api, spouse_grant):
    """An edit whose transaction fails leaves the old rule served, not the rule read inside
    the failed transaction."""
    assert spouse_value(api)[0] == "王*"
    with pytest.raises(RuntimeError), transaction.atomic():
        services.resource_field_update(
            principal=officer(), resource_code=MARRIAGE, field=SPOUSE, masking="hidden"
        )
        assert selectors.resource_info(MARRIAGE).field(SPOUSE).masking == "hidden"
        raise RuntimeError
    assert selectors.resource_info(MARRIAGE).field(SPOUSE).masking == "name"
    assert spouse_value(api)[0] == "王*"
