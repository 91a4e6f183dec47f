"""亮证 verification's kept plain-SQL read (``fastpath.py``) returns what the ORM returns, and
one verification costs a pinned number of SQL statements (service and HTTP), so a regression
fails here rather than in ``bench/licenses``. Seeded inside a fixed time travel."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzheng.audit import facade as audit
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import demo, facade, fastpath, services
from shuzheng.licenses.models import License, LicenseUse, Presentation
from shuzheng.licenses.tests.conftest import AGENT, CITIZEN, ENTERPRISE

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 30, 15, tzinfo=dt.UTC)
CITIZEN_P = Principal(kind="person", username="demo-citizen", name="李明", id_number=CITIZEN)
AGENT_P = Principal(
    kind="agent",
    username="demo-agent",
    name="王芳",
    id_number=AGENT,
    enterprises=(ENTERPRISE,),
)
# The ORM's statement of the read that fastpath.presentation_with_license hand-writes.
VERIFY_COLUMNS = (
    "id",
    "expires_at",
    "license__id",
    "license__license_id",
    "license__status",
    "license__valid_until",
    "license__department_code",
    "license__department_name",
    "license__license_type__id",
    "license__license_type__name",
    "license__license_type__fields",
)


def orm_presentation(nonce: str, license_id: str) -> Presentation | None:
    return (
        Presentation.objects.select_related("license__license_type")
        .only(*VERIFY_COLUMNS)
        .filter(nonce=nonce, license__license_id=license_id)
        .first()
    )


def loaded(p: Presentation | None) -> tuple | None:
    """Every value a verification reads, and which fields each instance left unread."""
    if p is None:
        return None
    lic, t = p.license, p.license.license_type
    unread = (p.get_deferred_fields(), lic.get_deferred_fields(), t.get_deferred_fields())
    return (
        unread,  # before reading: a field left out would be loaded by the reads below
        (p.pk, p.license_id, p.expires_at),
        (lic.pk, lic.license_id, lic.license_type_id, lic.status, lic.valid_until),
        (lic.department_code, lic.department_name),
        (t.pk, t.name, t.fields, t.labels()),
        (p._state.adding, lic._state.adding, t._state.adding, p._state.db),
    )


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


@pytest.fixture
def presented(travel, db):
    """The demo licences and one 亮证 of each of three: a licence with an end date (居民身份证),
    one without (居民户口簿) and an enterprise's, presented by its agent (营业执照)."""
    demo.seed_licenses()

    def present(who: Principal, holder: str, type_name: str, fields: list[str]) -> Presentation:
        lic = License.objects.get(holder_id=holder, license_type__name=type_name)
        return services.presentation_create(principal=who, license_id=lic.license_id, fields=fields)

    return [
        present(CITIZEN_P, CITIZEN, "居民身份证", ["name", "sex"]),
        present(CITIZEN_P, CITIZEN, "居民户口簿", ["household_no"]),
        present(AGENT_P, ENTERPRISE, "营业执照", ["name"]),
    ]


def test_the_plain_read_equals_the_orms(presented):
    """Given presentations of licences with and without an end date, a suspended licence,
    and nonces that do not belong to the licence asked for."""
    id_card, household, _business = presented
    License.objects.filter(pk=household.license_id).update(status="suspended")
    assert id_card.license.valid_until is not None and household.license.valid_until is None
    cases = [(p.nonce, p.license.license_id) for p in presented]
    cases += [
        (id_card.nonce, household.license.license_id),  # another licence's presentation
        ("0" * 32, id_card.license.license_id),  # no such presentation
        (id_card.nonce, "1.2.156.3005.2.nope"),  # no such licence
    ]
    results = [(fastpath.presentation_with_license(*c), orm_presentation(*c)) for c in cases]
    for (fast, orm), case in zip(results, cases, strict=True):
        assert loaded(fast) == loaded(orm), case
    assert [fast is not None for fast, _ in results] == [True, True, True, False, False, False]
    assert results[1][0].license.status == "suspended"
    assert results[0][0].expires_at == NOW + dt.timedelta(minutes=5)


def test_a_field_the_read_left_out_is_loaded_not_blank(presented, django_assert_num_queries):
    p = fastpath.presentation_with_license(presented[0].nonce, presented[0].license.license_id)
    with django_assert_num_queries(1):
        assert p.license.holder_name == "李明"


# The statements of one 亮证 verification: the presentation with its licence and type (one
# read), the transaction (a savepoint inside the test's), the 用证记录 row and the audit record.
AUDIT_STATEMENTS = {"inline": 3, "deferred": 1}  # head lock, record, head move | one insert


def verification_statements() -> int:
    return 1 + 2 + 1 + AUDIT_STATEMENTS["deferred" if audit.deferred() else "inline"]


def _listed(ctx: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"][:160] for q in ctx.captured_queries)


def test_statements_of_one_token_verification(presented):
    token = presented[0].token
    facade.verify_token(token, actor="anonymous")  # warm: seal keys, caches
    with CaptureQueriesContext(connection) as ctx:
        verdict = facade.verify_token(token, actor="anonymous", purpose="酒店入住登记")
    assert verdict.valid and verdict.fields == {"name": "李明", "sex": "男"}
    assert len(ctx.captured_queries) == verification_statements(), _listed(ctx)
    assert LicenseUse.objects.filter(kind="verify", result="ok").count() == 2


def test_statements_of_one_verification_over_http(api, presented):
    token = presented[0].token
    api.call("POST", "/api/v1/licenses/verify", json_body={"token": token})
    with CaptureQueriesContext(connection) as ctx:
        r = api.call("POST", "/api/v1/licenses/verify", json_body={"token": token})
    assert r.status_code == 200 and r.json()["valid"] is True, r.content
    assert len(ctx.captured_queries) == verification_statements(), _listed(ctx)
