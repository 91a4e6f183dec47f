import datetime as dt

import pytest
import time_machine

# The day the batch tests run on (``test_batch.DAY``): the catalog is published on it, so its
# items are in force on every day the tests travel to after it, whatever the real date is.
SEED_DAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def catalog_seeded(db):
    """The demo service catalog, so automatic cases are filed under its items (高龄津贴申领 …),
    published on the tests' day (seeded inside the time travel)."""
    from shuzheng.catalog.demo import seed_catalog

    with time_machine.travel(SEED_DAY, tick=False):
        seed_catalog()
