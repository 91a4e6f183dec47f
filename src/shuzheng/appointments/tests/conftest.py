import datetime as dt

import pytest
import time_machine

from shuzheng.appointments.demo import seed_appointments

TZ = dt.timezone(dt.timedelta(hours=8))
# Wednesday 30 September 2026, 10:00 in Zhaoqing: the next day is 国庆节 (1–7 October off,
# Saturday 10 October a 调休 working day), so the bookable days show the calendar at work.
MORNING = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)

ID_CARD = "441200307000030000000"  # 居民身份证换领: window B01 (市公安局, 3 a slot) at 市中心
DISABILITY = "441200320000130000006"  # 残疾人证申领: window E01 (市残联, 1 a slot) at 市中心
CITY, DISTRICT = "zq-zwfw", "dz-zwfw"


@pytest.fixture
def clock():
    """Frozen at ``MORNING``; ``clock.move_to(...)`` moves it."""
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def halls(db, clock):
    return seed_appointments()


@pytest.fixture
def book(api):
    """``book(who, hall=…, item=…, date=…, time=…)`` → the API's answer."""

    def call(who, *, hall=CITY, item=ID_CARD, date="2026-10-08", time="09:00"):
        body = {"hall": hall, "item": item, "date": date, "time": time}
        return api.call("POST", "/api/v1/appointments", who=who, json_body=body)

    return call


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    """These tests move the clock across days; tokens issued on day one must stay valid."""
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400
