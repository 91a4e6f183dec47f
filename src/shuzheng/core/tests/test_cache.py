"""core.cache: named versions bumped by writers, per-process memos keyed on them."""

import pytest
from django.db import connection, transaction

from shuzheng.core import cache
from shuzheng.core.models import CacheVersion

pytestmark = pytest.mark.django_db


class Source:
    """A stand-in for a table: a value and the number of times a memo read it."""

    def __init__(self, value):
        self.value = value
        self.builds = 0

    def build(self):
        self.builds += 1
        return self.value


def test_versions_read_as_the_orm_reads_them_and_none_before_the_first_bump():
    assert cache.versions("test.a", "test.b") == (None, None)
    cache.bump("test.a")
    cache.bump("test.b", "test.a")
    orm = dict(CacheVersion.objects.values_list("name", "version"))
    assert cache.versions("test.a", "test.b", "test.c") == (orm["test.a"], orm["test.b"], None)
    sql, params = cache.version_columns("test.b", "test.a", "test.c")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {sql}", params)
        assert cur.fetchone() == (orm["test.b"], orm["test.a"], None)


def test_every_bump_is_a_new_version_in_one_statement(django_assert_num_queries):
    seen = set()
    for _ in range(20):
        with django_assert_num_queries(1):
            cache.bump("test.a", "test.b")
        seen.add(cache.versions("test.a", "test.b"))
    assert len(seen) == 20


def test_a_memo_builds_once_per_version():
    memo = cache.Memo("test.a")
    source = Source("v1")
    assert memo.get("k", source.build) == "v1"
    assert memo.get("k", source.build) == "v1"
    assert source.builds == 1
    source.value = "v2"
    cache.bump("test.a")  # the writer's service, in its transaction
    assert memo.get("k", source.build) == "v2"
    assert memo.get("k", source.build) == "v2"
    assert source.builds == 2


def test_a_bump_committed_by_another_process_invalidates():
    """Another process wrote the table and bumped the version: this process's memo, which it
    never told, rebuilds on its next read."""
    memo = cache.Memo("test.a")
    cache.bump("test.a")
    source = Source("old")
    assert memo.get(None, source.build) == "old"
    source.value = "new"
    with connection.cursor() as cur:  # the other process's statement
        cur.execute("UPDATE core_cacheversion SET version = version + 1 WHERE name = 'test.a'")
    assert memo.get(None, source.build) == "new"
    assert source.builds == 2


def test_a_memo_over_several_names_follows_each_of_them():
    memo = cache.Memo("test.a", "test.b")
    source = Source(1)
    memo.get(None, source.build)
    cache.bump("test.b")
    memo.get(None, source.build)
    cache.bump("test.a")
    memo.get(None, source.build)
    memo.get(None, source.build)
    assert source.builds == 3


def test_a_value_built_in_a_rolled_back_write_is_never_served():
    """A writer bumps, reads (filling the memo with its uncommitted rows) and rolls back; the
    next committed write bumps again. A counter would come back to the rolled-back version."""
    memo = cache.Memo("test.a")
    cache.bump("test.a")
    committed = cache.versions("test.a")
    source = Source("committed")
    with pytest.raises(RuntimeError), transaction.atomic():
        cache.bump("test.a")
        source.value = "rolled back"
        assert memo.get(None, source.build) == "rolled back"
        raise RuntimeError
    assert cache.versions("test.a") == committed
    source.value = "committed"
    assert memo.get(None, source.build) == "committed"
    cache.bump("test.a")
    source.value = "next write"
    assert memo.get(None, source.build) == "next write"


def test_a_caller_may_pass_the_version_it_has_just_read(django_assert_num_queries):
    memo = cache.Memo("test.a")
    source = Source("x")
    version = memo.version()
    memo.get(None, source.build, version=version)
    with django_assert_num_queries(0):
        assert memo.get(None, source.build, version=version) == "x"
    with django_assert_num_queries(1):
        assert memo.get(None, source.build) == "x"
    assert source.builds == 1


def test_keys_are_kept_apart_and_bounded():
    memo: cache.Memo[str, str] = cache.Memo("test.a", maxsize=2)
    assert memo.get("a", lambda: "A") == "A"
    assert memo.get("b", lambda: "B") == "B"
    assert memo.peek("a") == "A" and memo.peek("b") == "B"
    assert memo.get("c", lambda: "C") == "C"  # full: the others are dropped
    assert memo.peek("a") is None and memo.peek("c") == "C"


def test_clear_all_forgets_every_memo_as_a_new_process_would():
    memo = cache.Memo("test.a")
    source = Source("x")
    memo.get(None, source.build)
    cache.clear_all()
    assert memo.peek(None) is None
    memo.get(None, source.build)
    assert source.builds == 2
