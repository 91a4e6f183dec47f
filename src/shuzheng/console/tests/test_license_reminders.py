"""The daily 证照到期提醒 task delivers each due reminder with notify: an in-app message to the
holder and, for a person, an SMS (without the licence number); a rerun sends nothing."""

import datetime as dt

import pytest
import time_machine

from shuzheng.console.tasks import remind_expiring_licenses_now
from shuzheng.core.models import OutboxMessage
from shuzheng.licenses import demo
from shuzheng.licenses.models import License
from shuzheng.notify import facade as notify
from shuzheng.notify.models import Notification

pytestmark = pytest.mark.django_db

SEEDED = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def licences(db):
    with time_machine.travel(SEEDED, tick=True):
        demo.seed_licenses()


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC))


def test_a_person_gets_a_message_and_an_sms_once(licences):
    card = License.objects.get(holder_id=demo.CITIZEN_ID, license_type__name="居民身份证")
    assert card.valid_until is not None
    with at(card.valid_until - dt.timedelta(days=30)):
        assert remind_expiring_licenses_now() >= 1
        assert remind_expiring_licenses_now() == 0
        if notify.sms_deferred():  # PostgreSQL: texted by dispatch_sms shortly after the commit
            notify.dispatch_sms()
    message = Notification.objects.get(recipient_kind="person", recipient_id=demo.CITIZEN_ID)
    assert message.title == "居民身份证即将到期"
    assert message.link == f"/licenses/{card.license_id}/"
    texts = OutboxMessage.objects.filter(channel="sms", body__contains="您的居民身份证将于")
    assert texts.count() == 1
    assert texts.get().body == f"【数政】{message.body}"
    assert card.license_no not in texts.get().body


def test_an_enterprise_gets_a_message(licences):
    permit = License.objects.get(
        holder_id=demo.ENTERPRISE_USCC, license_type__name="食品经营许可证"
    )
    assert permit.valid_until is not None
    with at(permit.valid_until - dt.timedelta(days=90)):
        assert remind_expiring_licenses_now() == 1
    message = Notification.objects.get(recipient_id=demo.ENTERPRISE_USCC)
    assert (message.recipient_kind, message.title) == ("enterprise", "食品经营许可证即将到期")
    assert "还有 90 天" in message.body
