"""The category tree the center edits starts as the dispatch suggestion's: every category the
suggestion can answer is a row here, with the same name and department, so a confirmed
suggestion always files."""

import json
from pathlib import Path

import pytest

from shuzheng.hotline import facade
from shuzheng.hotline.models import Category

pytestmark = pytest.mark.django_db
SUGGEST = Path(facade.__file__).parent / "suggest" / "data" / "categories.json"


def test_every_suggested_category_is_a_leaf_of_the_tree():
    if not SUGGEST.exists():
        pytest.skip("the suggestion is not installed")
    for c in json.loads(SUGGEST.read_text("utf-8"))["categories"]:
        row = Category.objects.get(code=c["code"])
        assert [row.parent.parent.name, row.parent.name, row.name] == c["path"]
        assert row.departments == [c["dept"]] and row.level == 3


def test_the_tree_api():
    tree = facade.categories()
    assert {c.level for c in tree} == {1, 2, 3}
    water = next(c for c in tree if c.code == "100101")
    assert water.path == ["水务", "供水", "停水与水质"] and water.parent_code == "100100"
