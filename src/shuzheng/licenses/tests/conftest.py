import datetime as dt

import pytest
import time_machine

from shuzheng.licenses import demo, services
from shuzheng.licenses.models import License


@pytest.fixture
def types(db):
    return services.license_types_load(actor="test")


# The tests of the demo licences run on this day (the clock ticks from it), never the real
# one: the 食品经营许可证 ends on 2029-06-30, and seeding inside the travel keeps it valid.
DEMO_DAY = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo_licenses(db):
    """The demo licences (seed_licenses): 李明, 陈桂英, 王芳 and 王芳's enterprise."""
    with time_machine.travel(DEMO_DAY, tick=True):
        demo.seed_licenses()

        def get(holder_id: str, type_name: str) -> License:
            return License.objects.get(holder_id=holder_id, license_type__name=type_name)

        yield get


CITIZEN = demo.CITIZEN_ID
ELDER = demo.ELDER_ID
AGENT = demo.AGENT_ID
ENTERPRISE = demo.ENTERPRISE_USCC
