"""The shipped demo catalog: complete, valid, and findable the way the issue asks."""

import pytest

from shuzheng.catalog import selectors
from shuzheng.catalog.demo import seed_catalog
from shuzheng.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db

MUST_HAVE = [
    "高龄津贴申领",
    "出生医学证明（首次签发）",
    "户口登记（出生登记）",
    "城乡居民医保参保登记",
    "社会保障卡申领",
    "结婚登记",
    "残疾人证申领",
    "居住证申领",
    "营业执照（设立登记）",
    "食品经营许可",
    "不动产登记（转移登记）",
    "住房公积金提取",
    "人才引进入户",
]
BUNDLES = [
    "新生儿出生一件事",
    "开办餐饮店一件事",
    "退休一件事",
    "残疾人服务一件事",
    "企业开办一件事",
]


@pytest.fixture(autouse=True)
def content():
    result = seed_catalog()
    assert result is not None and result.items >= 60
    assert seed_catalog() is None  # idempotent


def test_content_size_and_must_haves():
    items = list(selectors.current_items())
    assert len(items) >= 60
    assert len({i.department_code for i in items}) >= 10
    names = {i.name for i in items}
    assert set(MUST_HAVE) <= names
    bundle_names = {b.name for b in selectors.bundle_list()}
    assert set(BUNDLES) <= bundle_names and len(bundle_names) >= 6
    for i in items:
        assert i.spec["materials"] or i.handling_type == "instant", i.name
        assert i.spec["form"]["schema"]["properties"], i.name


def _names(q):
    out = []
    for code, kind, _ in selectors.search(q=q, limit=3):
        out.append(
            selectors.item_detail(code).name
            if kind == "item"
            else selectors.bundle_detail(code).name
        )
    return out


def test_issue_acceptance_searches(api):
    assert _names("结婚")[0] == "结婚登记"
    assert "开办餐饮店一件事" in _names("开饭店")
    assert "新生儿出生一件事" in _names("生孩子")
    assert "退休一件事" in _names("退休了")
    assert "营业执照（设立登记）" in _names("办个营业执照")
    body = api.call("GET", "/api/v1/catalog/items?q=结婚").json()
    assert body["items"][0]["name"] == "结婚登记"


def test_bundle_guides_reduce_materials():
    reduced = 0
    for b in selectors.bundle_list():
        full = len(b.materials)
        for q in b.questions:
            for o in q["options"]:
                if o.get("exclude_items"):
                    g = selectors.bundle_guide(b.code, {q["code"]: o["value"]})
                    assert len(g.materials) <= full
                    reduced += len(g.materials) < full
    assert reduced >= 3


def test_instant_items_have_no_promised_days():
    for i in ServiceItem.objects.filter(handling_type="instant"):
        assert i.promised_days == 0
