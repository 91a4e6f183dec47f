import pytest


@pytest.fixture
def catalog_seeded(db):
    """The demo service catalog, so automatic cases are filed under its items (高龄津贴申领 …)."""
    from shuzheng.catalog.demo import seed_catalog

    seed_catalog()
