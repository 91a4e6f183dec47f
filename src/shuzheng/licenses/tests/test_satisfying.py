"""免证办's plain-SQL read (``selectors.satisfying_many``, asked on every application form)
returns what the equivalent ORM query returns, on the demo licences plus licences of every
status, with and without an end date, of several holders and types; and it is one statement.
Seeded inside a fixed time travel."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone

from shuzheng.licenses import demo, selectors
from shuzheng.licenses.contracts import LicenseRef
from shuzheng.licenses.models import License, LicenseStatus
from shuzheng.licenses.tests.conftest import AGENT, CITIZEN, ELDER, ENTERPRISE

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)  # Beijing: 2026-06-01 17:00
TODAY = dt.date(2026, 6, 1)
TYPES = ["居民身份证", "居民户口簿", "营业执照", "食品经营许可证", "结婚证"]


def orm_satisfying_many(
    holder_kind: str, holder_id: str, names: list[str]
) -> dict[str, list[LicenseRef]]:
    """The same read in the ORM: the holder's licences of these types, valid today."""
    today = timezone.localdate()
    found = (
        License.objects.select_related("license_type")
        .filter(
            holder_kind=holder_kind,
            holder_id=holder_id,
            status=LicenseStatus.VALID,
            license_type__name__in=names,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-issued_on", "-id")
    )
    out: dict[str, list[LicenseRef]] = {n: [] for n in dict.fromkeys(names)}
    for lic in found:
        out[lic.license_type.name].append(selectors.ref(lic, today))
    return out


def copy_of(lic: License, suffix: str, **changes: object) -> License:
    """Another licence row like ``lic`` (a new identifier), with ``changes``."""
    row = License.objects.get(pk=lic.pk)
    row.pk = None
    row.license_id = f"{lic.license_id}.{suffix}"
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return row


@pytest.fixture
def licenses(db):
    """The demo licences, and beside 李明's 居民身份证 (valid to 2041) six more of the same type:
    issued later and ending today, ended yesterday but still marked valid, suspended, marked
    expired, revoked, and one without an end date issued the same day as the demo one (the
    later row first). A person whose identifier is the demo enterprise's credit code holds a
    copy of its 营业执照."""
    with time_machine.travel(DAY, tick=False):
        demo.seed_licenses()
        card = License.objects.get(holder_id=CITIZEN, license_type__name="居民身份证")
        made = {
            "card": card,
            "ends_today": copy_of(card, "t", issued_on=dt.date(2026, 5, 1), valid_until=TODAY),
            "ended": copy_of(card, "e", valid_until=TODAY - dt.timedelta(days=1)),
            "suspended": copy_of(card, "s", status=LicenseStatus.SUSPENDED),
            "expired": copy_of(card, "x", status=LicenseStatus.EXPIRED),
            "revoked": copy_of(card, "r", status=LicenseStatus.REVOKED, revocation_kind="revoke"),
            "no_end": copy_of(card, "n", valid_until=None),
        }
        business = License.objects.get(holder_id=ENTERPRISE, license_type__name="营业执照")
        copy_of(business, "p", holder_kind="person")
        yield made


def asked() -> list[tuple[str, str, list[str]]]:
    holders = [
        ("person", CITIZEN),
        ("person", ELDER),
        ("person", AGENT),
        ("enterprise", ENTERPRISE),
        ("person", ENTERPRISE),
        ("enterprise", CITIZEN),
    ]
    lists = [TYPES, ["居民身份证"], ["营业执照", "居民身份证", "营业执照"], ["结婚证"], []]
    return [(kind, hid, names) for kind, hid in holders for names in lists]


def test_the_plain_read_equals_the_orms(licenses):
    with time_machine.travel(DAY, tick=False):
        for kind, hid, names in asked():
            assert selectors.satisfying_many(kind, hid, names) == orm_satisfying_many(
                kind, hid, names
            ), (kind, hid, names)
        # not vacuous: what the citizen's form is offered, newest first
        got = selectors.satisfying_many("person", CITIZEN, TYPES)
        ids = [r.license_id for r in got["居民身份证"]]
        assert ids == [licenses[k].license_id for k in ("ends_today", "no_end", "card")]
        assert [len(got[n]) for n in TYPES] == [3, 1, 0, 0, 0]
        assert got["居民户口簿"][0].valid_until is None
        assert got["居民身份证"][0].issued_on == dt.date(2026, 5, 1)
        business = selectors.satisfying_many("person", ENTERPRISE, ["营业执照"])["营业执照"]
        assert [r.holder_kind for r in business] == ["person"]


def test_they_agree_once_licences_have_run_out(licenses):
    """Past the ends of the ID card ending today and of the 食品经营许可证 (2029-06-30)."""
    with time_machine.travel(dt.datetime(2029, 7, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        for kind, hid, names in asked():
            assert selectors.satisfying_many(kind, hid, names) == orm_satisfying_many(
                kind, hid, names
            ), (kind, hid, names)
        ent = selectors.satisfying_many("enterprise", ENTERPRISE, TYPES)
        assert [len(ent[n]) for n in TYPES] == [0, 0, 1, 0, 0]
        ids = [
            r.license_id for r in selectors.satisfying_many("person", CITIZEN, TYPES)["居民身份证"]
        ]
        assert ids == [licenses[k].license_id for k in ("no_end", "card")]


def test_one_statement_for_a_whole_form(licenses, django_assert_num_queries):
    with time_machine.travel(DAY, tick=False):
        with django_assert_num_queries(1):
            selectors.satisfying_many("person", CITIZEN, TYPES)
        with django_assert_num_queries(0):
            assert selectors.satisfying_many("person", CITIZEN, []) == {}
