"""The rule set in force for an item is cached per process (``core.cache``): publishing, a new
rule set and the seed invalidate it in their transaction, in this process and in any other."""

import datetime as dt

import pytest
import time_machine

from shuzheng.core import cache
from shuzheng.identity.models import User
from shuzheng.identity.selectors import principal_for_user
from shuzheng.rules import selectors, services
from shuzheng.rules.models import RuleSet

from .conftest import GAOLING_ITEM, NOW
from .test_versions import lowered_to_70

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return principal_for_user(User.objects.get(username="demo-admin"))


def test_a_version_published_to_start_today_replaces_the_cached_one(admin):
    with time_machine.travel(NOW, tick=False):
        today = dt.date(2026, 11, 23)
        rule_set, version = selectors.rule_set_for_item(GAOLING_ITEM, today)
        assert version.version == 1
        services.draft_save(
            principal=admin,
            code=rule_set.code,
            document=lowered_to_70(version.document),
            tests=[],
            note="年龄降至70",
        )
        assert selectors.rule_set_for_item(GAOLING_ITEM, today)[1].version == 1  # a draft
        services.publish(principal=admin, code=rule_set.code, effective_from=today)
        assert selectors.rule_set_for_item(GAOLING_ITEM, today)[1].version == 2


def test_an_edit_committed_by_another_process_is_seen_on_the_next_read():
    today = dt.date(2026, 11, 23)
    assert selectors.rule_set_for_item(GAOLING_ITEM, today) is not None
    RuleSet.objects.filter(item_code=GAOLING_ITEM).update(item_code="")
    cache.bump(selectors.IN_FORCE)  # by the other process's service: this one is not told
    assert selectors.rule_set_for_item(GAOLING_ITEM, today) is None
