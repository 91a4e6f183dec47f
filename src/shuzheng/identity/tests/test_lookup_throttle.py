"""``identity.facade.lookup_allow``: anonymous lookups (办件进度查询) counted per client address
in the throttle rows, refused with the wait in seconds, never against identity's own counters."""

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory

from shuzheng.core.errors import RateLimited
from shuzheng.identity import facade as identity
from shuzheng.identity.models import AuthThrottle

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def _ask(ip: str, *, limit: int = 2) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    identity.lookup_allow(
        request, scope="probe", limit=limit, window_seconds=600, message="请 {wait}后再试。"
    )


def test_counted_per_address_and_refused_with_the_wait():
    with time_machine.travel(START, tick=False):
        _ask("192.0.2.1")
        _ask("192.0.2.1")
        with pytest.raises(RateLimited) as refused:
            _ask("192.0.2.1")
        _ask("192.0.2.2")  # another address has its own count
    assert refused.value.message == "请 10 分钟后再试。"
    assert refused.value.extra["retry_after"] == 600
    row = AuthThrottle.objects.get(scope="probe", key="192.0.2.1")
    assert row.count == 2  # the refused lookup is not counted
    with time_machine.travel(START + dt.timedelta(seconds=601), tick=False):
        _ask("192.0.2.1")  # a new window


def test_an_ipv6_subscriber_counts_by_its_prefix():
    with time_machine.travel(START, tick=False):
        _ask("2001:db8:1:2::10", limit=1)
        with pytest.raises(RateLimited):
            _ask("2001:db8:1:2::99", limit=1)  # same /64
        _ask("2001:db8:1:3::10", limit=1)


@pytest.mark.parametrize("scope", ["ip", "account", "client", "register", "sms", "", "x" * 17])
def test_a_lookup_never_counts_against_identitys_own_counters(scope):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    with pytest.raises(ValueError):
        identity.lookup_allow(request, scope=scope, limit=5, window_seconds=60, message="{wait}")
    assert not AuthThrottle.objects.exists()
