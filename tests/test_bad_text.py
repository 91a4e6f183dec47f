"""Form text that cannot be stored or is absurdly long was accepted or failed with a 500
(issue 16 item 7): a lone surrogate, NUL, 100,000 characters. Each is a 422 naming the field,
on filing, on a draft and on a 补正, and nothing is written."""

import pytest

from shuzheng.cases.models import Case
from shuzheng.catalog.tests import fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(db):  # type: ignore[no-untyped-def]
    from shuzheng.catalog.services import catalog_import

    licence = fixtures.business_license()
    catalog_import(actor="system:test", doc={"items": [licence], "bundles": []}, publish=True)
    return fixtures.code_of(licence)


def _file(api, item, name, submit=True):  # type: ignore[no-untyped-def]
    return api.call(
        "POST",
        "/api/v1/cases",
        who="demo-citizen",
        json_body={"item_code": item, "form": {"enterprise_name": name}, "submit": submit},
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("肇庆\ud800公司", "无法识别的字符"),
        ("肇庆\x00公司", "无法识别的字符"),
        ("长" * 100_000, "不能超过"),
    ],
)
@pytest.mark.parametrize("submit", [True, False])
def test_unstorable_or_endless_text_is_refused_naming_the_field(api, item, text, words, submit):
    before = Case.objects.count()
    r = _file(api, item, text, submit=submit)
    assert r.status_code == 422, r.content[:300]
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert words in errors["form.enterprise_name"]
    assert Case.objects.count() == before
