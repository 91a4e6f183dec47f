"""Published item views and the search index are cached per process (``core.cache``): every
catalog service, and the departments they name, invalidate them in their transaction."""

import pytest

from shuzheng.catalog import selectors, services
from shuzheng.catalog.models import ServiceItem
from shuzheng.catalog.tests import fixtures
from shuzheng.core import cache
from shuzheng.core.errors import NotFound
from shuzheng.identity import facade as identity

pytestmark = pytest.mark.django_db
ACTOR = "user:demo-admin"
MARRIAGE = fixtures.code_of(fixtures.marriage())


@pytest.fixture
def published():
    services.catalog_import(actor=ACTOR, doc=fixtures.document(), publish=True)


def _bump_by_another_process(name):
    """What another process's service does in its transaction: only the database changes, this
    process's memos are not told."""
    cache.bump(name)


def test_a_retired_item_leaves_the_cached_views_at_once(published):
    assert selectors.item_detail(MARRIAGE).status == "published"
    assert [c for c, _, _ in selectors.search(q="结婚登记", kind="item")][:1] == [MARRIAGE]
    services.catalog_transition(actor=ACTOR, kind="item", code=MARRIAGE, version=1, action="retire")
    with pytest.raises(NotFound):
        selectors.item_detail(MARRIAGE)
    assert MARRIAGE not in [c for c, _, _ in selectors.search(q="结婚登记", kind="item")]


def test_a_new_version_published_replaces_the_cached_one(published):
    assert selectors.item_detail(MARRIAGE).version == 1
    spec = dict(ServiceItem.objects.get(code=MARRIAGE).spec)
    spec["name"] = "结婚登记（新版）"
    services.catalog_new_draft_from(actor=ACTOR, kind="item", code=MARRIAGE, spec=spec)
    assert selectors.item_detail(MARRIAGE).version == 1  # a draft is not served
    for action in ("submit", "publish"):
        services.catalog_transition(
            actor=ACTOR, kind="item", code=MARRIAGE, version=2, action=action
        )
    view = selectors.item_detail(MARRIAGE)
    assert (view.version, view.name) == (2, "结婚登记（新版）")


def test_a_department_renamed_by_another_process_renames_the_cached_views(published):
    assert selectors.item_detail(MARRIAGE).department_name == "肇庆市民政局"
    from shuzheng.identity.models import Department

    Department.objects.filter(code="441200-MZJ").update(name="肇庆市民政局（改）")
    assert selectors.item_detail(MARRIAGE).department_name == "肇庆市民政局"  # not told yet
    _bump_by_another_process(identity.DEPARTMENTS_CACHE)
    assert selectors.item_detail(MARRIAGE).department_name == "肇庆市民政局（改）"


def test_an_item_edited_by_another_process_is_served_anew(published):
    assert selectors.item_detail(MARRIAGE).promised_days == 0
    ServiceItem.objects.filter(code=MARRIAGE).update(promised_days=3)
    _bump_by_another_process(selectors.ITEMS)
    assert selectors.item_detail(MARRIAGE).promised_days == 3
