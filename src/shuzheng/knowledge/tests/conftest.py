import datetime as dt

import pytest
import time_machine

from shuzheng.identity.contracts import Principal

TZ = dt.timezone(dt.timedelta(hours=8))
# Wednesday 10 June 2026, 10:00 in Zhaoqing: the tests' "today" (seeded inside the travel).
MORNING = dt.datetime(2026, 6, 10, 10, 0, tzinfo=TZ)
DAY = MORNING.date()

SOCIAL_CARD = "441200320000060000009"  # 社会保障卡申领 (市人社局)
AGED = "44120030500001000000B"  # 高龄津贴申领 (市民政局)
MZJ, RSJ, GAJ = "441200-MZJ", "441200-RSJ", "441200-GAJ"

LEAD = Principal(
    kind="staff", username="demo-hotline-lead", staff_roles=(("hotline_supervisor", "441200-ZSJ"),)
)
OPERATOR = Principal(
    kind="staff", username="demo-hotline", staff_roles=(("hotline_operator", "441200-ZSJ"),)
)
CLERK = Principal(  # writes for 市民政局 and 市人社局
    kind="staff", username="demo-clerk", staff_roles=(("window_clerk", MZJ), ("window_clerk", RSJ))
)
HEAD = Principal(kind="staff", username="demo-head", staff_roles=(("department_head", MZJ),))
OTHER_HEAD = Principal(kind="staff", username="x-head", staff_roles=(("department_head", GAJ),))
DATA_OFFICER = Principal(kind="staff", username="x-data", staff_roles=(("data_officer", MZJ),))
CITIZEN = Principal(kind="person", username="demo-citizen", id_number="x")


@pytest.fixture
def clock():
    """Frozen at ``MORNING``; ``clock.move_to(...)`` moves it."""
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def catalog(db, clock):
    """The demo service catalog, published on the tests' day."""
    from shuzheng.catalog.demo import seed_catalog

    seed_catalog()


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    """Tests move the clock across days; tokens issued on day one must stay valid."""
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400
