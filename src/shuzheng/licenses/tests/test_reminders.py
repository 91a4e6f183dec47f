"""到期提醒: a licence with an end date is due a reminder 90 and 30 days before it ends, once per
threshold; reruns send nothing. (Delivery by notify: console/tests/test_license_reminders.py.)"""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from shuzheng.audit.models import AuditRecord
from shuzheng.licenses import facade, services
from shuzheng.licenses.contracts import ExpiryReminder
from shuzheng.licenses.models import LicenseReminder
from shuzheng.licenses.tests.conftest import CITIZEN, ELDER, ENTERPRISE

pytestmark = pytest.mark.django_db

# the demo's 食品经营许可证 (王芳's enterprise) ends on 2029-06-30
ENDS = dt.date(2029, 6, 30)


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC))


class Outbox(list[ExpiryReminder]):
    def __call__(self, reminder: ExpiryReminder) -> None:
        self.append(reminder)


def run() -> Outbox:
    sent = Outbox()
    assert facade.remind_expiring(sent) == len(sent)
    return sent


def test_reminded_90_and_30_days_before_once_each(demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    assert lic.valid_until == ENDS
    with at(ENDS - dt.timedelta(days=91)):
        assert run() == []  # nothing within 90 days yet
    with at(ENDS - dt.timedelta(days=90)):
        (first,) = run()
        assert run() == []  # the same day again: nothing
    with at(ENDS - dt.timedelta(days=60)):
        assert run() == []
    with at(ENDS - dt.timedelta(days=30)):
        (second,) = run()
    with at(ENDS - dt.timedelta(days=1)):
        assert run() == []
    assert first == ExpiryReminder(
        holder_kind="enterprise",
        holder_id=ENTERPRISE,
        license_id=lic.license_id,
        type_name="食品经营许可证",
        valid_until=ENDS,
        days_left=90,
        days_before=90,
        title="食品经营许可证即将到期",
        body=f"{lic.holder_name}的食品经营许可证将于2029年6月30日（还有 90 天）到期，"
        "请及时办理换领或延续。详见电子证照夹。",
        link=f"/licenses/{lic.license_id}/",
    )
    assert (second.days_before, second.days_left) == (30, 30)
    assert "还有 30 天" in second.body
    rows = LicenseReminder.objects.filter(license=lic).order_by("sent_at")
    assert list(rows.values_list("days_before", flat=True)) == [90, 30]
    audited = AuditRecord.objects.filter(action="licenses.remind_expiry", object_id=lic.license_id)
    assert [r.after["days_before"] for r in audited.order_by("id")] == [90, 30]


def test_a_licence_first_seen_inside_30_days_gets_the_30_day_reminder_only(demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    with at(ENDS - dt.timedelta(days=12)):
        (only,) = run()
        assert run() == []
    assert (only.days_before, only.days_left) == (30, 12)
    assert "还有 12 天" in only.body
    with at(ENDS):
        assert run() == []  # the 30-day one covers the last day too
    assert list(
        LicenseReminder.objects.filter(license=lic).values_list("days_before", flat=True)
    ) == [30]


def test_a_person_is_told_without_the_number_and_permanent_licences_never(demo_licenses):
    card = demo_licenses(CITIZEN, "居民身份证")  # 李明, born 1990: valid for 20 years
    permanent = demo_licenses(ELDER, "居民身份证")  # 陈桂英, over 46: 长期
    assert card.valid_until is not None and permanent.valid_until is None
    with at(card.valid_until - dt.timedelta(days=30)):
        (reminder,) = [r for r in run() if r.holder_id in (CITIZEN, ELDER)]
    assert (reminder.holder_kind, reminder.holder_id) == ("person", CITIZEN)
    assert reminder.body.startswith("您的居民身份证将于")
    assert card.license_no not in reminder.body and CITIZEN not in reminder.body


def test_expired_and_suspended_licences_are_not_reminded(demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    with at(ENDS + dt.timedelta(days=1)):
        assert [r for r in run() if r.license_id == lic.license_id] == []  # past its end
    lic.status = "suspended"
    lic.save(update_fields=["status"])
    with at(ENDS - dt.timedelta(days=30)):
        assert [r for r in run() if r.license_id == lic.license_id] == []
    assert not LicenseReminder.objects.filter(license=lic).exists()


def test_a_failed_delivery_records_nothing_and_is_retried(demo_licenses):
    demo_licenses(ENTERPRISE, "食品经营许可证")

    def broken(_reminder):
        raise RuntimeError("gateway down")

    with at(ENDS - dt.timedelta(days=30)):
        with pytest.raises(RuntimeError):
            facade.remind_expiring(broken)
        assert not LicenseReminder.objects.exists()
        assert not AuditRecord.objects.filter(action="licenses.remind_expiry").exists()
        assert len(run()) == 1  # the next run sends it


def test_a_run_that_lost_the_race_sends_nothing(demo_licenses):
    """The row is unique per licence, threshold and end date: a run that finds it written (by
    another run that committed first) sends nothing."""
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    sent = Outbox()
    with at(ENDS - dt.timedelta(days=30)):
        with transaction.atomic():
            LicenseReminder.objects.create(
                license=lic, days_before=30, valid_until=ENDS, sent_at=dt.datetime.now(dt.UTC)
            )
        assert services.licenses_remind_expiring(send=sent) == 0
    assert sent == []
