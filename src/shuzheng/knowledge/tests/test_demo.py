"""``seed_knowledge``: the demo articles go through the services, owned by real departments and
linked to demo catalog items, published (one expiring soon, one in review, one draft), once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from shuzheng.audit.models import AuditRecord
from shuzheng.catalog import facade as catalog_facade
from shuzheng.identity import facade as identity
from shuzheng.knowledge import facade, selectors
from shuzheng.knowledge.demo import LEAD, demo_articles, seed_knowledge
from shuzheng.knowledge.models import Article
from shuzheng.knowledge.tests.conftest import DAY

pytestmark = pytest.mark.django_db


def test_every_demo_article_names_a_department_and_catalog_items_that_exist(catalog):
    names = identity.department_names()
    rows = demo_articles()
    assert len(rows) >= 60
    for row in rows:
        assert row["department"] in names, row["title"]
        for code in row.get("items") or ():
            assert catalog_facade.item(code).code == code


def test_seed_publishes_through_the_services_once(catalog, capsys):
    call_command("seed_knowledge")
    assert "演示知识库条目已创建" in capsys.readouterr().out
    published = Article.objects.filter(status="published")
    assert published.count() >= 60
    assert Article.objects.filter(status="in_review").count() == 1
    assert Article.objects.filter(status="draft").count() == 1
    assert not Article.objects.filter(is_demo=False).exists()
    assert AuditRecord.objects.filter(action="knowledge.article_publish").count() == (
        published.count()
    )
    assert seed_knowledge() == 0  # idempotent
    assert [a.title for a in selectors.expiring(LEAD, today=DAY)] == [
        "2026 年城乡居民医保集中缴费期"
    ]
    assert selectors.expiring(LEAD, today=DAY)[0].valid_to == DAY + dt.timedelta(days=20)
    # the operator finds the answers
    for said, title in [
        ("社保卡唔见咗", "社保卡丢失怎么补办"),
        ("屋企冇水", "停水信息查询"),
        ("垃圾车几点来", "生活垃圾清运时间"),
        ("驾照过期", "驾驶证到期换证"),
    ]:
        assert facade.search(text=said)[0].title == title
    hit = facade.search(text="社保卡补办")[0]
    assert hit.items[0].name == "社会保障卡申领"
    assert hit.department_name == "肇庆市人力资源和社会保障局"
