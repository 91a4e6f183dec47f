"""An unknown catalog lifecycle action is a 422 naming ``action`` with the allowed ones in
Chinese (issue 16 item 8), not a 409."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.catalog import services
from shuzheng.catalog.models import ServiceItem
from shuzheng.catalog.tests import fixtures

pytestmark = pytest.mark.django_db

MARRIAGE = fixtures.code_of(fixtures.marriage())


def test_unknown_catalog_action_is_422_naming_action(api):
    services.catalog_import(actor="user:demo-admin", doc=fixtures.document(), publish=False)
    api.token("demo-admin")
    before = AuditRecord.objects.count()
    r = api.call(
        "POST",
        f"/api/v1/catalog/items/{MARRIAGE}/versions/1/approve",
        who="demo-admin",
        json_body={},
    )
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["errors"] == [
        {
            "field": "action",
            "message": "没有“approve”这项操作。当前可执行的操作：提交审核（submit）。",
        }
    ]
    assert body["allowed_actions"] == ["submit"]
    assert ServiceItem.objects.get(code=MARRIAGE).status == "draft"
    assert AuditRecord.objects.count() == before
