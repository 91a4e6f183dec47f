"""到期提醒: a licence with an end date is announced to its holder (message and SMS) 90 and 30
days before it ends, once per threshold, by the daily task; reruns send nothing."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.licenses import facade, services
from shuzheng.licenses.models import LicenseReminder
from shuzheng.licenses.tests.conftest import CITIZEN, ELDER, ENTERPRISE
from shuzheng.notify.models import Notification
from shuzheng.portal.tasks import remind_expiring_licenses_now

pytestmark = pytest.mark.django_db

# the demo's 食品经营许可证 (王芳's enterprise) ends on 2029-06-30
ENDS = dt.date(2029, 6, 30)


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC))


def test_reminded_90_and_30_days_before_once_each(demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    assert lic.valid_until == ENDS
    with at(ENDS - dt.timedelta(days=91)):
        assert remind_expiring_licenses_now() == 0  # nothing within 90 days yet
    with at(ENDS - dt.timedelta(days=90)):
        assert remind_expiring_licenses_now() == 1
        assert remind_expiring_licenses_now() == 0  # the same day again: nothing
    with at(ENDS - dt.timedelta(days=60)):
        assert remind_expiring_licenses_now() == 0
    with at(ENDS - dt.timedelta(days=30)):
        assert remind_expiring_licenses_now() == 1
    with at(ENDS - dt.timedelta(days=1)):
        assert remind_expiring_licenses_now() == 0
    messages = list(Notification.objects.filter(recipient_id=ENTERPRISE).order_by("id"))
    assert [m.title for m in messages] == ["食品经营许可证即将到期"] * 2
    assert messages[0].body == (
        f"{lic.holder_name}的食品经营许可证将于2029年6月30日（还有 90 天）到期，"
        "请及时办理换领或延续。详见电子证照夹。"
    )
    assert "还有 30 天" in messages[1].body
    assert messages[0].link == f"/licenses/{lic.license_id}/"
    assert list(
        LicenseReminder.objects.filter(license=lic)
        .order_by("sent_at")
        .values_list("days_before", flat=True)
    ) == [90, 30]
    audited = AuditRecord.objects.filter(action="licenses.remind_expiry", object_id=lic.license_id)
    assert [r.after["days_before"] for r in audited.order_by("id")] == [90, 30]


def test_a_licence_first_seen_inside_30_days_gets_the_30_day_reminder_only(demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    with at(ENDS - dt.timedelta(days=12)):
        assert remind_expiring_licenses_now() == 1
        assert remind_expiring_licenses_now() == 0
    assert list(LicenseReminder.objects.values_list("days_before", flat=True)) == [30]
    body = Notification.objects.get(recipient_id=ENTERPRISE).body
    assert "还有 12 天" in body
    with at(ENDS):
        assert remind_expiring_licenses_now() == 0  # the 30-day one covers the last day too
    assert LicenseReminder.objects.filter(license=lic).count() == 1


def test_a_person_is_texted_without_the_number_and_permanent_ones_never(demo_licenses):
    card = demo_licenses(CITIZEN, "居民身份证")  # 李明, born 1990: valid for 20 years
    permanent = demo_licenses(ELDER, "居民身份证")  # 陈桂英, over 46: 长期
    assert card.valid_until is not None and permanent.valid_until is None
    with at(card.valid_until - dt.timedelta(days=30)):
        assert remind_expiring_licenses_now() == 1
    message = Notification.objects.get(recipient_id=CITIZEN)
    assert message.title == "居民身份证即将到期"
    assert message.body.startswith("您的居民身份证将于")
    texts = OutboxMessage.objects.filter(channel="sms", body__contains="您的居民身份证将于")
    assert texts.count() == 1
    assert card.license_no not in texts.get().body and CITIZEN not in texts.get().body
    assert not Notification.objects.filter(recipient_id=ELDER).exists()


def test_expired_revoked_and_far_licences_are_not_reminded(demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    with at(ENDS + dt.timedelta(days=1)):
        assert remind_expiring_licenses_now() == 0  # already past its end
    lic.status = "suspended"
    lic.save(update_fields=["status"])
    with at(ENDS - dt.timedelta(days=30)):
        assert remind_expiring_licenses_now() == 0
    assert not LicenseReminder.objects.exists() and not Notification.objects.exists()


def test_a_failed_delivery_records_nothing_and_is_retried(demo_licenses):
    demo_licenses(ENTERPRISE, "食品经营许可证")

    def broken(_reminder):
        raise RuntimeError("gateway down")

    with at(ENDS - dt.timedelta(days=30)):
        with pytest.raises(RuntimeError):
            facade.remind_expiring(broken)
        assert not LicenseReminder.objects.exists()
        assert not AuditRecord.objects.filter(action="licenses.remind_expiry").exists()
        assert remind_expiring_licenses_now() == 1  # the next run sends it


def test_a_concurrent_run_that_lost_the_race_sends_nothing(demo_licenses):
    """The row is unique: a second run whose read happened before the first run's commit
    finds it taken when it inserts, and sends nothing."""
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    sent = []
    with at(ENDS - dt.timedelta(days=30)):
        with transaction.atomic():
            LicenseReminder.objects.create(
                license=lic, days_before=30, valid_until=ENDS, sent_at=dt.datetime.now(dt.UTC)
            )
        assert services.licenses_remind_expiring(send=sent.append) == 0
    assert sent == []
